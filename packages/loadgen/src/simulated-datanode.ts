/**
 * One simulated DataNode: the real DataNode's HeartbeatLink (Register, the streamed Heartbeat,
 * REREGISTER handling, reconnect with jittered backoff) and BlockReporter (full report after every
 * registration, incremental reports) over a shared gRPC channel, with a replica list in place of
 * a BlockStore. Commands: INVALIDATE deletes the replicas from the list and reports them deleted
 * (what a DataNode does); REPLICATE is counted and not carried out (there is no data); SHUTDOWN
 * stops the node.
 *
 * The replica list is generated, not stored: node i holds `blocksPerNode` slots of a cluster-wide
 * layout in which every block id has three replicas on three different nodes (HDFS-style ids
 * from 2^30 + 1, generation stamps from 1001, most blocks full, some partial), plus the blocks the
 * namespace seeder wrote to it. Deleted generated replicas are one bit each.
 */
import type { DatanodeCommand__Output, DatanodeProtocolClient, HeartbeatResponse__Output, Logger } from '@minidfs/common';
import { BlockReporter, HeartbeatLink, type NodeCredentials, type StoredBlock } from '@minidfs/datanode';
import { FIRST_BLOCK_ID, FIRST_GENERATION_STAMP, type LoadgenConfig } from './config';
import type { LoadCounters } from './stats';

/** Replicas per generated block id. */
export const SIMULATED_REPLICATION = 3;
/** Block size assumed until the NameNode says otherwise at registration. */
const DEFAULT_BLOCK_SIZE_BYTES = 128 * 2 ** 20;

export interface SimulatedDatanodeDeps {
  config: LoadgenConfig;
  /** This node's global index in [0, totalDatanodes). */
  index: number;
  client: () => DatanodeProtocolClient;
  logger: Logger;
  counters: LoadCounters;
  random: () => number;
  /** Proof of the cluster secret, one per node (absent: an open cluster). */
  credentials?: NodeCredentials;
}

export class SimulatedDatanode {
  readonly id: string;
  readonly uuid: string;
  readonly link: HeartbeatLink;
  readonly reporter: BlockReporter;
  private readonly deleted: Uint8Array;
  private generatedLive: number;
  /** Seeded (namespace-known) blocks, by id. */
  private readonly extra = new Map<number, StoredBlock>();
  private blockSizeBytes = DEFAULT_BLOCK_SIZE_BYTES;
  private lastSequence = 0;
  private lastSentAtMs = 0;
  private stopped = false;

  constructor(private readonly deps: SimulatedDatanodeDeps) {
    const { config, index, counters, logger } = deps;
    this.id = `${config.idPrefix}${String(index).padStart(5, '0')}`;
    this.uuid = `${config.idPrefix}uuid-${config.seed}-${index}`;
    this.deleted = new Uint8Array(config.blocksPerNode);
    this.generatedLive = config.blocksPerNode;
    this.reporter = new BlockReporter({
      client: deps.client, store: { list: () => this.list() }, logger, random: deps.random,
      metadata: deps.credentials && (() => deps.credentials!.sessionMetadata()),
      onCommands: (commands) => { for (const c of commands) this.onCommand(c); },
    });
    const jitter = config.jitterFraction;
    this.link = new HeartbeatLink({
      client: deps.client,
      info: () => {
        const used = this.usedBytes();
        return {
          id: this.id, uuid: this.uuid, host: config.advertiseHost, dataPort: 20_000 + (index % 40_000), httpPort: 0, rack: `/rack-${index % 20}`,
          capacityBytes: config.capacityBytes, usedBytes: used, remainingBytes: config.capacityBytes - used, softwareVersion: 'minidfs-loadgen',
        };
      },
      stats: () => {
        const used = this.usedBytes();
        return {
          capacityBytes: config.capacityBytes, usedBytes: used, remainingBytes: config.capacityBytes - used,
          activeTransfers: 0, failedVolumes: 0, blockCount: this.blockCount(),
        };
      },
      logger,
      backoff: { initialMs: 100, maxMs: config.reconnectMaxMs },
      quietAckIntervals: config.quietAckIntervals,
      random: deps.random,
      onRegistered: (reg) => {
        counters.registrations += 1;
        if (reg.blockSizeBytes > 0) this.blockSizeBytes = reg.blockSizeBytes;
        this.reporter.onRegistered(reg);
      },
      onCommand: (c) => this.onCommand(c),
      nextBeatDelayMs: (registered) => {
        const base = config.intervalMs > 0 ? config.intervalMs : registered;
        return Math.max(1, Math.round(base * (1 + jitter * (2 * deps.random() - 1))));
      },
      onBeatSent: (sequence, sendLagMs) => {
        this.lastSequence = sequence;
        this.lastSentAtMs = performance.now();
        counters.beatsSent += 1;
        counters.sendLag.record(sendLagMs);
      },
      onAnswer: (res: HeartbeatResponse__Output) => this.onAnswer(res),
      onFatal: () => { counters.fatal += 1; },
      credentials: deps.credentials,
    });
  }

