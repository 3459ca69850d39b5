/**
 * BlockMap: the NameNode's in-memory knowledge of which DataNode holds which replica of which
 * block (HDFS BlocksMap + CorruptReplicasMap). The namespace owns files and their block ids and
 * tells the BlockMap about blocks (addBlock/updateBlock/removeBlock); DataNodes tell it about
 * replicas (full and incremental block reports). Locations are never persisted: after a restart
 * they come back from block reports, and safe mode lasts until enough complete blocks have a
 * reported replica. Pure: no I/O, timers or clock; it returns decisions (replicas to invalidate,
 * blocks that lost a replica) and the caller turns them into commands.
 * Invariants (checked by assertInvariants()):
 *   - a replica (blockId, nodeId) is in the block's `replicas` set iff blockId is in the node's
 *     index set; the index holds only known blocks, and no empty sets;
 *   - `corrupt` is a subset of `replicas` (a corrupt replica is still held by its node, so it can
 *     be invalidated later, but is never handed out for reads nor counted as live);
 *   - `completeBlocks` = complete blocks; `safeBlocks` = complete blocks with >= 1 non-corrupt
 *     replica. Both are kept by every mutation, so safeModeStatus() is O(1).
 * A report is validated as a whole before anything changes: a rejected report changes nothing.
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';
import { validateBlockId, validateNodeId } from './ids';

/** What the namespace says about a block. */
export interface BlockRecord {
  blockId: number;
  /** Version of the block's content; a replica with an older stamp is obsolete. */
  generationStamp: number;
  /** Final length once complete; while under construction, the length known so far. */
  lengthBytes: number;
  /** Replication factor of the file the block belongs to. */
  expectedReplication: number;
  /** The writer closed the block: its length is final and it counts for safe mode and repair. */
  complete: boolean;
  /**
   * The writer declared the block's final length while its file is still open (HDFS COMMITTED):
   * its replicas are finalized, so it is repaired like a complete block, but it does not count
   * for safe mode. One-way; a complete block's length is final whatever this says. Default false.
   */
  committed?: boolean;
  /**
   * The file's block size: the room a node needs to be given a new replica of this block (the
   * pipeline rule). Default: the block's length.
   */
  blockSizeBytes?: number;
}

export interface BlockUpdate {
  lengthBytes?: number;
  complete?: boolean;
  /** true: the writer committed the block's final length (see BlockRecord.committed). */
  committed?: boolean;
  expectedReplication?: number;
}

/** One replica as a DataNode reports it (ReportedBlock on the wire, after uint64 -> number). */
export interface ReportedReplica {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
}

export interface FullReportResult {
  /** Blocks this node now holds that the map did not know it held. */
  added: number[];
  /** Blocks the map thought this node held and that it no longer reports (or reports obsolete). */
  removed: number[];
  /** Replicas the node must delete: unknown block, older generation stamp, or wrong length for a complete block. */
  toInvalidate: number[];
  /**
   * Replicas kept but recorded as corrupt: a generation stamp newer than the namespace's. Such a
   * replica cannot be trusted, yet deleting it at once could destroy the only copy; the repair
   * path replaces it from a good copy and then invalidates it (like a checksum-corrupt replica).
   * With `holdDeletions`, also the replicas of known blocks that would otherwise be invalidated.
   */
  corrupt: number[];
  /**
   * With `holdDeletions` only: replicas of blocks the namespace does not know. Neither recorded nor
   * invalidated; the node keeps them and its next full report is judged again.
   */
  postponed: number[];
}

export interface FullReportOptions {
  /**
   * Order no deletion (safe mode; HDFS judges the first report after a start the same way): unknown
   * blocks are `postponed`, replicas that would be invalidated (older stamp, wrong length) are kept
   * as corrupt instead, so the repair path deletes them only once good copies exist. Default false.
   */
  holdDeletions?: boolean;
}

export interface BlockReceivedResult {
  /** The replica is recorded as a good (non-corrupt) replica on this node. */
  accepted: boolean;
  /** The node must delete this replica (unknown block, obsolete stamp, wrong length). */
  invalidate: boolean;
}

