#!/usr/bin/env node
// Adds up the result files that test runners wrote into a directory (see
// jest-results-reporter.cjs; Playwright and shell suites write the same shape) and prints the
// closing line CI reads: `N passed, N failed, N skipped`. Extra failures (steps that are not
// test runners, such as lint or typecheck) come as a second argument.
// Exits 1 when anything failed or when no test ran at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, extraFailures = '0'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: summarize-test-results.mjs <results-dir> [extra-failures]');
  process.exit(2);
}

let passed = 0;
let failed = Number(extraFailures);
let skipped = 0;
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  // no directory: nothing ran
}
for (const file of files.sort()) {
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
  for (const suite of result.failedSuites ?? []) console.log(`suite failed to run: ${suite.file}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