  start(): void {
    this.link.start();
  }

  async stop(goodbye: boolean): Promise<void> {
    this.stopped = true;
    this.reporter.stop();
    await this.link.stop(goodbye);
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** A block the seeder wrote here: kept in every later full report, and reported received now. */
  addBlock(block: StoredBlock): void {
    this.extra.set(block.blockId, block);
    this.reporter.blockReceived(block);
  }

  /** The full-report snapshot: generated replicas not deleted, then seeded ones. */
  list(): StoredBlock[] {
    const { config } = this.deps;
    const out: StoredBlock[] = [];
    for (let k = 0; k < config.blocksPerNode; k++) {
      if (this.deleted[k]) continue;
      const b = this.generatedBlock(k);
      // Every replica of a block agrees on its length: one in eight is a file's partial last block.
      const h = Math.imul(b ^ config.seed, 2654435761) >>> 0;
      const lengthBytes = h % 8 === 0 ? 1 + (Math.imul(h, 40503) >>> 0) % (this.blockSizeBytes - 1) : this.blockSizeBytes;
      out.push({ blockId: FIRST_BLOCK_ID + b, generationStamp: FIRST_GENERATION_STAMP + (b % 997), lengthBytes });
    }
    for (const b of this.extra.values()) out.push(b);
    return out;
  }

  /**
   * Block number (id − FIRST_BLOCK_ID) of this node's generated replica k. Layout: R = min(3, n)
   * replicas per block; block (home h, j) = h · ceil(B / R) + j lives on nodes h, h + s, h + 2s
   * (mod n) with stride s = max(1, floor(n / R)), so one node never lists a block twice and the
   * replicas of a block sit on R different nodes.
   */
  private generatedBlock(k: number): number {
    const { config, index } = this.deps;
    const n = config.totalDatanodes;
    const replicas = Math.min(SIMULATED_REPLICATION, n);
    const stride = Math.max(1, Math.floor(n / replicas));
    const r = k % replicas;
    const home = (((index - r * stride) % n) + n) % n;
    return home * Math.ceil(config.blocksPerNode / replicas) + Math.floor(k / replicas);
  }

  private blockCount(): number {
    return this.generatedLive + this.extra.size;
  }

  private usedBytes(): number {
    return this.blockCount() * this.blockSizeBytes;
  }

  private onAnswer(res: HeartbeatResponse__Output): void {
    const { counters } = this.deps;
    counters.answers += 1;
    if (res.ackedSequence > 0) {
      counters.acks += 1;
      if (res.ackedSequence === this.lastSequence && this.lastSentAtMs > 0) {
        counters.roundTrip.record(performance.now() - this.lastSentAtMs);
        this.lastSentAtMs = 0;
      }
    }
    for (const c of res.commands) if (c.reregister) counters.commands.reregister += 1;
  }

  private onCommand(command: DatanodeCommand__Output): void {
    const { counters } = this.deps;
    if (command.invalidate) {
      counters.commands.invalidate += 1;
      this.invalidate(command.invalidate.blockIds);
    } else if (command.replicate) {
      counters.commands.replicate += 1;
    } else if (command.shutdown) {
      counters.commands.shutdown += 1;
      void this.stop(false);
    } else if (command.reregister) {
      counters.commands.reregister += 1;
    }
  }

  private invalidate(blockIds: readonly number[]): void {
    const { config } = this.deps;
    const wanted = new Set(blockIds);
    for (let k = 0; k < config.blocksPerNode; k++) {
      if (this.deleted[k]) continue;
      const id = FIRST_BLOCK_ID + this.generatedBlock(k);
      if (!wanted.has(id)) continue;
      this.deleted[k] = 1;
      this.generatedLive -= 1;
      this.deps.counters.invalidatedBlocks += 1;
      this.reporter.blockDeleted(id);
    }
    for (const id of wanted) {
      if (this.extra.delete(id)) {
        this.deps.counters.invalidatedBlocks += 1;
        this.reporter.blockDeleted(id);
      }
    }
  }
}
