/**
 * ReplicationMonitor: pure re-replication and excess trimming, driven by tick(nowMs).
 *
 * Blocks to look at arrive through `check(blockIds)` (a node died, a replica was reported corrupt,
 * a report added replicas, a block was committed or its file completed). Only blocks with a final
 * length are judged: complete blocks and committed blocks of files still open (the writer named
 * their length; their replicas are finalized). A block still being written is left to its
 * pipeline. On each tick the monitor classifies them into
 * HDFS LowRedundancyBlocks-style priority queues:
 *   0 HIGHEST      exactly one live replica (expected > 1)
 *   1 VERY_UNDER   live × 3 < expected
 *   2 UNDER        any other shortfall
 *   CORRUPT        no live replica but corrupt ones (never scheduled: nothing good to copy)
 *   missing blocks (no replica at all) are counted, not queued.
 * and then plans at most `maxScheduledPerTick` copies, highest priority first: a REPLICATE(block,
 * targets) for one LIVE source holding a good replica, with at most `replicationStreamsPerNode`
 * scheduled copies per source (`topPriorityStreamsPerNode` for priority 0). Targets: LIVE, not
 * holding the block, racks spread, most free space, and room for a whole block as a write
 * pipeline needs: remaining (free − reserved, from heartbeats) minus the bytes of copies already
 * scheduled to the node and not yet confirmed >= the file's block size, so a burst of copies
 * cannot fill a node past its reserve between two heartbeats. A copy counts only when the target reports
 * the replica (replicaAdded); a pending copy not confirmed within `pendingTimeoutMs` is dropped
 * and its block re-queued, so a target that died mid-copy is not waited on forever.
 * Over-replicated blocks (live > expected, no copy pending) lose their excess replicas on the
 * nodes with the least free space; corrupt replicas are invalidated once enough good ones exist.
 * Replicas on UNREACHABLE_FROM_NAMENODE nodes (peers still hear the node; the NameNode does not):
 * they count toward a block's replicas — a partition of the NameNode's link alone must not cause
 * re-replication during the grace — but are never a copy source or target, and over-replication
 * is judged on reachable (LIVE/STALE) replicas only, so nothing is trimmed because of them.
 * Invariants: a source never has more scheduled copies than its limit; a block is never
 * scheduled twice to the same target; nothing here does I/O or reads a clock.
 * Cost: the cluster view (candidates, their ranking, free space per node) is taken at most once
 * per tick, when a block first needs it, and shared by all blocks of the tick — nothing the
 * candidates depend on (states, stats) changes during a tick — so a block costs O(its replicas
 * + the few ranked nodes its targets come from), not O(nodes).
 */
import type { BlockMap } from './block-map';
import type { NodeState } from './heartbeat-monitor';
import { RankedCandidates, chooseReplicationTargetsRanked, type PlacementCandidate } from './placement';

export interface ReplicationConfig {
  /** Copies one DataNode may be sourcing at once. Default 2 (HDFS maxReplicationStreams). */
  replicationStreamsPerNode: number;
  /** Limit for priority-0 blocks (one replica left). Default 4 (HDFS replicationStreamsHardLimit). */
  topPriorityStreamsPerNode: number;
  /** A scheduled copy not confirmed by then is dropped and re-planned, ms. Default 5 min in HDFS; ours scales with the interval. */
  pendingTimeoutMs: number;
  /** Upper bound on copies planned in one tick. */
  maxScheduledPerTick: number;
}

export function defaultReplicationConfig(heartbeatIntervalMs: number): ReplicationConfig {
  return {
    replicationStreamsPerNode: 2,
    topPriorityStreamsPerNode: 4,
    pendingTimeoutMs: Math.max(30 * heartbeatIntervalMs, 3000),
    maxScheduledPerTick: 1000,
  };
}

export interface ClusterView {
  state(nodeId: string): NodeState | undefined;
  candidates(): PlacementCandidate[];
  rack(nodeId: string): string | undefined;
}

export interface ReplicateOrder {
  kind: 'replicate';
  sourceId: string;
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
  targetIds: string[];
  priority: number;
}

