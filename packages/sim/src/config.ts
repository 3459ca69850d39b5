/**
 * What a simulation run is: cluster shape, liveness settings and detector, network, faults,
 * repair bandwidth, duration and seed. Every field says its unit and default; `defaultSimConfig()`
 * is the `minidfs sim` default and `validateSimConfig()` checks fields against each other.
 * `LIVENESS_PROFILES` are the detector settings of minidfs, HDFS, Akka and Cassandra, used by
 * `--profile` and by the comparison table in docs/SIMULATION.md.
 */
import { type LivenessConfig, defaultLivenessConfig, validateLivenessConfig } from '@minidfs/common';
import {
  type PhiAccrualConfig, type ReplicationConfig, defaultPhiAccrualConfig, defaultReplicationConfig, validatePhiAccrualConfig,
} from '@minidfs/namenode';

export type DetectorSpec =
  | { kind: 'threshold' }
  /** Fields left out take defaultPhiAccrualConfig(liveness). */
  | { kind: 'phi'; phi?: Partial<PhiAccrualConfig> };

export interface NetworkConfig {
  /** Mean one-way base delay of a link, ms; each link's base is drawn uniformly in [0.5, 1.5] × this. Default 0.5. */
  delayMs: number;
  /** Mean of the exponential per-message jitter added to the base, ms. Default 0.5. */
  jitterMs: number;
  /**
   * Probability that a heartbeat-stream message (a beat, its answer, pushed commands) is dropped.
   * Unary RPCs (register, block reports) are not dropped; they wait while a link is cut. Default 0.
   */
  loss: number;
  /** Network partitions per day, cluster-wide (Poisson). Default 0. */
  partitionsPerDay: number;
  /** Mean partition duration, ms (exponential). Default 60 s. */
  partitionMeanMs: number;
  /** Fraction of partitions that cut a whole rack (else one node). Default 0.5. */
  partitionRackFraction: number;
  /** Fraction of partitions that are one-way (half DataNode→NameNode, half NameNode→DataNode). Default 0.3. */
  partitionOneWayFraction: number;
}

/** A fault at a given virtual time, on top of the random ones (tests, reproductions). */
export type ScriptedFault =
  | { kind: 'crash'; atMs: number; node: number; downtimeMs?: number; diskLost?: boolean }
  | { kind: 'pause'; atMs: number; node: number; durationMs: number }
  | {
    kind: 'partition'; atMs: number; nodes: number[]; durationMs: number; toNameNode?: boolean; fromNameNode?: boolean;
    /**
     * Gossip mode (gossip.ts) only: whether the cut also separates the node(s) from their peers
     * (default true). false = "partitioned from the NameNode only": the peers still hear them.
     * The central simulation has no peer links and ignores it.
     */
    peers?: boolean;
  };

export interface FaultConfig {
  /** DataNode crashes per node per day (Poisson; host failure: the node falls silent). Default 0.001 (~10 a day at 10,000 nodes). */
  crashesPerNodeDay: number;
  /** Mean time until a crashed node restarts, ms (exponential). Default 1 h. Infinity: never. */
  downtimeMeanMs: number;
  /** Fraction of crashes after which the node comes back with an empty disk. Default 0.1. */
  diskLossFraction: number;
  /** Process pauses (GC, SIGSTOP, swap storms) per node per day (Poisson). Default 0. */
  pausesPerNodeDay: number;
  /** Median pause, ms; durations are log-normal with shape pauseSigma (heavy tail). Default 2 s. */
  pauseMedianMs: number;
  /** Log-normal shape of pause durations. Default 1 (p99 ≈ 10 × median). */
  pauseSigma: number;
  /** Faults at fixed times and nodes (node = DataNode index, 0-based). Default none. */
  scripted?: ScriptedFault[];
}

export interface SimConfig {
  seed: string;
  /** Virtual time simulated, ms. Default 24 h. */
  durationMs: number;
  nodes: number;
  /** DataNodes per rack (racks = ceil(nodes / this)). Default 40. */
  nodesPerRack: number;
  /** Blocks stored, each complete with `replication` replicas. Default 0 (detector-only run). */
  blocks: number;
  replication: number;
  /** Bytes per block. Default 128 MiB (HDFS). */
  blockSizeBytes: number;
  /** Disk capacity per DataNode, bytes; each node gets ±5% so free space never ties. Default 8 TiB. */
  capacityBytes: number;
  /** Bytes/s one DataNode sends for re-replication; its copies queue one after another. Default 100 MiB/s. */
  copyBandwidthBytesPerSecond: number;
  liveness: LivenessConfig;
  detector: DetectorSpec;
  /** Planner settings; default defaultReplicationConfig(interval), as the NameNode. */
  replicationConfig?: ReplicationConfig;
  network: NetworkConfig;
  faults: FaultConfig;
  /** Lateness of each DataNode beat timer, uniform in [0, this) ms (setTimeout chains drift). Default 1. */
  timerJitterMs: number;
  /** Name of the liveness profile used, for the report. */
  profile?: string;
}

