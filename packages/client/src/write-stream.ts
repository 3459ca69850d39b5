/**
 * DfsWriteStream: a Node Writable that writes one new file (HDFS DFSOutputStream). Create on
 * construct; bytes are copied into a BlockBuffer whose capacity is the file's block size, so at
 * most one block is held in memory; when it is full the block goes through a pipeline
 * (AddBlock -> WriteBlock) and the buffer is kept until the pipeline acks it finalized, because a
 * failed pipeline is retried from it: AbandonBlock, exclude the bad node, AddBlock again, resend the
 * whole block, at most MAX_PIPELINE_ATTEMPTS_PER_BLOCK times. While a block is in flight the
 * stream applies backpressure. end() flushes the last partial block and calls Complete until it
 * returns true (its minimum replicas are reported from LIVE nodes; the NameNode repairs a block
 * that lost one meanwhile), for at most COMPLETE_BACKOFF.totalBudgetMs; only then does 'finish'
 * fire. On failure or destroy() the file this stream created is deleted if the stream still holds
 * it (best effort; a conditional Delete, see removeIncompleteFile), so a failed write leaves nothing.
 *
 * Events besides the Writable ones: 'pipeline' (PipelineEvent) just before a pipeline is opened,
 * 'block' (BlockWrittenEvent) when a block is finalized on its pipeline.
 */
import { constants as bufferConstants } from 'node:buffer';
import { Writable } from 'node:stream';
import { DfsError, InvalidArgumentError, NotEnoughDatanodesError } from '@minidfs/common';
import { BlockBuffer } from './block-buffer';
import type { ClientContext } from './context';
import { CompleteTimeoutError, PipelineFailedError } from './errors';
import { COMPLETE_BACKOFF, backoffDelays } from './failover';
import { sleep } from './namenode-rpc';
import { type BlockRef, type FileStatus, fileStatusFromWire, locatedBlockFromWire } from './wire';
import { PipelineAttemptError, writeBlockThroughPipeline } from './write-pipeline';

/** Pipelines tried for one block before the write fails with PipelineFailedError. */
export const MAX_PIPELINE_ATTEMPTS_PER_BLOCK = 5;

export interface WriteOptions {
  /** Replication factor; default: the NameNode's. */
  replication?: number;
  /** Block size in bytes (a multiple of 512); default: the NameNode's. */
  blockSizeBytes?: number;
  /** Create missing parent directories. Default true. */
  createParent?: boolean;
}

/** What one write did; live while the write runs. */
export interface WriteStats {
  path: string;
  /** Bytes in blocks finalized on their pipelines. */
  bytesWritten: number;
  /** Blocks finalized. */
  blocks: number;
  /** Pipelines abandoned after a failure (each one an AbandonBlock). */
  pipelinesAbandoned: number;
  /** Nodes excluded from later pipelines of this file, in the order they failed. */
  excludedNodes: string[];
  /** Complete calls made (more than 1: the NameNode was waiting for replica reports). */
  completeCalls: number;
  /** True once Complete returned true. */
  completed: boolean;
}

export interface PipelineEvent {
  blockIndex: number;
  attempt: number;
  blockId: number;
  /** The pipeline, in order; nodeIds[0] is the node the client streams to. */
  nodeIds: string[];
}

export interface BlockWrittenEvent {
  blockIndex: number;
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
  /** Nodes the finalized ack named. */
  ackedBy: string[];
}

