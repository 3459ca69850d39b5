/**
 * What gossip mode measures, the same way for both detectors, against the ground truth of the fault
 * timeline (a paused or partitioned node is up: suspecting it is a mistake).
 *
 * Crash detection, per crash: the first suspicion anywhere (central: the NameNode leaves the node
 * LIVE; gossip: the first member that holds it SUSPECT), the first DEAD anywhere, and DEAD at every
 * live observer (central: the NameNode is the only observer; gossip: the moment the last member
 * that is not itself crashed stops holding it ALIVE or SUSPECT — paused members count, so a pause
 * can delay this). A node that restarts before that is "restarted before detection".
 *
 * Mistakes: a false suspicion / false DEAD is an episode about an up node (central: one
 * transition of the NameNode; gossip: one (node, incarnation) pair, however many members hold it —
 * the member-level count is kept too). A DEAD about the incarnation a restarted node had before
 * its crash is late news of the crash, not a mistake (`deadOfPreviousProcess`).
 */
import type { MemberState, MemberTransition } from '@minidfs/membership';
import type { Transition } from '@minidfs/namenode';
import type { PlannedPartition } from './fault-plan';
import type { FaultTimeline } from './gossip-faults';
import type { MistakeCause } from './metrics';

/** A distribution with its minimum (NaN fields when empty). */
export interface Spread {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { count: 0, min: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, min: sorted[0], p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

export interface NameNodeOnlyOutcome {
  atMs: number;
  durationMs: number;
  nodes: number;
  /** Nodes the detector declared DEAD during the cut (central: the NameNode; gossip: any member). */
  declaredDead: number;
  /** Nodes it suspected (central: STALE; gossip: SUSPECT at any member). */
  suspected: number;
  /** Gossip: member-level DEAD / SUSPECT transitions about the cut nodes during the cut. */
  memberDeadTransitions: number;
  memberSuspectTransitions: number;
  /** Gossip, at the end of the cut: up observers holding each cut node ALIVE, min over the nodes, and how many observers were up. */
  minObserversAliveAtEnd: number;
  observersUpAtEnd: number;
}

export interface DetectorFigures {
  crashes: number;
  /** Crashes whose node was DEAD at every live observer before it restarted. */
  detected: number;
  restartedBeforeDetection: number;
  undetectedAtEnd: number;
  /** crash → first suspicion anywhere (STALE / SUSPECT). */
  firstSuspicion: Spread;
  /** crash → first DEAD anywhere. */
  firstDead: Spread;
  /** crash → DEAD at every live observer. */
  deadEverywhere: Spread;
  falseSuspicions: number;
  falseDead: number;
  falseDeadByCause: Record<MistakeCause, number>;
  /** Gossip: member-level transitions behind those episodes (one episode can be held by many members). */
  falseSuspicionTransitions: number;
  falseDeadTransitions: number;
  /** DEADs about a restarted node's crashed incarnation (not mistakes). */
  deadOfPreviousProcess: number;
  nameNodeOnly: NameNodeOnlyOutcome[];
}

const LIVE: ReadonlySet<MemberState | 'NEW'> = new Set(['ALIVE', 'SUSPECT']);

interface CrashEpisode {
  node: number;
  crashMs: number;
  firstSuspicionMs: number;
  firstDeadMs: number;
  deadEverywhereMs: number;
  /** Up members that still hold the node ALIVE or SUSPECT. */
  holders: number;
  restartedBeforeDetection: boolean;
}

interface NameNodeOnlyRecord {
  p: PlannedPartition;
  outcome: NameNodeOnlyOutcome;
  dead: Set<number>;
  suspected: Set<number>;
}

const noCauses = (): Record<MistakeCause, number> => ({ pause: 0, partition: 0, 'loss-or-delay': 0 });

/** Online accounting of the members' transitions (the engine calls it as it runs). */
export class GossipTracker {
  private readonly episodes: CrashEpisode[] = [];
  private readonly active = new Map<number, CrashEpisode>();
  private readonly suspectedEpisodes = new Set<string>();
  private readonly deadEpisodes = new Set<string>();
  private falseSuspicionTransitions = 0;
  private falseDeadTransitions = 0;
  private deadOfPreviousProcess = 0;
  private readonly causes = noCauses();
  /** Incarnation the node's crashed process had; a DEAD at or below it is about that process. */
  private readonly crashedIncarnation: Float64Array;
  private readonly nameNodeOnlyRecords: NameNodeOnlyRecord[] = [];
  private readonly nameNodeOnlyActive: NameNodeOnlyRecord[][];
  refutations = 0;

  constructor(nodes: number, private readonly timeline: FaultTimeline, private readonly lookbackMs: number) {
    this.crashedIncarnation = new Float64Array(nodes).fill(-1);
    this.nameNodeOnlyActive = Array.from({ length: nodes }, () => []);
  }

