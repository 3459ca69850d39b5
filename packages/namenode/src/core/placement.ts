/**
 * Replica placement, pure. Write pipelines go to LIVE (never STALE or DEAD) nodes with room for a
 * whole block, not excluded by the client; among those the choice is random (injected) so load
 * spreads, then ordered to cross racks early when racks are labelled (HDFS default policy spirit:
 * the 2nd replica off the 1st's rack). Re-replication targets prefer the most free space.
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

/** Re-replication targets: LIVE, not holding the block, most free space first, racks spread. */
export function chooseReplicationTargets(
  candidates: readonly PlacementCandidate[], count: number, holders: ReadonlySet<string>, blockSizeBytes: number,
  holderRacks: ReadonlySet<string> = new Set(),
): string[] {
  const pool = candidates
    .filter((c) => eligible(c, blockSizeBytes, holders))
    .sort((a, b) => b.remainingBytes - a.remainingBytes || a.activeTransfers - b.activeTransfers || a.id.localeCompare(b.id));
  const out: PlacementCandidate[] = [];
  const racks = new Set(holderRacks);
  // First pass: one per new rack; second pass: fill by free space.
  for (const c of pool) {
    if (out.length >= count) break;
    if (!racks.has(c.rack)) { out.push(c); racks.add(c.rack); }
  }
  for (const c of pool) {
    if (out.length >= count) break;
    if (!out.includes(c)) out.push(c);
  }
  return out.map((c) => c.id);
}
