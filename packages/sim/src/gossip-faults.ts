/**
 * Faults of a gossip-mode run (gossip.ts): one plan, drawn once from the seed, that both detectors
 * replay — the central simulation gets it as scripted faults, the gossip engine pushes the same
 * list into its own event queue — so the NameNode and the SWIM peers see exactly the same crashes,
 * pauses and partitions (common random numbers). Random faults start after a warm-up (the peers
 * first converge). A partition either cuts its nodes from everyone (NameNode and peers) or, with
 * probability `nameNodeOnlyFraction`, from the NameNode only: the peers still hear them.
 *
 * FaultTimeline is the ground truth the metrics judge against: the effective faults (a crash of a
 * node that is already down, or a pause of a paused or crashed one, does nothing — the central
 * simulation's rules), recorded by the gossip engine as it applies them.
 */
import type { ScriptedFault, SimConfig } from './config';
import type { MistakeCause } from './metrics';
import { Random } from './random';

export interface PlannedCrash { kind: 'crash'; atMs: number; node: number; downtimeMs: number }
export interface PlannedPause { kind: 'pause'; atMs: number; node: number; durationMs: number }
export interface PlannedPartition {
  kind: 'partition';
  atMs: number;
  nodes: number[];
  durationMs: number;
  /** DataNode → NameNode (and, when `peers`, → peers outside the partition) cut. */
  toNameNode: boolean;
  /** NameNode → DataNode (and, when `peers`, peers outside → the node) cut. */
  fromNameNode: boolean;
  /** false: partitioned from the NameNode only. */
  peers: boolean;
}
export type PlannedFault = PlannedCrash | PlannedPause | PlannedPartition;

const DAY_MS = 86_400_000;

/**
 * Random faults from the config's rates (crashes, pauses, partitions of a node or a rack, one-way or
 * not), from `startMs` on, then the config's scripted ones. Streams are forked per node and kind
 * ("gossip/crash/17"), so one kind's draws never shift another's.
 */
export function planGossipFaults(c: SimConfig, startMs: number, nameNodeOnlyFraction: number): PlannedFault[] {
  const root = new Random(c.seed);
  const f = c.faults;
  const plan: PlannedFault[] = [];
  const racks = Math.ceil(c.nodes / c.nodesPerRack);
  if (f.crashesPerNodeDay > 0) {
    const mean = DAY_MS / f.crashesPerNodeDay;
    for (let i = 0; i < c.nodes; i++) {
      const rng = root.fork(`gossip/crash/${i}`);
      let t = startMs + rng.exponential(mean);
      while (t < c.durationMs) {
        const downtimeMs = Number.isFinite(f.downtimeMeanMs) ? Math.max(1, rng.exponential(f.downtimeMeanMs)) : Number.POSITIVE_INFINITY;
        plan.push({ kind: 'crash', atMs: t, node: i, downtimeMs });
        t += downtimeMs + rng.exponential(mean);
      }
    }
  }
  if (f.pausesPerNodeDay > 0) {
    const mean = DAY_MS / f.pausesPerNodeDay;
    for (let i = 0; i < c.nodes; i++) {
      const rng = root.fork(`gossip/pause/${i}`);
      let t = startMs + rng.exponential(mean);
      while (t < c.durationMs) {
        const durationMs = Math.max(1, rng.logNormal(f.pauseMedianMs, f.pauseSigma));
        plan.push({ kind: 'pause', atMs: t, node: i, durationMs });
        t += durationMs + rng.exponential(mean);
      }
    }
  }
  const net = c.network;
  if (net.partitionsPerDay > 0) {
    const rng = root.fork('gossip/partition');
    const scope = root.fork('gossip/partition-scope');
    const mean = DAY_MS / net.partitionsPerDay;
    let t = startMs + rng.exponential(mean);
    while (t < c.durationMs) {
      let nodes: number[];
      if (rng.next() < net.partitionRackFraction) {
        const rack = rng.int(racks);
        nodes = [];
        for (let i = rack; i < c.nodes; i += racks) nodes.push(i);
      } else {
        nodes = [rng.int(c.nodes)];
      }
      let toNameNode = true;
      let fromNameNode = true;
      if (rng.next() < net.partitionOneWayFraction) {
        if (rng.next() < 0.5) fromNameNode = false;
        else toNameNode = false;
      }
      const durationMs = Math.max(1, rng.exponential(net.partitionMeanMs));
      plan.push({ kind: 'partition', atMs: t, nodes, durationMs, toNameNode, fromNameNode, peers: !(scope.next() < nameNodeOnlyFraction) });
      t += rng.exponential(mean);
    }
  }
  for (const s of f.scripted ?? []) {
    if (s.kind === 'crash') plan.push({ kind: 'crash', atMs: s.atMs, node: s.node, downtimeMs: s.downtimeMs ?? Number.POSITIVE_INFINITY });
    else if (s.kind === 'pause') plan.push({ kind: 'pause', atMs: s.atMs, node: s.node, durationMs: s.durationMs });
    else {
      plan.push({
        kind: 'partition', atMs: s.atMs, nodes: [...s.nodes], durationMs: s.durationMs, toNameNode: s.toNameNode ?? true,
        fromNameNode: s.fromNameNode ?? true, peers: s.peers ?? true,
      });
    }
  }
  // Time order; equal times keep plan order (both engines then push them in the same order).
  return plan.map((p, k) => ({ p, k })).sort((a, b) => a.p.atMs - b.p.atMs || a.k - b.k).map((e) => e.p);
}

