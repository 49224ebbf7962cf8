import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, symgrad } from './run-cli.js';
import { CONV_POOL_DENSE, CONV_POOL_DENSE_SHAPES, temporaryFolder } from './small-graph.js';

const folder = temporaryFolder();
const graph = folder.file('conv-pool-dense.mjson', CONV_POOL_DENSE);

/** The fields of either manifest this test reads. */
interface Manifest {
  readonly language: 'ts' | 'js' | 'wgsl';
  readonly module?: string;
  readonly weights: { name: string; shape: number[] }[];
  readonly shaders?: { entryPoint: string; file: string }[];
  readonly kernels?: Kernel[];
}

/** A kernel as the manifest and the module's `kernels` table list it. */
interface Kernel {
  readonly writes: string;
  readonly fused?: string[];
}

/** Runs `emit --target <target> --out <folder>` and returns the folder and its manifest. */
function emitInto(target: string): { out: string; manifest: Manifest } {
  const out = join(folder.path, target);
  const run = symgrad('emit', graph, '--target', target, '--out', out);
  expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  return { out, manifest };
}

function weightShapes(manifest: Manifest): Record<string, number[]> {
  return Object.fromEntries(manifest.weights.map((w) => [w.name, w.shape]));
}

describe('symgrad emit --out', () => {
  it('--target ts writes <name>.ts and a manifest of every weight with its shape', () => {
    const { out, manifest } = emitInto('ts');
    expect(readdirSync(out).sort()).toEqual(['conv-pool-dense.ts', 'manifest.json']);
    expect(manifest).toMatchObject({ language: 'ts', module: 'conv-pool-dense.ts' });
    expect(weightShapes(manifest)).toEqual(CONV_POOL_DENSE_SHAPES);
    expect(readFileSync(join(out, 'conv-pool-dense.ts'), 'utf8')).toMatch(/^export /m);
  });

  it('--target js writes <name>.mjs, an ES module that trains like the TypeScript', async () => {
    const { out, manifest } = emitInto('js');
    expect(readdirSync(out).sort()).toEqual(['conv-pool-dense.mjs', 'manifest.json']);
    expect(manifest).toMatchObject({ language: 'js', module: 'conv-pool-dense.mjs' });
    expect(weightShapes(manifest)).toEqual(CONV_POOL_DENSE_SHAPES);

    const file = join(out, 'conv-pool-dense.mjs');
    const generated = await import(/* @vite-ignore */ pathToFileURL(file).href);
    const state = generated.createState(1);
    state[generated.model.target][0] = 1;
    expect(generated.trainStep(state, 1, 0.1)).toBeCloseTo(Math.log(3), 5);

    // The manifest lists the kernels the module runs, fused ones with what they absorbed.
    const listed = (manifest.kernels ?? []).map((k) => ({
      writes: k.writes,
      fused: k.fused ?? [],
    }));
    const run = generated.kernels.map((k: Kernel) => ({ writes: k.writes, fused: k.fused ?? [] }));
    expect(listed).toEqual(run);
    expect(listed.some(({ fused }) => fused.length > 0)).toBe(true);
  });

  it('--target wgsl writes one .wgsl per shader of the manifest, and nothing else', () => {
    const { out, manifest } = emitInto('wgsl');
    const shaders = manifest.shaders ?? [];
    expect(shaders.length).toBeGreaterThan(0);
    expect(manifest.language).toBe('wgsl');
    expect(weightShapes(manifest)).toEqual(CONV_POOL_DENSE_SHAPES);

    const listed = shaders.map((s) => s.file);
    expect(readdirSync(out).sort()).toEqual([...listed, 'manifest.json'].sort());
    for (const { entryPoint, file } of shaders) {
      expect(file).toBe(`${entryPoint}.wgsl`);
      const code = readFileSync(join(out, file), 'utf8');
      expect(code, file).toContain('@compute');
      expect(code, file).toContain(`fn ${entryPoint}(`);
    }
  });
});

describe('symgrad emit --target wgsl and tiles', () => {
  /** The entry points of the MLP's shaders that the manifest gives tiles. */
  const tiledShaders = (...flags: string[]) => {
    const out = join(folder.path, `mlp-wgsl${flags.join('')}`);
    const run = symgrad('emit', 'examples/mlp.json', '--target', 'wgsl', '--out', out, ...flags);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      shaders: { entryPoint: string; tiles?: unknown }[];
    };
    return manifest.shaders.filter((s) => s.tiles !== undefined).map((s) => s.entryPoint);
  };

  it("tiles the dense layers' products by default, and none with --no-tiles", () => {
    expect(tiledShaders()).toEqual(
      expect.arrayContaining(['computeHiddenOutput', 'computeHiddenKernelGrad']),
    );
    expect(tiledShaders('--no-tiles')).toEqual([]);
  });

  it('refuses --no-tiles for another target', () => {
    const run = symgrad('emit', graph, '--target', 'ts', '--no-tiles');
    expectOneLineError(run, ['--no-tiles applies to --target wgsl only']);
  });
});

describe('symgrad emit on a bad command line', () => {
  it('asks for --target when it is missing, exiting 2', () => {
    const run = symgrad('emit', graph);
    expectOneLineError(run, ["required option '--target <target>' not specified"]);
    expect(run.status).toBe(2);
  });

  it('lists the targets for an unknown one, exiting 2 and writing nothing', () => {
    const out = join(folder.path, 'cuda');
    const run = symgrad('emit', graph, '--target', 'cuda', '--out', out);
    expectOneLineError(run, ["--target 'cuda'", 'use one of ts, js, wgsl']);
    expect(run.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