export interface DfsWriteStream {
  on(event: 'pipeline', listener: (e: PipelineEvent) => void): this;
  on(event: 'block', listener: (e: BlockWrittenEvent) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'pipeline', listener: (e: PipelineEvent) => void): this;
  once(event: 'block', listener: (e: BlockWrittenEvent) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

export class DfsWriteStream extends Writable {
  readonly stats: WriteStats;
  /** The file as Create returned it (effective replication and block size); set once constructed. */
  status: FileStatus | undefined;
  private buffer: BlockBuffer | undefined;
  private readonly blocks: BlockRef[] = [];
  private readonly excluded = new Set<string>();
  private readonly abort = new AbortController();
  private created = false;
  /** Base pipeline ack deadline from CreateResponse (0: the NameNode sent none). */
  private ackTimeoutMs = 0;

  constructor(private readonly ctx: ClientContext, readonly path: string, private readonly options: WriteOptions = {}) {
    super({ decodeStrings: true });
    this.stats = { path, bytesWritten: 0, blocks: 0, pipelinesAbandoned: 0, excludedNodes: [], completeCalls: 0, completed: false };
  }

  override _construct(callback: (err?: Error | null) => void): void {
    this.create().then(() => callback(), callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.append(chunk).then(() => callback(), callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.finishFile().then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.abort.abort(err ?? new Error('write stream destroyed'));
    this.releaseLease();
    if (!this.created || this.stats.completed) return callback(err);
    this.removeIncompleteFile().then(() => callback(err), () => callback(err));
  }

  /** Whether this stream counts in the client's lease renewer (begin() called, end() not yet). */
  private leaseHeld = false;

  private releaseLease(): void {
    if (!this.leaseHeld) return;
    this.leaseHeld = false;
    this.ctx.leases?.end();
  }

  private async create(): Promise<void> {
    const { replication = 0, blockSizeBytes = 0, createParent = true } = this.options;
    const res = await this.ctx.rpc.call('Create', { path: this.path, replication, blockSizeBytes, createParent, clientName: this.ctx.clientName });
    this.created = true;
    this.ctx.leases?.begin(Number(res.leaseSoftLimitMs ?? 0));
    this.leaseHeld = true;
    this.status = fileStatusFromWire(res.status, 'Create');
    this.ackTimeoutMs = Number(res.pipelineAckTimeoutMs ?? 0);
    if (this.status.blockSizeBytes > bufferConstants.MAX_LENGTH) {
      // The resend buffer holds a whole block; Node cannot allocate one this large.
      throw new InvalidArgumentError(`block size ${this.status.blockSizeBytes} exceeds the largest client buffer (${bufferConstants.MAX_LENGTH} bytes)`);
    }
    this.buffer = new BlockBuffer(this.status.blockSizeBytes);
  }

  private async append(chunk: Buffer): Promise<void> {
    const buffer = this.buffer!;
    let offset = 0;
    while (offset < chunk.length) {
      offset += buffer.append(chunk.subarray(offset));
      if (buffer.full) {
        await this.sendBlock(buffer.contents());
        buffer.reset();
      }
    }
  }

  private async finishFile(): Promise<void> {
    const buffer = this.buffer!;
    if (buffer.lengthBytes > 0) {
      await this.sendBlock(buffer.contents());
      buffer.reset();
    }
    const delays = backoffDelays(COMPLETE_BACKOFF);
    for (;;) {
      this.stats.completeCalls++;
      const res = await this.ctx.rpc.call('Complete', { path: this.path, clientName: this.ctx.clientName, blocks: this.blocks });
      if (res.complete) break;
      const next = delays.next();
      if (next.done) {
        throw new CompleteTimeoutError(`${this.path}: the NameNode still lacks minimum replicas after ${COMPLETE_BACKOFF.totalBudgetMs} ms (${this.stats.completeCalls} Complete calls)`);
      }
      await sleep(next.value, this.abort.signal);
    }
    this.stats.completed = true;
    this.releaseLease();
  }

  /** Writes one block through a pipeline, retrying with a new pipeline after a failure. */
  private async sendBlock(data: Buffer): Promise<void> {
    const blockIndex = this.blocks.length;
    const signal = this.abort.signal;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      // `previous` commits the block finalized last: the NameNode repairs it if it loses a replica meanwhile.
      const previous = this.blocks[this.blocks.length - 1];
      const res = await this.ctx.rpc.call('AddBlock', { path: this.path, clientName: this.ctx.clientName, excludeNodeIds: [...this.excluded], previous });
      const located = locatedBlockFromWire(res.block, 'AddBlock');
      const nodeIds = located.locations.map((l) => l.nodeId);
      if (nodeIds.length === 0) {
        await this.abandon(located.blockId);
        throw new NotEnoughDatanodesError(`${this.path}: AddBlock returned an empty pipeline (excluded: ${[...this.excluded].join(', ') || 'none'})`);
      }
      this.emit('pipeline', { blockIndex, attempt, blockId: located.blockId, nodeIds } satisfies PipelineEvent);
      try {
        const result = await writeBlockThroughPipeline(this.ctx.datanodes, located, data, { signal, ackTimeoutMs: this.ackTimeoutMs, clientName: this.ctx.clientName });
        this.blocks.push({ blockId: located.blockId, generationStamp: located.generationStamp, lengthBytes: data.length });
        this.stats.blocks++;
        this.stats.bytesWritten += data.length;
        this.emit('block', {
          blockIndex, blockId: located.blockId, generationStamp: located.generationStamp, lengthBytes: data.length, ackedBy: result.ackedBy,
        } satisfies BlockWrittenEvent);
        return;
      } catch (err) {
        if (!(err instanceof PipelineAttemptError)) throw err;
        signal.throwIfAborted();
        this.stats.pipelinesAbandoned++;
        if (!this.excluded.has(err.badNodeId)) {
          this.excluded.add(err.badNodeId);
          this.stats.excludedNodes.push(err.badNodeId);
        }
        this.ctx.logger.warn('write pipeline failed; abandoning block', {
          event: 'pipeline-failed', path: this.path, blockIndex, blockId: located.blockId, attempt, pipeline: nodeIds,
          badNodeId: err.badNodeId, error: err.message,
        });
        await this.abandon(located.blockId);
        if (attempt >= MAX_PIPELINE_ATTEMPTS_PER_BLOCK) {
          throw new PipelineFailedError(
            `${this.path}: block ${blockIndex} failed on ${attempt} pipelines (excluded: ${[...this.excluded].join(', ')}); last: ${err.message}`,
            blockIndex, attempt, [...this.excluded],
          );
        }
      }
    }
  }

  private async abandon(blockId: number): Promise<void> {
    await this.ctx.rpc.call('AbandonBlock', { path: this.path, clientName: this.ctx.clientName, blockId });
  }

  /**
   * Deletes the file this stream created if this stream still holds it. The NameNode checks that
   * atomically (Delete with our client name and file id): a file completed meanwhile, or deleted
   * and created again at the same path by anyone (even by this client), is refused with
   * FILE_NOT_OPEN and left alone.
   */
  private async removeIncompleteFile(): Promise<void> {
    const fileId = this.status?.fileId ?? 0;
    try {
      const res = await this.ctx.rpc.call('Delete', { path: this.path, recursive: false, clientName: this.ctx.clientName, fileId });
      if (res.deleted) this.ctx.logger.info('deleted incomplete file after a failed write', { event: 'write-cleanup', path: this.path, fileId });
    } catch (err) {
      if (err instanceof DfsError && err.code === 'FILE_NOT_OPEN') {
        this.ctx.logger.info('left the file alone after a failed write: no longer ours', { event: 'write-cleanup-skipped', path: this.path, fileId, reason: err.message });
        return;
      }
      this.ctx.logger.warn('could not delete incomplete file after a failed write', { event: 'write-cleanup-failed', path: this.path, error: String(err) });
    }
  }
}
