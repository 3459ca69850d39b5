/**
 * `minidfs loadgen`: N simulated DataNodes against a real NameNode over real gRPC (@minidfs/loadgen,
 * HDFS Dynamometer for the heartbeat path). Prints progress every --report-every-s and a summary:
 * what it sent (beats, registrations, reports) and what it saw (answers, commands, reconnects,
 * beat round trip and its own send lag). --json prints one JSON object per report line on stdout.
 */
import path from 'node:path';
import { Command } from 'commander';
import { createLogger } from '@minidfs/common';
import {
  type LoadgenSnapshot, MAX_BLOCKS_PER_NODE, MAX_PROCESSES, MAX_SEED_FILES, MAX_SIMULATED_DATANODES, LoadGenerator,
  defaultLoadgenConfig, seedNamespace, startLoad, statsBetween,
} from '@minidfs/loadgen';
import { intArg, opt, namenodeAddressOption } from '../options';

interface LoadgenOptions {
  namenode: string; datanodes: number; heartbeatIntervalMs: number; blocksPerNode: number; duration: number; processes: number; json?: boolean; secretFile?: string;
  streamsPerChannel: number; startsPerSecond: number; maxStarting: number; jitter: number; idPrefix: string; seed: number; files: number; reportEveryS: number;
  goodbye?: boolean; quietAckIntervals: number; heartbeatClient: 'direct' | 'grpc-js';
}

function fraction(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new Error(`expected a number in [0, 1), got ${v}`);
  return n;
}

/** One progress/summary line: totals plus the figures of the window since the previous line. */
export function describeSnapshot(s: LoadgenSnapshot, previous: LoadgenSnapshot | undefined): Record<string, unknown> {
  const w = previous ? statsBetween(previous, s) : undefined;
  return {
    datanodes: s.datanodes, started: s.started, registered: s.registered, processes: s.processes, channels: s.channels,
    sent: { beats: s.beatsSent, registrations: s.registrations, fullReports: s.fullReports },
    seen: {
      answers: s.answers, acks: s.acks, commands: s.commands, invalidatedBlocks: s.invalidatedBlocks, reconnects: s.reconnects,
      reportFailures: s.reportFailures, refused: s.fatal,
    },
    ...(w ? {
      window: {
        seconds: Number(w.seconds.toFixed(2)), beatsPerSec: Math.round(w.beatsSentPerSec), acksPerSec: Math.round(w.acksPerSec),
        roundTripP50Ms: round(w.roundTripP50Ms), roundTripP99Ms: round(w.roundTripP99Ms), roundTripMaxMs: round(w.roundTripMaxMs),
        sendLagP50Ms: round(w.sendLagP50Ms), sendLagP99Ms: round(w.sendLagP99Ms), loadgenCores: round(w.loadgenCores, 2),
      },
    } : {}),
    rssMiB: Math.round(s.rssBytes / 2 ** 20),
  };
}

const round = (x: number, digits = 1) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function humanLine(d: Record<string, unknown>, final: boolean): string {
  const sent = d.sent as { beats: number; registrations: number; fullReports: number };
  const seen = d.seen as { answers: number; acks: number; commands: Record<string, number>; reconnects: number };
  const w = d.window as Record<string, number | null> | undefined;
  const c = seen.commands;
  return `${final ? 'total' : 'loadgen'}: ${d.registered}/${d.datanodes} registered; sent ${sent.beats} beats, ${sent.registrations} registrations, ` +
    `${sent.fullReports} full reports; saw ${seen.answers} answers (${seen.acks} acks), commands replicate ${c.replicate} invalidate ${c.invalidate} ` +
    `reregister ${c.reregister} shutdown ${c.shutdown}, ${seen.reconnects} reconnects` +
    (w ? `; last ${w.seconds} s: ${w.beatsPerSec} beats/s, round trip p50 ${w.roundTripP50Ms} p99 ${w.roundTripP99Ms} ms, ` +
      `send lag p99 ${w.sendLagP99Ms} ms, loadgen ${w.loadgenCores} cores` : '');
}

