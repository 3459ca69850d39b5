/**
 * What a run measures, from the ground truth the simulator knows and the transitions the real
 * NameNode core emits.
 *
 * Failure-detector QoS in the terms of Chen, Toueg and Aguilera ("On the Quality of Service of
 * Failure Detectors", IEEE ToC 2002). A DataNode is *up* unless it crashed (a paused or
 * partitioned node is up: suspecting it is a mistake).
 *   T_D   detection time: crash -> the node is DEAD (permanent suspicion; repair starts there).
 *   T_MR  mistake recurrence time: between the starts of consecutive mistakes on one node,
 *         reported as its mean estimate E(T_MR) = up node-time / mistakes (renewal argument; the
 *         observed per-node recurrences are also kept).
 *   T_M   mistake duration: start of a wrong suspicion -> the node is trusted again.
 *   P_A   query accuracy probability = 1 − E(T_M) / E(T_MR).
 * Two levels are reported: *suspicion* (an up node leaves LIVE: STALE or DEAD — routing stops) and
 * *conviction* (an up node is declared DEAD — its blocks are re-replicated: the false DEADs).
 *
 * Repair: for every DEAD with under-replicated blocks, the time until all of them are back at
 * their replication factor; blocks that ever had no live replica in the block map; blocks with no
 * copy on any disk at the end (lost); re-replication traffic per virtual minute.
 */

export type MistakeCause = 'pause' | 'partition' | 'loss-or-delay';

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LevelQos {
  /** Mistakes started during the run. */
  mistakes: number;
  /** E(T_MR) = up node-time / mistakes, ms (Infinity without mistakes). */
  meanRecurrenceMs: number;
  /** Observed recurrences on nodes with >= 2 mistakes. */
  recurrence: Distribution;
  /** Completed mistakes (the node was trusted again before the end). */
  duration: Distribution;
  /** P_A = 1 − E(T_M) / E(T_MR). */
  accuracy: number;
  byCause: Record<MistakeCause, number>;
}

export interface QosFigures {
  crashes: number;
  /** Crashes that led to DEAD (T_D samples). */
  detected: number;
  /** Crashed nodes that restarted before being declared DEAD. */
  restartedBeforeDetection: number;
  /** Crashes still undetected at the end of the run. */
  undetectedAtEnd: number;
  detection: Distribution;
  /** Crash -> the node left LIVE (routing stops). */
  detectionStale: Distribution;
  suspicion: LevelQos;
  conviction: LevelQos;
  /** Up node-time, ms. */
  upNodeTimeMs: number;
}

export interface RepairFigures {
  /** DEAD transitions that left blocks under-replicated. */
  deathsWithRepair: number;
  /** Time to full replication after each of those deaths (repaired ones). */
  timeToFullReplication: Distribution;
  timeToFullReplicationAfterCrash: Distribution;
  unrepairedAtEnd: number;
  /** Blocks that at some moment had no live replica in the block map. */
  blocksEverAtZeroReplicas: number;
  /** Blocks with no copy on any DataNode disk at the end (a crashed node that will restart keeps its disk; one that never restarts does not). */
  blocksLost: number;
  copiesCompleted: number;
  copiesFailed: number;
  bytesCopied: number;
  /** Highest re-replication traffic over one virtual minute, bytes/s. */
  peakTrafficBytesPerSecond: number;
  replicasInvalidated: number;
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

class LevelTracker {
  readonly start: Float64Array;
  readonly lastStart: Float64Array;
  readonly durations: number[] = [];
  readonly recurrences: number[] = [];
  mistakes = 0;
  readonly byCause: Record<MistakeCause, number> = { pause: 0, partition: 0, 'loss-or-delay': 0 };

  constructor(nodes: number) {
    this.start = new Float64Array(nodes).fill(Number.NaN);
    this.lastStart = new Float64Array(nodes).fill(Number.NaN);
  }

  begin(node: number, nowMs: number, cause: MistakeCause): void {
    if (!Number.isNaN(this.start[node])) return;
    this.start[node] = nowMs;
    if (!Number.isNaN(this.lastStart[node])) this.recurrences.push(nowMs - this.lastStart[node]);
    this.lastStart[node] = nowMs;
    this.mistakes += 1;
    this.byCause[cause] += 1;
  }