export interface SafeModeStatus {
  /** true = still in safe mode (too few complete blocks have a reported replica). */
  safe: boolean;
  /** Complete blocks with at least one non-corrupt reported replica. */
  reportedBlocks: number;
  /** Complete blocks the namespace knows. */
  totalBlocks: number;
  threshold: number;
}

/**
 * fsck-style summary. A replica is live when it is not corrupt and isUsable(node) says so.
 * `underReplicated`, `overReplicated` and `missing` consider complete blocks only (a block of a
 * file still open is counted in `underConstruction`, even once committed and being repaired) and
 * are mutually exclusive:
 *   missing          0 live replicas and none held (none reported, all on unusable nodes, or all corrupt);
 *   underReplicated  1 <= live < expectedReplication;
 *   overReplicated   live > expectedReplication.
 * `corrupt` counts blocks (complete or not) with at least one corrupt replica; an all-corrupt
 * complete block is counted both there and in `missing`.
 */
export interface BlockCounts {
  blocks: number;
  underConstruction: number;
  underReplicated: number;
  overReplicated: number;
  missing: number;
  corrupt: number;
}

/** Whether a node's replicas count (the caller's liveness view: LIVE or STALE yes, DEAD no). */
export type IsUsable = (nodeId: string) => boolean;

/** BlockMap.classify(): how a block stands, and its good replicas live and held. */
export interface BlockClassification {
  kind: 'missing' | 'under' | 'over' | 'ok';
  live: number;
  held: number;
}

interface BlockEntry {
  record: BlockRecord;
  /** Every node holding a replica, corrupt ones included. */
  replicas: Set<string>;
  /** Nodes whose replica is corrupt; a subset of replicas. Created on first use (a million blocks, almost none corrupt). */
  corrupt: Set<string> | undefined;
  /**
   * Nodes the NameNode placed the block on (pipeline targets, scheduled replication targets) that
   * may still add a replica by reporting it: see mayAdd(). Meaningful only when placementKnown.
   */
  placed: Set<string> | undefined;
  /** false for blocks loaded at start-up (their placement is not persisted): any node may report them. */
  placementKnown: boolean;
  /** A block under construction: the shortest length a replica reported (lease recovery closes the file at it). */
  reportedLength?: number;
}

type Verdict = 'accept' | 'invalidate' | 'corrupt';

export const DEFAULT_SAFE_MODE_THRESHOLD = 0.999;

/** Also exported from here, beside the block map, for callers that import it with the BlockMap. */
export { validateBlockId };

function validateCount(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`invalid ${name} ${String(value)}: must be an integer in [${min}, ${max}]`);
  }
}

function validateReplica(r: ReportedReplica): void {
  if (r === null || typeof r !== 'object') throw new InvalidArgumentError('reported replica must be an object');
  validateBlockId(r.blockId);
  validateCount(`generation stamp of block ${r.blockId}`, r.generationStamp, 0);
  validateCount(`length of block ${r.blockId}`, r.lengthBytes, 0);
}

export class BlockMap {
  private readonly blocks = new Map<number, BlockEntry>();
  private readonly nodeIndex = new Map<string, Set<number>>();
  private completeBlocks = 0;
  private safeBlocks = 0;

  // ---- namespace side -------------------------------------------------------------------------

  /**
   * The namespace allocated a block (with `placedOn`, the pipeline the NameNode chose for it), or
   * loaded it at start-up (no placement: any node may report it). Adding a known id is a bug.
   */
  addBlock(record: BlockRecord, placedOn?: readonly string[]): void {
    validateBlockId(record.blockId);
    validateCount(`generation stamp of block ${record.blockId}`, record.generationStamp, 0);
    validateCount(`length of block ${record.blockId}`, record.lengthBytes, 0);
    validateCount(`expected replication of block ${record.blockId}`, record.expectedReplication, 1, Limits.maxDatanodes);
    if (typeof record.complete !== 'boolean') throw new InvalidArgumentError(`complete flag of block ${record.blockId} must be a boolean`);
    if (record.committed !== undefined && typeof record.committed !== 'boolean') throw new InvalidArgumentError(`committed flag of block ${record.blockId} must be a boolean`);
    if (record.blockSizeBytes !== undefined) validateCount(`block size of block ${record.blockId}`, record.blockSizeBytes, 1);
    if (this.blocks.has(record.blockId)) throw new InvalidArgumentError(`block ${record.blockId} is already in the block map`);
    const { blockId, generationStamp, lengthBytes, expectedReplication, complete } = record;
    const stored: BlockRecord = { blockId, generationStamp, lengthBytes, expectedReplication, complete };
    if (record.committed === true) stored.committed = true;
    if (record.blockSizeBytes !== undefined) stored.blockSizeBytes = record.blockSizeBytes;
    this.blocks.set(blockId, {
      record: stored,
      replicas: new Set(),
      corrupt: undefined,
      placed: placedOn && placedOn.length > 0 ? new Set(placedOn.map(validateNodeId)) : undefined,
      placementKnown: placedOn !== undefined,
    });
    if (complete) this.completeBlocks += 1; // no replicas yet: not safe
  }

