/**
 * Pure failover decisions, no I/O. Reads: which replica to try next. Writes: which pipeline node
 * to blame and exclude. Complete/safe mode: how long to wait between retries. NameNode HA: which
 * NameNode a failed call goes to next, after what delay, and when it gives up. Kept apart from the
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

/**
 * NameNode failover (HA): how a ClientProtocol call moves between the configured NameNodes.
 * The first try of each NameNode in a call is immediate (a standby answers NOT_ACTIVE at once, so
 * the active is found without waiting); every later try waits a doubling delay, capped per step,
 * and no try starts after the call's failover deadline.
 */
export interface NameNodeFailoverPolicy {
  /** Delay before the first retry of a NameNode already tried in this call. */
  initialDelayMs: number;
  /** Largest single delay. */
  maxDelayMs: number;
  /** Time from the call's start after which no further try starts; the call then fails. */
  deadlineMs: number;
}

/** First delay once every NameNode has been tried: 50 ms. */
export const NAMENODE_FAILOVER_INITIAL_DELAY_MS = 50;
/**
 * Longest delay between two tries: 250 ms, so a client finds a newly elected active within a
 * quarter second (an HA failover takes about the 2 s lease TTL; a 1 s cap added 0.5 s on average).
 */
export const NAMENODE_FAILOVER_MAX_DELAY_MS = 250;
/** How long one call keeps failing over before it gives up: 15 s (an election takes about one lease TTL). */
export const NAMENODE_FAILOVER_DEADLINE_MS = 15_000;

export const DEFAULT_NAMENODE_FAILOVER: NameNodeFailoverPolicy = {
  initialDelayMs: NAMENODE_FAILOVER_INITIAL_DELAY_MS, maxDelayMs: NAMENODE_FAILOVER_MAX_DELAY_MS, deadlineMs: NAMENODE_FAILOVER_DEADLINE_MS,
};

/**
 * Why a try failed over. NOT_ACTIVE: a standby answered, nothing was done. UNREACHABLE: no
 * connection, the request was never sent. LOST: the connection broke or the deadline passed after
 * the request was sent, so the NameNode may have done it.
 */
export type FailoverReason = 'NOT_ACTIVE' | 'UNREACHABLE' | 'LOST';

/**
 * ClientProtocol methods that may not be resent after a LOST try. HaFailover resent to the
 * NameNode that just took over would make it resign too. Every other method is safe to resend:
 * reads trivially; Create, Complete and AddBlock are idempotent on the NameNode for the same
 * client, path and previous block; Delete, SetReplication, SetSafeMode, SetDatanodeAdminState,
 * Mkdirs, AbandonBlock and ReportBadReplica resent give the same end state, though a resent Delete
 * may answer `deleted: false` (the first try deleted it) and a resent AbandonBlock may fail.
 */
export const NOT_RESENDABLE_METHODS: ReadonlySet<string> = new Set(['HaFailover']);

export type FailoverDecision =
  | { kind: 'retry'; index: number; delayMs: number }
  | { kind: 'give-up'; why: 'not-resendable' | 'deadline' | 'single-namenode' };

/**
 * What to do after try number `attempt` (1 = the call's first try) of `method` failed on NameNode
 * `failedIndex` for `reason`: the next NameNode in order, or `activeFoundMeanwhileIndex` when
 * another call of the same client found the active during this try (it answered there).
 * With one NameNode there is no failover: the error is the caller's, as without HA.
 */
export function decideFailover(input: {
  method: string; reason: FailoverReason; attempt: number; failedIndex: number; activeFoundMeanwhileIndex?: number;
  namenodeCount: number; elapsedMs: number; policy: NameNodeFailoverPolicy;
}): FailoverDecision {
  const { method, reason, attempt, failedIndex, activeFoundMeanwhileIndex, namenodeCount, elapsedMs, policy } = input;
  if (namenodeCount < 1 || attempt < 1) throw new RangeError(`decideFailover: namenodeCount ${namenodeCount}, attempt ${attempt}`);
  if (namenodeCount === 1) return { kind: 'give-up', why: 'single-namenode' };
  if (reason === 'LOST' && NOT_RESENDABLE_METHODS.has(method)) return { kind: 'give-up', why: 'not-resendable' };
  const index = activeFoundMeanwhileIndex !== undefined && activeFoundMeanwhileIndex !== failedIndex && activeFoundMeanwhileIndex < namenodeCount
    ? activeFoundMeanwhileIndex : (failedIndex + 1) % namenodeCount;
  const delayMs = failoverDelayMs(attempt, namenodeCount, policy);
  if (elapsedMs + delayMs >= policy.deadlineMs) return { kind: 'give-up', why: 'deadline' };
  return { kind: 'retry', index, delayMs };
}

/**
 * Delay before try `attempt + 1`: 0 while some NameNode has not been tried yet in this call (tries
 * 2..n), then initialDelayMs doubling per try up to maxDelayMs.
 */
export function failoverDelayMs(attempt: number, namenodeCount: number, policy: NameNodeFailoverPolicy): number {
  if (attempt < namenodeCount) return 0;
  const doublings = Math.min(attempt - namenodeCount, 30);
  return Math.min(policy.initialDelayMs * 2 ** doublings, policy.maxDelayMs);
}
