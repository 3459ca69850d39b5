/**
 * BlockReporter: what the NameNode hears about this node's replicas (HDFS BPServiceActor's report
 * half). A full BlockReport after every registration and every `blockReportIntervalMs` from the
 * registration answer; an incremental BlockReceivedAndDeleted for each finalized or deleted block
 * and each replica being written kept from a cut write (both lists also carry those);
 * ReportBadBlocks for corrupt replicas. Invariants: (1) one RPC in flight at a time, full report
 * first, so the NameNode never applies an older incremental after a newer full report; (2) taking
 * a full-report snapshot clears the pending incrementals, which the snapshot already reflects;
 * (3) pending incrementals keep only the latest event per block (received then deleted = deleted),
 * are sent in batches of what accumulated while the previous RPC was in flight, are retried with
 * backoff on failure, and are bounded by MAX_PENDING_INCREMENTAL_BLOCKS: past that, the oldest
 * are dropped and a full report is scheduled instead (it carries the same truth); (4) the reporter
 * never throws at its callers and a strange answer from the NameNode is logged, not fatal.
 */
import * as grpc from '@grpc/grpc-js';
import { type DatanodeCommand__Output, type DatanodeProtocolClient, Limits, type Logger, fromGrpcError } from '@minidfs/common';
import { Backoff, type BackoffConfig } from './backoff';
import type { BlockStore, StoredBlock } from './block-store';
import type { BlockReportResponseIn } from './wire';

/**
 * Blocks whose incremental report may wait unsent, per BlockReporter (a DataNode has one per
 * NameNode it serves, so this bounds each NameNode's queue); beyond this a full report replaces them.
 */
export const MAX_PENDING_INCREMENTAL_BLOCKS = 10_000;
/** Corrupt-replica reports that may wait unsent; beyond this the oldest are dropped (the next read or scan finds them again). */
export const MAX_PENDING_BAD_BLOCKS = 10_000;
/** Deadline of one full BlockReport RPC. */
export const FULL_REPORT_DEADLINE_MS = 30_000;
/** Deadline of one incremental or bad-block RPC. */
export const INCREMENTAL_REPORT_DEADLINE_MS = 10_000;
/** Shortest period between full reports we accept from a registration answer (0 there = never resend). */
export const MIN_BLOCK_REPORT_INTERVAL_MS = 100;
/** Retry delays for failed report RPCs. */
export const REPORT_RETRY_BACKOFF: BackoffConfig = { initialMs: 100, maxMs: 5_000 };

export interface Registration {
  nodeId: string;
  registrationId: string;
  blockReportIntervalMs: number;
}

export interface BlockReporterOptions {
  /** The current NameNode client (the channel may be replaced on reconnect). */
  client: () => DatanodeProtocolClient;
  /** Metadata for every report call (the session token when the cluster has a secret). */
  metadata?: () => grpc.Metadata;
  /** What the full report lists (a BlockStore, or a simulated node's replica list in @minidfs/loadgen). */
  store: Pick<BlockStore, 'list'> & Partial<Pick<BlockStore, 'listBeingWritten'>>;
  logger: Logger;
  /**
   * Every BlockReport answer: its commands (possibly none) and the answer itself, whose HA role and
   * epoch decide whether they are acted on (namenode-fence.ts).
   */
  onCommands: (commands: DatanodeCommand__Output[], answer: BlockReportResponseIn | undefined) => void;
  random?: () => number;
}

type IncrementalEvent =
  | { kind: 'received'; block: StoredBlock }
  | { kind: 'deleted'; blockId: number }
  | { kind: 'being-written'; block: StoredBlock };

function eventBlockId(event: IncrementalEvent): number {
  return event.kind === 'deleted' ? event.blockId : event.block.blockId;
}

export class BlockReporter {
  /** Counters for tests and metrics. */
  readonly counters = { fullReports: 0, incrementalReports: 0, badBlockReports: 0, failures: 0, droppedIncrementals: 0 };
  private registration: Registration | undefined;
  private fullReportDue = false;
  private readonly pending = new Map<number, IncrementalEvent>();
  private readonly pendingBad = new Set<number>();
  private sending = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private periodicTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;

  constructor(private readonly options: BlockReporterOptions) {
    this.backoff = new Backoff(REPORT_RETRY_BACKOFF, options.random);
  }