  /**
   * Length while under construction, commitment and completion (one-way: a committed or complete
   * block's length is final; completing commits), replication factor (setReplication). An unknown
   * block is a bug in the caller.
   */
  updateBlock(blockId: number, update: BlockUpdate): void {
    const e = this.entry(blockId);
    if (update.lengthBytes !== undefined) validateCount(`length of block ${blockId}`, update.lengthBytes, 0);
    if (update.expectedReplication !== undefined) {
      validateCount(`expected replication of block ${blockId}`, update.expectedReplication, 1, Limits.maxDatanodes);
    }
    if (update.complete !== undefined && typeof update.complete !== 'boolean') {
      throw new InvalidArgumentError(`complete flag of block ${blockId} must be a boolean`);
    }
    if (update.committed !== undefined && typeof update.committed !== 'boolean') {
      throw new InvalidArgumentError(`committed flag of block ${blockId} must be a boolean`);
    }
    if (e.record.complete && update.complete === false) {
      throw new InvalidArgumentError(`block ${blockId} is complete and cannot be reopened`);
    }
    if ((e.record.complete || e.record.committed) && update.committed === false) {
      throw new InvalidArgumentError(`block ${blockId} is committed and cannot be reopened`);
    }
    if ((e.record.complete || e.record.committed) && update.lengthBytes !== undefined && update.lengthBytes !== e.record.lengthBytes) {
      throw new InvalidArgumentError(`block ${blockId} is ${e.record.complete ? 'complete' : 'committed'}: its length ${e.record.lengthBytes} is final`);
    }
    const wasSafe = this.isSafe(e);
    if (update.lengthBytes !== undefined) e.record.lengthBytes = update.lengthBytes;
    if (update.expectedReplication !== undefined) e.record.expectedReplication = update.expectedReplication;
    if (update.complete === true && !e.record.complete) {
      e.record.complete = true;
      this.completeBlocks += 1;
      // Targets that reported are replicas now; the rest may still report (see mayAdd).
      for (const nodeId of e.replicas) e.placed?.delete(nodeId);
      if (e.placed?.size === 0) e.placed = undefined;
    }
    if (update.committed === true && !e.record.complete) e.record.committed = true;
    this.settle(e, wasSafe);
  }

  /**
   * The block's file was deleted (or the block abandoned). Returns the nodes that still hold a
   * replica, corrupt ones included: each must be sent INVALIDATE. Unknown block: [] (idempotent).
   */
  removeBlock(blockId: number): string[] {
    validateBlockId(blockId);
    const e = this.blocks.get(blockId);
    if (!e) return [];
    const holders = [...e.replicas];
    for (const nodeId of holders) this.unindex(nodeId, blockId);
    if (this.isSafe(e)) this.safeBlocks -= 1;
    if (e.record.complete) this.completeBlocks -= 1;
    this.blocks.delete(blockId);
    return holders;
  }

  /**
   * The NameNode scheduled a copy of the block to `nodeId` (a REPLICATE target): that node may add
   * a replica. No-op for an unknown block or one whose placement is not known.
   */
  expectReplica(blockId: number, nodeId: string): void {
    validateNodeId(nodeId);
    const e = this.blocks.get(validateBlockId(blockId));
    if (!e || !e.placementKnown) return;
    (e.placed ??= new Set()).add(nodeId);
  }

  // ---- DataNode side --------------------------------------------------------------------------

