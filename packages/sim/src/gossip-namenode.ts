/**
 * The combined decision in gossip mode: the real NameNode core — DatanodeManager, HeartbeatMonitor
 * and PeerEvidence, through SimNameNode, wired as namenode.ts wires them — run inside the gossip
 * engine (gossip.ts), on the same virtual clock, network and faults as the SwimMembers, so that its
 * ProbePeers questions are answered by the real `SwimMember.probeNow()` of the simulated
 * DataNodes (docs/PEER-EVIDENCE.md, docs/SIMULATION.md "Gossip mode").
 *
 * Every DataNode registers with a membership address and a host (`nodesPerHost` nodes share one;
 * a host's nodes share a rack). DataNode side, as heartbeat-link.ts / command-executor.ts /
 * membership-agent.ts do it: a beat every interval from a timer (late by up to timerJitterMs),
 * carrying up to Limits.maxPeerProbeResultsPerBeat probe answers; ProbePeers targets go to the
 * member's probeNow() (the core keeps one pending probe per target, at most
 * MembershipLimits.maxOnDemandProbes, and answers each within a period or two); answers drained
 * after each member tick or receive, and a beat sent
 * early (beatSoon: at least the LinkPolicy's early-beat gap after the previous one); REREGISTER →
 * Register RPC (a Register lost to a cut link, or whose answer is, fails at the LinkPolicy's
 * register deadline and is sent again then; the backoff after it is not modelled), then beats
 * again. NameNode side: ticks every interval / 4; after each tick, and after each heartbeat or
 * registration, the commands the core pushed (its Ready) are sent at once, as the NameNode's adapter does; answers that carry commands go
 * back to the node. Every NameNode ↔ DataNode message is lost with probability `loss`, takes the
 * link's base delay plus exponential jitter, and is dropped by a partition in its direction (every
 * partition cuts the NameNode link; a NameNode-only one cuts nothing else). A paused DataNode
 * neither beats nor reads: its overdue beat goes out on resume, commands that arrived meanwhile are
 * read after it. A crashed one is gone; its restart registers again.
 *
 * Simplified (docs/SIMULATION.md): no heartbeat stream or watchdog — beats sent into a cut link
 * vanish, and the next one after the heal is heard (the real DataNode reconnects within one
 * reconnect backoff after its LinkPolicy watchdog); a crash is silent (no stream-closed); stats
 * never change.
 */
import { Limits, LinkPolicy, defaultLivenessConfig } from '@minidfs/common';
import {
  type Command, type DatanodeRegistration, type DatanodeStats, type HeartbeatInput, type PeerEvidenceConfig, type PeerMemberState,
  type PeerProbeResult, PhiAccrualDetector, type Transition, defaultPeerEvidenceConfig, validatePeerEvidenceConfig,
} from '@minidfs/namenode';
import { type SimConfig, replicationConfigFor, resolvePhiConfig } from './config';
import type { PlannedPartition } from './fault-plan';
import type { FaultTimeline } from './gossip-faults';
import { type DetectorFigures, centralDetectorFigures } from './gossip-metrics';
import { Random, RandomStreams } from './random';
import { SimNameNode } from './sim-namenode';

/** The combined column's settings (GossipModeConfig.peerEvidence). */
export interface PeerEvidenceModeConfig {
  /** Run the NameNode with the peer-evidence rule inside the gossip engine (the third column). Default true. */
  enabled: boolean;
  /** DataNodes per host (reporters on the target's host do not count; two on one host count once). Default 1. */
  nodesPerHost: number;
  /** NameNodeOptions.minPeerReporters: reporters on distinct hosts needed for UNREACHABLE_FROM_NAMENODE. Default 2; 0 turns the rule off. */
  minPeerReporters: number;
  /** NameNodeOptions.unreachableGraceMs: longest stay in UNREACHABLE_FROM_NAMENODE before DEAD, ms. Default 60,000. */
  unreachableGraceMs: number;
  /** NameNodeOptions.peerProbeFanout: reporters asked per round. Default 4. */
  peerProbeFanout: number;
}