export interface InvalidateOrder {
  kind: 'invalidate';
  nodeId: string;
  blockIds: number[];
  reason: 'excess' | 'corrupt';
}

export interface ReplicationEvent {
  type: 'queued' | 'scheduled' | 'copied' | 'timed-out' | 'invalidated';
  blockId: number;
  [field: string]: unknown;
}

export interface TickResult {
  orders: Array<ReplicateOrder | InvalidateOrder>;
  events: ReplicationEvent[];
}

interface Pending {
  sourceId: string;
  targets: Set<string>;
  deadlineMs: number;
  /** Bytes each target will receive (the block's length), counted against its free space until confirmed. */
  lengthBytes: number;
}

export const PRIORITY_HIGHEST = 0;
export const PRIORITY_VERY_UNDER = 1;
export const PRIORITY_UNDER = 2;
const SCHEDULABLE_PRIORITIES = [PRIORITY_HIGHEST, PRIORITY_VERY_UNDER, PRIORITY_UNDER];

export class ReplicationMonitor {
  private readonly toCheck = new Set<number>();
  /** priority -> block ids (insertion-ordered: oldest first). */
  private readonly queues = new Map<number, Set<number>>(SCHEDULABLE_PRIORITIES.map((p) => [p, new Set<number>()]));
  private readonly corruptOnly = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly streamsBySource = new Map<string, number>();
  /** Bytes of unconfirmed copies scheduled to each target (the space rule, header). */
  private readonly bytesByTarget = new Map<string, number>();
  /** This tick's cluster view, taken on first use (see the header). */
  private view: { candidates: PlacementCandidate[]; ranked?: RankedCandidates; freeBytes?: Map<string, number> } | undefined;

  constructor(private readonly config: ReplicationConfig, private readonly blocks: BlockMap, private readonly cluster: ClusterView) {
    if (config.topPriorityStreamsPerNode < config.replicationStreamsPerNode) {
      throw new RangeError('topPriorityStreamsPerNode must be >= replicationStreamsPerNode');
    }
  }

  /** Marks blocks to be (re)classified on the next tick. */
  check(blockIds: Iterable<number>): void {
    for (const id of blockIds) this.toCheck.add(id);
  }

  /** A target reported the replica: the copy to it is done. */
  replicaAdded(blockId: number, nodeId: string, events: ReplicationEvent[] = []): ReplicationEvent[] {
    const p = this.pending.get(blockId);
    if (p?.targets.delete(nodeId)) {
      this.addScheduledBytes(nodeId, -p.lengthBytes);
      events.push({ type: 'copied', blockId, sourceId: p.sourceId, targetId: nodeId });
      if (p.targets.size === 0) this.finishPending(blockId, p);
    }
    this.toCheck.add(blockId);
    return events;
  }

  /**
   * A node was declared DEAD: copies it was sourcing or receiving will never be confirmed, so they
   * are dropped now (not at the timeout) and their blocks re-planned; its replicas are handled by
   * the caller (BlockMap.removeNode, then check()).
   */
  nodeDead(nodeId: string, events: ReplicationEvent[] = []): ReplicationEvent[] {
    for (const [blockId, p] of this.pending) {
      if (p.sourceId !== nodeId && !p.targets.has(nodeId)) continue;
      events.push({ type: 'timed-out', blockId, sourceId: p.sourceId, targetIds: [...p.targets], reason: `${nodeId} is DEAD` });
      this.finishPending(blockId, p);
      this.toCheck.add(blockId);
    }
    return events;
  }

  /** The block's file was deleted. */
  forget(blockId: number): void {
    const p = this.pending.get(blockId);
    if (p) this.finishPending(blockId, p);
    for (const q of this.queues.values()) q.delete(blockId);
    this.corruptOnly.delete(blockId);
    this.toCheck.delete(blockId);
  }

  /** Copies each source is currently scheduled for (for tests and metrics). */
  streams(): ReadonlyMap<string, number> {
    return this.streamsBySource;
  }