  /**
   * A full block report replaces everything known about the node. O(report size + blocks the
   * node held before). Duplicate block ids, invalid entries or more than
   * Limits.maxBlocksPerReport entries reject the whole report (InvalidArgumentError), unchanged.
   */
  processFullReport(nodeId: string, reported: readonly ReportedReplica[], options: FullReportOptions = {}): FullReportResult {
    validateNodeId(nodeId);
    if (!Array.isArray(reported)) throw new InvalidArgumentError(`block report of ${nodeId} must be an array`);
    if (reported.length > Limits.maxBlocksPerReport) {
      throw new InvalidArgumentError(
        `block report of ${nodeId} has ${reported.length} entries; the limit is ${Limits.maxBlocksPerReport}`,
      );
    }
    const seen = new Set<number>();
    for (const r of reported) {
      validateReplica(r);
      if (seen.has(r.blockId)) throw new InvalidArgumentError(`block report of ${nodeId} lists block ${r.blockId} twice`);
      seen.add(r.blockId);
    }

    const result: FullReportResult = { added: [], removed: [], toInvalidate: [], corrupt: [], postponed: [] };
    const hold = options.holdDeletions === true;
    const previous = this.nodeIndex.get(nodeId);
    const next = new Set<number>();
    for (const r of reported) {
      const e = this.blocks.get(r.blockId);
      let verdict = this.judge(e, r);
      if (e && verdict !== 'invalidate' && !this.mayAdd(e, nodeId, true)) verdict = 'invalidate';
      if (!e) {
        (hold ? result.postponed : result.toInvalidate).push(r.blockId);
        continue;
      }
      if (verdict === 'invalidate') {
        if (!hold) {
          result.toInvalidate.push(r.blockId);
          continue;
        }
        verdict = 'corrupt';
      }
      next.add(r.blockId);
      const wasSafe = this.isSafe(e);
      if (!e.replicas.has(nodeId)) {
        e.replicas.add(nodeId);
        result.added.push(r.blockId);
      }
      if (verdict === 'accept') this.noteLength(e, r.lengthBytes);
      if (verdict === 'corrupt' && !e.corrupt?.has(nodeId)) {
        (e.corrupt ??= new Set()).add(nodeId);
        result.corrupt.push(r.blockId);
      }
      this.settle(e, wasSafe);
    }
    if (previous) {
      for (const blockId of previous) {
        if (next.has(blockId)) continue;
        const e = this.blocks.get(blockId);
        if (!e) throw new Error(`block map invariant: node ${nodeId} indexes unknown block ${blockId}`);
        const wasSafe = this.isSafe(e);
        e.replicas.delete(nodeId);
        e.corrupt?.delete(nodeId);
        this.settle(e, wasSafe);
        result.removed.push(blockId);
      }
    }
    if (next.size > 0) this.nodeIndex.set(nodeId, next);
    else this.nodeIndex.delete(nodeId);
    return result;
  }

  /**
   * Incremental report: the node finalized a replica (a write pipeline or a REPLICATE copy).
   * Idempotent. A replica with a newer generation stamp is kept as corrupt (neither accepted
   * nor invalidated, see FullReportResult.corrupt). A replica already marked corrupt on this node
   * stays corrupt until the node reports it deleted.
   */
  blockReceived(nodeId: string, replica: ReportedReplica): BlockReceivedResult {
    validateNodeId(nodeId);
    validateReplica(replica);
    const e = this.blocks.get(replica.blockId);
    let verdict = this.judge(e, replica);
    if (e && !this.mayAdd(e, nodeId, false)) verdict = 'invalidate';
    if (verdict === 'invalidate' || !e) {
      // An obsolete copy the map recorded earlier is gone too: the node is told to delete it.
      if (e?.replicas.has(nodeId)) this.dropReplica(e, nodeId);
      return { accepted: false, invalidate: true };
    }
    const wasSafe = this.isSafe(e);
    if (!e.replicas.has(nodeId)) {
      e.replicas.add(nodeId);
      this.index(nodeId, replica.blockId);
    }
    if (verdict === 'accept') this.noteLength(e, replica.lengthBytes);
    if (e.record.complete && e.placed?.delete(nodeId) && e.placed.size === 0) e.placed = undefined;
    if (verdict === 'corrupt') (e.corrupt ??= new Set()).add(nodeId);
    this.settle(e, wasSafe);
    return { accepted: !e.corrupt?.has(nodeId), invalidate: false };
  }

