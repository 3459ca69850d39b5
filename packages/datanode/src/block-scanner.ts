/**
 * BlockScanner: verifies every finalized replica's data against its meta CRCs in the background
 * (HDFS VolumeScanner), so a replica that rots on disk is found without anyone reading it.
 *
 * - Order: passes over the replicas in ascending block id. A cursor (the last block id finished)
 *   carries over between passes and stop()/run(): a pass starts after the cursor, and when it
 *   reaches the end the cursor goes back to 0. Each pass works on a snapshot of the finalized
 *   replicas taken when it starts (blocks finalized later are scanned by the next pass; blocks being
 *   written are in tmp/ and never listed); each replica is looked up again before it is read, so one
 *   deleted meanwhile is skipped.
 * - Rate: at most `bytesPerSecond` on average. After each verified piece (whole chunks, at most
 *   Limits.packetDataBytes, every chunk checked by BlockStore.read) the scanner waits until the
 *   bytes read so far fit the rate; unused time is not saved up, so a burst is at most one piece
 *   (plus the store's read-ahead of one span). A new pass starts no sooner than minPassIntervalMs
 *   after the previous one started, so a small store is not re-read back to back.
 * - A bad replica (a chunk whose CRC does not match, a truncated meta file, a data file whose size
 *   is not the recorded length) is logged once (`scanner-bad-replica`) and handed to onBadReplica
 *   (the DataNode reports it with ReportBadBlocks); it is not read or reported again while the same
 *   replica (id and generation stamp) is here, until forgetReported() (a new registration: a
 *   restarted NameNode has to hear it again). A replica whose files are gone is dropped by the store
 *   itself (onReplicaMissing). An I/O error that may mean a failing disk (EIO, EACCES, EROFS, ...)
 *   goes to onIoError (the DataNode checks the volume) and the replica is skipped.
 * - Time is an input (ScannerClock): the DataNode passes real timers, tests a manual clock.
 */
import * as fsp from 'node:fs/promises';
import { ChecksumMismatchError, DfsError, Limits, type Logger } from '@minidfs/common';
import type { BlockStore, StoredBlock } from './block-store';
import { isVolumeError } from './volume';

export { isVolumeError, VOLUME_ERROR_CODES } from './volume';

export interface ScannerClock {
  nowMs(): number;
  /** Resolves after `ms` (or at once when `signal` aborts). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface BlockScannerOptions {
  store: Pick<BlockStore, 'list' | 'get' | 'read' | 'blockFilePath'>;
  /** Average verification rate, bytes per second; must be > 0 (0 = off is the DataNode's business: no scanner). */
  bytesPerSecond: number;
  clock: ScannerClock;
  logger: Logger;
  /** A replica failed verification (called once per replica, see forgetReported). */
  onBadReplica: (block: StoredBlock, reason: string) => void;
  /** A read failed with an error that may mean the volume is failing. */
  onIoError?: (err: NodeJS.ErrnoException) => void;
  /** Shortest time between the starts of two passes. Default Limits.minScanPassIntervalMs. */
  minPassIntervalMs?: number;
  /** Cursor to resume after (a block id; 0 = from the start). */
  startAfter?: number;
}

export interface ScannerStats {
  /** Bytes read and found matching their CRCs. */
  bytesVerified: number;
  /** Replicas read to the end with every chunk matching. */
  blocksVerified: number;
  /** Bad replicas found (each counted once). */
  badFound: number;
  /** Replicas skipped: gone before or during their scan, or an I/O error. */
  skipped: number;
  /** Passes finished (the cursor went back to the start). */
  passesCompleted: number;
  /** Last block id finished in the current pass (0 = at the start). */
  cursor: number;
  /** Replicas left in the current pass's snapshot. */
  remainingInPass: number;
}

/** Outcome of one scanOne() call. */
export type ScanOutcome =
  | { kind: 'verified'; blockId: number; bytes: number }
  | { kind: 'bad'; blockId: number; reason: string }
  | { kind: 'skipped'; blockId: number; reason: string }
  | { kind: 'pass-end' };