  /** Node `x` crashed at `atMs` with incarnation `incarnation`; `holders` up members hold it ALIVE or SUSPECT. */
  crash(x: number, atMs: number, incarnation: number, holders: number): void {
    this.crashedIncarnation[x] = Math.max(this.crashedIncarnation[x], incarnation);
    const e: CrashEpisode = {
      node: x, crashMs: atMs, firstSuspicionMs: Number.NaN, firstDeadMs: Number.NaN, deadEverywhereMs: holders === 0 ? atMs : Number.NaN,
      holders, restartedBeforeDetection: false,
    };
    this.episodes.push(e);
    this.active.set(x, e);
  }

  /** Observer `o` crashed: it no longer counts among the live observers of the active episodes. */
  observerCrashed(o: number, atMs: number, holds: (x: number) => boolean): void {
    for (const e of this.active.values()) if (e.node !== o && holds(e.node)) this.release(e, atMs);
  }

  restart(x: number): void {
    const e = this.active.get(x);
    if (!e) return;
    if (Number.isNaN(e.deadEverywhereMs)) e.restartedBeforeDetection = true;
    this.active.delete(x);
  }

  /** A transition member `o` reported about member `x` (x === o: about itself). */
  transition(o: number, x: number, t: MemberTransition): void {
    if (x === o) {
      if (t.reason === 'refuting-self') this.refutations += 1;
      return;
    }
    const e = this.active.get(x);
    if (e) {
      if ((t.to === 'SUSPECT' || t.to === 'DEAD') && Number.isNaN(e.firstSuspicionMs)) e.firstSuspicionMs = t.atMs;
      if (t.to === 'DEAD' && Number.isNaN(e.firstDeadMs)) e.firstDeadMs = t.atMs;
      const was = LIVE.has(t.from);
      const is = LIVE.has(t.to);
      if (was && !is) this.release(e, t.atMs);
      else if (!was && is) e.holders += 1;
      return;
    }
    if (t.to !== 'SUSPECT' && t.to !== 'DEAD') return;
    for (const r of this.nameNodeOnlyActive[x]) {
      if (t.to === 'DEAD') {
        r.outcome.memberDeadTransitions += 1;
        r.dead.add(x);
      } else {
        r.outcome.memberSuspectTransitions += 1;
        r.suspected.add(x);
      }
    }
    const key = `${x}/${t.incarnation}`;
    if (t.to === 'SUSPECT') {
      this.falseSuspicionTransitions += 1;
      this.suspectedEpisodes.add(key);
      return;
    }
    if (t.incarnation <= this.crashedIncarnation[x]) {
      this.deadOfPreviousProcess += 1;
      return;
    }
    this.falseDeadTransitions += 1;
    if (!this.deadEpisodes.has(key)) {
      this.deadEpisodes.add(key);
      this.suspectedEpisodes.add(key);
      this.causes[this.timeline.cause(x, t.atMs, this.lookbackMs, 'peers')] += 1;
    }
  }

  nameNodeOnlyStart(p: PlannedPartition): void {
    const r: NameNodeOnlyRecord = {
      p, dead: new Set(), suspected: new Set(),
      outcome: {
        atMs: p.atMs, durationMs: p.durationMs, nodes: p.nodes.length, declaredDead: 0, suspected: 0, memberDeadTransitions: 0,
        memberSuspectTransitions: 0, minObserversAliveAtEnd: Number.NaN, observersUpAtEnd: 0,
      },
    };
    this.nameNodeOnlyRecords.push(r);
    for (const x of p.nodes) this.nameNodeOnlyActive[x].push(r);
  }

  /** The cut healed; `aliveAt(x)` counts the up observers holding x ALIVE now. */
  nameNodeOnlyEnd(p: PlannedPartition, observersUp: number, aliveAt: (x: number) => number): void {
    const r = this.nameNodeOnlyRecords.find((q) => q.p === p);
    if (!r) return;
    for (const x of p.nodes) {
      const list = this.nameNodeOnlyActive[x];
      list.splice(list.indexOf(r), 1);
    }
    let min = Number.POSITIVE_INFINITY;
    for (const x of p.nodes) if (this.timeline.isUp(x, p.atMs + p.durationMs)) min = Math.min(min, aliveAt(x));
    r.outcome.minObserversAliveAtEnd = Number.isFinite(min) ? min : Number.NaN;
    r.outcome.observersUpAtEnd = observersUp;
  }

  figures(): DetectorFigures {
    const first: number[] = [];
    const dead: number[] = [];
    const everywhere: number[] = [];
    let restarted = 0;
    let undetected = 0;
    for (const e of this.episodes) {
      if (!Number.isNaN(e.firstSuspicionMs)) first.push(e.firstSuspicionMs - e.crashMs);
      if (!Number.isNaN(e.firstDeadMs)) dead.push(e.firstDeadMs - e.crashMs);
      if (!Number.isNaN(e.deadEverywhereMs)) everywhere.push(e.deadEverywhereMs - e.crashMs);
      else if (e.restartedBeforeDetection) restarted += 1;
      else undetected += 1;
    }
    return {
      crashes: this.episodes.length,
      detected: everywhere.length,
      restartedBeforeDetection: restarted,
      undetectedAtEnd: undetected,
      firstSuspicion: spread(first),
      firstDead: spread(dead),
      deadEverywhere: spread(everywhere),
      falseSuspicions: this.suspectedEpisodes.size,
      falseDead: this.deadEpisodes.size,
      falseDeadByCause: { ...this.causes },
      falseSuspicionTransitions: this.falseSuspicionTransitions,
      falseDeadTransitions: this.falseDeadTransitions,
      deadOfPreviousProcess: this.deadOfPreviousProcess,
      nameNodeOnly: this.nameNodeOnlyRecords.map((r) => ({ ...r.outcome, declaredDead: r.dead.size, suspected: r.suspected.size })),
    };
  }

