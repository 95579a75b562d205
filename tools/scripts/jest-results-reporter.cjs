// A Jest reporter that writes each run's real results as JSON into $TEST_RESULTS_DIR, so that
// .ci/run can count passed, failed and skipped tests across every project (Jest's printed
// summary is for people, not for counting).
const fs = require('node:fs');
const path = require('node:path');

class ResultsFileReporter {
  constructor(globalConfig, options = {}) {
    this.name = options.name || path.basename(globalConfig.rootDir);
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `jest-${this.name}-${process.pid}.json`);
    const failedSuites = results.testResults
      .filter((suite) => suite.testExecError)
      .map((suite) => ({ file: suite.testFilePath, error: suite.testExecError.message }));
    fs.writeFileSync(
      file,
      JSON.stringify({
        runner: 'jest',
        project: this.name,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failedSuites,
      }),
    );
  }
}

module.exports = ResultsFileReporter;