export class BlockScanner {
  readonly stats: ScannerStats;
  private readonly bytesPerSecond: number;
  private readonly minPassIntervalMs: number;
  /** The current pass: replicas after the cursor, ascending; undefined between passes. */
  private pass: StoredBlock[] | undefined;
  private passStartedMs: number | undefined;
  /** Earliest time the next piece may be read (the throttle). */
  private nextReadMs = Number.NEGATIVE_INFINITY;
  /**
   * Replicas already reported bad: block id -> identity of the replica (generation stamp and the
   * data file's inode and ctime: a good copy sent back after the bad one was deleted has the same
   * id and stamp but is a new file). Insertion order = age.
   */
  private readonly reported = new Map<number, string>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: BlockScannerOptions) {
    if (!(Number.isFinite(options.bytesPerSecond) && options.bytesPerSecond > 0)) {
      throw new RangeError(`scanner rate must be a positive number of bytes per second, got ${options.bytesPerSecond}`);
    }
    this.bytesPerSecond = Math.min(options.bytesPerSecond, Limits.maxScanBytesPerSecond);
    this.minPassIntervalMs = options.minPassIntervalMs ?? Limits.minScanPassIntervalMs;
    this.stats = { bytesVerified: 0, blocksVerified: 0, badFound: 0, skipped: 0, passesCompleted: 0, cursor: options.startAfter ?? 0, remainingInPass: 0 };
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Starts the background loop (idempotent). A failure of one replica never ends it. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops the loop; resolves once the replica being read is closed. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** Forgets which replicas were reported bad: they are reported again when next found. */
  forgetReported(): void {
    this.reported.clear();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const outcome = await this.scanOne();
        if (outcome.kind === 'pass-end') await this.waitForNextPass();
      } catch (err) {
        // scanOne handles replica errors itself; this is a bug or a dying process: log, pause, go on.
        this.options.logger.error('block scanner step failed', { event: 'scanner-failed', error: (err as Error).message });
        await this.options.clock.sleep(this.minPassIntervalMs, this.abort.signal);
      }
    }
  }

  /** Waits until minPassIntervalMs after the start of the pass that just ended. */
  private async waitForNextPass(): Promise<void> {
    const started = this.passStartedMs ?? this.options.clock.nowMs();
    const waitMs = started + this.minPassIntervalMs - this.options.clock.nowMs();
    if (waitMs > 0 && !this.stopped) await this.options.clock.sleep(waitMs, this.abort.signal);
  }

  /**
   * Verifies the next replica of the pass (starting a pass if none is running), throttled. Returns
   * 'pass-end' when the pass has no replica left (the cursor is then back at 0).
   */
  async scanOne(): Promise<ScanOutcome> {
    if (!this.pass) {
      const after = this.stats.cursor;
      this.pass = this.options.store.list().filter((b) => b.blockId > after);
      this.passStartedMs = this.options.clock.nowMs();
      this.pruneReported();
    }
    const next = this.pass.shift();
    this.stats.remainingInPass = this.pass.length;
    if (!next) {
      this.pass = undefined;
      if (this.stats.cursor !== 0) this.stats.passesCompleted += 1;
      this.stats.cursor = 0;
      return { kind: 'pass-end' };
    }
    const outcome = await this.scanReplica(next.blockId);
    if (!this.stopped) this.stats.cursor = next.blockId; // a stopped scan is resumed at this replica
    if (outcome.kind === 'skipped' && !this.stopped) this.stats.skipped += 1;
    return outcome;
  }

  private async scanReplica(blockId: number): Promise<ScanOutcome> {
    const { store, logger } = this.options;
    const block = store.get(blockId);
    if (!block) return { kind: 'skipped', blockId, reason: 'no longer here' };
    let bad: string | undefined;
    let bytes = 0;
    let identity = '';
    try {
      const stat = await fsp.stat(store.blockFilePath(blockId)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined; // read() drops the replica and reports it deleted
        throw err;
      });
      identity = `${block.generationStamp}:${stat?.ino ?? 0}:${stat?.ctimeMs ?? 0}`;
      const size = stat?.size;
      if (this.reported.get(blockId) === identity) return { kind: 'skipped', blockId, reason: 'already reported bad' };
      if (size !== undefined && size !== block.lengthBytes) {
        bad = `data file is ${size} bytes, the replica is ${block.lengthBytes}`;
      } else {
        for await (const piece of store.read(blockId)) {
          bytes += piece.data.length;
          this.stats.bytesVerified += piece.data.length;
          await this.throttle(piece.data.length);
          if (this.stopped) return { kind: 'skipped', blockId, reason: 'scanner stopped' };
        }
      }
    } catch (err) {
      if (err instanceof ChecksumMismatchError) bad = err.message;
      else if (err instanceof DfsError && err.code === 'BLOCK_NOT_FOUND') return { kind: 'skipped', blockId, reason: 'files gone' };
      else if (isVolumeError(err)) {
        logger.warn('block scanner could not read a replica', { event: 'scanner-io-error', blockId, code: err.code, error: err.message });
        this.options.onIoError?.(err);
        return { kind: 'skipped', blockId, reason: `${err.code}: ${err.message}` };
      } else {
        logger.warn('block scanner could not read a replica', { event: 'scanner-read-failed', blockId, error: (err as Error).message });
        return { kind: 'skipped', blockId, reason: (err as Error).message };
      }
    }
    if (bad === undefined) {
      this.stats.blocksVerified += 1;
      return { kind: 'verified', blockId, bytes };
    }
    // Deleted or replaced while it was read: nothing to report about the replica that is here now.
    if (store.get(blockId)?.generationStamp !== block.generationStamp) return { kind: 'skipped', blockId, reason: 'replaced during the scan' };
    this.stats.badFound += 1;
    this.remember(blockId, identity);
    logger.error('block scanner found a corrupt replica', {
      event: 'scanner-bad-replica', blockId, generationStamp: block.generationStamp, lengthBytes: block.lengthBytes, reason: bad,
    });
    this.options.onBadReplica(block, bad);
    return { kind: 'bad', blockId, reason: bad };
  }

  /** Waits until `bytes` more fit the rate; time not used is not saved up (a burst is one piece). */
  private async throttle(bytes: number): Promise<void> {
    const now = this.options.clock.nowMs();
    this.nextReadMs = Math.max(this.nextReadMs, now) + (bytes * 1000) / this.bytesPerSecond;
    const waitMs = this.nextReadMs - now;
    if (waitMs > 0 && !this.stopped) await this.options.clock.sleep(waitMs, this.abort.signal);
  }

  private remember(blockId: number, identity: string): void {
    this.reported.delete(blockId);
    this.reported.set(blockId, identity);
    while (this.reported.size > Limits.maxScannerReportedBadReplicas) this.reported.delete(this.reported.keys().next().value as number);
  }

  /** Drops remembered bad replicas that are gone (deleted by the NameNode's order). */
  private pruneReported(): void {
    for (const blockId of this.reported.keys()) {
      if (!this.options.store.get(blockId)) this.reported.delete(blockId);
    }
  }
}

/** Real timers for the scanner: an unref'ed setTimeout that ends early when the signal aborts. */
export const systemScannerClock: ScannerClock = {
  nowMs: () => performance.now(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  }),
};