  /** Bytes of unconfirmed copies scheduled to each target (for tests and metrics). */
  scheduledBytes(): ReadonlyMap<string, number> {
    return this.bytesByTarget;
  }

  isPending(blockId: number): boolean {
    return this.pending.has(blockId);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  queuedCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.size;
    return n;
  }

  queued(priority: number): number[] {
    return [...(this.queues.get(priority) ?? [])];
  }

  corruptOnlyBlocks(): number[] {
    return [...this.corruptOnly];
  }

  tick(nowMs: number): TickResult {
    try {
      return this.plan(nowMs);
    } finally {
      this.view = undefined;
    }
  }

  private plan(nowMs: number): TickResult {
    const orders: TickResult['orders'] = [];
    const events: ReplicationEvent[] = [];
    // 1. Expire copies that were never confirmed.
    for (const [blockId, p] of this.pending) {
      if (nowMs >= p.deadlineMs) {
        events.push({ type: 'timed-out', blockId, sourceId: p.sourceId, targetIds: [...p.targets] });
        this.finishPending(blockId, p);
        this.toCheck.add(blockId);
      }
    }
    // 2. Classify what changed.
    const invalidations = new Map<string, { excess: number[]; corrupt: number[] }>();
    for (const blockId of this.toCheck) this.classify(blockId, events, invalidations);
    this.toCheck.clear();
    for (const [nodeId, inv] of invalidations) {
      if (inv.excess.length) orders.push({ kind: 'invalidate', nodeId, blockIds: inv.excess, reason: 'excess' });
      if (inv.corrupt.length) orders.push({ kind: 'invalidate', nodeId, blockIds: inv.corrupt, reason: 'corrupt' });
    }
    // 3. Plan copies, highest priority first.
    let budget = this.config.maxScheduledPerTick;
    for (const priority of SCHEDULABLE_PRIORITIES) {
      const queue = this.queues.get(priority)!;
      for (const blockId of queue) {
        if (budget <= 0) break;
        if (this.pending.has(blockId)) continue;
        const record = this.blocks.get(blockId);
        if (!record) { queue.delete(blockId); continue; }
        const good = this.blocks.replicas(blockId).filter((n) => this.usable(n));
        const missing = record.expectedReplication - good.length - this.unreachableCount(blockId);
        if (missing <= 0) { queue.delete(blockId); continue; }
        const limit = priority === PRIORITY_HIGHEST ? this.config.topPriorityStreamsPerNode : this.config.replicationStreamsPerNode;
        const source = good
          .filter((n) => this.cluster.state(n) === 'LIVE' && (this.streamsBySource.get(n) ?? 0) < limit)
          .sort((a, b) => (this.streamsBySource.get(a) ?? 0) - (this.streamsBySource.get(b) ?? 0) || a.localeCompare(b))[0];
        if (!source) continue;
        const holders = new Set([...this.blocks.replicas(blockId), ...this.blocks.corruptReplicas(blockId)]);
        const holderRacks = new Set(good.map((n) => this.cluster.rack(n)).filter((r): r is string => r !== undefined));
        const roomNeeded = Math.max(record.blockSizeBytes ?? 0, record.lengthBytes);
        const targets = chooseReplicationTargetsRanked(this.ranked(), missing, holders, roomNeeded, holderRacks, this.bytesByTarget);
        if (targets.length === 0) continue;
        this.pending.set(blockId, { sourceId: source, targets: new Set(targets), deadlineMs: nowMs + this.config.pendingTimeoutMs, lengthBytes: record.lengthBytes });
        this.streamsBySource.set(source, (this.streamsBySource.get(source) ?? 0) + 1);
        for (const t of targets) this.addScheduledBytes(t, record.lengthBytes);
        queue.delete(blockId);
        budget -= 1;
        orders.push({
          kind: 'replicate', sourceId: source, blockId, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes, targetIds: targets, priority,
        });
        events.push({ type: 'scheduled', blockId, sourceId: source, targetIds: targets, priority });
      }
    }
    return { orders, events };
  }