/** The NameNode's peer-evidence defaults (core/peer-evidence.ts), one DataNode per host. */
export function defaultPeerEvidenceModeConfig(): PeerEvidenceModeConfig {
  const d = defaultPeerEvidenceConfig(defaultLivenessConfig());
  return { enabled: true, nodesPerHost: 1, minPeerReporters: d.minPeerReporters, unreachableGraceMs: d.unreachableGraceMs, peerProbeFanout: d.peerProbeFanout };
}

/** The core's PeerEvidenceConfig for a run: the NameNode's defaults at this interval, the three options over them, validated by the core. */
export function peerEvidenceConfigFor(sim: SimConfig, m: PeerEvidenceModeConfig): PeerEvidenceConfig {
  return validatePeerEvidenceConfig({
    ...defaultPeerEvidenceConfig(sim.liveness), minPeerReporters: m.minPeerReporters, unreachableGraceMs: m.unreachableGraceMs, peerProbeFanout: m.peerProbeFanout,
  }, sim.liveness);
}

/** Host of node i: nodes of one rack (i ≡ r mod racks) fill its hosts `nodesPerHost` at a time. */
export function hostOf(i: number, racks: number, nodesPerHost: number): string {
  return `r${i % racks}-h${Math.floor(Math.floor(i / racks) / nodesPerHost)}`;
}

/** The DataNode's link timing (heartbeat-link.ts drives the same policy with timers). */
const LINK_POLICY = new LinkPolicy();

/** Event kinds the engine routes here (its own are below 20). */
export const NN_EV = { BeatTimer: 20, BeatArrive: 21, ToDataNode: 22, RegisterArrive: 23, Registered: 24, RegisterRetry: 25 } as const;
const DATANODE_SIDE = new Set<number>([NN_EV.BeatTimer, NN_EV.ToDataNode, NN_EV.Registered, NN_EV.RegisterRetry]);

/** What the link needs from the engine: its queue, the node's process state, and its SwimMember. */
export interface NameNodeLinkHost {
  push(timeMs: number, kind: number, node: number, data: unknown): void;
  isUp(i: number): boolean;
  isPaused(i: number): boolean;
  /** member i.probeNow(t, target), its messages shipped; true if the core started a probe (false: refused, dropped, or one already runs). */
  probeNow(i: number, targetId: string, targetAddress: string, t: number): boolean;
  /** member i's probeNow() probes not answered yet. */
  pendingProbes(i: number): number;
  /** member i.drainProbeResults(). */
  drainProbeResults(i: number): Array<{ targetId: string; reachable: boolean }>;
  /** What member i holds about `targetId` now (lastHeardMs only when asked for). */
  viewOf(i: number, targetId: string, withLastHeard: boolean): { state: PeerMemberState; lastHeardMs: number | undefined };
}

export interface PeerEvidenceFigures {
  /** Moves into UNREACHABLE_FROM_NAMENODE, the distinct nodes, and those made while the node was in fact down (a wrong vouch: should be 0). */
  unreachableEpisodes: number;
  unreachableNodes: number;
  unreachableWhileDown: number;
  /** DEAD transitions of up nodes (each would start re-replication of the node's blocks), by reason. */
  deadOfUpNodesByReason: Record<string, number>;
  /**
   * NameNode-only partitions: cut nodes, held UNREACHABLE, DEAD within the grace (any reason but
   * the grace's end), DEAD when the grace ended, and nodes whose cut outlasted DEAD deadline + grace
   * before the heal and before the end of the run (those should be the DEAD-after-grace ones).
   */
  nameNodeOnly: { partitions: number; nodes: number; heldUnreachable: number; deadWithinGrace: number; deadAfterGrace: number; cutLongerThanGrace: number };
  /** The core's PeerEvidence counters. */
  rounds: number;
  answersRecorded: number;
  answersUnasked: number;
  watchesRefused: number;
  /** DataNode side: ProbePeers commands sent / lost or cut on the way, probeNow() calls, answers by verdict, early beats. */
  probeCommandsSent: number;
  probeCommandsLost: number;
  probesStarted: number;
  answersReachable: number;
  answersUnreachable: number;
  earlyBeats: number;
}

