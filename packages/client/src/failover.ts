/**
 * Pure failover decisions, no I/O. Reads: which replica to try next. Writes: which pipeline node
 * to blame and exclude. Complete/safe mode: how long to wait between retries. Kept apart from the
 * gRPC code so the rules are unit-tested directly.
 */

/**
 * Replicas of one block in the order to try them. The NameNode's order is kept (LIVE first,
 * STALE last); nodes already tried for this block are dropped; nodes that failed for an earlier
 * block of the same read are moved behind every other candidate: they are tried only as a last
 * resort, so one bad node costs at most one failed attempt per read unless nothing else is left.
 */
export function orderReplicas<T extends { nodeId: string }>(
  locations: readonly T[], triedForThisBlock: ReadonlySet<string>, failedEarlierInRead: ReadonlySet<string>,
): T[] {
  const fresh: T[] = [];
  const suspect: T[] = [];
  const seen = new Set<string>();
  for (const l of locations) {
    if (triedForThisBlock.has(l.nodeId) || seen.has(l.nodeId)) continue;
    seen.add(l.nodeId);
    (failedEarlierInRead.has(l.nodeId) ? suspect : fresh).push(l);
  }
  return [...fresh, ...suspect];
}

/**
 * The pipeline node to exclude after a failed WriteBlock: the node named by the `minidfs-bad-node`
 * status metadata when there is one, otherwise the first node (the one the client talks to).
 */
export function pickBadNode(reported: string | undefined, pipelineNodeIds: readonly string[]): string {
  if (pipelineNodeIds.length === 0) throw new RangeError('empty pipeline');
  if (typeof reported === 'string' && reported.length > 0) return reported;
  return pipelineNodeIds[0]!;
}

export interface BackoffPolicy {
  /** First delay. */
  initialDelayMs: number;
  /** Largest single delay. */
  maxDelayMs: number;
  /** Total time the delays may add up to; the schedule stops before exceeding it. */
  totalBudgetMs: number;
}

/** Complete returned false: 50 ms doubling to 2 s, about 30 s in all. */
export const COMPLETE_BACKOFF: BackoffPolicy = { initialDelayMs: 50, maxDelayMs: 2000, totalBudgetMs: 30_000 };

/**
 * Delays of a doubling backoff, capped at maxDelayMs per step; the last step is shortened so the
 * delays sum to exactly totalBudgetMs, then the schedule ends (the caller gives up).
 */
export function* backoffDelays(policy: BackoffPolicy): Generator<number> {
  let delay = policy.initialDelayMs;
  let spent = 0;
  while (spent < policy.totalBudgetMs) {
    const step = Math.min(delay, policy.maxDelayMs, policy.totalBudgetMs - spent);
    spent += step;
    yield step;
    delay *= 2;
  }
}
