/**
 * What a load generator counts, as live counters (one object per process, shared by its nodes)
 * and as a JSON snapshot that worker processes send to the coordinator, which sums them. A
 * benchmark subtracts two snapshots (`statsBetween`) to get one measurement window.
 */
import { Histogram, type HistogramJson } from './histogram';

export interface CommandCounts {
  replicate: number;
  invalidate: number;
  reregister: number;
  shutdown: number;
}

/** What every process counts and a snapshot carries as is. */
export interface LoadCounts {
  /** Successful Register RPCs (first ones and re-registrations). */
  registrations: number;
  beatsSent: number;
  /** Messages on the response streams (beat answers and pushed commands). */
  answers: number;
  /** Answers that acknowledged a beat (ackedSequence > 0): beats the NameNode counted. */
  acks: number;
  commands: CommandCounts;
  invalidatedBlocks: number;
  /** Registrations the NameNode refused for good. */
  fatal: number;
}

export interface LoadCounters extends LoadCounts {
  /** Heartbeat beat written -> its acknowledgement received, ms (see docs/BENCHMARKS.md). */
  roundTrip: Histogram;
  /** How late the beat timer fired, ms (the loadgen's own event-loop lag). */
  sendLag: Histogram;
}

export function newLoadCounters(): LoadCounters {
  return {
    registrations: 0, beatsSent: 0, answers: 0, acks: 0, commands: { replicate: 0, invalidate: 0, reregister: 0, shutdown: 0 },
    invalidatedBlocks: 0, fatal: 0, roundTrip: new Histogram(), sendLag: new Histogram(),
  };
}

export interface LoadgenSnapshot extends LoadCounts {
  /** Wall clock of the snapshot, ms since the epoch. */
  atMs: number;
  processes: number;
  datanodes: number;
  /** Nodes started so far (the ramp). */
  started: number;
  /** Nodes registered right now (holding a registration and not stopped). */
  registered: number;
  channels: number;
  /** Stream reconnects (HeartbeatLink retries) and full block reports, summed over nodes. */
  reconnects: number;
  fullReports: number;
  reportFailures: number;
  /** CPU the loadgen process(es) used since they started, microseconds (user + system). */
  cpuMicros: number;
  rssBytes: number;
  roundTrip: HistogramJson;
  sendLag: HistogramJson;
}

/** Sum of per-process snapshots. */
export function mergeSnapshots(parts: readonly LoadgenSnapshot[]): LoadgenSnapshot {
  const sum = (pick: (s: LoadgenSnapshot) => number) => parts.reduce((a, s) => a + pick(s), 0);
  return {
    atMs: Math.max(0, ...parts.map((p) => p.atMs)), processes: sum((s) => s.processes), datanodes: sum((s) => s.datanodes),
    started: sum((s) => s.started), registered: sum((s) => s.registered), channels: sum((s) => s.channels),
    registrations: sum((s) => s.registrations), beatsSent: sum((s) => s.beatsSent), answers: sum((s) => s.answers), acks: sum((s) => s.acks),
    commands: {
      replicate: sum((s) => s.commands.replicate), invalidate: sum((s) => s.commands.invalidate),
      reregister: sum((s) => s.commands.reregister), shutdown: sum((s) => s.commands.shutdown),
    },
    invalidatedBlocks: sum((s) => s.invalidatedBlocks), fatal: sum((s) => s.fatal), reconnects: sum((s) => s.reconnects),
    fullReports: sum((s) => s.fullReports), reportFailures: sum((s) => s.reportFailures), cpuMicros: sum((s) => s.cpuMicros),
    rssBytes: sum((s) => s.rssBytes),
    roundTrip: Histogram.merge(parts.map((p) => p.roundTrip)).toJSON(), sendLag: Histogram.merge(parts.map((p) => p.sendLag)).toJSON(),
  };
}

/** Figures of one window [earlier, later]: rates, the loadgen's CPU, lag quantiles. */
export interface WindowFigures {
  seconds: number;
  beatsSent: number;
  beatsSentPerSec: number;
  acksPerSec: number;
  acks: number;
  answers: number;
  reconnects: number;
  reregisters: number;
  /** Loadgen CPU in cores (1 = one core busy). */
  loadgenCores: number;
  /** Loadgen CPU (user + system, every worker) per beat sent, µs. */
  loadgenCpuMicrosPerBeat: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  roundTripMaxMs: number;
  sendLagP50Ms: number;
  sendLagP99Ms: number;
}

export function statsBetween(earlier: LoadgenSnapshot, later: LoadgenSnapshot): WindowFigures {
  const seconds = Math.max(1e-3, (later.atMs - earlier.atMs) / 1000);
  const rtt = Histogram.between(earlier.roundTrip, later.roundTrip);
  const lag = Histogram.between(earlier.sendLag, later.sendLag);
  return {
    seconds,
    beatsSent: later.beatsSent - earlier.beatsSent,
    beatsSentPerSec: (later.beatsSent - earlier.beatsSent) / seconds,
    acksPerSec: (later.acks - earlier.acks) / seconds,
    acks: later.acks - earlier.acks,
    answers: later.answers - earlier.answers,
    reconnects: later.reconnects - earlier.reconnects,
    reregisters: later.commands.reregister - earlier.commands.reregister,
    loadgenCores: (later.cpuMicros - earlier.cpuMicros) / 1e6 / seconds,
    loadgenCpuMicrosPerBeat: later.beatsSent > earlier.beatsSent ? (later.cpuMicros - earlier.cpuMicros) / (later.beatsSent - earlier.beatsSent) : Number.NaN,
    roundTripP50Ms: rtt.percentileMs(50), roundTripP99Ms: rtt.percentileMs(99), roundTripMaxMs: rtt.percentileMs(100),
    sendLagP50Ms: lag.percentileMs(50), sendLagP99Ms: lag.percentileMs(99),
  };
}