  private release(e: CrashEpisode, atMs: number): void {
    e.holders -= 1;
    if (e.holders <= 0 && Number.isNaN(e.deadEverywhereMs)) e.deadEverywhereMs = atMs;
  }
}

/**
 * The same figures for the NameNode's detector, from its transitions (recorded during the central
 * run) and the timeline. The NameNode is the only observer: first DEAD = DEAD everywhere.
 */
export function centralDetectorFigures(
  nodes: number, ids: ReadonlyMap<string, number>, transitions: readonly Transition[], timeline: FaultTimeline,
  nameNodeOnly: readonly PlannedPartition[], lookbackMs: number, intervalMs: number,
): DetectorFigures {
  const byNode: Transition[][] = Array.from({ length: nodes }, () => []);
  for (const t of transitions) {
    const i = ids.get(t.nodeId);
    if (i !== undefined) byNode[i].push(t);
  }
  const first: number[] = [];
  const dead: number[] = [];
  let crashes = 0;
  let restarted = 0;
  let undetected = 0;
  let falseSuspicions = 0;
  let falseDead = 0;
  let deadOfPreviousProcess = 0;
  const causes = noCauses();
  for (let i = 0; i < nodes; i++) {
    const ts = byNode[i];
    // State just before a time: replay the transitions (registration makes a node LIVE at t = 0).
    const stateBefore = (atMs: number): string => {
      let s = 'LIVE';
      for (const t of ts) { if (t.atMs > atMs) break; s = t.to; }
      return s;
    };
    for (const span of timeline.down[i]) {
      crashes += 1;
      const before = stateBefore(span.startMs);
      let stale = before !== 'LIVE' ? span.startMs : Number.NaN;
      let deadAt = before === 'DEAD' ? span.startMs : Number.NaN;
      for (const t of ts) {
        if (t.atMs < span.startMs || t.atMs >= span.endMs) continue;
        if (t.to !== 'LIVE' && Number.isNaN(stale)) stale = t.atMs;
        if (t.to === 'DEAD' && Number.isNaN(deadAt)) deadAt = t.atMs;
      }
      if (!Number.isNaN(stale)) first.push(stale - span.startMs);
      if (!Number.isNaN(deadAt)) dead.push(deadAt - span.startMs);
      else if (Number.isFinite(span.endMs)) restarted += 1;
      else undetected += 1;
    }
    let heardSinceRestart = true;
    let lastRestart = Number.NEGATIVE_INFINITY;
    for (const t of ts) {
      const r = timeline.lastRestartMs(i, t.atMs);
      if (r > lastRestart) { lastRestart = r; heardSinceRestart = false; }
      if (t.to === 'LIVE') { heardSinceRestart = true; continue; }
      if (!timeline.isUp(i, t.atMs)) continue;
      if (!heardSinceRestart) {
        // The NameNode declares the crashed process dead before the new one registered: late news.
        if (t.to === 'DEAD') deadOfPreviousProcess += 1;
        continue;
      }
      if (t.from === 'LIVE') falseSuspicions += 1;
      if (t.to === 'DEAD') {
        falseDead += 1;
        causes[timeline.cause(i, t.atMs, lookbackMs, 'namenode')] += 1;
      }
    }
  }
  const outcomes = nameNodeOnly.map((p): NameNodeOnlyOutcome => {
    let declaredDead = 0;
    let suspected = 0;
    const endMs = p.atMs + p.durationMs + intervalMs;
    for (const x of p.nodes) {
      const ts = byNode[x].filter((t) => t.atMs >= p.atMs && t.atMs <= endMs);
      if (ts.some((t) => t.to === 'DEAD')) declaredDead += 1;
      if (ts.some((t) => t.to !== 'LIVE')) suspected += 1;
    }
    return {
      atMs: p.atMs, durationMs: p.durationMs, nodes: p.nodes.length, declaredDead, suspected, memberDeadTransitions: declaredDead,
      memberSuspectTransitions: suspected, minObserversAliveAtEnd: Number.NaN, observersUpAtEnd: 1,
    };
  });
  return {
    crashes,
    detected: dead.length,
    restartedBeforeDetection: restarted,
    undetectedAtEnd: undetected,
    firstSuspicion: spread(first),
    firstDead: spread(dead),
    deadEverywhere: spread(dead),
    falseSuspicions,
    falseDead,
    falseDeadByCause: causes,
    falseSuspicionTransitions: falseSuspicions,
    falseDeadTransitions: falseDead,
    deadOfPreviousProcess,
    nameNodeOnly: outcomes,
  };
}