export function defaultNetworkConfig(): NetworkConfig {
  return {
    delayMs: 0.5, jitterMs: 0.5, loss: 0, partitionsPerDay: 0, partitionMeanMs: 60_000, partitionRackFraction: 0.5,
    partitionOneWayFraction: 0.3,
  };
}

export function defaultFaultConfig(): FaultConfig {
  return {
    crashesPerNodeDay: 0.001, downtimeMeanMs: 3_600_000, diskLossFraction: 0.1, pausesPerNodeDay: 0, pauseMedianMs: 2000, pauseSigma: 1,
  };
}

/** The `minidfs sim` default heartbeat interval, ms (defaultSimConfig). */
export const SIM_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * The `minidfs sim` default: a 10,000-node day fits in well under a minute. The heartbeat is 10 s
 * (the NameNode's default is 1 s) with the NameNode's missed-beat rule (STALE at 2, DEAD at 3):
 * the real HeartbeatMonitor costs ~50–150 ns per beat and ~13 ns per node per tick here, so a
 * day at 1 s beats for 10,000 nodes is ≥ 864 M beats — minutes of CPU however the simulator is
 * built. See docs/SIMULATION.md, "What is simulated at full fidelity".
 */
export function defaultSimConfig(): SimConfig {
  return {
    seed: '1',
    durationMs: 86_400_000,
    nodes: 10_000,
    nodesPerRack: 40,
    blocks: 0,
    replication: 3,
    blockSizeBytes: 128 * 2 ** 20,
    capacityBytes: 8 * 2 ** 40,
    copyBandwidthBytesPerSecond: 100 * 2 ** 20,
    liveness: { ...defaultLivenessConfig(), heartbeatIntervalMs: SIM_HEARTBEAT_INTERVAL_MS },
    detector: { kind: 'threshold' },
    network: defaultNetworkConfig(),
    faults: defaultFaultConfig(),
    timerJitterMs: 1,
  };
}

export interface LivenessProfile {
  name: string;
  description: string;
  liveness: LivenessConfig;
  detector: DetectorSpec;
}

/** Detector settings of real systems, mapped onto the NameNode's liveness machinery. */
export const LIVENESS_PROFILES: Record<string, LivenessProfile> = {
  minidfs: {
    name: 'minidfs',
    description: 'minidfs NameNode default: 1 s beats, STALE at 2 missed, DEAD at 3 missed',
    liveness: defaultLivenessConfig(),
    detector: { kind: 'threshold' },
  },
  'minidfs-phi': {
    name: 'minidfs-phi',
    description: 'minidfs NameNode with --detector phi: 1 s beats, phi 8, min std 100 ms, acceptable pause 2 s',
    liveness: defaultLivenessConfig(),
    detector: { kind: 'phi' },
  },
  hdfs: {
    name: 'hdfs',
    description: 'HDFS: dfs.heartbeat.interval 3 s, stale 30 s (10 beats), dead 2 × 5 min recheck + 10 × 3 s = 630 s (210 beats)',
    liveness: { heartbeatIntervalMs: 3000, staleAfterMissed: 10, deadAfterMissed: 210 },
    detector: { kind: 'threshold' },
  },
  akka: {
    name: 'akka',
    description: 'Akka cluster failure-detector: 1 s beats, phi threshold 8, min-std-deviation 100 ms, acceptable-heartbeat-pause 3 s, 1000 samples',
    liveness: { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 },
    detector: {
      kind: 'phi',
      phi: { threshold: 8, minStdDeviationMs: 100, acceptablePauseMs: 3000, windowSize: 1000, firstIntervalEstimateMs: 1000, distribution: 'normal' },
    },
  },
  cassandra: {
    name: 'cassandra',
    description: 'Cassandra: 1 s gossip, phi_convict_threshold 8 on an exponential fit, 1000 samples, intervals > 2 s ignored, seeded with 2 s',
    liveness: { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 },
    detector: {
      kind: 'phi',
      phi: { threshold: 8, windowSize: 1000, firstIntervalEstimateMs: 2000, maxSampleIntervalMs: 2000, distribution: 'exponential' },
    },
  },
};

/** The phi configuration a run uses (defaults for its interval, overridden by the spec). */
export function resolvePhiConfig(liveness: LivenessConfig, spec: DetectorSpec): PhiAccrualConfig | undefined {
  if (spec.kind !== 'phi') return undefined;
  return validatePhiAccrualConfig({ ...defaultPhiAccrualConfig(liveness), ...spec.phi });
}

export function validateSimConfig(c: SimConfig): SimConfig {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`invalid simulation config: ${what}`);
  };
  const nonNegative = (v: number) => typeof v === 'number' && v >= 0 && !Number.isNaN(v);
  check(typeof c.seed === 'string' && c.seed.length > 0, 'seed must be a non-empty string');
  check(Number.isInteger(c.nodes) && c.nodes >= 1 && c.nodes <= 50_000, `nodes must be an integer in [1, 50000], got ${c.nodes}`);
  check(Number.isInteger(c.nodesPerRack) && c.nodesPerRack >= 1, 'nodesPerRack must be a positive integer');
  check(Number.isInteger(c.blocks) && c.blocks >= 0 && c.blocks <= 100_000_000, 'blocks must be an integer in [0, 1e8]');
  check(Number.isInteger(c.replication) && c.replication >= 1 && c.replication <= Math.min(32, c.nodes),
    `replication must be an integer in [1, min(32, nodes)], got ${c.replication}`);
  check(c.blockSizeBytes >= 1, 'blockSizeBytes must be >= 1');
  check(c.capacityBytes >= c.blockSizeBytes, 'capacityBytes must hold at least one block');
  check(c.copyBandwidthBytesPerSecond > 0, 'copyBandwidthBytesPerSecond must be > 0');
  check(c.durationMs > 0 && Number.isFinite(c.durationMs), 'durationMs must be > 0');
  validateLivenessConfig(c.liveness);
  resolvePhiConfig(c.liveness, c.detector);
  const n = c.network;
  check(nonNegative(n.delayMs) && nonNegative(n.jitterMs), 'network delays must be >= 0');
  check(n.loss >= 0 && n.loss < 1, `loss must be in [0, 1), got ${n.loss}`);
  check(nonNegative(n.partitionsPerDay) && n.partitionMeanMs > 0, 'partition rate must be >= 0 and mean duration > 0');
  check(n.partitionRackFraction >= 0 && n.partitionRackFraction <= 1, 'partitionRackFraction must be in [0, 1]');
  check(n.partitionOneWayFraction >= 0 && n.partitionOneWayFraction <= 1, 'partitionOneWayFraction must be in [0, 1]');
  const f = c.faults;
  check(nonNegative(f.crashesPerNodeDay) && nonNegative(f.pausesPerNodeDay), 'fault rates must be >= 0');
  check(f.downtimeMeanMs > 0, 'downtimeMeanMs must be > 0 (Infinity: never restart)');
  check(f.diskLossFraction >= 0 && f.diskLossFraction <= 1, 'diskLossFraction must be in [0, 1]');
  check(f.pauseMedianMs > 0 && nonNegative(f.pauseSigma), 'pause median must be > 0 and sigma >= 0');
  for (const s of f.scripted ?? []) {
    const nodes = s.kind === 'partition' ? s.nodes : [s.node];
    check(nodes.every((i) => Number.isInteger(i) && i >= 0 && i < c.nodes), `scripted ${s.kind} names a node outside [0, ${c.nodes})`);
    check(nonNegative(s.atMs) && s.atMs < c.durationMs, `scripted ${s.kind} at ${s.atMs} ms is outside the run`);
    if (s.kind !== 'crash') check(s.durationMs > 0, `scripted ${s.kind} needs a positive duration`);
  }
  check(nonNegative(c.timerJitterMs) && c.timerJitterMs < c.liveness.heartbeatIntervalMs, 'timerJitterMs must be in [0, interval)');
  const beats = (c.nodes * c.durationMs) / c.liveness.heartbeatIntervalMs;
  check(beats <= 5e9, `${beats.toExponential(2)} heartbeats is more than this simulator will attempt (5e9)`);
  return c;
}

export function replicationConfigFor(c: SimConfig): ReplicationConfig {
  return c.replicationConfig ?? defaultReplicationConfig(c.liveness.heartbeatIntervalMs);
}
