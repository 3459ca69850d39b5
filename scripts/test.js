#!/usr/bin/env node
// `npm test`: jest in two runs. First every suite except test/chaos, in parallel workers; then
// test/chaos alone. The chaos scenarios judge the failure detectors on timing (a 1 s dead timeout
// under 5% loss, docs/CHAOS.md), and a parallel worker running the CPU-heavy simulator or SWIM
// suites beside them on a 2-core box starved a DataNode long enough for a false DEAD in CI. Run
// one after the other, the whole takes about as long as before (the other suites kept the second
// worker busy for the chaos file's whole run anyway).
//
// Arguments go to both runs. With --outputFile=FILE (and --json) the two results are merged into
// FILE, so scripts/jest-summary.js counts both. With a test path of its own (`npm test --
// test/unit`), jest runs once, as asked. Exit code: 0 only if both runs passed.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const CHAOS_DIR = 'test/chaos';
const jest = require.resolve('jest/bin/jest');
const args = process.argv.slice(2);

/** Flags of jest that take a value as the next argument (so it is not mistaken for a test path). */
const VALUE_FLAGS = new Set(['--outputFile', '--maxWorkers', '-w', '--testNamePattern', '-t', '--testTimeout', '--seed', '--shard', '--config', '-c', '--reporters']);
const positional = args.filter((a, i) => !a.startsWith('-') && !VALUE_FLAGS.has(args[i - 1]));

function run(extra) {
  return spawnSync(process.execPath, [jest, ...extra], { stdio: 'inherit' }).status ?? 1;
}

if (positional.length > 0) process.exit(run(args));

let outputFile;
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--outputFile=')) outputFile = args[i].slice('--outputFile='.length);
  else if (args[i] === '--outputFile') outputFile = args[++i];
  else rest.push(args[i]);
}
const part = (n) => (outputFile ? [`--outputFile=${outputFile}.${n}`] : []);
if (outputFile) fs.mkdirSync(path.dirname(path.resolve(outputFile)), { recursive: true });

const first = run([...rest, ...part(1), '--testPathIgnorePatterns', `/${CHAOS_DIR}/`]);
const second = run([...rest, ...part(2), CHAOS_DIR]);

if (outputFile) {
  // A run that wrote no result (jest crashed) becomes one failed suite, so it can never pass silently.
  const parts = [1, 2].map((n) => {
    const f = `${outputFile}.${n}`;
    if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8'));
    return {
      success: false, startTime: Date.now(), numFailedTestSuites: 1, numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0,
      testResults: [{ name: `jest run ${n} of scripts/test.js`, status: 'failed', assertionResults: [], message: 'jest wrote no result' }],
    };
  });
  const sum = (key) => parts.reduce((s, r) => s + (r[key] ?? 0), 0);
  const merged = {
    ...parts[0],
    success: parts.every((r) => r.success),
    startTime: Math.min(...parts.map((r) => r.startTime)),
    testResults: parts.flatMap((r) => r.testResults),
  };
  for (const key of new Set(parts.flatMap((r) => Object.keys(r)))) if (/^num[A-Z]/.test(key)) merged[key] = sum(key);
  fs.writeFileSync(outputFile, JSON.stringify(merged));
  for (const n of [1, 2]) fs.rmSync(`${outputFile}.${n}`, { force: true });
}
process.exit(first === 0 && second === 0 ? 0 : 1);