  end(node: number, nowMs: number): void {
    if (Number.isNaN(this.start[node])) return;
    this.durations.push(nowMs - this.start[node]);
    this.start[node] = Number.NaN;
  }

  /** The node crashed: an ongoing mistake stops being one (it is now a correct suspicion). */
  abandon(node: number, nowMs: number): void {
    this.end(node, nowMs);
  }

  figures(upNodeTimeMs: number): LevelQos {
    const meanRecurrenceMs = this.mistakes ? upNodeTimeMs / this.mistakes : Number.POSITIVE_INFINITY;
    const duration = distribution(this.durations);
    const accuracy = this.mistakes ? 1 - duration.mean / meanRecurrenceMs : 1;
    return { mistakes: this.mistakes, meanRecurrenceMs, recurrence: distribution(this.recurrences), duration, accuracy, byCause: { ...this.byCause } };
  }
}

/** Failure-detector QoS accounting, fed by the simulation. */
export class QosTracker {
  private readonly crashedAt: Float64Array;
  private readonly staleSeen: Uint8Array;
  private readonly deadSeen: Uint8Array;
  private readonly detections: number[] = [];
  private readonly staleDetections: number[] = [];
  private readonly suspicion: LevelTracker;
  private readonly conviction: LevelTracker;
  private crashes = 0;
  private restartedBeforeDetection = 0;
  private downNodeTimeMs = 0;

  constructor(private readonly nodes: number, private readonly durationMs: number) {
    this.crashedAt = new Float64Array(nodes).fill(Number.NaN);
    this.staleSeen = new Uint8Array(nodes);
    this.deadSeen = new Uint8Array(nodes);
    this.suspicion = new LevelTracker(nodes);
    this.conviction = new LevelTracker(nodes);
  }

  isCrashed(node: number): boolean {
    return !Number.isNaN(this.crashedAt[node]);
  }

  /** The node crashed at nowMs; `state` is the NameNode's view of it at that moment. */
  crash(node: number, nowMs: number, state: string | undefined): void {
    this.crashes += 1;
    this.crashedAt[node] = nowMs;
    this.staleSeen[node] = state !== 'LIVE' ? 1 : 0;
    this.deadSeen[node] = state === 'DEAD' ? 1 : 0;
    if (state === 'DEAD') this.detections.push(0); // already (wrongly) DEAD: detected at once
    if (state !== 'LIVE') this.staleDetections.push(0);
    this.suspicion.abandon(node, nowMs);
    this.conviction.abandon(node, nowMs);
  }

  /** The crashed node's process is back (it will register again). */
  restart(node: number, nowMs: number): void {
    if (!this.deadSeen[node]) this.restartedBeforeDetection += 1;
    this.downNodeTimeMs += nowMs - this.crashedAt[node];
    this.crashedAt[node] = Number.NaN;
  }

  /** A transition of the real HeartbeatMonitor; `cause` is the simulator's guess for a mistake. */
  transition(node: number, from: string, to: string, nowMs: number, cause: () => MistakeCause): void {
    const crashed = this.isCrashed(node);
    if (to === 'LIVE') {
      this.suspicion.end(node, nowMs);
      this.conviction.end(node, nowMs);
      return;
    }
    if (crashed) {
      if (from === 'LIVE' && !this.staleSeen[node]) {
        this.staleSeen[node] = 1;
        this.staleDetections.push(nowMs - this.crashedAt[node]);
      }
      if (to === 'DEAD' && !this.deadSeen[node]) {
        if (!this.staleSeen[node]) { this.staleSeen[node] = 1; this.staleDetections.push(nowMs - this.crashedAt[node]); }
        this.deadSeen[node] = 1;
        this.detections.push(nowMs - this.crashedAt[node]);
      }
      return;
    }
    const c = cause();
    this.suspicion.begin(node, nowMs, c);
    if (to === 'DEAD') this.conviction.begin(node, nowMs, c);
  }

