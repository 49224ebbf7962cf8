import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends every run with one machine-readable line, `N passed, N failed[, N skipped]`, counted
 * over test cases in all projects, so that CI logs and scripts need not parse the default
 * reporter's summary.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;

    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const { state } = testCase.result();
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else if (state === 'skipped') skipped += 1;
      }
    }

    const counts = [`${passed} passed`, `${failed} failed`];
    if (skipped > 0) counts.push(`${skipped} skipped`);
    process.stdout.write(`${counts.join(', ')}\n`);
  }
}
