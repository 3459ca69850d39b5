/**
 * heartbeat-scale: how many DataNodes one NameNode process keeps LIVE at a 1 s heartbeat. A real
 * NameNode process and the loadgen (@minidfs/loadgen, forked worker processes) simulating N
 * DataNodes over real gRPC streams; for each N, after the ramp and a warm-up, one measurement
 * window gives:
 *   - NameNode CPU per heartbeat: utime+stime of the NameNode (/proc/<pid>/stat) over the window ÷
 *     heartbeats sent in the window (loadgen-counted; with quiet acks most beats get no answer),
 *     and the loadgen's CPU per beat beside it;
 *   - heartbeat lag: round trip measured by the loadgen, from writing a beat to reading the answer
 *     that acknowledges that beat's sequence (all on loopback, so this is NameNode queueing +
 *     handling + both gRPC stacks); plus the NameNode's own handler time per beat
 *     (minidfs_namenode_heartbeat_handling_seconds) and its event-loop delay (prom-client);
 *   - NameNode RSS per DataNode: (RSS at N − RSS of the same fresh process before any node) ÷ N;
 *   - false DEADs: NameNode transition lines to DEAD between loadgen start and window end (every
 *     simulated node keeps beating, so any DEAD is false).
 * The target: the largest N with zero false DEADs and lag p99 < 100 ms; 10k at 1 s must pass.
 * Loadgen CPU is reported beside NameNode CPU so a reader can tell which side saturated.
 */
import fs from 'node:fs';
import os from 'node:os';
import { LINK_QUIET_ACK_INTERVALS as LIVENESS_QUIET_ACK, createLogger, defaultLivenessConfig } from '@minidfs/common';
import { type LoadRun, type LoadgenSnapshot, defaultLoadgenConfig, startLoad, statsBetween } from '@minidfs/loadgen';
import { type Liveness, TestCluster, livenessFlags } from '../../test/support/cluster';
import { waitFor } from '../../test/support/wait';
import { median, round } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult, Target } from '../lib/suite';

/** The NameNode's default liveness (defaultLivenessConfig). */
const LIVENESS: Liveness = livenessFlags(defaultLivenessConfig());
const LAG_P99_BOUND_MS = 100;
const TARGET_NODES = 10_000;
/** Simulated nodes per loadgen process (measured: one process used ~0.45 core for 5k beats/s here, ~90 µs/beat). */
const NODES_PER_LOADGEN_PROCESS = 5000;
const CLK_TCK = 100;

interface Plan { sizes: number[]; runs: number; warmupMs: number; windowMs: number; startsPerSecond: number; blocksPerNode: number }

const FULL: Plan = { sizes: [1000, 5000, 10_000, 20_000], runs: 3, warmupMs: 15_000, windowMs: 20_000, startsPerSecond: 1000, blocksPerNode: 300 };
const QUICK: Plan = { sizes: [1000, 2000], runs: 1, warmupMs: 5000, windowMs: 8000, startsPerSecond: 1000, blocksPerNode: 100 };

interface Sample {
  datanodes: number;
  processes: number;
  live: number;
  falseDeads: number;
  staleTransitions: number;
  /** DEADs during the ramp (registration storm), before every node was LIVE: reported, not judged. */
  rampDeads: number;
  rampSeconds: number;
  acksPerSec: number;
  beatsPerSec: number;
  nnCpuMicrosPerBeat: number;
  loadgenCpuMicrosPerBeat: number;
  nnCores: number;
  loadgenCores: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  handlerP99Ms: number;
  eventLoopP99Ms: number;
  sendLagP99Ms: number;
  rssPerNodeKiB: number;
  rssMiB: number;
  reregisters: number;
  loadAvg1m: number;
}

