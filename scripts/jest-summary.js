#!/usr/bin/env node
// Prints `N passed, N failed[, N skipped]` from a jest --json result file. Suites that failed to
// run (compile errors, crashes) count as one failure each, so they can never pass silently.
'use strict';
const fs = require('node:fs');

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`jest result file ${file} not found`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
for (const s of r.testResults.filter((x) => x.status === 'failed')) {
  const failed = s.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName);
  console.log(`FAILED ${s.name}${failed.length ? ': ' + failed.join('; ') : ': ' + (s.message || '').split('\n')[0]}`);
}
const passed = r.numPassedTests;
const failed = r.numFailedTests + brokenSuites.length;
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
