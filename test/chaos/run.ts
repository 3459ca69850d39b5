/**
 * `npm run chaos`: the long chaos run outside jest. Runs the named scenarios (or a filtered set)
 * and then the randomized scenario for --duration, each with the same seed, and prints one
 * verdict table. Exit code 0 only if every scenario passed.
 *
 *   npm run chaos -- [--duration 120s] [--seed N] [--only NAME[,NAME]] [--profile chaos|broken|MS/STALE/DEAD]
 *                    [--namenode-arg ARG]... [--keep-logs] [--census 60s]
 *
 * --namenode-arg passes a flag to every NameNode (repeat it; e.g. --namenode-arg=--detector --namenode-arg=phi).
 * --duration is the fault phase of the scenarios that have a length (randomized faults, 5% loss).
 * --only takes substrings of scenario names ("randomized" runs only the randomized one).
 * --census measures the heartbeat gap distribution under 5% loss on every link (the data behind
 *   the chosen profile, docs/CHAOS.md): a cluster with STALE after 1 missed beat and DEAD never,
 *   so every gap longer than one interval shows up as a STALE -> LIVE transition with its length.
 * Also reads CHAOS_SEED (like the jest suite) when --seed is not given. Needs a build (tsc -b);
 * `npm run chaos` does that first.
 */
import { ChaosCluster, CHAOS_PROFILE, BROKEN_PROFILE, ETCD_BIN, etcdInstalled, type Profile } from './harness';
import { detectNetMode } from './network';
import { Prng, seedFromEnv } from './prng';
import { SCENARIOS, type ScenarioResult, formatResult, formatTable, runScenario, verdictRow } from './scenarios';
import { DEFAULT_WORKLOAD, Workload } from './workload';

interface Args {
  durationMs: number;
  seed: number;
  only: string[];
  profile: Profile | undefined;
  keepLogs: boolean;
  censusMs: number | undefined;
  censusIntervalMs: number;
  namenodeArgs: string[];
}

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`bad duration ${text} (e.g. 90s, 2m, 5000ms)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'm' ? n * 60_000 : m[2] === 'ms' ? n : n * 1000);
}

function parseProfile(text: string): Profile {
  if (text === 'chaos') return CHAOS_PROFILE;
  if (text === 'broken') return BROKEN_PROFILE;
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new Error(`bad profile ${text}: chaos, broken or INTERVAL_MS/STALE/DEAD`);
  return { name: text, heartbeatIntervalMs: Number(m[1]), staleAfter: Number(m[2]), deadAfter: Number(m[3]) };
}

function parseArgs(argv: string[]): Args {
  const args: Args = { durationMs: 120_000, seed: seedFromEnv(), only: [], profile: undefined, keepLogs: false, censusMs: undefined, censusIntervalMs: 100, namenodeArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? (() => { throw new Error(`${flag} needs a value`); })();
    switch (flag) {
      case '--duration': args.durationMs = parseDuration(value()); break;
      case '--seed': args.seed = seedFromEnv({ CHAOS_SEED: value() }); break;
      case '--only': args.only.push(...value().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)); break;
      case '--profile': args.profile = parseProfile(value()); break;
      case '--keep-logs': args.keepLogs = true; break;
      case '--namenode-arg': args.namenodeArgs.push(value()); break;
      case '--census': args.censusMs = parseDuration(value()); break;
      case '--census-interval': args.censusIntervalMs = Number(value()); break;
      case '--help': case '-h':
        process.stdout.write(`${require('node:fs').readFileSync(__filename.replace(/\.js$/, '.ts').replace('/.tsbuild/', '/'), 'utf8').split('*/')[0]}*/\n`);
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a} (try --help)`);
    }
  }
  if (args.namenodeArgs.length) {
    const base = args.profile ?? CHAOS_PROFILE;
    args.profile = { ...base, name: `${base.name}+${args.namenodeArgs.join(' ')}`, namenodeArgs: args.namenodeArgs };
  }
  return args;
}