export interface CombinedResult {
  /** The same figures as the central column, from this NameNode's transitions (UNREACHABLE counts as a suspicion). */
  figures: DetectorFigures;
  peer: PeerEvidenceFigures;
  settings: PeerEvidenceConfig & { nodesPerHost: number };
  heartbeatsSent: number;
  heartbeatsDelivered: number;
  registrations: number;
}

const STATS: DatanodeStats = { capacityBytes: 8 * 2 ** 40, usedBytes: 0, remainingBytes: 8 * 2 ** 40, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };

/** The NameNode ↔ DataNode half of a combined run (header). */
export class NameNodeLink {
  readonly nn: SimNameNode;
  readonly settings: PeerEvidenceConfig;
  private readonly n: number;
  private readonly intervalMs: number;
  readonly tickMs: number;
  private readonly ids: string[];
  private readonly indexOf = new Map<string, number>();
  private readonly registrations: DatanodeRegistration[] = [];
  private readonly net: RandomStreams;
  private readonly baseDelayMs: Float64Array;
  private readonly incarnation: Int32Array;
  private readonly registration: string[];
  private readonly registering: Uint8Array;
  private readonly stream: Int32Array;
  private readonly sequence: Float64Array;
  private readonly beatToken: Int32Array;
  private readonly nextBeatMs: Float64Array;
  private readonly lastBeatSentMs: Float64Array;
  private readonly overdue: Uint8Array;
  private readonly lastArrivalMs: Float64Array;
  private readonly cutTo: Int32Array;
  private readonly cutFrom: Int32Array;
  private readonly results: Array<PeerProbeResult[] | undefined>;
  private readonly deferred: Array<Array<{ timeMs: number; kind: number; data: unknown }> | undefined>;
  private readonly transitions: Transition[] = [];
  private readonly input: HeartbeatInput = { nodeId: '', registrationId: '', sequence: 0, streamId: 0, goodbye: false, stats: STATS };
  private streamCounter = 0;
  private readonly counts = {
    heartbeatsSent: 0, heartbeatsDelivered: 0, registrations: 0, probeCommandsSent: 0, probeCommandsLost: 0, probesStarted: 0,
    answersReachable: 0, answersUnreachable: 0, earlyBeats: 0,
  };

