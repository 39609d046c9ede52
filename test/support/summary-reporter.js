// Jest's counts as one line, and as JSON for test/run-all.mjs, which adds Pester's and prints
// the run's closing `N passed, N failed, N skipped` line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const counts = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    process.stdout.write(`jest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    const file = process.env.RDSPLAN_JEST_SUMMARY;
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(counts));
    }
  }
}