async function census(args: Args, mode: 'netns' | 'loopback'): Promise<void> {
  if (mode !== 'netns') throw new Error('--census needs network namespaces (root): it measures gaps under packet loss');
  const interval = args.censusIntervalMs;
  const profile: Profile = { name: `census-${interval}`, heartbeatIntervalMs: interval, staleAfter: 1, deadAfter: 10_000 };
  const log = (l: string) => process.stdout.write(`${l}\n`);
  log(`CHAOS_SEED=${args.seed} census: heartbeat gaps under 5% loss on every link, ${interval} ms beats, ${args.censusMs} ms, 4 DataNodes + workload`);
  const cluster = await ChaosCluster.start({ name: 'census', datanodes: 4, profile, replication: 3, blockSizeBytes: 64 * 1024, mode, log });
  const workload = new Workload({ ...DEFAULT_WORKLOAD, namenode: cluster.namenodeAddress, dir: '/census' }, new Prng(args.seed).fork('census'));
  try {
    workload.start();
    const since = Date.now();
    await cluster.loss(0.05);
    await new Promise((r) => setTimeout(r, args.censusMs));
    await cluster.healLoss();
    await workload.stop(30_000);
    const gaps = cluster.transitions().filter((t) => t.atMs >= since && t.from === 'STALE' && t.to === 'LIVE' && t.reason === 'heartbeat').map((t) => t.msSinceLastHeartbeat);
    const beats = (args.censusMs! / interval) * cluster.ids.length;
    const buckets = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20].map((k) => ({ k, n: gaps.filter((g) => g >= k * interval).length }));
    log(`~${beats} beats expected; gaps longer than one interval: ${gaps.length}; longest ${Math.max(0, ...gaps)} ms`);
    log(formatTable(buckets.map((b) => ({ 'gap >= ms': String(b.k * interval), 'intervals': String(b.k), count: String(b.n), 'per node-minute': (b.n / cluster.ids.length / (args.censusMs! / 60_000)).toFixed(2) }))));
    log(`(a profile with dead-after D at this interval would have declared a false DEAD for every gap >= D intervals)`);
  } finally {
    workload.close();
    await cluster.stop(args.keepLogs);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { mode, reason } = detectNetMode();
  process.stdout.write(`chaos: ${mode} mode (${reason}); CHAOS_SEED=${args.seed}\n`);
  if (args.censusMs !== undefined) return census(args, mode);
  const selected = SCENARIOS.filter((s) => args.only.length === 0 || args.only.some((o) => s.name.toLowerCase().includes(o)));
  if (selected.length === 0) throw new Error(`no scenario matches ${args.only.join(', ')}`);
  const results: ScenarioResult[] = [];
  const skipped: string[] = [];
  const crashed: string[] = [];
  for (const s of selected) {
    if (s.needs.length && mode !== 'netns') {
      skipped.push(`${s.name} (needs ${s.needs.join(', ')}: loopback mode)`);
      continue;
    }
    if (s.ha && !etcdInstalled) {
      skipped.push(`${s.name} (needs etcd: ${ETCD_BIN} not found)`);
      continue;
    }
    try {
      const r = await runScenario(s, args.seed, {
        mode, profile: args.profile, durationMs: args.durationMs,
        keepLogs: args.keepLogs ? 'always' : 'on-failure', log: (l) => process.stdout.write(`${l}\n`),
      });
      process.stdout.write(`${formatResult(r)}\n\n`);
      results.push(r);
    } catch (err) {
      // The cluster did not even start: a crash verdict for this scenario, the run goes on.
      process.stdout.write(`CRASH "${s.name}": ${(err as Error).stack ?? String(err)}\n\n`);
      crashed.push(s.name);
    }
  }
  process.stdout.write(`\nverdicts (CHAOS_SEED=${args.seed}, ${mode}, profile ${args.profile?.name ?? 'per scenario (chaos)'})\n`);
  process.stdout.write(`${formatTable(results.map(verdictRow))}\n`);
  for (const s of skipped) process.stdout.write(`skipped: ${s}\n`);
  for (const s of crashed) process.stdout.write(`CRASHED (cluster did not start): ${s}\n`);
  const failed = results.filter((r) => !r.ok).length + crashed.length;
  const total = results.length + crashed.length;
  process.stdout.write(failed ? `\n${failed} of ${total} scenarios FAILED; replay with --seed ${args.seed}\n` : `\nall ${total} scenarios passed\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
});