  /** A (re)registration: a full report now, then every blockReportIntervalMs. */
  onRegistered(registration: Registration): void {
    if (this.stopped) return;
    this.registration = registration;
    clearTimeout(this.periodicTimer);
    this.fullReportDue = true;
    this.backoff.reset();
    this.kick(true);
  }

  blockReceived(block: StoredBlock): void {
    this.queueIncremental(block.blockId, { kind: 'received', block });
  }

  blockDeleted(blockId: number): void {
    this.queueIncremental(blockId, { kind: 'deleted', blockId });
  }

  /** A cut write's bytes were kept as a replica being written (block recovery needs its length). */
  beingWritten(block: StoredBlock): void {
    this.queueIncremental(block.blockId, { kind: 'being-written', block });
  }

  reportBadBlock(blockId: number): void {
    if (this.stopped) return;
    this.pendingBad.delete(blockId);
    this.pendingBad.add(blockId);
    while (this.pendingBad.size > MAX_PENDING_BAD_BLOCKS) this.pendingBad.delete(this.pendingBad.values().next().value as number);
    this.kick();
  }

  /** Pending work, for tests. */
  get pendingCount(): { incremental: number; bad: number; fullReportDue: boolean } {
    return { incremental: this.pending.size, bad: this.pendingBad.size, fullReportDue: this.fullReportDue };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.periodicTimer);
  }

  private queueIncremental(blockId: number, event: IncrementalEvent): void {
    if (this.stopped) return;
    this.pending.delete(blockId); // latest event per block, moved to the back
    this.pending.set(blockId, event);
    if (this.pending.size > MAX_PENDING_INCREMENTAL_BLOCKS) {
      while (this.pending.size > MAX_PENDING_INCREMENTAL_BLOCKS) {
        this.pending.delete(this.pending.keys().next().value as number);
        this.counters.droppedIncrementals += 1;
      }
      if (!this.fullReportDue) {
        this.options.logger.warn('incremental block reports overflowed; a full report will replace them', {
          event: 'incremental-overflow', limit: MAX_PENDING_INCREMENTAL_BLOCKS,
        });
      }
      this.fullReportDue = true;
    }
    this.kick();
  }

  /** Starts the sender unless it is running or waiting out a retry delay (`now` cancels the wait). */
  private kick(now = false): void {
    if (this.stopped || !this.registration) return;
    if (now && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (this.sending || this.retryTimer) return;
    this.sending = true;
    void this.drain().finally(() => {
      this.sending = false;
      // Work may have arrived, or a retry wait been cancelled, while the last RPC was finishing.
      if (!this.retryTimer && this.hasWork()) this.kick();
    });
  }

  private hasWork(): boolean {
    return this.fullReportDue || this.pending.size > 0 || this.pendingBad.size > 0;
  }

  /** Sends until nothing is pending; on a failure schedules a retry and returns. */
  private async drain(): Promise<void> {
    for (;;) {
      const registration = this.registration;
      if (this.stopped || !registration) return;
      try {
        if (this.fullReportDue) await this.sendFullReport(registration);
        else if (this.pendingBad.size > 0) await this.sendBadBlocks(registration);
        else if (this.pending.size > 0) await this.sendIncremental(registration);
        else return;
        this.backoff.reset();
      } catch (err) {
        this.counters.failures += 1;
        const error = fromGrpcError(err);
        const delayMs = this.backoff.nextDelayMs();
        this.options.logger.warn('block report to namenode failed, will retry', {
          event: 'block-report-retry', code: error.code, error: error.message, delayMs,
          pendingIncremental: this.pending.size, pendingBad: this.pendingBad.size, fullReportDue: this.fullReportDue,
        });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, delayMs);
        return;
      }
    }
  }

  private async sendFullReport(registration: Registration): Promise<void> {
    // The snapshot reflects every pending incremental: clear them in the same tick.
    const blocks = this.options.store.list();
    const beingWritten = this.options.store.listBeingWritten?.() ?? [];
    this.pending.clear();
    this.fullReportDue = false;
    if (blocks.length > Limits.maxBlocksPerReport) {
      this.options.logger.warn('block report larger than Limits.maxBlocksPerReport', { event: 'block-report-oversized', blocks: blocks.length, limit: Limits.maxBlocksPerReport });
    }
    let response: BlockReportResponseIn | undefined;
    try {
      response = await new Promise<BlockReportResponseIn | undefined>((resolve, reject) => {
        this.options.client().BlockReport(
          { nodeId: registration.nodeId, registrationId: registration.registrationId, blocks, beingWritten },
          this.options.metadata?.() ?? new grpc.Metadata(),
          { deadline: Date.now() + FULL_REPORT_DEADLINE_MS },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
      });
    } catch (err) {
      this.fullReportDue = true;
      throw err;
    }
    this.counters.fullReports += 1;
    const commands = Array.isArray(response?.commands) ? response.commands : [];
    this.options.logger.info('full block report sent', {
      event: 'block-report', blocks: blocks.length, registrationId: registration.registrationId, commands: commands.length,
    });
    if (registration === this.registration) this.schedulePeriodic(registration);
    try {
      this.options.onCommands(commands, response);
    } catch (err) {
      this.options.logger.error('acting on block report commands failed', { event: 'block-report-commands-failed', error: (err as Error).message });
    }
  }

  private schedulePeriodic(registration: Registration): void {
    clearTimeout(this.periodicTimer);
    if (!(registration.blockReportIntervalMs > 0)) return;
    const intervalMs = Math.max(MIN_BLOCK_REPORT_INTERVAL_MS, registration.blockReportIntervalMs);
    this.periodicTimer = setTimeout(() => {
      if (this.stopped || registration !== this.registration) return;
      this.fullReportDue = true;
      this.kick();
    }, intervalMs);
    this.periodicTimer.unref();
  }

  private async sendIncremental(registration: Registration): Promise<void> {
    const batch: IncrementalEvent[] = [];
    for (const event of this.pending.values()) {
      if (batch.length >= Limits.maxBlocksPerReport) break;
      batch.push(event);
    }
    for (const event of batch) this.pending.delete(eventBlockId(event));
    const received = batch.flatMap((e) => (e.kind === 'received' ? [e.block] : []));
    const deleted = batch.flatMap((e) => (e.kind === 'deleted' ? [e.blockId] : []));
    const beingWritten = batch.flatMap((e) => (e.kind === 'being-written' ? [e.block] : []));
    try {
      await new Promise<void>((resolve, reject) => {
        this.options.client().BlockReceivedAndDeleted(
          { nodeId: registration.nodeId, registrationId: registration.registrationId, received, deleted, beingWritten },
          this.options.metadata?.() ?? new grpc.Metadata(),
          { deadline: Date.now() + INCREMENTAL_REPORT_DEADLINE_MS },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    } catch (err) {
      // Put back what nothing newer replaced (a full report taken meanwhile covers everything).
      if (!this.fullReportDue) {
        const newer = new Map(this.pending);
        this.pending.clear();
        for (const event of batch) {
          const id = eventBlockId(event);
          if (!newer.has(id)) this.pending.set(id, event);
        }
        for (const [id, event] of newer) this.pending.set(id, event);
      }
      throw err;
    }
    this.counters.incrementalReports += 1;
    this.options.logger.info('incremental block report sent', {
      event: 'blocks-reported', received: received.map((b) => b.blockId), deleted,
      ...(beingWritten.length ? { beingWritten: beingWritten.map((b) => ({ blockId: b.blockId, lengthBytes: b.lengthBytes })) } : {}),
    });
  }

  private async sendBadBlocks(registration: Registration): Promise<void> {
    const blockIds = [...this.pendingBad];
    this.pendingBad.clear();
    try {
      await new Promise<void>((resolve, reject) => {
        this.options.client().ReportBadBlocks(
          { nodeId: registration.nodeId, registrationId: registration.registrationId, blockIds },
          this.options.metadata?.() ?? new grpc.Metadata(),
          { deadline: Date.now() + INCREMENTAL_REPORT_DEADLINE_MS },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    } catch (err) {
      for (const id of blockIds) this.pendingBad.add(id);
      throw err;
    }
    this.counters.badBlockReports += 1;
    this.options.logger.warn('reported corrupt replicas to namenode', { event: 'bad-blocks-reported', blockIds });
  }
}
