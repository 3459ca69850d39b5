/**
 * Replicator: carries out the NameNode's REPLICATE commands (HDFS DataTransfer "transferBlock").
 * Reads the local replica through BlockStore.read, which verifies every chunk, and pushes it with
 * WriteBlock (purpose REPLICATE) to targets[0] with downstream = targets.slice(1), following the
 * same packet protocol as a client. Invariants: (1) at most MAX_CONCURRENT_REPLICATIONS pushes run
 * at once, the rest wait in a FIFO bounded by MAX_QUEUED_REPLICATIONS (overflow is dropped and
 * logged; the NameNode re-plans copies that never arrive); (2) one block is never queued or pushed
 * twice at once; (3) a corrupt local replica is reported (ReportBadBlocks) and the push is
 * cancelled, so the targets abort their partial copy; (4) at most maxPacketsInFlight packets are
 * unacknowledged, and a push that makes no progress for TRANSFER_IDLE_TIMEOUT_MS is cancelled;
 * (5) a source without the block (BLOCK_NOT_FOUND and not in the store) reports it deleted
 * (onBlockNotHere), so the NameNode picks another source at once; (6) logs pair up: every `replicate-start` is followed by exactly one `replicate-done` or
 * `replicate-failed`; a command refused before starting logs `replicate-rejected` only.
 */
import type * as grpc from '@grpc/grpc-js';
import { ChecksumMismatchError, DfsError, InvalidArgumentError, Limits, type Logger, fromGrpcError } from '@minidfs/common';
import { type BlockPiece, type BlockStore, validateBlockId } from './block-store';
import { badNodeOf, type TransferCounters } from './data-transfer-server';
import type { PeerClients } from './peer-clients';
import {
  type DatanodeLocationIn, MAX_PIPELINE_DOWNSTREAM, type ReplicateCommandIn, TRANSFER_IDLE_TIMEOUT_MS, type WriteBlockAckIn,
  type WriteBlockClientCall,
} from './wire';

/** Replication pushes one DataNode runs at once (HDFS dfs.namenode.replication.max-streams is per source too). */
export const MAX_CONCURRENT_REPLICATIONS = 4;
/** Replication commands waiting for a free push slot; beyond this new ones are dropped. */
export const MAX_QUEUED_REPLICATIONS = 1024;

export interface ReplicatorOptions {
  nodeId: () => string;
  store: BlockStore;
  peers: PeerClients;
  logger: Logger;
  /** Shared with the DataTransfer server (bytesSent). */
  counters: TransferCounters;
  /** The local replica failed its checksum while being read. */
  onCorruptBlock: (blockId: number) => void;
  /**
   * The NameNode asked for a copy of a block this node does not hold (never had it, or its files
   * vanished: the store dropped it): report it deleted so the NameNode stops using this node as a source.
   */
  onBlockNotHere?: (blockId: number) => void;
  maxConcurrent?: number;
  maxQueued?: number;
  maxPacketsInFlight?: number;
  idleTimeoutMs?: number;
}

interface ReplicationTask {
  blockId: number;
  command: ReplicateCommandIn;
}

export class Replicator {
  /** dropped = refused before starting (invalid command or full queue). */
  readonly counters = { started: 0, done: 0, failed: 0, dropped: 0 };
  private readonly queue: ReplicationTask[] = [];
  private readonly blockIds = new Set<number>();
  private readonly calls = new Set<WriteBlockClientCall>();
  private running = 0;
  private stopped = false;

  constructor(private readonly options: ReplicatorOptions) {}

