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
 *   3 MIS_REPLICATED  enough replicas, but the rack rule fails (placement.ts rackSpreadSatisfied:
 *                  replication >= 2 and all replicas on one rack while >= 2 racks have a LIVE node):
 *                  one extra copy to a rack holding none; the excess trim then restores the count
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
 * and its block re-queued, so a target that died mid-copy is not waited on forever; one whose
 * source's replica is found corrupt is dropped at once.
 * Over-replicated blocks (live > expected, no copy pending) lose their excess replicas one at a
 * time from the rack holding the most replicas, on the node with the least free space (so a
 * rack's only replica goes only when every rack has one). Corrupt replicas, when the block has at
 * least one live replica (never otherwise: they may be all that is left): all are invalidated once
 * live >= expected; before that, as many as make live + corrupt exceed expected; and when a copy
 * finds no other target, those on LIVE nodes with room, so the node can take the good copy. Which
 * goes first: LIVE node, on a rack without a good replica, most free space, node id. A node ordered
 * to delete a replica is no copy target for that block until it reports the deletion (or
 * `pendingTimeoutMs` passes). When a rack gains its first LIVE DataNode, every block is looked at
 * again (Limits.misReplicationScanBlocksPerTick per tick).
 * Replicas on UNREACHABLE_FROM_NAMENODE nodes (peers still hear the node; the NameNode does not):
 * they count toward a block's replicas — a partition of the NameNode's link alone must not cause
 * re-replication during the grace — but are never a copy source or target, and over-replication
 * is judged on reachable (LIVE/STALE) replicas only, so nothing is trimmed because of them.
 * Admin states (admin-states.ts, via ClusterView.adminState): a replica on a DECOMMISSIONING or
 * DECOMMISSIONED node does not count toward the factor (the block is copied as if it were gone)
 * but is a copy source while its node is LIVE, and is never trimmed; such nodes are never targets
 * (they are not candidates). A replica on an ENTERING_MAINTENANCE or IN_MAINTENANCE node counts,
 * and on an IN_MAINTENANCE node it counts even while the node is DEAD (its replicas are kept in
 * the block map for the window: expected silence), but a block with a replica in maintenance also
 * needs min(replication, maintenanceMinReplicas) replicas on NORMAL LIVE/STALE nodes, copied if
 * short. Over-replication is judged on NORMAL replicas only: what decommission or maintenance
 * added is trimmed once the node is back to NORMAL.
 * Invariants: a source never has more scheduled copies than its limit; a block is never
 * scheduled twice to the same target; nothing here does I/O or reads a clock.
 * Cost: the cluster view (candidates, their ranking, free space per node) is taken once per tick
 * (the LIVE racks are read from it), ranked only when a block first needs it, and shared by all
 * blocks of the tick — nothing the
 * candidates depend on (states, stats) changes during a tick — so a block costs O(its replicas
 * + the few ranked nodes its targets come from), not O(nodes).
 */
import { Limits } from '@minidfs/common';
import type { BlockMap } from './block-map';
import type { NodeState } from './heartbeat-monitor';
import { type AdminState, isDecommissionState, isMaintenanceState } from './admin-states';
import { RankedCandidates, chooseReplicationTargetsRanked, rackSpreadSatisfied, type PlacementCandidate } from './placement';

export interface ReplicationConfig {
  /** Copies one DataNode may be sourcing at once. Default 2 (HDFS maxReplicationStreams). */
  replicationStreamsPerNode: number;
  /** Limit for priority-0 blocks (one replica left). Default 4 (HDFS replicationStreamsHardLimit). */
  topPriorityStreamsPerNode: number;
  /** A scheduled copy not confirmed by then is dropped and re-planned, ms. Default 5 min in HDFS; ours scales with the interval. */
  pendingTimeoutMs: number;
  /** Upper bound on copies planned in one tick. */
  maxScheduledPerTick: number;
  /** A block with a replica on a node in maintenance needs min(replication, this) NORMAL live replicas. Default 1. */
  maintenanceMinReplicas?: number;
}

/**
 * Pending-copy deadline under load: a copy is given at least
 * PENDING_TIMEOUT_SLACK x (the bytes queued to its busiest target, this copy included) / the
 * observed copy rate, and never less than pendingTimeoutMs. The rate is a moving average of
 * confirmed copies (each weighs PENDING_RATE_WEIGHT), starting at PENDING_RATE_INITIAL and never
 * below PENDING_RATE_FLOOR; the deadline never exceeds PENDING_TIMEOUT_CEILING_MS.
 */
export const PENDING_TIMEOUT_SLACK = 3;
export const PENDING_RATE_INITIAL_BYTES_PER_MS = 20_000; // 20 MB/s
export const PENDING_RATE_FLOOR_BYTES_PER_MS = 1_000; // 1 MB/s
export const PENDING_RATE_WEIGHT = 0.2;
export const PENDING_TIMEOUT_CEILING_MS = 30 * 60_000;

/** Default of ReplicationConfig.maintenanceMinReplicas (HDFS dfs.namenode.maintenance.replication.min). */
export const DEFAULT_MAINTENANCE_MIN_REPLICAS = 1;

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
  /**
   * Whether the node's full block report has been processed since it (re)registered, so its
   * replicas are known. A LIVE node's rack counts for the rack rule only then: a node back with
   * its old replicas must not look like an empty rack to copy to. Absent: every node counts.
   */
  reported?(nodeId: string): boolean;
  /** The node's admin state (admin-states.ts). Absent: every node is NORMAL. */
  adminState?(nodeId: string): AdminState;
  /**
   * True when the driver calls ReplicationMonitor.nodeChanged for every node whose liveness state,
   * rack, admin state or reported flag may have changed: the racks with a LIVE node are then kept
   * up to date from those nodes alone. Absent: recomputed from every node at each planner pass.
   */
  reportsNodeChanges?: boolean;
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
  /** When the copy was ordered (the planner tick's time): its confirmation measures the copy rate. */
  startedMs: number;
  /** Bytes each target will receive (the block's length), counted against its free space until confirmed. */
  lengthBytes: number;
}