  private clusterView(): NonNullable<ReplicationMonitor['view']> {
    return (this.view ??= { candidates: this.cluster.candidates() });
  }

  private ranked(): RankedCandidates {
    const v = this.clusterView();
    return (v.ranked ??= new RankedCandidates(v.candidates));
  }

  private freeBytes(): Map<string, number> {
    const v = this.clusterView();
    return (v.freeBytes ??= new Map(v.candidates.map((c) => [c.id, c.remainingBytes])));
  }

  private usable(nodeId: string): boolean {
    const s = this.cluster.state(nodeId);
    return s === 'LIVE' || s === 'STALE';
  }

  /** Good replicas on UNREACHABLE_FROM_NAMENODE nodes: counted, not used (header). */
  private unreachableCount(blockId: number): number {
    let n = 0;
    for (const id of this.blocks.replicas(blockId)) if (this.cluster.state(id) === 'UNREACHABLE_FROM_NAMENODE') n += 1;
    return n;
  }

  private classify(blockId: number, events: ReplicationEvent[], invalidations: Map<string, { excess: number[]; corrupt: number[] }>): void {
    let wasQueued = false;
    for (const q of this.queues.values()) wasQueued = q.delete(blockId) || wasQueued;
    this.corruptOnly.delete(blockId);
    const record = this.blocks.get(blockId);
    if (!record || !(record.complete || record.committed)) return; // still being written: nothing final to copy
    const good = this.blocks.replicas(blockId).filter((n) => this.usable(n));
    const unreachable = this.unreachableCount(blockId);
    const corrupt = this.blocks.corruptReplicas(blockId);
    const expected = record.expectedReplication;
    const invalidate = (nodeId: string, kind: 'excess' | 'corrupt') => {
      const inv = invalidations.get(nodeId) ?? { excess: [], corrupt: [] };
      inv[kind].push(blockId);
      invalidations.set(nodeId, inv);
      this.blocks.blockDeleted(nodeId, blockId);
      events.push({ type: 'invalidated', blockId, nodeId, reason: kind });
    };
    if (good.length === 0) {
      if (corrupt.length > 0 && unreachable === 0) this.corruptOnly.add(blockId);
      return; // missing (or only on UNREACHABLE nodes): nothing to copy from
    }
    if (good.length >= expected && !this.pending.has(blockId)) {
      for (const nodeId of corrupt) invalidate(nodeId, 'corrupt');
      if (good.length > expected) {
        const byFreeSpace = this.freeBytes();
        const excess = [...good]
          .sort((a, b) => (byFreeSpace.get(a) ?? 0) - (byFreeSpace.get(b) ?? 0) || b.localeCompare(a))
          .slice(0, good.length - expected);
        for (const nodeId of excess) invalidate(nodeId, 'excess');
      }
      return;
    }
    if (good.length >= expected) return; // a copy is still pending; look again when it lands
    if (good.length + unreachable >= expected) return; // the UNREACHABLE node's replicas cover it during the grace
    const priority = good.length === 1 && expected > 1 ? PRIORITY_HIGHEST : good.length * 3 < expected ? PRIORITY_VERY_UNDER : PRIORITY_UNDER;
    if (!wasQueued && !this.pending.has(blockId)) events.push({ type: 'queued', blockId, priority, live: good.length, expected });
    this.queues.get(priority)!.add(blockId);
  }

  private finishPending(blockId: number, p: Pending): void {
    this.pending.delete(blockId);
    const n = (this.streamsBySource.get(p.sourceId) ?? 1) - 1;
    if (n <= 0) this.streamsBySource.delete(p.sourceId);
    else this.streamsBySource.set(p.sourceId, n);
    for (const t of p.targets) this.addScheduledBytes(t, -p.lengthBytes);
  }

  private addScheduledBytes(nodeId: string, delta: number): void {
    const n = (this.bytesByTarget.get(nodeId) ?? 0) + delta;
    if (n <= 0) this.bytesByTarget.delete(nodeId);
    else this.bytesByTarget.set(nodeId, n);
  }
}
