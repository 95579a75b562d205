import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestError } from '@playwright/test/reporter';

/**
 * Writes the run's real counts to $TEST_RESULTS_DIR in the workspace's shared shape, so CI counts
 * browser tests the same way as Jest's. Errors outside any test (a failed global setup, a file
 * that does not load) are listed in failedSuites.
 */
class ResultsFileReporter implements Reporter {
  private root: Suite | undefined;
  private readonly failedSuites: { file: string; error: string }[] = [];

  onBegin(_config: FullConfig, suite: Suite): void {
    this.root = suite;
  }

  onError(error: TestError): void {
    this.failedSuites.push({
      file: error.location?.file ?? '(global)',
      error: error.message ?? error.value ?? 'unknown error',
    });
  }

  onEnd(result: FullResult): void {
    const dir = process.env.TEST_RESULTS_DIR;
    if (!dir) return;
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const test of this.root?.allTests() ?? []) {
      const outcome = test.outcome();
      if (outcome === 'expected' || outcome === 'flaky') passed += 1;
      else if (outcome === 'skipped') skipped += 1;
      else failed += 1;
    }
    if (result.status !== 'passed' && failed === 0 && this.failedSuites.length === 0) {
      this.failedSuites.push({ file: '(run)', error: `run ended with status ${result.status}` });
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `playwright-frontend-e2e-${process.pid}.json`),
      JSON.stringify({
        runner: 'playwright',
        project: 'frontend-e2e',
        passed,
        failed,
        skipped,
        failedSuites: this.failedSuites,
      }),
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}

export default ResultsFileReporter;