function cpuTicks(pid: number): number {
  // Fields after the ")" of comm: state is field 3; utime 14, stime 15.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

async function metricsText(c: TestCluster): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/metrics`);
  return res.text();
}

/** Cumulative bucket counts of a Prometheus histogram: [le, count][]. */
function buckets(text: string, name: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])]);
  return out;
}

/** p-quantile upper bound (seconds) of the observations between two scrapes. */
function histogramQuantile(before: string, after: string, name: string, p: number): number {
  const a = buckets(before, name), b = buckets(after, name);
  const total = (b.at(-1)?.[1] ?? 0) - (a.at(-1)?.[1] ?? 0);
  if (total <= 0) return Number.NaN;
  for (let i = 0; i < b.length; i++) {
    if (b[i]![1] - (a[i]?.[1] ?? 0) >= (p / 100) * total) return b[i]![0];
  }
  return Number.POSITIVE_INFINITY;
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function measure(ctx: BenchContext, plan: Plan, datanodes: number, run: number): Promise<Sample> {
  const processes = Math.max(1, Math.ceil(datanodes / NODES_PER_LOADGEN_PROCESS));
  const c = new TestCluster(LIVENESS);
  let load: LoadRun | undefined;
  // Interrupted (Ctrl-C, timeout): take the NameNode down with us; the workers exit with their parent.
  const onSignal = () => {
    if (c.nn?.alive) c.nn.signal('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await c.startNameNode();
    const pid = c.nn.pid;
    await waitFor('namenode answering', async () => (await c.report()).datanodes.length === 0, 10_000);
    const rss0 = rssBytes(pid);
    const logFrom = c.nn.lines.length; // transitions from here on belong to this load
    const logger = createLogger('bench-loadgen');
    logger.level = 'error';
    const config = {
      ...defaultLoadgenConfig(c.namenodeAddress, datanodes), blocksPerNode: plan.blocksPerNode, startsPerSecond: plan.startsPerSecond,
      seed: ctx.seed % 2 ** 31,
      // A cluster started with a secret (docs/SECURITY.md) needs the simulated nodes to prove it.
      secretFile: (c as { secretFile?: string }).secretFile,
    };
    load = startLoad(config, processes, logger, { fork: true });
    const t0 = Date.now();
    // The ramp waits for the NameNode (at most 200 nodes starting at once), so it can stall when
    // the NameNode falls behind: the deadline runs from the start, not from the end of the ramp.
    const ramp = load.start();
    ramp.catch(() => undefined);
    const rampMs = Math.ceil((datanodes / plan.startsPerSecond) * 1000);
    // On a timeout the error says how far it got (waitFor reports the probe's last error).
    await waitFor(`${datanodes} simulated DataNodes LIVE`, async () => {
      const r = await c.report();
      if (r.live === datanodes) return r;
      throw new Error(`${r.live} LIVE, ${r.stale} STALE, ${r.dead} DEAD, ${r.datanodes.length} registered of ${datanodes}, ` +
        `${((Date.now() - t0) / 1000).toFixed(0)} s after start (ramp planned ${(rampMs / 1000).toFixed(0)} s)`);
    }, rampMs + 120_000, 1000);
    await ramp;
    const settledFrom = c.nn.lines.length;
    const rampSeconds = (Date.now() - t0) / 1000;
    ctx.log(`N=${datanodes} run ${run}: all LIVE ${((Date.now() - t0) / 1000).toFixed(1)} s after start (${processes} loadgen processes); warm-up ${plan.warmupMs / 1000} s`);
    await new Promise((r) => setTimeout(r, plan.warmupMs));

    const m0 = await metricsText(c);
    await new Promise((r) => setTimeout(r, 1000)); // let the scrape's own stall drain out of the window
    const a: LoadgenSnapshot = await load.snapshot();
    const cpuA = cpuTicks(pid);
    const tA = performance.now();
    await new Promise((r) => setTimeout(r, plan.windowMs));
    const b: LoadgenSnapshot = await load.snapshot();
    const cpuB = cpuTicks(pid);
    const tB = performance.now();
    const rssN = rssBytes(pid);
    const m1 = await metricsText(c);
    const report = await c.report();

    const w = statsBetween(a, b);
    const seconds = (tB - tA) / 1000;
    const nnCpuSeconds = (cpuB - cpuA) / CLK_TCK;
    const transitions = c.transitions(undefined, settledFrom);
    const sample: Sample = {
      datanodes, processes, live: report.live,
      falseDeads: transitions.filter((t) => t.to === 'DEAD').length,
      staleTransitions: transitions.filter((t) => t.to === 'STALE').length,
      rampDeads: c.nn.lines.slice(logFrom, settledFrom).filter((l) => l.event === 'transition' && l.to === 'DEAD').length,
      rampSeconds,
      acksPerSec: w.acksPerSec,
      beatsPerSec: w.beatsSentPerSec,
      nnCpuMicrosPerBeat: w.beatsSent > 0 ? (nnCpuSeconds * 1e6) / w.beatsSent : Number.NaN,
      loadgenCpuMicrosPerBeat: w.loadgenCpuMicrosPerBeat,
      nnCores: nnCpuSeconds / seconds,
      loadgenCores: w.loadgenCores,
      lagP50Ms: w.roundTripP50Ms, lagP99Ms: w.roundTripP99Ms, lagMaxMs: w.roundTripMaxMs,
      handlerP99Ms: histogramQuantile(m0, m1, 'minidfs_namenode_heartbeat_handling_seconds', 99) * 1000,
      eventLoopP99Ms: gauge(m1, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      sendLagP99Ms: w.sendLagP99Ms,
      rssPerNodeKiB: (rssN - rss0) / datanodes / 1024,
      rssMiB: rssN / 2 ** 20,
      reregisters: w.reregisters,
      loadAvg1m: os.loadavg()[0]!,
    };
    ctx.log(`N=${datanodes} run ${run}: ${Math.round(sample.beatsPerSec)} beats/s (${Math.round(sample.acksPerSec)} answered), NN ${round(sample.nnCpuMicrosPerBeat)} µs/beat ` +
      `(${round(sample.nnCores, 2)} cores), loadgen ${round(sample.loadgenCpuMicrosPerBeat)} µs/beat (${round(sample.loadgenCores, 2)} cores), lag p50 ${round(sample.lagP50Ms)} p99 ${round(sample.lagP99Ms)} ms, ` +
      `false DEADs ${sample.falseDeads}, RSS ${round(sample.rssPerNodeKiB)} KiB/node, load avg ${round(sample.loadAvg1m, 2)}`);
    return sample;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await load?.stop(false).catch(() => undefined);
    await c.stop();
  }
}

/** Median of each numeric field over the runs of one N; false DEADs: the worst run. */
function combine(samples: Sample[]): Sample {
  const m = (pick: (s: Sample) => number) => median(samples.map(pick));
  return {
    datanodes: samples[0]!.datanodes, processes: samples[0]!.processes, live: m((s) => s.live),
    falseDeads: Math.max(...samples.map((s) => s.falseDeads)), staleTransitions: Math.max(...samples.map((s) => s.staleTransitions)),
    rampDeads: m((s) => s.rampDeads), rampSeconds: m((s) => s.rampSeconds),
    acksPerSec: m((s) => s.acksPerSec), beatsPerSec: m((s) => s.beatsPerSec), nnCpuMicrosPerBeat: m((s) => s.nnCpuMicrosPerBeat), nnCores: m((s) => s.nnCores),
    loadgenCpuMicrosPerBeat: m((s) => s.loadgenCpuMicrosPerBeat),
    loadgenCores: m((s) => s.loadgenCores), lagP50Ms: m((s) => s.lagP50Ms), lagP99Ms: m((s) => s.lagP99Ms), lagMaxMs: m((s) => s.lagMaxMs),
    handlerP99Ms: m((s) => s.handlerP99Ms), eventLoopP99Ms: m((s) => s.eventLoopP99Ms), sendLagP99Ms: m((s) => s.sendLagP99Ms),
    rssPerNodeKiB: m((s) => s.rssPerNodeKiB), rssMiB: m((s) => s.rssMiB), reregisters: Math.max(...samples.map((s) => s.reregisters)),
    loadAvg1m: m((s) => s.loadAvg1m),
  };
}

const passes = (s: Sample) => s.falseDeads === 0 && s.live === s.datanodes && s.lagP99Ms < LAG_P99_BOUND_MS;

async function run(ctx: BenchContext): Promise<SuiteResult> {
  const base = ctx.quick ? QUICK : FULL;
  // Focused runs: MINIDFS_BENCH_HEARTBEAT_SIZES=10000,20000 and MINIDFS_BENCH_HEARTBEAT_RUNS=1.
  const sizes = process.env.MINIDFS_BENCH_HEARTBEAT_SIZES?.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const runs = Number(process.env.MINIDFS_BENCH_HEARTBEAT_RUNS);
  const plan: Plan = { ...base, sizes: sizes?.length ? sizes : base.sizes, runs: Number.isInteger(runs) && runs > 0 ? runs : base.runs };
  const rows: Sample[] = [];
  const notes: string[] = [];
  for (const n of plan.sizes) {
    const samples: Sample[] = [];
    for (let r = 1; r <= plan.runs; r++) {
      try {
        samples.push(await measure(ctx, plan, n, r));
      } catch (err) {
        notes.push(`N=${n} run ${r} failed: ${(err as Error).message}`);
        ctx.log(`N=${n} run ${r} failed: ${(err as Error).message}`);
      }
    }
    if (samples.length) rows.push(combine(samples));
  }
  const largest = rows.filter(passes).map((s) => s.datanodes).reduce((a, b) => Math.max(a, b), 0);
  const at10k = rows.find((s) => s.datanodes === TARGET_NODES);
  const targets: Target[] = [{
    name: '10k DataNodes at 1 s with zero false DEADs on one NameNode process (heartbeat lag p99 < 100 ms)',
    pass: at10k ? passes(at10k) : null,
    measured: at10k ? `${at10k.falseDeads} false DEADs, lag p99 ${round(at10k.lagP99Ms)} ms, ${at10k.live}/${at10k.datanodes} LIVE` : 'not run',
    bound: `0 false DEADs, p99 < ${LAG_P99_BOUND_MS} ms`,
    note: at10k ? `largest passing N in this run: ${largest || 'none'}` : `quick run measures N = ${plan.sizes.join(', ')} only; largest passing N: ${largest || 'none'}`,
  }];
  const metrics: SuiteResult['metrics'] = { largest_passing_datanodes: largest };
  for (const s of rows) {
    const k = `n${s.datanodes}`;
    metrics[`${k}_false_deads`] = s.falseDeads;
    metrics[`${k}_lag_p99_ms`] = round(s.lagP99Ms, 2);
    metrics[`${k}_namenode_cpu_us_per_beat`] = round(s.nnCpuMicrosPerBeat, 2);
    metrics[`${k}_namenode_rss_per_node_KiB`] = round(s.rssPerNodeKiB, 1);
    metrics[`${k}_loadgen_cores`] = round(s.loadgenCores, 2);
    metrics[`${k}_loadgen_cpu_us_per_beat`] = round(s.loadgenCpuMicrosPerBeat, 2);
  }
  return {
    suite: 'heartbeat-scale',
    title: 'Heartbeat scale: simulated DataNodes against one NameNode process',
    method: `A fresh NameNode process per N (heartbeat ${LIVENESS.heartbeatIntervalMs} ms, STALE after ${LIVENESS.staleAfter}, DEAD after ${LIVENESS.deadAfter} missed) and ` +
      `minidfs loadgen's workers (1 process per ${NODES_PER_LOADGEN_PROCESS} nodes, 100 streams per gRPC channel, ${plan.blocksPerNode} blocks per node, ` +
      `ramp ${plan.startsPerSecond} nodes/s with at most 200 starting at once, ±5% beat jitter). After all N are LIVE and ${plan.warmupMs / 1000} s of warm-up, one ${plan.windowMs / 1000} s window. ` +
      `CPU/beat = utime+stime ÷ beats sent (NameNode and loadgen each); the simulated nodes ask for quiet acks (a beat that changed nothing is answered once per ${LIVENESS_QUIET_ACK} intervals). Lag = loadgen-measured round trip from writing a beat to reading its acknowledgement. ` +
      `RSS/node = (RSS at N − RSS before any node) ÷ N. False DEADs = transitions to DEAD from the moment all N are LIVE to window end ` +
      `(warm-up + window); DEADs during the ramp (the registration storm) are reported beside it. ` +
      `${plan.runs} run(s) per N; figures are medians, false DEADs the worst run. All processes share this machine's ${os.cpus().length} cores.`,
    metrics,
    tables: [{
      title: 'Per N (median of runs)',
      columns: ['DataNodes', 'LIVE', 'false DEADs', 'STALE transitions', 'ramp s (DEADs during ramp)', 'beats/s (answered)', 'NN µs CPU/beat', 'NN cores', 'loadgen µs CPU/beat', 'loadgen cores (procs)',
        'lag p50 ms', 'lag p99 ms', 'lag max ms', 'NN handler p99 ms', 'NN event-loop p99 ms', 'loadgen send lag p99 ms', 'NN RSS KiB/node', 'NN RSS MiB', 'load avg 1m'],
      rows: rows.map((s) => [s.datanodes, s.live, s.falseDeads, s.staleTransitions, `${round(s.rampSeconds)} (${s.rampDeads})`, `${Math.round(s.beatsPerSec)} (${Math.round(s.acksPerSec)})`, round(s.nnCpuMicrosPerBeat), round(s.nnCores, 2),
        round(s.loadgenCpuMicrosPerBeat), `${round(s.loadgenCores, 2)} (${s.processes})`, round(s.lagP50Ms, 2), round(s.lagP99Ms, 1), round(s.lagMaxMs, 1), round(s.handlerP99Ms, 3),
        round(s.eventLoopP99Ms, 1), round(s.sendLagP99Ms, 1), round(s.rssPerNodeKiB, 1), round(s.rssMiB), round(s.loadAvg1m, 2)]),
    }],
    targets,
    notes: [
      'Lag quantiles come from a log-bucketed histogram (buckets 10% apart): a quantile is its bucket\'s upper bound.',
      'NN handler p99 is the NameNode\'s own time inside the Heartbeat handler (not queueing); NN event-loop p99 is prom-client\'s nodejs_eventloop_lag_p99_seconds at the end of the window.',
      'A loadgen near 1 core per process, or a high loadgen send lag, means the load side saturated and the NameNode figures are a lower bound of what it can take.',
      ...notes,
    ],
  };
}

export const heartbeatScale: Suite = { name: 'heartbeat-scale', title: 'Heartbeat scale: simulated DataNodes against one NameNode process', run };