  /** Pushes running now. */
  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues a REPLICATE command; returns false (and logs) if it is invalid, a duplicate or the queue is full. */
  enqueue(command: ReplicateCommandIn): boolean {
    const { logger } = this.options;
    const targets = (command.targets ?? []).map((t) => t.nodeId);
    let blockId: number;
    try {
      blockId = validateBlockId(command.blockId);
      if (!command.targets || command.targets.length === 0) throw new InvalidArgumentError('replicate command without targets');
      if (command.targets.length > MAX_PIPELINE_DOWNSTREAM + 1) throw new InvalidArgumentError(`replicate command with ${command.targets.length} targets`);
    } catch (err) {
      this.counters.dropped += 1;
      logger.warn('replicate command rejected', { event: 'replicate-rejected', blockId: command.blockId, targets, reason: 'invalid-command', error: (err as Error).message });
      return false;
    }
    if (this.stopped) return false;
    if (this.blockIds.has(blockId)) {
      logger.info('replicate command for a block already being copied', { event: 'replicate-rejected', blockId, targets, reason: 'duplicate' });
      return false;
    }
    if (this.queue.length >= (this.options.maxQueued ?? MAX_QUEUED_REPLICATIONS)) {
      this.counters.dropped += 1;
      logger.warn('replication queue full, command dropped', { event: 'replicate-rejected', blockId, targets, reason: 'queue-full' });
      return false;
    }
    this.blockIds.add(blockId);
    this.queue.push({ blockId, command });
    this.pump();
    return true;
  }

  /** Cancels running pushes and drops the queue. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const call of this.calls) call.cancel();
  }

  private pump(): void {
    const max = this.options.maxConcurrent ?? MAX_CONCURRENT_REPLICATIONS;
    while (!this.stopped && this.running < max && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running += 1;
      void this.run(task).finally(() => {
        this.running -= 1;
        this.blockIds.delete(task.blockId);
        this.pump();
      });
    }
  }

  private async run(task: ReplicationTask): Promise<void> {
    const { logger } = this.options;
    const { blockId, command } = task;
    const targets = command.targets.map((t) => t.nodeId);
    const startedMs = Date.now();
    this.counters.started += 1;
    logger.info('replication started', { event: 'replicate-start', blockId, targets, lengthBytes: command.lengthBytes });
    try {
      const lengthBytes = await this.push(blockId, command);
      this.counters.done += 1;
      logger.info('replication done', { event: 'replicate-done', blockId, targets, lengthBytes, ms: Date.now() - startedMs });
    } catch (err) {
      this.counters.failed += 1;
      const error = fromGrpcError(err);
      const corrupt = err instanceof ChecksumMismatchError;
      if (corrupt) this.options.onCorruptBlock(blockId);
      const notHere = error.code === 'BLOCK_NOT_FOUND' && !this.options.store.has(blockId);
      if (notHere) this.options.onBlockNotHere?.(blockId);
      logger.warn('replication failed', {
        event: 'replicate-failed', blockId, targets, reason: corrupt ? 'corrupt-local-replica' : notHere ? 'no-local-replica' : 'transfer-failed', code: error.code,
        badNode: badNodeOf(err), error: error.message, ms: Date.now() - startedMs,
      });
    }
  }

  /** One push; resolves with the finalized length, or throws (ChecksumMismatchError: our replica is bad). */
  private async push(blockId: number, command: ReplicateCommandIn): Promise<number> {
    const { store } = this.options;
    const local = store.get(blockId);
    if (!local) throw new DfsError('BLOCK_NOT_FOUND', `block ${blockId} is not on this datanode`);
    if (local.generationStamp < command.generationStamp) {
      throw new DfsError('BLOCK_NOT_FOUND', `block ${blockId} here has generation stamp ${local.generationStamp}, older than ${command.generationStamp}`);
    }
    if (command.lengthBytes > 0 && local.lengthBytes !== command.lengthBytes) {
      throw new InvalidArgumentError(`block ${blockId} here is ${local.lengthBytes} bytes, the command says ${command.lengthBytes}`);
    }
    const [first, ...rest]: DatanodeLocationIn[] = command.targets;
    const call = this.options.peers.get(first).WriteBlock();
    this.calls.add(call);
    const stream = new OutboundStream(call, first.nodeId, this.options.maxPacketsInFlight ?? Limits.maxPacketsInFlight,
      this.options.idleTimeoutMs ?? TRANSFER_IDLE_TIMEOUT_MS);
    try {
      call.write({
        header: { blockId, generationStamp: local.generationStamp, downstream: rest, accessToken: command.accessToken, purpose: 'REPLICATE' },
      });
      const send = async (piece: BlockPiece, last: boolean) => {
        await stream.send(piece, last);
        this.options.counters.bytesSent += piece.data.length;
      };
      // Hold one piece back so the final one goes out with last=true (an empty block: one empty packet).
      let held: BlockPiece | undefined;
      for await (const piece of store.read(blockId)) {
        if (held) await send(held, false);
        held = piece;
      }
      await send(held ?? { offsetBytes: 0, data: Buffer.alloc(0), chunkCrcs: [] }, true);
      call.end();
      const finalLength = await stream.finalized();
      if (finalLength !== local.lengthBytes) throw new DfsError('INTERNAL', `target finalized ${finalLength} bytes, the block has ${local.lengthBytes}`);
      return finalLength;
    } catch (err) {
      call.cancel();
      throw err;
    } finally {
      stream.close();
      this.calls.delete(call);
    }
  }
}

