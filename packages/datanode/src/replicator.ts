/**
 * Replicator: carries out the NameNode's REPLICATE commands (HDFS DataTransfer "transferBlock").
 * Reads the local replica through BlockStore.read, which verifies every chunk, and pushes it over
 * the block transfer protocol (TCP, op REPLICATE; common/transfer-client.ts) to targets[0] with
 * the rest of the targets downstream, following the same packet protocol as a client. Invariants: (1) at most MAX_CONCURRENT_REPLICATIONS pushes run
 * at once, the rest wait in a FIFO bounded by MAX_QUEUED_REPLICATIONS (overflow is dropped and
 * logged; the NameNode re-plans copies that never arrive); (2) one block is never queued or pushed
 * twice at once; (3) a corrupt local replica is reported (ReportBadBlocks) and the push is
 * cancelled, so the targets abort their partial copy; (4) at most maxPacketsInFlight packets are
 * unacknowledged, and a push that makes no progress for Limits.transferIdleTimeoutMs is cancelled;
 * (5) a source without the block (BLOCK_NOT_FOUND and not in the store) reports it deleted
 * (onBlockNotHere), so the NameNode picks another source at once; (6) logs pair up: every `replicate-start` is followed by exactly one `replicate-done` or
 * `replicate-failed`; a command refused before starting logs `replicate-rejected` only.
 */
import {
  ChecksumMismatchError, DfsError, InvalidArgumentError, Limits, type Logger, type TlsMaterial, TransferWriteError, TransferWriteStream, fromGrpcError,
} from '@minidfs/common';
import { type BlockPiece, type BlockStore, validateBlockId } from './block-store';
import type { TransferCounters } from './block-transfer-server';
import { type DatanodeLocationIn, MAX_PIPELINE_DOWNSTREAM, type ReplicateCommandIn } from './wire';

/** Replication pushes one DataNode runs at once (HDFS dfs.namenode.replication.max-streams is per source too). */
export const MAX_CONCURRENT_REPLICATIONS = 4;
/** Replication commands waiting for a free push slot; beyond this new ones are dropped. */
export const MAX_QUEUED_REPLICATIONS = 1024;

export interface ReplicatorOptions {
  nodeId: () => string;
  store: BlockStore;
  logger: Logger;
  /** TLS towards the targets' transfer ports (this node's certificate); undefined = plaintext. */
  tls?: TlsMaterial;
  /** Shared with the block transfer server (bytesSent). */
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
  private readonly streams = new Set<TransferWriteStream>();
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
    for (const stream of this.streams) stream.close();
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
      const error = err instanceof TransferWriteError ? err.error : fromGrpcError(err);
      const corrupt = err instanceof ChecksumMismatchError;
      if (corrupt) this.options.onCorruptBlock(blockId);
      const notHere = error.code === 'BLOCK_NOT_FOUND' && !this.options.store.has(blockId);
      if (notHere) this.options.onBlockNotHere?.(blockId);
      logger.warn('replication failed', {
        event: 'replicate-failed', blockId, targets, reason: corrupt ? 'corrupt-local-replica' : notHere ? 'no-local-replica' : 'transfer-failed', code: error.code,
        badNode: err instanceof TransferWriteError ? err.badNode : undefined, error: error.message, ms: Date.now() - startedMs,
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
    const stream = await TransferWriteStream.open({ nodeId: first.nodeId, host: first.host, transferPort: first.transferPort }, {
      op: 'TRANSFER_OP_REPLICATE', blockId, generationStamp: local.generationStamp, accessToken: command.accessToken,
      clientName: `datanode:${this.options.nodeId()}`,
      targets: rest.map((t) => ({ nodeId: t.nodeId, host: t.host, dataPort: t.dataPort, rack: t.rack, transferPort: t.transferPort })),
    }, {
      tls: this.options.tls, maxInFlight: this.options.maxPacketsInFlight ?? Limits.maxPacketsInFlight,
      idleTimeoutMs: this.options.idleTimeoutMs ?? Limits.transferIdleTimeoutMs,
    });
    this.streams.add(stream);
    try {
      const send = async (piece: BlockPiece, last: boolean) => {
        await stream.send(piece.data, piece.chunkCrcs, last);
        this.options.counters.bytesSent += piece.data.length;
      };
      // Hold one piece back so the final one goes out with last=true (an empty block: one empty packet).
      let held: BlockPiece | undefined;
      for await (const piece of store.read(blockId)) {
        if (held) await send(held, false);
        held = piece;
      }
      await send(held ?? { offsetBytes: 0, data: Buffer.alloc(0), chunkCrcs: [] }, true);
      const finalLength = (await stream.finalized()).lengthBytes;
      if (finalLength !== local.lengthBytes) throw new DfsError('INTERNAL', `target finalized ${finalLength} bytes, the block has ${local.lengthBytes}`);
      return finalLength;
    } finally {
      // After a finalized ack: a clean close; before (our replica is corrupt, or a failure): the targets abort their partial copy.
      stream.close();
      this.streams.delete(stream);
    }
  }
}