export const PRIORITY_HIGHEST = 0;
export const PRIORITY_VERY_UNDER = 1;
export const PRIORITY_UNDER = 2;
/** Enough replicas, all on one rack while another rack has LIVE DataNodes (HDFS QUEUE_REPLICAS_BADLY_DISTRIBUTED). */
export const PRIORITY_MIS_REPLICATED = 3;
const SCHEDULABLE_PRIORITIES = [PRIORITY_HIGHEST, PRIORITY_VERY_UNDER, PRIORITY_UNDER, PRIORITY_MIS_REPLICATED];

type Invalidations = Map<string, { excess: number[]; corrupt: number[] }>;

export class ReplicationMonitor {
  private readonly toCheck = new Set<number>();
  /** priority -> block ids (insertion-ordered: oldest first). */
  private readonly queues = new Map<number, Set<number>>(SCHEDULABLE_PRIORITIES.map((p) => [p, new Set<number>()]));
  private readonly corruptOnly = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  /** Copy rate estimate, bytes/ms (observeCopy), and the last planner tick's time (replicaAdded's clock when none is given). */
  private copyRate = PENDING_RATE_INITIAL_BYTES_PER_MS;
  private lastTickMs = 0;
  private readonly streamsBySource = new Map<string, number>();
  /** Bytes of unconfirmed copies scheduled to each target (the space rule, header). */
  private readonly bytesByTarget = new Map<string, number>();
  /** This tick's cluster view, taken on first use (see the header). */
  private view: { candidates: PlacementCandidate[]; ranked?: RankedCandidates; freeBytes?: Map<string, number> } | undefined;
  /**
   * Replicas ordered deleted (INVALIDATE) whose deletion the node has not reported yet: blockId ->
   * nodeId -> deadline. Such a node is not a copy target for that block until it reports the
   * deletion (replicaDeleted) or the deadline passes: a copy racing the delete would be refused
   * (the replica is still there) or deleted with it.
   */
  private readonly deleting = new Map<number, Map<string, number>>();
  /** The same entries in deadline order (deadlines only grow: insertion order), for expiry. */
  private readonly deletingByDeadline = new Map<string, { blockId: number; nodeId: string; deadlineMs: number }>();
  /** Racks with a LIVE DataNode that has sent its full block report, as of the last tick (the rack rule's cluster side). */
  private liveRacks = new Set<string>();
  /** Blocks still to re-examine after a rack gained its first LIVE DataNode (see Limits.misReplicationScanBlocksPerTick). */
  private rescan: Iterator<number> | undefined;

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
  replicaAdded(blockId: number, nodeId: string, nowMs = this.lastTickMs, events: ReplicationEvent[] = []): ReplicationEvent[] {
    const p = this.pending.get(blockId);
    if (p?.targets.delete(nodeId)) {
      this.observeCopy(p, nowMs);
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
    for (const { blockId, nodeId: n } of [...this.deletingByDeadline.values()]) if (n === nodeId) this.deletionDone(blockId, n);
    return events;
  }

  /**
   * The node reported the replica deleted (an incremental report). If its deletion was ordered
   * here, the node may now be a copy target for the block again: the block is looked at again.
   * If the node was the source of a pending copy of the block (a DataNode reporting a replica whose
   * files vanished, often after failing that very copy), the copy can never arrive: it is dropped
   * now, not at its deadline, and the block re-planned from a replica that exists.
   * Returns whether a deletion was awaited.
   */
  replicaDeleted(blockId: number, nodeId: string): boolean {
    const p = this.pending.get(blockId);
    if (p?.sourceId === nodeId) {
      this.finishPending(blockId, p);
      this.toCheck.add(blockId);
    }
    if (!this.deletionDone(blockId, nodeId)) return false;
    this.toCheck.add(blockId);
    return true;
  }

  /** The block's file was deleted. */
  forget(blockId: number): void {
    const p = this.pending.get(blockId);
    if (p) this.finishPending(blockId, p);
    for (const q of this.queues.values()) q.delete(blockId);
    this.corruptOnly.delete(blockId);
    this.toCheck.delete(blockId);
    for (const nodeId of [...(this.deleting.get(blockId)?.keys() ?? [])]) this.deletionDone(blockId, nodeId);
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

  /** Nodes ordered to delete their replica of the block that have not reported it deleted yet. */
  awaitingDeletion(blockId: number): string[] {
    return [...(this.deleting.get(blockId)?.keys() ?? [])];
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
    this.lastTickMs = nowMs;
    const replicates: ReplicateOrder[] = [];
    const events: ReplicationEvent[] = [];
    const invalidations: Invalidations = new Map();
    // 1. Expire copies that were never confirmed, and deletions that were never reported.
    for (const [blockId, p] of this.pending) {
      if (nowMs >= p.deadlineMs) {
        events.push({ type: 'timed-out', blockId, sourceId: p.sourceId, targetIds: [...p.targets] });
        this.finishPending(blockId, p);
        this.toCheck.add(blockId);
      }
    }
    for (const d of this.deletingByDeadline.values()) {
      if (nowMs < d.deadlineMs) break;
      this.deletionDone(d.blockId, d.nodeId);
      this.toCheck.add(d.blockId);
    }
    // 2. A rack that gained its first LIVE DataNode: every block may now break the rack rule (or
    //    meet it by a copy there), so all are looked at again, a bounded slice per tick.
    this.updateLiveRacks();
    if (this.rescan) {
      for (let n = 0; n < Limits.misReplicationScanBlocksPerTick; n++) {
        const next = this.rescan.next();
        if (next.done) { this.rescan = undefined; break; }
        this.toCheck.add(next.value);
      }
    }
    // 3. Classify what changed.
    for (const blockId of this.toCheck) this.classify(blockId, nowMs, events, invalidations);
    this.toCheck.clear();
    // 4. Plan copies, highest priority first.
    let budget = this.config.maxScheduledPerTick;
    for (const priority of SCHEDULABLE_PRIORITIES) {
      const queue = this.queues.get(priority)!;
      for (const blockId of queue) {
        if (budget <= 0) break;
        if (this.pending.has(blockId)) continue;
        const record = this.blocks.get(blockId);
        if (!record) { queue.delete(blockId); continue; }
        const good = this.blocks.replicas(blockId).filter((n) => this.usable(n));
        let missing = Math.max(
          record.expectedReplication - good.length - this.unreachableCount(blockId),
          this.maintenanceShortfall(blockId, good, record.expectedReplication),
        );
        const misReplicated = priority === PRIORITY_MIS_REPLICATED;
        if (misReplicated) {
          // Enough replicas: one more, on a rack holding none, if the rack rule still fails.
          if (missing > 0) { queue.delete(blockId); this.toCheck.add(blockId); continue; }
          if (!this.isMisReplicated(good, record.expectedReplication)) { queue.delete(blockId); continue; }
          missing = 1;
        } else if (missing <= 0) { queue.delete(blockId); continue; }
        const limit = priority === PRIORITY_HIGHEST ? this.config.topPriorityStreamsPerNode : this.config.replicationStreamsPerNode;
        // Sources: any LIVE node with a good replica, decommissioning ones included (they still serve).
        const source = this.blocks.replicas(blockId)
          .filter((n) => this.cluster.state(n) === 'LIVE' && (this.streamsBySource.get(n) ?? 0) < limit)
          .sort((a, b) => (this.streamsBySource.get(a) ?? 0) - (this.streamsBySource.get(b) ?? 0) || a.localeCompare(b))[0];
        if (!source) continue;
        const corrupt = this.blocks.corruptReplicas(blockId);
        const holders = new Set([...this.blocks.replicas(blockId), ...corrupt, ...this.awaitingDeletion(blockId)]);
        const holderRacks = new Set(good.map((n) => this.cluster.rack(n)).filter((r): r is string => r !== undefined));
        const roomNeeded = Math.max(record.blockSizeBytes ?? 0, record.lengthBytes);
        let targets = chooseReplicationTargetsRanked(this.ranked(), missing, holders, roomNeeded, holderRacks, this.bytesByTarget);
        if (misReplicated) targets = targets.filter((t) => !holderRacks.has(this.cluster.rack(t) ?? ''));
        // Nodes already deleting their copy (LIVE ones) will be targets once they report it.
        const freed = this.awaitingDeletion(blockId).filter((n) => this.cluster.state(n) === 'LIVE').length;
        if (targets.length + freed < missing && corrupt.length > 0) {
          // No other node can take the copy: a LIVE node with room holding a corrupt copy can, once
          // that copy is deleted. Order the deletion now; the node is a target after it reports it.
          const free = this.freeBytes();
          const freeable = corrupt.filter((n) => this.cluster.state(n) === 'LIVE'
            && (free.get(n) ?? 0) - (this.bytesByTarget.get(n) ?? 0) >= roomNeeded);
          for (const nodeId of this.corruptDeletionOrder(freeable, good).slice(0, missing - targets.length - freed)) {
            this.invalidate(blockId, nodeId, 'corrupt', nowMs, events, invalidations);
          }
        }
        if (targets.length === 0) continue;
        this.streamsBySource.set(source, (this.streamsBySource.get(source) ?? 0) + 1);
        for (const t of targets) this.addScheduledBytes(t, record.lengthBytes);
        this.pending.set(blockId, {
          sourceId: source, targets: new Set(targets), deadlineMs: nowMs + this.copyTimeoutMs(targets), startedMs: nowMs, lengthBytes: record.lengthBytes,
        });
        queue.delete(blockId);
        budget -= 1;
        replicates.push({
          kind: 'replicate', sourceId: source, blockId, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes, targetIds: targets, priority,
        });
        events.push({ type: 'scheduled', blockId, sourceId: source, targetIds: targets, priority });
      }
    }
    const orders: TickResult['orders'] = [];
    for (const [nodeId, inv] of invalidations) {
      if (inv.excess.length) orders.push({ kind: 'invalidate', nodeId, blockIds: inv.excess, reason: 'excess' });
      if (inv.corrupt.length) orders.push({ kind: 'invalidate', nodeId, blockIds: inv.corrupt, reason: 'corrupt' });
    }
    return { orders: orders.concat(replicates), events };
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

  private admin(nodeId: string): AdminState {
    return this.cluster.adminState?.(nodeId) ?? 'NORMAL';
  }

  /** A replica that counts toward the factor and is reachable: LIVE/STALE, not decommissioning. */
  private usable(nodeId: string): boolean {
    const s = this.cluster.state(nodeId);
    return (s === 'LIVE' || s === 'STALE') && !isDecommissionState(this.admin(nodeId));
  }

  /**
   * Good replicas counted but not used (header): on UNREACHABLE_FROM_NAMENODE nodes, and on
   * IN_MAINTENANCE nodes the NameNode does not hear (expected silence). Not on decommissioning nodes.
   */
  private unreachableCount(blockId: number, exceptNodeId?: string): number {
    let n = 0;
    for (const id of this.blocks.replicas(blockId)) {
      if (id === exceptNodeId) continue;
      const s = this.cluster.state(id);
      if (s === 'LIVE' || s === 'STALE') continue;
      const a = this.admin(id);
      if ((s === 'UNREACHABLE_FROM_NAMENODE' && !isDecommissionState(a)) || a === 'IN_MAINTENANCE') n += 1;
    }
    return n;
  }

  /** Replicas a block with a replica in maintenance still needs on NORMAL reachable nodes (header); 0 without one. */
  private maintenanceShortfall(blockId: number, good: readonly string[], expected: number): number {
    const all = this.blocks.replicas(blockId);
    if (!all.some((n) => isMaintenanceState(this.admin(n)))) return 0;
    const normal = good.filter((n) => this.admin(n) === 'NORMAL').length;
    return Math.max(0, Math.min(expected, this.config.maintenanceMinReplicas ?? DEFAULT_MAINTENANCE_MIN_REPLICAS) - normal);
  }

  /**
   * Decommission is done for this block: complete (or committed) and its full replication counted
   * on other nodes (reachable ones, not decommissioning), as the planner counts.
   */
  replicatedWithout(blockId: number, nodeId: string): boolean {
    const record = this.blocks.get(blockId);
    if (!record || !(record.complete || record.committed)) return false;
    const good = this.blocks.replicas(blockId).filter((n) => n !== nodeId && this.usable(n));
    return good.length >= record.expectedReplication;
  }

  /** Maintenance may start for this block: min(replication, maintenanceMinReplicas) NORMAL reachable replicas on other nodes. */
  maintainableWithout(blockId: number, nodeId: string): boolean {
    const record = this.blocks.get(blockId);
    if (!record || !(record.complete || record.committed)) return false;
    const normal = this.blocks.replicas(blockId).filter((n) => n !== nodeId && this.usable(n) && this.admin(n) === 'NORMAL').length;
    return normal >= Math.min(record.expectedReplication, this.config.maintenanceMinReplicas ?? DEFAULT_MAINTENANCE_MIN_REPLICAS);
  }

  private classify(blockId: number, nowMs: number, events: ReplicationEvent[], invalidations: Invalidations): void {
    let wasQueued = false;
    for (const q of this.queues.values()) wasQueued = q.delete(blockId) || wasQueued;
    this.corruptOnly.delete(blockId);
    const record = this.blocks.get(blockId);
    if (!record || !(record.complete || record.committed)) return; // still being written: nothing final to copy
    const good = this.blocks.replicas(blockId).filter((n) => this.usable(n));
    const unreachable = this.unreachableCount(blockId);
    const corrupt = this.blocks.corruptReplicas(blockId);
    const expected = record.expectedReplication;
    const copying = this.pending.get(blockId);
    if (copying && corrupt.includes(copying.sourceId)) {
      // The copy's source turned out corrupt (it found out reading for the copy, or a reader did):
      // that copy will never arrive. Dropped now, not at its deadline; re-planned below.
      events.push({ type: 'timed-out', blockId, sourceId: copying.sourceId, targetIds: [...copying.targets], reason: `source ${copying.sourceId} holds a corrupt replica` });
      this.finishPending(blockId, copying);
    }
    const pending = this.pending.has(blockId);
    // Replicas on LIVE decommissioning nodes: not counted, but something to copy from.
    const retiring = this.blocks.replicas(blockId).filter((n) => this.cluster.state(n) === 'LIVE' && isDecommissionState(this.admin(n))).length;
    if (good.length === 0 && retiring === 0) {
      if (corrupt.length > 0 && unreachable === 0) this.corruptOnly.add(blockId);
      return; // missing (or only on UNREACHABLE nodes): nothing to copy from, and corrupt copies are kept
    }
    const short = this.maintenanceShortfall(blockId, good, expected);
    // Corrupt replicas (a good one exists): all go once enough good ones exist; before that, as
    // many as make live + corrupt exceed the replication factor (they hold nodes a good copy needs).
    if (corrupt.length > 0 && good.length > 0) {
      const extra = good.length >= expected && !pending ? corrupt.length : good.length + unreachable + corrupt.length - expected;
      for (const nodeId of this.corruptDeletionOrder(corrupt, good).slice(0, Math.max(0, extra))) {
        this.invalidate(blockId, nodeId, 'corrupt', nowMs, events, invalidations);
      }
    }
    if (good.length >= expected && short === 0 && !pending) {
      // Only NORMAL replicas are trimmed (header): maintenance ones are coming back.
      const normal = good.filter((n) => this.admin(n) === 'NORMAL');
      const excess = normal.length > expected ? this.chooseExcess(normal, normal.length - expected) : [];
      for (const nodeId of excess) this.invalidate(blockId, nodeId, 'excess', nowMs, events, invalidations);
      const kept = good.filter((n) => !excess.includes(n));
      if (this.isMisReplicated(kept, expected)) {
        if (!wasQueued) {
          events.push({ type: 'queued', blockId, priority: PRIORITY_MIS_REPLICATED, live: kept.length, expected, reason: 'mis-replicated' });
        }
        this.queues.get(PRIORITY_MIS_REPLICATED)!.add(blockId);
      }
      return;
    }
    if (good.length >= expected && short === 0) return; // a copy is still pending; look again when it lands
    if (good.length + unreachable >= expected && short === 0) return; // the UNREACHABLE (or IN_MAINTENANCE) node's replicas cover it
    const priority = good.length <= 1 && expected > 1 ? PRIORITY_HIGHEST : good.length * 3 < expected ? PRIORITY_VERY_UNDER : PRIORITY_UNDER;
    if (!wasQueued && !pending) events.push({ type: 'queued', blockId, priority, live: good.length, expected });
    this.queues.get(priority)!.add(blockId);
  }

  /**
   * Orders the replica deleted: the map forgets it now, the node is told by INVALIDATE, and until
   * the node reports the deletion it is not a copy target for the block (`deleting`).
   */
  private invalidate(
    blockId: number, nodeId: string, kind: 'excess' | 'corrupt', nowMs: number, events: ReplicationEvent[], invalidations: Invalidations,
  ): void {
    const inv = invalidations.get(nodeId) ?? { excess: [], corrupt: [] };
    inv[kind].push(blockId);
    invalidations.set(nodeId, inv);
    this.blocks.blockDeleted(nodeId, blockId);
    this.deletionDone(blockId, nodeId); // re-ordered: a new deadline, at the end of the order
    let nodes = this.deleting.get(blockId);
    if (!nodes) this.deleting.set(blockId, (nodes = new Map()));
    const deadlineMs = nowMs + this.config.pendingTimeoutMs;
    nodes.set(nodeId, deadlineMs);
    this.deletingByDeadline.set(`${blockId}@${nodeId}`, { blockId, nodeId, deadlineMs });
    events.push({ type: 'invalidated', blockId, nodeId, reason: kind });
  }

  /** Forgets an awaited deletion; returns whether one was awaited. */
  private deletionDone(blockId: number, nodeId: string): boolean {
    const nodes = this.deleting.get(blockId);
    if (!nodes?.delete(nodeId)) return false;
    if (nodes.size === 0) this.deleting.delete(blockId);
    this.deletingByDeadline.delete(`${blockId}@${nodeId}`);
    return true;
  }

  /**
   * Which corrupt replica goes first: the one whose node is the best place for the good copy that
   * replaces it — on a LIVE node (then STALE, then any other), on a rack holding no good replica,
   * with the most free space, then by node id.
   */
  private corruptDeletionOrder(corrupt: readonly string[], good: readonly string[]): string[] {
    if (corrupt.length < 2) return [...corrupt];
    const goodRacks = new Set(good.map((n) => this.cluster.rack(n)));
    const free = this.freeBytes();
    const stateRank = (n: string) => { const s = this.cluster.state(n); return s === 'LIVE' ? 0 : s === 'STALE' ? 1 : 2; };
    const offRack = (n: string) => (goodRacks.has(this.cluster.rack(n)) ? 0 : 1);
    return [...corrupt].sort((a, b) => stateRank(a) - stateRank(b) || offRack(b) - offRack(a)
      || (free.get(b) ?? 0) - (free.get(a) ?? 0) || a.localeCompare(b));
  }

  /**
   * Excess replicas to delete, one at a time (HDFS chooseReplicaToDelete): from the rack holding the
   * most replicas, the node with the least free space (then the highest id). A rack's only replica
   * goes only when every rack holds one, so trimming never undoes the rack spread.
   */
  private chooseExcess(good: readonly string[], count: number): string[] {
    const free = this.freeBytes();
    const byRack = new Map<string, string[]>();
    for (const n of good) {
      const r = this.cluster.rack(n) ?? '';
      byRack.set(r, [...(byRack.get(r) ?? []), n]);
    }
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      let most = 0;
      for (const nodes of byRack.values()) most = Math.max(most, nodes.length);
      let victim: string | undefined;
      let victimRack = '';
      for (const [r, nodes] of byRack) {
        if (nodes.length !== most) continue;
        for (const n of nodes) {
          if (victim === undefined || (free.get(n) ?? 0) - (free.get(victim) ?? 0) < 0
            || ((free.get(n) ?? 0) === (free.get(victim) ?? 0) && n.localeCompare(victim) > 0)) {
            victim = n;
            victimRack = r;
          }
        }
      }
      if (victim === undefined) break;
      byRack.set(victimRack, byRack.get(victimRack)!.filter((n) => n !== victim));
      out.push(victim);
    }
    return out;
  }

  /** The rack rule fails for these live replicas (placement.ts rackSpreadSatisfied). */
  private isMisReplicated(replicas: readonly string[], expected: number): boolean {
    if (replicas.length === 0 || expected < 2 || this.liveRacks.size < 2) return false;
    const racks = new Set<string>();
    for (const n of replicas) racks.add(this.cluster.rack(n) ?? '');
    return !rackSpreadSatisfied(racks, expected, this.liveRacks.size);
  }

  /** Racks with a LIVE, reported DataNode now; one that had none before starts a rescan of every block (see plan). */
  /**
   * With ClusterView.reportsNodeChanges: each rack's nodes that count for the rack rule (LIVE,
   * reported, NORMAL), the rack each such node is counted in, and the nodes changed since the last
   * pass (every node while `allNodesChanged`).
   */
  private readonly countedByRack = new Map<string, Set<string>>();
  private readonly countedIn = new Map<string, string>();
  private readonly changedNodes = new Set<string>();
  private allNodesChanged = true;

  /** The node's liveness state, rack, admin state or reported flag may have changed (ClusterView.reportsNodeChanges). */
  nodeChanged(nodeId: string): void {
    if (!this.allNodesChanged) this.changedNodes.add(nodeId);
  }

  /** Every node may have changed (e.g. a promotion): the next pass recounts all of them. */
  allChanged(): void {
    this.allNodesChanged = true;
    this.changedNodes.clear();
  }

  private recount(nodeId: string, counts: boolean, rack: string | undefined): void {
    const was = this.countedIn.get(nodeId);
    if (was !== undefined && (!counts || was !== rack)) {
      const set = this.countedByRack.get(was)!;
      set.delete(nodeId);
      if (set.size === 0) this.countedByRack.delete(was);
      this.countedIn.delete(nodeId);
    }
    if (counts && rack !== undefined && was !== rack) {
      let set = this.countedByRack.get(rack);
      if (!set) this.countedByRack.set(rack, (set = new Set()));
      set.add(nodeId);
      this.countedIn.set(nodeId, rack);
    }
  }

  /** The racks with a node that counts, from the nodes changed since the last pass (or all of them). */
  private countedRacks(): Set<string> {
    if (this.allNodesChanged) {
      this.countedByRack.clear();
      this.countedIn.clear();
      for (const c of this.clusterView().candidates) this.recount(c.id, c.state === 'LIVE' && (this.cluster.reported?.(c.id) ?? true), c.rack);
      this.allNodesChanged = false;
    } else {
      for (const id of this.changedNodes) {
        const counts = this.cluster.state(id) === 'LIVE' && (this.cluster.reported?.(id) ?? true) && (this.cluster.adminState?.(id) ?? 'NORMAL') === 'NORMAL';
        this.recount(id, counts, this.cluster.rack(id));
      }
    }
    this.changedNodes.clear();
    return new Set(this.countedByRack.keys());
  }

  private updateLiveRacks(): void {
    if (this.cluster.reportsNodeChanges) {
      const now = this.countedRacks();
      let gained = false;
      for (const r of now) if (!this.liveRacks.has(r)) gained = true;
      this.liveRacks = now;
      if (gained && now.size >= 2) this.rescan = this.blocks.blockIds();
      return;
    }
    const now = new Set<string>();
    for (const c of this.clusterView().candidates) if (c.state === 'LIVE' && (this.cluster.reported?.(c.id) ?? true)) now.add(c.rack);
    let gained = false;
    for (const r of now) if (!this.liveRacks.has(r)) gained = true;
    this.liveRacks = now;
    if (gained && now.size >= 2) this.rescan = this.blocks.blockIds();
  }

  private finishPending(blockId: number, p: Pending): void {
    this.pending.delete(blockId);
    const n = (this.streamsBySource.get(p.sourceId) ?? 1) - 1;
    if (n <= 0) this.streamsBySource.delete(p.sourceId);
    else this.streamsBySource.set(p.sourceId, n);
    for (const t of p.targets) this.addScheduledBytes(t, -p.lengthBytes);
  }

  /** How long a copy to `targets` may take before it is re-planned (PENDING_TIMEOUT_SLACK). */
  copyTimeoutMs(targets: readonly string[]): number {
    const queued = Math.max(0, ...targets.map((t) => this.bytesByTarget.get(t) ?? 0));
    const expected = PENDING_TIMEOUT_SLACK * queued / this.copyRateBytesPerMs;
    return Math.min(PENDING_TIMEOUT_CEILING_MS, Math.max(this.config.pendingTimeoutMs, Math.ceil(expected)));
  }

  /** The observed copy rate, bytes/ms (moving average of confirmed copies). */
  get copyRateBytesPerMs(): number {
    return this.copyRate;
  }

  private observeCopy(p: Pending, nowMs: number): void {
    const ms = nowMs - p.startedMs;
    if (ms <= 0 || p.lengthBytes <= 0) return;
    const rate = p.lengthBytes / ms;
    this.copyRate = Math.max(PENDING_RATE_FLOOR_BYTES_PER_MS, (1 - PENDING_RATE_WEIGHT) * this.copyRate + PENDING_RATE_WEIGHT * rate);
  }

  private addScheduledBytes(nodeId: string, delta: number): void {
    const n = (this.bytesByTarget.get(nodeId) ?? 0) + delta;
    if (n <= 0) this.bytesByTarget.delete(nodeId);
    else this.bytesByTarget.set(nodeId, n);
  }
}