/** The sending side of one WriteBlock stream: window of unacked packets, acks in order, idle timeout. */
class OutboundStream {
  private seqno = 0;
  private acked = 0;
  private lastSeqno: number | undefined;
  private finalLength: number | undefined;
  private error: Error | undefined;
  private waiters: (() => void)[] = [];
  private needDrain = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly call: WriteBlockClientCall, private readonly targetId: string, private readonly maxInFlight: number, private readonly idleTimeoutMs: number) {
    call.on('data', (ack: WriteBlockAckIn) => this.onAck(ack));
    call.on('error', (err: grpc.ServiceError) => this.failWith(err));
    call.on('end', () => {
      if (this.finalLength === undefined) this.failWith(new DfsError('INTERNAL', `target ${targetId} ended the stream before a finalized ack`));
    });
    call.on('drain', () => {
      this.needDrain = false;
      this.notify();
    });
    this.touch();
  }

  async send(piece: BlockPiece, last: boolean): Promise<void> {
    await this.until(() => this.seqno - this.acked < this.maxInFlight && !this.needDrain);
    this.seqno += 1;
    if (last) this.lastSeqno = this.seqno;
    if (!this.call.write({ packet: { seqno: this.seqno, data: piece.data, chunkCrcs: piece.chunkCrcs, last } })) this.needDrain = true;
  }

  async finalized(): Promise<number> {
    await this.until(() => this.finalLength !== undefined);
    return this.finalLength!;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.failWith(new DfsError('UNAVAILABLE', 'stream closed'));
  }

  private onAck(ack: WriteBlockAckIn): void {
    this.touch();
    if (ack.seqno !== this.acked + 1 || ack.seqno > this.seqno) {
      this.failWith(new DfsError('INTERNAL', `target ${this.targetId} acked packet ${ack.seqno}, expected ${this.acked + 1}`));
      return;
    }
    this.acked = ack.seqno;
    if (ack.finalized) {
      if (ack.seqno !== this.lastSeqno) {
        this.failWith(new DfsError('INTERNAL', `target ${this.targetId} finalized at packet ${ack.seqno} before the last one`));
        return;
      }
      this.finalLength = ack.lengthBytes;
    }
    this.notify();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.failWith(new DfsError('UNAVAILABLE', `target ${this.targetId} made no progress for ${this.idleTimeoutMs} ms`)), this.idleTimeoutMs);
  }

  private failWith(err: Error): void {
    if (this.error) return;
    this.error = err;
    clearTimeout(this.idleTimer);
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.finalLength === undefined && this.error) throw this.error;
      if (condition()) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