export function loadgenCommand(): Command {
  return new Command('loadgen')
    .description('simulate N DataNodes over real gRPC heartbeat streams against a real NameNode (like HDFS Dynamometer)')
    .addOption(namenodeAddressOption())
    .addOption(opt('--datanodes <N>', 'simulated DataNodes', 1000, intArg(1, MAX_SIMULATED_DATANODES)))
    .addOption(opt('--heartbeat-interval-ms <MS>', 'beat every MS (0 = the interval the NameNode returns at registration)', 0, intArg(0, 3_600_000)))
    .addOption(opt('--blocks-per-node <B>', 'replicas in each node\'s full block report (blocks the namespace does not know are invalidated by the NameNode, as in HDFS)', 300, intArg(0, MAX_BLOCKS_PER_NODE)))
    .addOption(opt('--duration <S>', 'stop after S seconds (0 = until Ctrl-C / SIGTERM)', 0, intArg(0, 31 * 24 * 3600)))
    .addOption(opt('--processes <P>', 'worker processes, each simulating a slice of the nodes', 1, intArg(1, MAX_PROCESSES)))
    .addOption(opt('--streams-per-channel <K>', 'heartbeat streams per gRPC channel (HTTP/2 connection)', 100, intArg(1, 10_000)))
    .addOption(opt('--starts-per-second <R>', 'ramp: nodes started (Register + block report + stream) per second', 2000, intArg(1, 1_000_000)))
    .addOption(opt('--max-starting <K>', 'ramp: nodes starting at once (started, first block report not yet answered)', 200, intArg(1, MAX_SIMULATED_DATANODES)))
    .addOption(opt('--jitter <F>', 'each beat delayed by a uniform ±F × interval', 0.05, fraction))
    .addOption(opt('--heartbeat-client <C>', 'how Heartbeat streams are carried: direct (node:http2, hand-encoded beats) or grpc-js (as a DataNode does); same wire', 'direct')
      .choices(['direct', 'grpc-js']))
    .addOption(opt('--quiet-ack-intervals <K>', 'ask the NameNode to answer beats that change nothing only once per K intervals (0 = every beat answered)', 4, intArg(0, 1000)))
    .addOption(opt('--files <F>', 'first write F one-block files through the simulated nodes (one process only), so their blocks are known to the namespace', 0, intArg(0, MAX_SEED_FILES)))
    .addOption(opt('--id-prefix <PREFIX>', 'simulated node ids are PREFIX00000, PREFIX00001, ...', 'sim-'))
    .addOption(opt('--seed <N>', 'seed for block lengths, jitter and start order', 1, intArg(0, 2 ** 31)))
    .addOption(opt('--report-every-s <S>', 'print progress every S seconds (0 = only the summary)', 5, intArg(0, 3600)))
    .option('--goodbye', 'on exit, simulated nodes say goodbye (the NameNode marks them DEAD at once) instead of going silent')
    .addOption(opt('--secret-file <FILE>', 'cluster secret file, when the NameNode runs with one (docs/SECURITY.md)'))
    .option('--json', 'print JSON lines on stdout: {"type":"progress"|"summary", datanodes, registered, sent:{...}, seen:{...}, window:{...}}')
    .action(async (o: LoadgenOptions) => {
      const logger = createLogger('loadgen');
      const config = {
        ...defaultLoadgenConfig(o.namenode, o.datanodes), intervalMs: o.heartbeatIntervalMs, blocksPerNode: o.blocksPerNode, streamsPerChannel: o.streamsPerChannel,
        startsPerSecond: o.startsPerSecond, maxStartingNodes: o.maxStarting, jitterFraction: o.jitter, idPrefix: o.idPrefix, seed: o.seed,
        quietAckIntervals: o.quietAckIntervals, heartbeatClient: o.heartbeatClient,
        secretFile: o.secretFile ? path.resolve(o.secretFile) : undefined,
      };
      if (o.files > 0 && o.processes > 1) throw new Error('--files needs --processes 1 (the seeder drives the pipeline nodes in its own process)');
      // Per-node lines (registered, block report sent) would be N lines each; keep warnings unless asked.
      const nodeLogger = createLogger('loadgen');
      if (!process.env.MINIDFS_LOG_LEVEL) nodeLogger.level = 'warn';
      let gen: LoadGenerator | undefined;
      const run = o.processes === 1
        ? (() => {
          const g = new LoadGenerator(config, nodeLogger);
          gen = g;
          return { start: () => g.start(), snapshot: async () => g.snapshot(), stop: (goodbye?: boolean) => g.stop(goodbye) };
        })()
        : startLoad(config, o.processes, nodeLogger);
      const print = (type: 'progress' | 'summary', d: Record<string, unknown>) => {
        if (o.json) process.stdout.write(`${JSON.stringify({ type, ...d })}\n`);
        else process.stdout.write(`${humanLine(d, type === 'summary')}\n`);
      };
      const first = await run.snapshot().catch(() => undefined);
      let previous = first;
      const progress = o.reportEveryS > 0 ? setInterval(() => {
        void run.snapshot().then((s) => { print('progress', describeSnapshot(s, previous)); previous = s; }).catch(() => undefined);
      }, o.reportEveryS * 1000) : undefined;
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => { finish = resolve; });
      process.once('SIGINT', () => finish());
      process.once('SIGTERM', () => finish());
      const durationTimer = o.duration > 0 ? setTimeout(() => finish(), o.duration * 1000) : undefined;
      logger.info('loadgen starting', { event: 'loadgen-starting', ...config, processes: o.processes });
      // Ctrl-C, SIGTERM or --duration also end a ramp that has not finished.
      const ramped = await Promise.race([run.start().then(() => true), finished.then(() => false)]);
      if (ramped && gen && o.files > 0) {
        const seeded = await seedNamespace(gen, { files: o.files, blockLengthBytes: 1024, replication: 0, directory: '/loadgen' });
        logger.info('namespace seeded', { event: 'loadgen-seeded', ...seeded });
      }
      await finished;
      clearTimeout(durationTimer);
      clearInterval(progress);
      const last = await run.snapshot();
      await run.stop(o.goodbye === true);
      print('summary', describeSnapshot(last, first));
      process.exit(0);
    });
}