  /** Incremental report: the node deleted a replica. Returns whether the map had it. */
  blockDeleted(nodeId: string, blockId: number): boolean {
    validateNodeId(nodeId);
    validateBlockId(blockId);
    const e = this.blocks.get(blockId);
    if (!e || !e.replicas.has(nodeId)) return false;
    this.dropReplica(e, nodeId);
    return true;
  }

  /**
   * The node was declared DEAD (or forgotten): all its replicas leave the map. Returns the block
   * ids that lost a replica (corrupt ones included), for the replication planner. It must
   * re-register and send a full report to be counted again.
   */
  removeNode(nodeId: string): number[] {
    const held = this.nodeIndex.get(nodeId);
    if (!held) return [];
    const lost = [...held];
    for (const blockId of lost) {
      const e = this.blocks.get(blockId);
      if (!e) throw new Error(`block map invariant: node ${nodeId} indexes unknown block ${blockId}`);
      const wasSafe = this.isSafe(e);
      e.replicas.delete(nodeId);
      e.corrupt?.delete(nodeId);
      this.settle(e, wasSafe);
    }
    this.nodeIndex.delete(nodeId);
    return lost;
  }

  /**
   * A client or DataNode found a checksum mismatch in the node's replica. The replica stays in
   * the map (so it can be invalidated once a good copy exists) but is no longer handed out or
   * counted as live. If the map did not know the node held it (a report race), it is recorded as
   * a corrupt replica of that node. Returns true when newly recorded; false for an unknown block
   * or a replica already marked corrupt.
   */
  markCorrupt(blockId: number, nodeId: string): boolean {
    validateBlockId(blockId);
    validateNodeId(nodeId);
    const e = this.blocks.get(blockId);
    if (!e || e.corrupt?.has(nodeId)) return false;
    const wasSafe = this.isSafe(e);
    if (!e.replicas.has(nodeId)) {
      e.replicas.add(nodeId);
      this.index(nodeId, blockId);
    }
    (e.corrupt ??= new Set()).add(nodeId);
    this.settle(e, wasSafe);
    return true;
  }

  // ---- queries --------------------------------------------------------------------------------

  /** Nodes holding a non-corrupt replica, whatever their liveness (filter with isUsable). */
  replicas(blockId: number): string[] {
    const e = this.blocks.get(blockId);
    if (!e) return [];
    const corrupt = e.corrupt;
    if (!corrupt || corrupt.size === 0) return [...e.replicas];
    return [...e.replicas].filter((n) => !corrupt.has(n));
  }

  corruptReplicas(blockId: number): string[] {
    const e = this.blocks.get(blockId);
    return e?.corrupt ? [...e.corrupt] : [];
  }

  /** Non-corrupt replicas on usable nodes. Unknown block: 0. */
  liveReplicaCount(blockId: number, isUsable: IsUsable): number {
    const e = this.blocks.get(blockId);
    return e ? this.live(e, isUsable) : 0;
  }

  /** Blocks the node holds a replica of, corrupt ones included. */
  nodeBlocks(nodeId: string): number[] {
    const held = this.nodeIndex.get(nodeId);
    return held ? [...held] : [];
  }

  nodeBlockCount(nodeId: string): number {
    return this.nodeIndex.get(nodeId)?.size ?? 0;
  }

  /** A copy of the namespace's record for the block. */
  get(blockId: number): BlockRecord | undefined {
    const e = this.blocks.get(blockId);
    return e ? { ...e.record } : undefined;
  }

  has(blockId: number): boolean {
    return this.blocks.has(blockId);
  }

  /** All known block ids (insertion order), for scans such as the replication planner's. */
  blockIds(): IterableIterator<number> {
    return this.blocks.keys();
  }

  size(): number {
    return this.blocks.size;
  }

