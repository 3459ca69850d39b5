/**
 * Load generator settings. One process simulates the DataNodes with global indices
 * [firstIndex, firstIndex + datanodes) of a cluster of `totalDatanodes`; the coordinator hands
 * each worker process its slice. Everything random (block lengths, beat jitter, start order) comes
 * from `seed`, so two runs with the same settings send the same reports.
 */
import { LINK_QUIET_ACK_INTERVALS } from '@minidfs/common';

/** Heartbeat streams one gRPC channel (one HTTP/2 connection) carries by default. */
export const DEFAULT_STREAMS_PER_CHANNEL = 100;
/** Largest number of simulated DataNodes one loadgen run drives (the NameNode's own limit is Limits.maxDatanodes). */
export const MAX_SIMULATED_DATANODES = 50_000;
/** Largest blocks per simulated DataNode (Limits.maxBlocksPerReport bounds one report). */
export const MAX_BLOCKS_PER_NODE = 100_000;
/** Largest number of worker processes. */
export const MAX_PROCESSES = 16;
/** First block id, as HDFS numbers them (2^30 + 1). */
export const FIRST_BLOCK_ID = 2 ** 30 + 1;
/** First generation stamp, as HDFS numbers them. */
export const FIRST_GENERATION_STAMP = 1001;

export interface LoadgenConfig {
  /** NameNode RPC address, HOST:PORT. */
  namenode: string;
  /** DataNodes this process simulates. */
  datanodes: number;
  /** Global index of this process's first node (0 for a single process). */
  firstIndex: number;
  /** DataNodes the whole run simulates (all processes); block ids are spread over them. */
  totalDatanodes: number;
  /**
   * Beat every this many ms. 0 = the interval the NameNode returns at registration (what a real
   * DataNode does); another value sends faster or slower than the NameNode expects.
   */
  intervalMs: number;
  /** Each beat is delayed by a uniform ±jitterFraction × interval (0.1 = ±10%). */
  jitterFraction: number;
  /** Replicas each simulated node reports in its full block report. */
  blocksPerNode: number;
  /** Heartbeat streams per gRPC channel; channels = ceil(datanodes / streamsPerChannel). */
  streamsPerChannel: number;
  /** Nodes started (Register + full report + stream) per second: the ramp-up rate. */
  startsPerSecond: number;
  /**
   * Nodes that may be starting at once (started, first full block report not yet answered). The
   * ramp waits for this window, so a slow NameNode slows the ramp instead of being buried under
   * registrations whose beats then arrive late, go DEAD and register again (a storm of its own).
   */
  maxStartingNodes: number;
  /** Simulated node ids are `${idPrefix}${globalIndex}` (zero-padded to 5 digits). */
  idPrefix: string;
  /** Address the simulated nodes advertise (nothing listens there: they serve no data). */
  advertiseHost: string;
  /** Capacity each simulated node reports, bytes. */
  capacityBytes: number;
  /**
   * Quiet acks each node's stream asks for, in heartbeat intervals (LinkPolicy quietAckIntervals):
   * the NameNode answers a beat that changed nothing only once per that many intervals. 0 = every
   * beat answered (what a DataNode without quiet acks gets).
   */
  quietAckIntervals: number;
  /**
   * How the Heartbeat streams are carried: 'direct' = node:http2 with hand-encoded beats
   * (./direct-heartbeat-client.ts, the default: less loadgen CPU per beat), 'grpc-js' = the grpc-js
   * client, as a real DataNode does. Same wire either way.
   */
  heartbeatClient: 'direct' | 'grpc-js';
  /** Longest reconnect backoff of a simulated node's link, ms. */
  reconnectMaxMs: number;
  seed: number;
  /** Cluster secret file (docs/SECURITY.md): needed when the NameNode runs with --secret-file. */
  secretFile?: string;
}

export function defaultLoadgenConfig(namenode: string, datanodes: number): LoadgenConfig {
  return {
    namenode, datanodes, firstIndex: 0, totalDatanodes: datanodes, intervalMs: 0, jitterFraction: 0.05, blocksPerNode: 300,
    streamsPerChannel: DEFAULT_STREAMS_PER_CHANNEL, startsPerSecond: 2000, maxStartingNodes: 200, idPrefix: 'sim-', advertiseHost: '127.0.0.1',
    capacityBytes: 4 * 2 ** 40, reconnectMaxMs: 2000, quietAckIntervals: LINK_QUIET_ACK_INTERVALS, heartbeatClient: 'direct', seed: 1,
  };
}

export function validateLoadgenConfig(c: LoadgenConfig): LoadgenConfig {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`loadgen ${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  int('datanodes', c.datanodes, 0, MAX_SIMULATED_DATANODES);
  int('totalDatanodes', c.totalDatanodes, Math.max(1, c.datanodes), MAX_SIMULATED_DATANODES);
  int('firstIndex', c.firstIndex, 0, c.totalDatanodes - c.datanodes);
  int('intervalMs', c.intervalMs, 0, 3_600_000);
  int('blocksPerNode', c.blocksPerNode, 0, MAX_BLOCKS_PER_NODE);
  int('streamsPerChannel', c.streamsPerChannel, 1, 10_000);
  int('startsPerSecond', c.startsPerSecond, 1, 1_000_000);
  int('maxStartingNodes', c.maxStartingNodes, 1, MAX_SIMULATED_DATANODES);
  int('reconnectMaxMs', c.reconnectMaxMs, 100, 600_000);
  int('quietAckIntervals', c.quietAckIntervals, 0, 1000);
  if (c.heartbeatClient !== 'direct' && c.heartbeatClient !== 'grpc-js') throw new RangeError(`loadgen heartbeatClient must be direct or grpc-js, got ${String(c.heartbeatClient)}`);
  if (!(c.jitterFraction >= 0 && c.jitterFraction < 1)) throw new RangeError(`loadgen jitterFraction must be in [0, 1), got ${c.jitterFraction}`);
  if (!(c.capacityBytes > 0)) throw new RangeError(`loadgen capacityBytes must be > 0, got ${c.capacityBytes}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(c.idPrefix)) throw new RangeError(`loadgen idPrefix must be [A-Za-z0-9._-]+, got ${JSON.stringify(c.idPrefix)}`);
  return c;
}
