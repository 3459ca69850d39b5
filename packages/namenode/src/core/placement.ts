/**
 * Replica placement, pure. Write pipelines go to LIVE (never STALE or DEAD) nodes with room for a
 * whole block, not excluded by the client; among those the choice is random (injected) so load
 * spreads, then ordered to cross racks early when racks are labelled (HDFS default policy spirit:
 * the 2nd replica off the 1st's rack). Re-replication targets pass the same space check (room for
 * a whole block, counting copies already scheduled to the node) and prefer the most free space.
 *
 * Cost: re-replication does not sort the cluster per block. `RankedCandidates` orders the
 * candidates lazily (a heap, built in O(n) once per planner pass, popped only as far as some
 * block needs), and `chooseReplicationTargetsRanked` walks that order only until the answer is
 * settled — typically the first few nodes — with exactly the result of the two-pass rule below.
 */
import type { NodeState } from './heartbeat-monitor';

export interface PlacementCandidate {
  id: string;
  state: NodeState;
  remainingBytes: number;
  activeTransfers: number;
  rack: string;
}

export interface PipelineRequest {
  count: number;
  blockSizeBytes: number;
  exclude: ReadonlySet<string>;
  /** Uniform in [0, 1). */
  random: () => number;
}

function eligible(c: PlacementCandidate, blockSizeBytes: number, exclude: ReadonlySet<string>): boolean {
  return c.state === 'LIVE' && !exclude.has(c.id) && c.remainingBytes >= blockSizeBytes;
}

/** Fisher-Yates with an injected random. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Orders nodes so that, when more than one rack exists, the first two are on different racks. */
function spreadRacks(nodes: PlacementCandidate[], count: number): PlacementCandidate[] {
  const chosen = nodes.slice(0, count);
  if (chosen.length < 2 || chosen.some((n) => n.rack !== chosen[0].rack)) return chosen;
  const offRack = nodes.slice(count).find((n) => n.rack !== chosen[0].rack);
  if (!offRack) return chosen;
  return [chosen[0], offRack, ...chosen.slice(1, count - 1)];
}

/** Up to `count` distinct node ids for a write pipeline (fewer when fewer are eligible). */
export function choosePipeline(candidates: readonly PlacementCandidate[], req: PipelineRequest): string[] {
  if (!Number.isInteger(req.count) || req.count < 1) throw new RangeError(`pipeline size must be >= 1, got ${req.count}`);
  const pool = shuffle(candidates.filter((c) => eligible(c, req.blockSizeBytes, req.exclude)), req.random);
  // Least busy first among the shuffled pool (stable sort keeps the random order within ties).
  pool.sort((a, b) => a.activeTransfers - b.activeTransfers);
  return spreadRacks(pool, req.count).map((c) => c.id);
}

/** Re-replication order: most free space, then least busy, then id. */
export function compareReplicationCandidates(a: PlacementCandidate, b: PlacementCandidate): number {
  return b.remainingBytes - a.remainingBytes || a.activeTransfers - b.activeTransfers || a.id.localeCompare(b.id);
}

/**
 * Candidates in compareReplicationCandidates order (ties: input order), produced lazily: a binary
 * heap built in O(n), popped as far as callers look. Build one per planner pass (candidates do
 * not change during a pass) and share it between the pass's blocks.
 */
export class RankedCandidates {
  private readonly heap: number[];
  private readonly ranked: PlacementCandidate[] = [];
  /** Racks with at least one LIVE candidate. */
  readonly liveRacks = new Set<string>();

  constructor(private readonly candidates: readonly PlacementCandidate[]) {
    this.heap = candidates.map((_, i) => i);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
    for (const c of candidates) if (c.state === 'LIVE') this.liveRacks.add(c.rack);
  }

  /** The i-th best candidate, or undefined past the end. */
  at(i: number): PlacementCandidate | undefined {
    while (this.ranked.length <= i && this.heap.length > 0) this.ranked.push(this.candidates[this.pop()]);
    return this.ranked[i];
  }

  private before(i: number, j: number): boolean {
    const d = compareReplicationCandidates(this.candidates[i], this.candidates[j]);
    return d < 0 || (d === 0 && i < j);
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const item = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.before(h[r], h[l]) ? r : l;
      if (!this.before(h[child], item)) break;
      h[i] = h[child];
      i = child;
    }
    h[i] = item;
  }
}

const NOTHING_SCHEDULED: ReadonlyMap<string, number> = new Map();

/**
 * Re-replication targets: LIVE, not holding the block, room for a whole block (the pipeline rule:
 * remainingBytes minus `scheduledBytes` — copies already planned to the node and not yet
 * confirmed — >= blockSizeBytes); in ranked order (most free space first), first one per rack
 * that holds no replica yet, then the best of the rest.
 */
export function chooseReplicationTargets(
  candidates: readonly PlacementCandidate[], count: number, holders: ReadonlySet<string>, blockSizeBytes: number,
  holderRacks: ReadonlySet<string> = new Set(), scheduledBytes: ReadonlyMap<string, number> = NOTHING_SCHEDULED,
): string[] {
  return chooseReplicationTargetsRanked(new RankedCandidates(candidates), count, holders, blockSizeBytes, holderRacks, scheduledBytes);
}

/**
 * chooseReplicationTargets over a shared ranking. The rule is two passes over the ranked eligible
 * nodes — one per new rack until `count`, then fill by rank — computed in one walk that stops as
 * soon as the answer cannot change: `count` new-rack nodes found; or every rack with a LIVE node
 * already used (no new rack can come) and enough others seen; or the next node's remainingBytes
 * alone is short of a block (the ranking is by free space, so none after it has room). A node
 * whose scheduled bytes leave it short is skipped, not a stop.
 */
export function chooseReplicationTargetsRanked(
  ranked: RankedCandidates, count: number, holders: ReadonlySet<string>, blockSizeBytes: number,
  holderRacks: ReadonlySet<string> = new Set(), scheduledBytes: ReadonlyMap<string, number> = NOTHING_SCHEDULED,
): string[] {
  const newRack: string[] = [];
  const others: string[] = [];
  const racks = new Set(holderRacks);
  let usedLiveRacks = 0;
  for (const r of holderRacks) if (ranked.liveRacks.has(r)) usedLiveRacks += 1;
  for (let i = 0; newRack.length < count; i++) {
    if (usedLiveRacks + newRack.length >= ranked.liveRacks.size && newRack.length + others.length >= count) break;
    const c = ranked.at(i);
    if (!c || c.remainingBytes < blockSizeBytes) break;
    if (c.state !== 'LIVE' || holders.has(c.id)) continue;
    if (c.remainingBytes - (scheduledBytes.get(c.id) ?? 0) < blockSizeBytes) continue;
    if (!racks.has(c.rack)) {
      newRack.push(c.id);
      racks.add(c.rack);
    } else if (others.length < count) {
      others.push(c.id);
    }
  }
  return newRack.concat(others.slice(0, count - newRack.length));
}

/**
 * The rack rule (HDFS BlockPlacementPolicyDefault.verifyBlockPlacement): a block with replication
 * >= 2 must have its replicas on >= 2 racks when the cluster has >= 2 racks with a LIVE DataNode;
 * a block whose replicas already span every such rack satisfies it too. `replicaRacks`: the racks
 * of the block's live replicas; `liveRackCount`: racks with at least one LIVE DataNode.
 */
export function rackSpreadSatisfied(replicaRacks: ReadonlySet<string>, expectedReplication: number, liveRackCount: number): boolean {
  return replicaRacks.size >= Math.min(2, expectedReplication) || replicaRacks.size >= liveRackCount;
}
