/**
 * The fault planner of both engines: crashes, pauses and partitions drawn from the run's seed,
 * plus the config's scripted faults, as one list in time order that an engine pushes into its event
 * queue. The central simulation (simulation.ts) plans with centralFaultPlan(); gossip mode
 * (gossip.ts) plans once with gossipFaultPlan() and gives the same list to the SWIM engine and, as
 * scripted faults, to the central simulation, so both detectors see the same faults (common random
 * numbers).
 *
 * Streams are forked per node and kind ("<streams>/crash/17"), so one kind's draws never shift
 * another's. The two presets differ in their stream names, in a warm-up before the first random
 * fault, in a 1 ms floor on drawn durations, in whether a crash draws its disk loss, and in whether
 * a partition draws its scope (NameNode link only, or peers too); each preset's draws are fixed:
 * the same seed gives the same faults.
 */
import type { ScriptedFault, SimConfig } from './config';
import { Random } from './random';

export interface PlannedCrash { kind: 'crash'; atMs: number; node: number; downtimeMs: number; diskLost: boolean }
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
  /** false: partitioned from the NameNode only (gossip mode; the central simulation has no peer links). */
  peers: boolean;
}
export type PlannedFault = PlannedCrash | PlannedPause | PlannedPartition;

export interface FaultPlanOptions {
  /** Prefix of the forked random streams ("faults", "gossip"). */
  streams: string;
  /** Random faults start after this much virtual time (scripted faults are not moved), ms. */
  startMs: number;
  /** Floor on drawn downtimes, pause and partition durations, ms (0: none). */
  minDurationMs: number;
  /** Each crash draws whether the disk is lost (config diskLossFraction); otherwise it is kept. */
  drawDiskLoss: boolean;
  /**
   * Fraction of random partitions that cut only the NameNode link, drawn from its own stream
   * ("<streams>/partition-scope"); undefined: no draw, every partition cuts the peers too.
   */
  nameNodeOnlyFraction: number | undefined;
}

/** The central simulation's faults: streams "faults/...", from time 0, disk loss drawn per crash. */
export function centralFaultPlan(c: SimConfig): PlannedFault[] {
  return planFaults(c, { streams: 'faults', startMs: 0, minDurationMs: 0, drawDiskLoss: true, nameNodeOnlyFraction: undefined });
}

/**
 * Gossip mode's faults: streams "gossip/...", random faults after `warmupMs` (the peers first
 * converge), durations at least 1 ms, disks kept, a `nameNodeOnlyFraction` of partitions cut only
 * the NameNode link.
 */
export function gossipFaultPlan(c: SimConfig, warmupMs: number, nameNodeOnlyFraction: number): PlannedFault[] {
  return planFaults(c, { streams: 'gossip', startMs: warmupMs, minDurationMs: 1, drawDiskLoss: false, nameNodeOnlyFraction });
}

const DAY_MS = 86_400_000;

/**
 * Random faults from the config's rates (crashes and pauses per node-day, each node's a Poisson
 * process that waits out the fault before the next; partitions per day of a node or a rack,
 * one-way or not), then the config's scripted ones; in time order, equal times in that order.
 */
export function planFaults(c: SimConfig, o: FaultPlanOptions): PlannedFault[] {
  const root = new Random(c.seed);
  const f = c.faults;
  const plan: PlannedFault[] = [];
  const racks = Math.ceil(c.nodes / c.nodesPerRack);
  const floor = o.minDurationMs;
  if (f.crashesPerNodeDay > 0) {
    const mean = DAY_MS / f.crashesPerNodeDay;
    for (let i = 0; i < c.nodes; i++) {
      const rng = root.fork(`${o.streams}/crash/${i}`);
      let t = o.startMs + rng.exponential(mean);
      while (t < c.durationMs) {
        const downtimeMs = Number.isFinite(f.downtimeMeanMs) ? Math.max(floor, rng.exponential(f.downtimeMeanMs)) : Number.POSITIVE_INFINITY;
        const diskLost = o.drawDiskLoss ? rng.next() < f.diskLossFraction : false;
        plan.push({ kind: 'crash', atMs: t, node: i, downtimeMs, diskLost });
        t += downtimeMs + rng.exponential(mean);
      }
    }
  }
  if (f.pausesPerNodeDay > 0) {
    const mean = DAY_MS / f.pausesPerNodeDay;
    for (let i = 0; i < c.nodes; i++) {
      const rng = root.fork(`${o.streams}/pause/${i}`);
      let t = o.startMs + rng.exponential(mean);
      while (t < c.durationMs) {
        const durationMs = Math.max(floor, rng.logNormal(f.pauseMedianMs, f.pauseSigma));
        plan.push({ kind: 'pause', atMs: t, node: i, durationMs });
        t += durationMs + rng.exponential(mean);
      }
    }
  }
  const net = c.network;
  if (net.partitionsPerDay > 0) {
    const rng = root.fork(`${o.streams}/partition`);
    const scope = o.nameNodeOnlyFraction === undefined ? undefined : root.fork(`${o.streams}/partition-scope`);
    const mean = DAY_MS / net.partitionsPerDay;
    let t = o.startMs + rng.exponential(mean);
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
      const durationMs = Math.max(floor, rng.exponential(net.partitionMeanMs));
      const peers = scope === undefined ? true : !(scope.next() < o.nameNodeOnlyFraction!);
      plan.push({ kind: 'partition', atMs: t, nodes, durationMs, toNameNode, fromNameNode, peers });
      t += rng.exponential(mean);
    }
  }
  for (const s of f.scripted ?? []) {
    if (s.kind === 'crash') {
      plan.push({ kind: 'crash', atMs: s.atMs, node: s.node, downtimeMs: s.downtimeMs ?? Number.POSITIVE_INFINITY, diskLost: s.diskLost ?? false });
    } else if (s.kind === 'pause') {
      plan.push({ kind: 'pause', atMs: s.atMs, node: s.node, durationMs: s.durationMs });
    } else {
      plan.push({
        kind: 'partition', atMs: s.atMs, nodes: [...s.nodes], durationMs: s.durationMs, toNameNode: s.toNameNode ?? true,
        fromNameNode: s.fromNameNode ?? true, peers: s.peers ?? true,
      });
    }
  }
  // Time order; equal times keep plan order (every engine then queues them in the same order).
  return plan.map((p, k) => ({ p, k })).sort((a, b) => a.p.atMs - b.p.atMs || a.k - b.k).map((e) => e.p);
}

/** A plan as scripted faults (gossip mode hands its plan to the central simulation this way). */
export function toScriptedFaults(plan: readonly PlannedFault[]): ScriptedFault[] {
  return plan.map((p): ScriptedFault => {
    if (p.kind === 'crash') return { kind: 'crash', atMs: p.atMs, node: p.node, downtimeMs: p.downtimeMs, diskLost: p.diskLost };
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