  /**
   * Safe mode (HDFS): stay read-only until reportedBlocks / totalBlocks >= threshold, counting
   * complete blocks only and a block as reported when it has >= 1 non-corrupt replica (minimum
   * replication 1). No complete blocks: not in safe mode. O(1). Extra conditions (minimum
   * DataNodes, an extension period) are the caller's.
   */
  safeModeStatus(threshold = DEFAULT_SAFE_MODE_THRESHOLD): SafeModeStatus {
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new InvalidArgumentError(`safe mode threshold must be in [0, 1], got ${String(threshold)}`);
    }
    const totalBlocks = this.completeBlocks;
    const reportedBlocks = this.safeBlocks;
    const safe = totalBlocks > 0 && reportedBlocks / totalBlocks < threshold;
    return { safe, reportedBlocks, totalBlocks, threshold };
  }

  /**
   * fsck-style summary (see BlockCounts). O(blocks + replicas): for views, not per request.
   * `isHeld`: nodes whose replicas exist but are not usable for now (UNREACHABLE_FROM_NAMENODE:
   * peers still hear them); see classify().
   */
  counts(isUsable: IsUsable, isHeld?: IsUsable): BlockCounts {
    const c: BlockCounts = { blocks: this.blocks.size, underConstruction: 0, underReplicated: 0, overReplicated: 0, missing: 0, corrupt: 0 };
    for (const e of this.blocks.values()) {
      if ((e.corrupt?.size ?? 0) > 0) c.corrupt += 1;
      if (!e.record.complete) {
        c.underConstruction += 1;
        continue;
      }
      const kind = this.classifyEntry(e, isUsable, isHeld, e.record.expectedReplication).kind;
      if (kind === 'missing') c.missing += 1;
      else if (kind === 'under') c.underReplicated += 1;
      else if (kind === 'over') c.overReplicated += 1;
    }
    return c;
  }

  /**
   * The one classification of a block's replication, for counts() and the NameNode's fsck: `live`
   * good replicas on usable nodes, `held` good replicas on `isHeld` nodes. Missing when both are 0;
   * with none live but some held the block is under-replicated (its replicas exist), not missing.
   * `expected` defaults to the block's expected replication. Unknown block: missing.
   */
  classify(blockId: number, isUsable: IsUsable, isHeld?: IsUsable, expected?: number): BlockClassification {
    const e = this.blocks.get(blockId);
    if (!e) return { kind: 'missing', live: 0, held: 0 };
    return this.classifyEntry(e, isUsable, isHeld, expected ?? e.record.expectedReplication);
  }

  private classifyEntry(e: BlockEntry, isUsable: IsUsable, isHeld: IsUsable | undefined, expected: number): BlockClassification {
    const live = this.live(e, isUsable);
    const held = isHeld ? this.live(e, isHeld) : 0;
    const kind = live + held === 0 ? 'missing' : live < expected ? 'under' : live > expected ? 'over' : 'ok';
    return { kind, live, held };
  }

  /** Full O(n) consistency check of the invariants in the header; for tests and debugging. */
  assertInvariants(): void {
    let complete = 0;
    let safe = 0;
    let indexed = 0;
    for (const [blockId, e] of this.blocks) {
      if (e.record.blockId !== blockId) throw new Error(`block map invariant: entry ${blockId} holds record ${e.record.blockId}`);
      if (e.record.complete) complete += 1;
      if (this.isSafe(e)) safe += 1;
      for (const n of e.corrupt ?? []) if (!e.replicas.has(n)) throw new Error(`block map invariant: corrupt ${blockId}@${n} not a replica`);
      for (const n of e.replicas) {
        if (!this.nodeIndex.get(n)?.has(blockId)) throw new Error(`block map invariant: ${blockId}@${n} not indexed`);
      }
    }
    for (const [n, held] of this.nodeIndex) {
      if (held.size === 0) throw new Error(`block map invariant: empty index set for ${n}`);
      for (const blockId of held) {
        indexed += 1;
        if (!this.blocks.get(blockId)?.replicas.has(n)) throw new Error(`block map invariant: index ${n} -> ${blockId} dangling`);
      }
    }
    let replicaTotal = 0;
    for (const e of this.blocks.values()) replicaTotal += e.replicas.size;
    if (replicaTotal !== indexed) throw new Error(`block map invariant: ${replicaTotal} replicas vs ${indexed} indexed`);
    if (complete !== this.completeBlocks) throw new Error(`block map invariant: completeBlocks ${this.completeBlocks} != ${complete}`);
    if (safe !== this.safeBlocks) throw new Error(`block map invariant: safeBlocks ${this.safeBlocks} != ${safe}`);
  }

  // ---- internals ------------------------------------------------------------------------------

  private entry(blockId: number): BlockEntry {
    validateBlockId(blockId);
    const e = this.blocks.get(blockId);
    if (!e) throw new InvalidArgumentError(`block ${blockId} is not in the block map`);
    return e;
  }

  /**
   * What to do with a reported replica: unknown block or older stamp -> invalidate; newer stamp
   * -> corrupt; complete or committed block with another length -> invalidate; else accept (a
   * block under construction accepts any length: the writer has not committed it yet).
   */
  private judge(e: BlockEntry | undefined, r: ReportedReplica): Verdict {
    if (!e) return 'invalidate';
    if (r.generationStamp < e.record.generationStamp) return 'invalidate';
    if (r.generationStamp > e.record.generationStamp) return 'corrupt';
    // Complete or committed: the length is final, and a replica of another length is not this block.
    if ((e.record.complete || e.record.committed) && r.lengthBytes !== e.record.lengthBytes) return 'invalidate';
    return 'accept';
  }

  /**
   * Whether a report may add `nodeId` as a location of the block (HDFS: only expected locations
   * join a block under construction). Yes when the node already holds it, when the NameNode placed
   * the block there (pipeline target, scheduled replication target) or does not know the
   * placement (a block loaded at start-up), and, in a full report, for any node once the block is
   * complete (a node back from DEAD, or after a NameNode restart; the stamp and the final length
   * are still checked). So a forged replica written to some other node, even with the right id,
   * stamp and length, is refused and invalidated; and an incremental report of a complete block
   * from a node that has deleted its replica since is refused too.
   */
  /**
   * The length of a block under construction as its replicas reported it: the shortest (every
   * replica holds at least that prefix). undefined when no replica reported it yet; for a complete
   * or committed block, its final length.
   */
  reportedLength(blockId: number): number | undefined {
    const e = this.blocks.get(blockId);
    if (!e) return undefined;
    if (e.record.complete || e.record.committed) return e.record.lengthBytes;
    return e.replicas.size > 0 ? e.reportedLength : undefined;
  }

  private noteLength(e: BlockEntry, lengthBytes: number): void {
    if (e.record.complete || e.record.committed) return;
    e.reportedLength = e.reportedLength === undefined ? lengthBytes : Math.min(e.reportedLength, lengthBytes);
  }

  private mayAdd(e: BlockEntry, nodeId: string, fullReport: boolean): boolean {
    if (!e.placementKnown || e.replicas.has(nodeId) || e.placed?.has(nodeId)) return true;
    return fullReport && e.record.complete;
  }

  private live(e: BlockEntry, isUsable: IsUsable): number {
    let n = 0;
    for (const nodeId of e.replicas) if (!e.corrupt?.has(nodeId) && isUsable(nodeId)) n += 1;
    return n;
  }

  private isSafe(e: BlockEntry): boolean {
    return e.record.complete && e.replicas.size - (e.corrupt?.size ?? 0) >= 1;
  }

  /** Keeps safeBlocks right after a mutation of e that started with isSafe(e) === wasSafe. */
  private settle(e: BlockEntry, wasSafe: boolean): void {
    const now = this.isSafe(e);
    if (now !== wasSafe) this.safeBlocks += now ? 1 : -1;
  }

  private dropReplica(e: BlockEntry, nodeId: string): void {
    const wasSafe = this.isSafe(e);
    e.replicas.delete(nodeId);
    e.corrupt?.delete(nodeId);
    this.unindex(nodeId, e.record.blockId);
    this.settle(e, wasSafe);
  }

  private index(nodeId: string, blockId: number): void {
    let held = this.nodeIndex.get(nodeId);
    if (!held) {
      held = new Set();
      this.nodeIndex.set(nodeId, held);
    }
    held.add(blockId);
  }

  private unindex(nodeId: string, blockId: number): void {
    const held = this.nodeIndex.get(nodeId);
    if (!held) return;
    held.delete(blockId);
    if (held.size === 0) this.nodeIndex.delete(nodeId);
  }
}
