/**
 * `npm run bench [-- --quick] [--only a,b] [--out DIR] [--seed N] [--keep]`
 *
 * Runs each suite in order, writes bench/results/<run>/<suite>.{json,md} and a summary
 * (README.md + summary.json) with every target as PASS / FAIL / not measured and the run's
 * duration. The full run writes to bench/results/full/, --quick to bench/results/quick/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { renderSuite, renderTable, targetsTable, writeSuite } from './lib/results';
import type { SuiteResult, Target } from './lib/suite';
import { SUITES } from './suites';
import { repoRoot } from '../test/support/paths';

interface Options { quick: boolean; only?: string; out?: string; seed: number; keep: boolean }

function parseSeed(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a non-negative integer');
  return n;
}

function environment(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
  } catch { /* not a git checkout */ }
  return {
    node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)), kernel: os.release(), commit,
    loadAvg1mAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const o = new Command('bench')
    .description('minidfs benchmarks: heartbeat scale, detection, repair, client, baselines and MooseFS in one run')
    .option('--quick', 'smoke run: small sizes, one repetition (under 3 minutes)', false)
    .option('--only <names>', `comma-separated suites (${SUITES.map((s) => s.name).join(', ')})`)
    .option('--out <dir>', 'results directory (default bench/results/full or bench/results/quick)')
    .option('--seed <n>', 'seed for random choices (printed; replay with the same value)', parseSeed, Date.now() % 1_000_000)
    .option('--keep', 'keep scratch directories', false)
    .parse(process.argv)
    .opts<Options>();

  const only = o.only ? new Set(o.only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  for (const name of only ?? []) {
    if (!SUITES.some((s) => s.name === name)) throw new Error(`unknown suite ${name}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  }
  const outDir = path.resolve(o.out ?? path.join(repoRoot(), 'bench/results', o.quick ? 'quick' : 'full'));
  const env = environment();
  process.stderr.write(`bench: ${o.quick ? 'quick' : 'full'} run, seed ${o.seed}, results in ${outDir}\n`);
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const earlier = new Map<string, SuiteResult>();
  const failures: string[] = [];

  for (const suite of SUITES) {
    if (only && !only.has(suite.name)) continue;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `minidfs-bench-${suite.name}-`));
    const t0 = Date.now();
    process.stderr.write(`bench: ${suite.name} ...\n`);
    let result: SuiteResult;
    try {
      result = await suite.run({
        quick: o.quick, workDir, seed: o.seed, earlier,
        log: (m) => process.stderr.write(`  [${suite.name}] ${m}\n`),
      });
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      failures.push(`${suite.name}: ${message.split('\n')[0]}`);
      process.stderr.write(`bench: ${suite.name} failed: ${message}\n`);
      result = {
        suite: suite.name, title: suite.title, method: 'The suite failed before it finished.', metrics: { error: message.split('\n')[0]! },
        tables: [], targets: [], notes: [`error: ${message}`],
      };
    } finally {
      if (!o.keep) fs.rmSync(workDir, { recursive: true, force: true });
    }
    result.startedAt = new Date(t0).toISOString();
    result.durationMs = Date.now() - t0;
    earlier.set(suite.name, result);
    writeSuite(outDir, result);
    process.stderr.write(`bench: ${suite.name} done in ${(result.durationMs / 1000).toFixed(1)} s\n`);
  }

  const durationMs = Date.now() - started;
  const targets: Array<Target & { suite: string }> = [];
  for (const r of earlier.values()) for (const t of r.targets) targets.push({ ...t, suite: r.suite });
  const summary = {
    kind: o.quick ? 'quick' : 'full', seed: o.seed, startedAt: new Date(started).toISOString(), durationMs, environment: env,
    suites: [...earlier.values()].map((r) => ({ suite: r.suite, durationMs: r.durationMs, metrics: r.metrics })), targets, failures,
  };
  fs.writeFileSync(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const md = [
    `# minidfs benchmarks (${summary.kind} run)`, '',
    `Seed ${o.seed}; started ${summary.startedAt}; took ${(durationMs / 1000).toFixed(0)} s. ` +
      `Machine: ${env.cpus} × ${env.cpuModel}, ${env.memGiB} GiB, Node ${env.node}, kernel ${env.kernel}, commit ${env.commit}, ` +
      `load average ${env.loadAvg1mAtStart} at start.`, '',
    '## All targets', '',
    renderTable(targetsTable(targets.map((t) => ({ ...t, name: `${t.suite}: ${t.name}` })))), '',
    ...(failures.length ? ['## Suites that failed', '', ...failures.map((f) => `- ${f}`), ''] : []),
    '## Suites', '', ...[...earlier.values()].map((r) => `- [${r.title}](${r.suite}.md): ${((r.durationMs ?? 0) / 1000).toFixed(1)} s`), '',
  ].join('\n');
  fs.writeFileSync(path.join(outDir, 'README.md'), md);
  process.stdout.write(`${[...earlier.values()].map(renderSuite).join('\n')}\n${md}`);
  process.stderr.write(`bench: finished in ${(durationMs / 1000).toFixed(1)} s; ${targets.filter((t) => t.pass === true).length} targets met, ` +
    `${targets.filter((t) => t.pass === false).length} missed, ${targets.filter((t) => t.pass === null).length} not measured\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