/** The plan as the central simulation's scripted faults (it has no peer links: `peers` is moot there). */
export function toScriptedFaults(plan: readonly PlannedFault[]): ScriptedFault[] {
  return plan.map((p): ScriptedFault => {
    if (p.kind === 'crash') return { kind: 'crash', atMs: p.atMs, node: p.node, downtimeMs: p.downtimeMs, diskLost: false };
    if (p.kind === 'pause') return { kind: 'pause', atMs: p.atMs, node: p.node, durationMs: p.durationMs };
    return { kind: 'partition', atMs: p.atMs, nodes: [...p.nodes], durationMs: p.durationMs, toNameNode: p.toNameNode, fromNameNode: p.fromNameNode, peers: p.peers };
  });
}

export interface PlanSummary {
  crashes: number;
  pauses: number;
  partitions: number;
  /** Partitions that cut the NameNode link only, and the nodes they cut. */
  nameNodeOnlyPartitions: number;
  nameNodeOnlyNodes: number;
}

export function summarizePlan(plan: readonly PlannedFault[]): PlanSummary {
  const s: PlanSummary = { crashes: 0, pauses: 0, partitions: 0, nameNodeOnlyPartitions: 0, nameNodeOnlyNodes: 0 };
  for (const p of plan) {
    if (p.kind === 'crash') s.crashes += 1;
    else if (p.kind === 'pause') s.pauses += 1;
    else {
      s.partitions += 1;
      if (!p.peers) {
        s.nameNodeOnlyPartitions += 1;
        s.nameNodeOnlyNodes += p.nodes.length;
      }
    }
  }
  return s;
}

/** Half-open interval [startMs, endMs) of virtual time. */
interface Span { startMs: number; endMs: number }

/** Effective faults per node, as they happened (filled in by the gossip engine). */
export class FaultTimeline {
  readonly down: Span[][];
  readonly paused: Span[][];
  /** Cut from the NameNode (every partition, NameNode-only or not). */
  readonly cutNameNode: Span[][];
  /** Cut from (some of) its peers. */
  readonly cutPeers: Span[][];

  constructor(nodes: number) {
    this.down = Array.from({ length: nodes }, () => []);
    this.paused = Array.from({ length: nodes }, () => []);
    this.cutNameNode = Array.from({ length: nodes }, () => []);
    this.cutPeers = Array.from({ length: nodes }, () => []);
  }

  open(list: Span[][], node: number, atMs: number): Span {
    const s = { startMs: atMs, endMs: Number.POSITIVE_INFINITY };
    list[node].push(s);
    return s;
  }

  close(list: Span[][], node: number, atMs: number): void {
    const spans = list[node];
    for (let k = spans.length - 1; k >= 0; k--) {
      if (spans[k].endMs === Number.POSITIVE_INFINITY) {
        spans[k].endMs = atMs;
        return;
      }
    }
  }

  isUp(node: number, atMs: number): boolean {
    return !this.down[node].some((s) => atMs >= s.startMs && atMs < s.endMs);
  }

  /** Latest restart at or before atMs, or -Infinity. */
  lastRestartMs(node: number, atMs: number): number {
    let r = Number.NEGATIVE_INFINITY;
    for (const s of this.down[node]) if (s.endMs <= atMs) r = Math.max(r, s.endMs);
    return r;
  }

  /**
   * Why an up node was suspected at atMs: a pause overlapping the last `lookbackMs`, else a
   * partition on the links that detector listens on (peers or NameNode), else loss or delay.
   */
  cause(node: number, atMs: number, lookbackMs: number, view: 'peers' | 'namenode'): MistakeCause {
    const overlaps = (spans: Span[]) => spans.some((s) => s.startMs <= atMs && s.endMs >= atMs - lookbackMs);
    if (overlaps(this.paused[node])) return 'pause';
    if (overlaps(view === 'peers' ? this.cutPeers[node] : this.cutNameNode[node])) return 'partition';
    return 'loss-or-delay';
  }
}