  figures(): QosFigures {
    let downAtEnd = 0;
    for (let i = 0; i < this.nodes; i++) {
      if (!Number.isNaN(this.crashedAt[i])) downAtEnd += this.durationMs - this.crashedAt[i];
    }
    const upNodeTimeMs = this.nodes * this.durationMs - this.downNodeTimeMs - downAtEnd;
    const detected = this.detections.length;
    const undetectedAtEnd = this.crashes - detected - this.restartedBeforeDetection;
    return {
      crashes: this.crashes,
      detected,
      restartedBeforeDetection: this.restartedBeforeDetection,
      undetectedAtEnd,
      detection: distribution(this.detections),
      detectionStale: distribution(this.staleDetections),
      suspicion: this.suspicion.figures(upNodeTimeMs),
      conviction: this.conviction.figures(upNodeTimeMs),
      upNodeTimeMs,
    };
  }
}

/** Repair accounting: per death, how long until its blocks are fully replicated again. */
export class RepairTracker {
  private readonly waiting = new Map<number, number[]>();
  private readonly remaining: number[] = [];
  private readonly diedAt: number[] = [];
  private readonly afterCrash: boolean[] = [];
  private readonly repairTimes: number[] = [];
  private readonly repairTimesAfterCrash: number[] = [];
  private readonly everZero = new Set<number>();
  private readonly trafficPerMinute = new Map<number, number>();
  copiesCompleted = 0;
  copiesFailed = 0;
  bytesCopied = 0;
  replicasInvalidated = 0;

  constructor(private readonly liveCount: (blockId: number) => number, private readonly expected: (blockId: number) => number) {}

  death(nowMs: number, affected: readonly number[], crashed: boolean): void {
    if (affected.length === 0) return;
    const id = this.remaining.length;
    let remaining = 0;
    for (const b of affected) {
      const live = this.liveCount(b);
      if (live === 0) this.everZero.add(b);
      if (live >= this.expected(b)) continue;
      remaining += 1;
      const list = this.waiting.get(b);
      if (list) list.push(id);
      else this.waiting.set(b, [id]);
    }
    this.remaining.push(remaining);
    this.diedAt.push(nowMs);
    this.afterCrash.push(crashed);
  }

  replicaGained(blockId: number, nowMs: number): void {
    const list = this.waiting.get(blockId);
    if (!list || this.liveCount(blockId) < this.expected(blockId)) return;
    this.waiting.delete(blockId);
    for (const id of list) {
      if (--this.remaining[id] === 0) {
        const t = nowMs - this.diedAt[id];
        this.repairTimes.push(t);
        if (this.afterCrash[id]) this.repairTimesAfterCrash.push(t);
      }
    }
  }

  replicasLost(blockIds: readonly number[]): void {
    for (const b of blockIds) if (this.liveCount(b) === 0) this.everZero.add(b);
  }

  copied(bytes: number, startMs: number, endMs: number): void {
    this.copiesCompleted += 1;
    this.bytesCopied += bytes;
    // Spread the bytes over the virtual minutes the copy spanned.
    const span = Math.max(endMs - startMs, 1e-9);
    for (let m = Math.floor(startMs / 60_000); m * 60_000 < endMs; m++) {
      const overlap = Math.min(endMs, (m + 1) * 60_000) - Math.max(startMs, m * 60_000);
      if (overlap > 0) this.trafficPerMinute.set(m, (this.trafficPerMinute.get(m) ?? 0) + (bytes * overlap) / span);
    }
  }

  figures(blocksLost: number): RepairFigures {
    let unrepaired = 0;
    for (const r of this.remaining) if (r > 0) unrepaired += 1;
    let peak = 0;
    for (const bytes of this.trafficPerMinute.values()) peak = Math.max(peak, bytes / 60);
    return {
      deathsWithRepair: this.repairTimes.length + unrepaired,
      timeToFullReplication: distribution(this.repairTimes),
      timeToFullReplicationAfterCrash: distribution(this.repairTimesAfterCrash),
      unrepairedAtEnd: unrepaired,
      blocksEverAtZeroReplicas: this.everZero.size,
      blocksLost,
      copiesCompleted: this.copiesCompleted,
      copiesFailed: this.copiesFailed,
      bytesCopied: this.bytesCopied,
      peakTrafficBytesPerSecond: peak,
      replicasInvalidated: this.replicasInvalidated,
    };
  }
}