  constructor(
    private readonly sim: SimConfig,
    private readonly mode: PeerEvidenceModeConfig,
    ids: readonly string[],
    addresses: readonly string[],
    private readonly host: NameNodeLinkHost,
  ) {
    const n = (this.n = sim.nodes);
    this.ids = [...ids];
    this.intervalMs = sim.liveness.heartbeatIntervalMs;
    this.tickMs = Math.max(5, Math.floor(this.intervalMs / 4)); // namenode.ts: interval / 4
    this.settings = peerEvidenceConfigFor(sim, mode);
    const phi = resolvePhiConfig(sim.liveness, sim.detector);
    const reporterRandom = new Random(sim.seed).fork('gossip/namenode/reporters');
    this.nn = new SimNameNode(sim.liveness, phi ? new PhiAccrualDetector(phi) : undefined, replicationConfigFor(sim), {
      transition: (t) => this.transitions.push({ ...t }),
      replicaGained: () => {},
      replicasLost: () => {},
    }, { peerEvidence: this.settings, random: () => reporterRandom.next() });
    const racks = Math.ceil(n / sim.nodesPerRack);
    this.net = new RandomStreams(sim.seed, 'gossip/namenode/net', n);
    this.baseDelayMs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.indexOf.set(ids[i], i);
      this.registrations.push({
        id: ids[i], uuid: `uuid-${i}`, host: hostOf(i, racks, mode.nodesPerHost), dataPort: 9866, httpPort: 9864, rack: `/rack-${i % racks}`,
        membershipAddress: addresses[i],
      });
      this.baseDelayMs[i] = sim.network.delayMs * (0.5 + this.net.next(i));
    }
    this.incarnation = new Int32Array(n);
    this.registration = new Array<string>(n).fill('');
    this.registering = new Uint8Array(n);
    this.stream = new Int32Array(n);
    this.sequence = new Float64Array(n);
    this.beatToken = new Int32Array(n);
    this.nextBeatMs = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.lastBeatSentMs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.overdue = new Uint8Array(n);
    this.lastArrivalMs = new Float64Array(n);
    this.cutTo = new Int32Array(n);
    this.cutFrom = new Int32Array(n);
    this.results = new Array(n).fill(undefined);
    this.deferred = new Array(n).fill(undefined);
  }

  /** t = 0: every node registered (as the central simulation does), first beats spread over one interval. */
  start(): void {
    const phases = new Random(this.sim.seed).fork('gossip/namenode/phases');
    for (let i = 0; i < this.n; i++) {
      this.registration[i] = this.nn.register(this.registrations[i], STATS, 0);
      this.stream[i] = ++this.streamCounter;
      this.counts.registrations += 1;
    }
    this.nn.tick(0);
    for (let i = 0; i < this.n; i++) this.setBeatTimer(i, ((i + phases.next()) / this.n) * this.intervalMs);
  }

  /** The NameNode's timer: liveness and probe rounds, then push what it queued (namenode.ts). */
  tick(t: number): void {
    this.nn.tick(t);
    this.pushTouched(t);
  }

  dispatch(ev: { timeMs: number; kind: number; node: number; data: unknown }): void {
    const i = ev.node;
    const t = ev.timeMs;
    if (DATANODE_SIDE.has(ev.kind)) {
      if ((ev.data as { inc: number }).inc !== this.incarnation[i] || !this.host.isUp(i)) return;
      if (this.host.isPaused(i)) {
        if (ev.kind === NN_EV.BeatTimer) {
          if ((ev.data as { token: number }).token === this.beatToken[i]) this.overdue[i] = 1;
        } else {
          (this.deferred[i] ??= []).push({ timeMs: t, kind: ev.kind, data: ev.data });
        }
        return;
      }
    }
    switch (ev.kind) {
      case NN_EV.BeatTimer: return this.beatTimer(i, t, (ev.data as { token: number }).token);
      case NN_EV.BeatArrive: return this.beatArrive(i, t, ev.data as { registrationId: string; sequence: number; stream: number; probes: PeerProbeResult[] | undefined });
      case NN_EV.ToDataNode: {
        const d = ev.data as { stream: number; commands: Command[] };
        if (d.stream !== 0 && d.stream !== this.stream[i]) return; // written on a stream this process dropped
        return this.commandsArrive(i, t, d.commands);
      }
      case NN_EV.RegisterArrive: return this.registerArrive(i, t, ev.data as { inc: number; sentMs: number });
      case NN_EV.Registered: return this.registered(i, t, (ev.data as { registrationId: string }).registrationId);
      case NN_EV.RegisterRetry:
        if (this.registering[i]) this.startRegistration(i, t);
        return;
      default: throw new Error(`unknown NameNode-link event kind ${ev.kind}`);
    }
  }

  // ---- faults (called by the engine as it applies them) --------------------------------------

  crash(i: number): void {
    this.incarnation[i] += 1;
    this.beatToken[i] += 1;
    this.nextBeatMs[i] = Number.POSITIVE_INFINITY;
    this.overdue[i] = 0;
    this.registering[i] = 0;
    this.registration[i] = '';
    this.results[i] = undefined;
    this.deferred[i] = undefined;
  }

  /** A fresh process: it registers (the engine has started its SwimMember). */
  restart(i: number, t: number): void {
    this.lastBeatSentMs[i] = Number.NEGATIVE_INFINITY;
    this.startRegistration(i, t);
  }

  /** After the engine's resume tick and socket: the overdue beat, then what the NameNode sent meanwhile. */
  resume(i: number, t: number): void {
    if (this.overdue[i]) {
      this.overdue[i] = 0;
      this.beatTimer(i, t, this.beatToken[i]);
    }
    const box = this.deferred[i];
    this.deferred[i] = undefined;
    if (box) for (const e of box) if (this.host.isUp(i) && !this.host.isPaused(i)) this.dispatch({ timeMs: t, kind: e.kind, node: i, data: e.data });
  }

  partition(p: PlannedPartition, sign: 1 | -1): void {
    for (const i of p.nodes) {
      if (p.toNameNode) this.cutTo[i] += sign;
      if (p.fromNameNode) this.cutFrom[i] += sign;
    }
  }

  /** After member i ticked or read a message: its probe answers, and an early beat if there are new ones. Returns whether probes are still pending. */
  afterMember(i: number, t: number): boolean {
    let fresh = false;
    for (const r of this.host.drainProbeResults(i)) {
      const v = this.host.viewOf(i, r.targetId, !r.reachable);
      const box = (this.results[i] ??= []);
      if (box.length >= Limits.maxPendingPeerProbes) box.shift();
      box.push({
        nodeId: r.targetId, reachable: r.reachable, memberState: v.state,
        msSinceHeard: r.reachable || v.lastHeardMs === undefined ? 0 : Math.max(0, Math.round(t - v.lastHeardMs)),
        neverHeard: !r.reachable && v.lastHeardMs === undefined,
      });
      if (r.reachable) this.counts.answersReachable += 1;
      else this.counts.answersUnreachable += 1;
      fresh = true;
    }
    if (fresh) this.beatSoon(i, t);
    return this.host.pendingProbes(i) > 0;
  }

  // ---- DataNode side ----------------------------------------------------------------------

  private setBeatTimer(i: number, atMs: number): void {
    const token = ++this.beatToken[i];
    this.nextBeatMs[i] = atMs;
    this.host.push(atMs, NN_EV.BeatTimer, i, { inc: this.incarnation[i], token });
  }

  private beatTimer(i: number, t: number, token: number): void {
    if (token !== this.beatToken[i] || this.registering[i] || this.stream[i] === 0) return;
    this.sendBeat(i, t);
    const delayMs = this.intervalMs + this.net.next(i) * this.sim.timerJitterMs;
    this.setBeatTimer(i, LINK_POLICY.nextBeatAtMs(t, this.intervalMs, (this.results[i]?.length ?? 0) > 0, delayMs));
  }

  /** heartbeat-link.ts beatSoon(): the next beat now, but not closer than the early-beat gap to the previous one. */
  private beatSoon(i: number, t: number): void {
    if (this.registering[i] || this.stream[i] === 0) return; // the first beat after registering carries them
    const at = LINK_POLICY.earlyBeatAtMs(this.lastBeatSentMs[i], t, this.intervalMs);
    if (at >= this.nextBeatMs[i]) return;
    this.counts.earlyBeats += 1;
    this.setBeatTimer(i, at);
  }

  private sendBeat(i: number, t: number): void {
    this.sequence[i] += 1;
    this.lastBeatSentMs[i] = t;
    this.counts.heartbeatsSent += 1;
    let probes: PeerProbeResult[] | undefined;
    const box = this.results[i];
    if (box && box.length > 0) {
      probes = box.splice(0, Limits.maxPeerProbeResultsPerBeat);
      if (box.length === 0) this.results[i] = undefined;
    }
    if (this.cutTo[i] > 0 || this.lost(i)) return; // its answers go with it
    let arrival = t + this.delay(i);
    if (arrival < this.lastArrivalMs[i]) arrival = this.lastArrivalMs[i]; // one stream: FIFO
    this.lastArrivalMs[i] = arrival;
    this.host.push(arrival, NN_EV.BeatArrive, i, { registrationId: this.registration[i], sequence: this.sequence[i], stream: this.stream[i], probes });
  }

  private commandsArrive(i: number, t: number, commands: Command[]): void {
    for (const c of commands) {
      if (c.kind === 'reregister') {
        if (!this.registering[i]) this.startRegistration(i, t);
      } else if (c.kind === 'probe-peers') {
        this.probe(i, t, c.targets.slice(0, Limits.maxProbeTargetsPerCommand));
      }
    }
  }

  /** membership-agent.ts requestProbes(): the core dedupes targets and bounds the probes in flight. */
  private probe(i: number, t: number, targets: ReadonlyArray<{ nodeId: string; membershipAddress: string }>): void {
    for (const target of targets) {
      if (this.host.probeNow(i, target.nodeId, target.membershipAddress, t)) this.counts.probesStarted += 1;
    }
    this.afterMember(i, t); // a probe of ourselves answers at once
  }

  private startRegistration(i: number, t: number): void {
    this.registering[i] = 1;
    this.registration[i] = '';
    this.stream[i] = 0;
    this.beatToken[i] += 1;
    this.nextBeatMs[i] = Number.POSITIVE_INFINITY;
    if (this.cutTo[i] > 0) {
      this.host.push(LINK_POLICY.registerDeadlineMs(t), NN_EV.RegisterRetry, i, { inc: this.incarnation[i] }); // lost: fails at its deadline
      return;
    }
    this.host.push(t + this.delay(i), NN_EV.RegisterArrive, i, { inc: this.incarnation[i], sentMs: t });
  }

  private registered(i: number, t: number, registrationId: string): void {
    if (!this.registering[i]) return;
    this.registering[i] = 0;
    this.registration[i] = registrationId;
    this.stream[i] = ++this.streamCounter;
    this.lastArrivalMs[i] = 0;
    this.beatTimer(i, t, this.beatToken[i]); // the first beat on the new stream at once
  }

  // ---- NameNode side ----------------------------------------------------------------------

  private beatArrive(i: number, t: number, d: { registrationId: string; sequence: number; stream: number; probes: PeerProbeResult[] | undefined }): void {
    this.counts.heartbeatsDelivered += 1;
    const input = this.input;
    input.nodeId = this.ids[i];
    input.registrationId = d.registrationId;
    input.sequence = d.sequence;
    input.streamId = d.stream;
    input.peerProbes = d.probes;
    const outcome = this.nn.heartbeat(input, t);
    input.peerProbes = undefined;
    if (outcome.commands.length) this.toDataNode(i, t, outcome.commands, d.stream);
    this.pushTouched(t);
  }

  private registerArrive(i: number, t: number, d: { inc: number; sentMs: number }): void {
    if (d.inc !== this.incarnation[i]) return; // that process is gone before its Register got through
    const registrationId = this.nn.register(this.registrations[i], STATS, t);
    this.counts.registrations += 1;
    this.pushTouched(t);
    if (this.cutFrom[i] > 0) {
      this.host.push(Math.max(t, LINK_POLICY.registerDeadlineMs(d.sentMs)), NN_EV.RegisterRetry, i, { inc: d.inc }); // the answer never came: deadline, retry
      return;
    }
    this.host.push(t + this.delay(i), NN_EV.Registered, i, { inc: d.inc, registrationId });
  }

  /** namenode.ts pushProbes(): commands queued outside a heartbeat answer go out now. */
  private pushTouched(t: number): void {
    for (const id of this.nn.drainTouched()) {
      const commands = this.nn.drainCommands(id);
      if (commands.length) this.toDataNode(this.indexOf.get(id)!, t, commands);
    }
  }

  /** An answer on `stream`, or a push (stream 0: the node's current session). */
  private toDataNode(i: number, t: number, commands: Command[], stream = 0): void {
    const probes = commands.some((c) => c.kind === 'probe-peers');
    if (probes) this.counts.probeCommandsSent += 1;
    if (this.cutFrom[i] > 0 || this.lost(i)) {
      if (probes) this.counts.probeCommandsLost += 1;
      return;
    }
    this.host.push(t + this.delay(i), NN_EV.ToDataNode, i, { inc: this.incarnation[i], stream, commands });
  }

  private delay(i: number): number {
    return this.baseDelayMs[i] + this.net.exponential(i, this.sim.network.jitterMs);
  }

  private lost(i: number): boolean {
    return this.sim.network.loss > 0 && this.net.next(i) < this.sim.network.loss;
  }

  // ---- figures ----------------------------------------------------------------------------

  result(timeline: FaultTimeline, nameNodeOnly: readonly PlannedPartition[]): CombinedResult {
    const l = this.sim.liveness;
    const ids = new Map<string, number>(this.indexOf);
    const figures = centralDetectorFigures(this.n, ids, this.transitions, timeline, nameNodeOnly, (l.deadAfterMissed + 1) * l.heartbeatIntervalMs, l.heartbeatIntervalMs);
    const byNode: Transition[][] = Array.from({ length: this.n }, () => []);
    for (const t of this.transitions) byNode[ids.get(t.nodeId)!].push(t);
    let unreachableEpisodes = 0;
    let unreachableWhileDown = 0;
    const unreachableNodes = new Set<number>();
    const deadOfUpNodesByReason: Record<string, number> = {};
    for (let i = 0; i < this.n; i++) {
      let heardSinceRestart = true;
      let lastRestart = Number.NEGATIVE_INFINITY;
      for (const t of byNode[i]) {
        const r = timeline.lastRestartMs(i, t.atMs);
        if (r > lastRestart) { lastRestart = r; heardSinceRestart = false; }
        if (t.to === 'LIVE') { heardSinceRestart = true; continue; }
        const up = timeline.isUp(i, t.atMs);
        if (t.to === 'UNREACHABLE_FROM_NAMENODE') {
          unreachableEpisodes += 1;
          unreachableNodes.add(i);
          if (!up) unreachableWhileDown += 1;
        }
        if (t.to === 'DEAD' && up && heardSinceRestart) deadOfUpNodesByReason[t.reason] = (deadOfUpNodesByReason[t.reason] ?? 0) + 1;
      }
    }
    const nn = { partitions: nameNodeOnly.length, nodes: 0, heldUnreachable: 0, deadWithinGrace: 0, deadAfterGrace: 0, cutLongerThanGrace: 0 };
    const deadline = l.deadAfterMissed * l.heartbeatIntervalMs;
    for (const p of nameNodeOnly) {
      const endMs = p.atMs + p.durationMs + l.heartbeatIntervalMs;
      for (const x of p.nodes) {
        nn.nodes += 1;
        // Cut long enough, within the run, for the grace to end before the heal.
        if (Math.min(p.atMs + p.durationMs, this.sim.durationMs) - p.atMs > deadline + this.settings.unreachableGraceMs) nn.cutLongerThanGrace += 1;
        const ts = byNode[x].filter((t) => t.atMs >= p.atMs && t.atMs <= endMs);
        if (ts.some((t) => t.to === 'UNREACHABLE_FROM_NAMENODE')) nn.heldUnreachable += 1;
        if (ts.some((t) => t.to === 'DEAD' && t.reason !== 'unreachable-grace-expired')) nn.deadWithinGrace += 1;
        else if (ts.some((t) => t.to === 'DEAD')) nn.deadAfterGrace += 1;
      }
    }
    const s = this.nn.manager.peers.stats();
    const c = this.counts;
    return {
      figures,
      peer: {
        unreachableEpisodes, unreachableNodes: unreachableNodes.size, unreachableWhileDown, deadOfUpNodesByReason, nameNodeOnly: nn,
        rounds: s.roundsSent, answersRecorded: s.answersRecorded, answersUnasked: s.answersUnasked, watchesRefused: s.watchesRefused,
        probeCommandsSent: c.probeCommandsSent, probeCommandsLost: c.probeCommandsLost, probesStarted: c.probesStarted,
        answersReachable: c.answersReachable, answersUnreachable: c.answersUnreachable, earlyBeats: c.earlyBeats,
      },
      settings: { ...this.settings, nodesPerHost: this.mode.nodesPerHost },
      heartbeatsSent: c.heartbeatsSent,
      heartbeatsDelivered: c.heartbeatsDelivered,
      registrations: c.registrations,
    };
  }
}
