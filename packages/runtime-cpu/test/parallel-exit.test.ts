import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./parallel-exit-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the child script under tsx; a worker that kept it alive would run into the timeout. */
function runChild(mode: 'dispose' | 'drop') {
  return spawnSync(process.execPath, ['--import', 'tsx', child, mode], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('a process training on 2 threads', () => {
  it.each([
    ['dispose', 1],
    ['drop', 2],
  ] as const)(
    'ends by itself after it %s its model',
    (mode, threads) => {
      const run = runChild(mode);

      expect(run.error).toBeUndefined();
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as { loss: number; threads: number };
      expect(Number.isFinite(report.loss)).toBe(true);
      expect(report.threads).toBe(threads);
    },
    90_000,
  );
});
