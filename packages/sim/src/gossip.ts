/**
 * Gossip mode: the real SWIM core (`SwimMember` from @minidfs/membership, unmodified) running on
 * every simulated DataNode under virtual time, next to the NameNode's central missed-beat detector,
 * both fed the same seeded faults (fault-plan.ts), so their detection times and mistakes can be
 * compared side by side (docs/SIMULATION.md, "Gossip mode").
 *
 * Engine: the simulator's EventQueue (a (time, seq) heap) holds message deliveries (each at its own
 * fractional virtual time) and faults; members tick on a fixed grid — member i at every integer ms
 * t with t ≡ phase(i) (mod tickEveryMs), a seeded phase — after every event up to t. So every event
 * has an exact time, ties break by insertion order, and the run is a pure function of the config.
 * Network: per link a base one-way delay uniform in [0.5, 1.5] × delayMs (a hash of the pair and
 * the seed) plus exponential jitter; each message is lost with probability `loss`; a partition drops
 * messages across its edge at send time (in its cut directions), unless it cuts the NameNode only.
 * A crashed member is gone (messages to it vanish); it restarts as a fresh SwimMember (incarnation
 * 0, as without persistence) and joins through random live members. A paused member neither ticks
 * nor reads: messages wait in its socket (≤ pausedInboxLimit) and are read on resume, after the
 * overdue tick (Node runs timers before I/O).
 *
 * The central figures come from the existing simulation (simulation.ts) run with the same plan as
 * scripted faults and the same network loss, its HeartbeatMonitor's transitions recorded.
 *
 * The third column, "central + peer evidence" (gossip-namenode.ts, on by default): a second real
 * NameNode core, with its peer-evidence rule, runs inside this engine on the same queue — beats,
 * registrations and ProbePeers commands are events here too — and its questions are answered by
 * these members' probeNow(); a member with probes pending hands its answers to the link after each
 * tick or receive. Its NameNode-link draws come from their own streams, so the SWIM figures change
 * only by the probes' own messages.
 */
import {
  type MemberTransition, type Outbound, type SwimConfig, type SwimMessage, SwimMember, defaultSwimConfig, suspicionMaxTimeoutMs,
  suspicionTimeoutMs, validateSwimConfig,
} from '@minidfs/membership';
import type { Transition } from '@minidfs/namenode';
import { LIVENESS_PROFILES, type SimConfig, defaultSimConfig, validateSimConfig } from './config';
import { EventQueue } from './event-queue';
import { type PlanSummary, type PlannedFault, type PlannedPartition, gossipFaultPlan, summarizePlan, toScriptedFaults } from './fault-plan';
import { FaultTimeline } from './gossip-faults';
import { type DetectorFigures, GossipTracker, centralDetectorFigures } from './gossip-metrics';
import { type CombinedResult, NN_EV, NameNodeLink, type PeerEvidenceModeConfig, defaultPeerEvidenceModeConfig, peerEvidenceConfigFor } from './gossip-namenode';
import { Random, RandomStreams } from './random';
import { runSimulation } from './simulation';

export interface GossipModeConfig {
  /** Every member's SWIM settings. Default defaultSwimConfig() (period 1 s, memberlist's LAN defaults). */
  swim: SwimConfig;
  /** Each member's tick() cadence, ms (integer). Default protocolPeriodMs / 10, as docs/GOSSIP.md asks. */
  tickEveryMs: number;
  /** Members a node joins through: random others (at start) or random live ones (after a restart, as the NameNode would hand out). Default 3. */
  seedsPerJoin: number;
  /** Fraction of random partitions that cut only the NameNode link (the peers still hear the node). Default 0.5. */
  nameNodeOnlyFraction: number;
  /** Random faults start after this much virtual time, so the peers first converge. Default 30 s. Scripted faults are not moved. */
  warmupMs: number;
  /** Messages a paused member's socket holds; more are dropped (counted). Default 4096. */
  pausedInboxLimit: number;
  /**
   * The third column, "central + peer evidence": the NameNode core with its peer-evidence rule run
   * inside this engine, its ProbePeers answered by the members' probeNow() (gossip-namenode.ts).
   */
  peerEvidence: PeerEvidenceModeConfig;
}

export interface GossipRunConfig {
  /** Cluster, central detector (liveness, detector), network, faults, duration and seed; blocks must be 0. */
  sim: SimConfig;
  gossip: GossipModeConfig;
}

/** The CLI's --gossip-period-ms: the membership package's scaling of the SWIM defaults. */
export { swimConfigForPeriod } from '@minidfs/membership';

export function defaultGossipModeConfig(swim: SwimConfig = defaultSwimConfig()): GossipModeConfig {
  return {
    swim, tickEveryMs: Math.max(1, Math.round(swim.protocolPeriodMs / 10)), seedsPerJoin: 3, nameNodeOnlyFraction: 0.5, warmupMs: 30_000, pausedInboxLimit: 4096,
    peerEvidence: defaultPeerEvidenceModeConfig(),
  };
}

/**
 * `minidfs sim --membership gossip` defaults: 1,000 DataNodes for 5 minutes; the NameNode at its
 * own setting (1 s beats, DEAD at 3 missed: profile minidfs); 10 crashes per node-day (~31 in the
 * run), down ~3 minutes; no blocks (detectors only).
 */
export function defaultGossipRunConfig(): GossipRunConfig {
  const sim = defaultSimConfig();
  sim.nodes = 1000;
  sim.durationMs = 5 * 60_000;
  sim.liveness = { ...LIVENESS_PROFILES.minidfs.liveness };
  sim.detector = LIVENESS_PROFILES.minidfs.detector;
  sim.profile = LIVENESS_PROFILES.minidfs.name;
  sim.faults = { ...sim.faults, crashesPerNodeDay: 10, downtimeMeanMs: 3 * 60_000, diskLossFraction: 0 };
  return { sim, gossip: defaultGossipModeConfig() };
}

export function validateGossipRunConfig(c: GossipRunConfig): GossipRunConfig {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`invalid gossip simulation config: ${what}`);
  };
  validateSimConfig(c.sim);
  const g = c.gossip;
  validateSwimConfig(g.swim);
  check(c.sim.blocks === 0, 'gossip mode simulates the detectors only: blocks must be 0');
  check(c.sim.nodes >= 2, 'gossip mode needs at least 2 nodes');
  check(c.sim.nodes <= g.swim.maxMembers, `${c.sim.nodes} nodes exceed the members' table (swim maxMembers ${g.swim.maxMembers})`);
  check(Number.isInteger(g.tickEveryMs) && g.tickEveryMs >= 1 && g.tickEveryMs <= g.swim.pingTimeoutMs,
    `tickEveryMs must be an integer in [1, pingTimeoutMs], got ${g.tickEveryMs}`);
  check(Number.isInteger(g.seedsPerJoin) && g.seedsPerJoin >= 1 && g.seedsPerJoin <= 16, 'seedsPerJoin must be an integer in [1, 16]');
  check(g.nameNodeOnlyFraction >= 0 && g.nameNodeOnlyFraction <= 1, 'nameNodeOnlyFraction must be in [0, 1]');
  check(g.warmupMs >= 0 && g.warmupMs < c.sim.durationMs, 'warmupMs must be in [0, durationMs)');
  check(Number.isInteger(g.pausedInboxLimit) && g.pausedInboxLimit >= 0, 'pausedInboxLimit must be a non-negative integer');
  const pe = g.peerEvidence;
  check(Number.isInteger(pe.nodesPerHost) && pe.nodesPerHost >= 1, 'peerEvidence.nodesPerHost must be a positive integer');
  if (pe.enabled) {
    try {
      peerEvidenceConfigFor(c.sim, pe); // the core's own validator: ranges, fanout >= minimum, probe before the DEAD deadline
    } catch (err) {
      throw new RangeError(`invalid gossip simulation config: ${(err as Error).message}`);
    }
  }
  return c;
}

export interface GossipCounts {
  /** Messages members sent, by type (including those then lost or cut). */
  sent: Record<SwimMessage['type'], number>;
  messages: number;
  lost: number;
  /** Dropped by a partition. */
  cut: number;
  /** Arrived at a crashed member. */
  toCrashed: number;
  /** Dropped because a paused member's socket was full. */
  inboxDropped: number;
  /** Piggybacked updates and SYNC entries carried by the sent messages. */
  updatesCarried: number;
  syncEntries: number;
  ticks: number;
  /** Messages a member refused (validation or a full table): should stay 0. */
  refused: number;
  crashes: number;
  restarts: number;
  pauses: number;
  partitions: number;
}

export interface GossipEngineResult {
  figures: DetectorFigures;
  counts: GossipCounts;
  /**
   * Bootstrap: the first period end at which every up member held every other up node ALIVE or
   * SUSPECT (faults may have begun; crashed nodes do not count); NaN if never during the run.
   */
  convergedAtMs: number;
  /** The same for 99% of the up members. */
  convergedMostAtMs: number;
  /** Time of the first fault that took effect (NaN: none). */
  firstFaultMs: number;
  /** Members' own counters, summed. */
  swimStats: { probes: number; indirectProbes: number; refutations: number; relaysDropped: number; stalledProbes: number; joinRetries: number };
  /** Suspicion timeouts at N = nodes: fully confirmed (min) and unconfirmed (max), ms. */
  suspicionMinMs: number;
  suspicionMaxMs: number;
  wallMs: number;
}

export interface GossipComparisonResult {
  config: GossipRunConfig;
  plan: PlanSummary;
  central: {
    figures: DetectorFigures;
    heartbeatsSent: number;
    heartbeatsDelivered: number;
    /** Beats plus their answers, per node per second. */
    messagesPerNodeSecond: number;
    wallMs: number;
  };
  gossip: GossipEngineResult & { messagesPerNodeSecond: number };
  /** Central + peer evidence (absent when gossip.peerEvidence.enabled is false). */
  combined?: CombinedResult;
}

const EV = { Deliver: 1, Crash: 2, Restart: 3, PauseStart: 4, PauseEnd: 5, PartitionStart: 6, PartitionEnd: 7 } as const;

interface Cut { p: PlannedPartition; members: Set<number> }

const address = (i: number) => `dn${i}:7946`;

/** The gossip half of a comparison: SwimMembers on every simulated DataNode, the plan's faults. */
export class GossipEngine {
  readonly timeline: FaultTimeline;
  private readonly n: number;
  private readonly sim: SimConfig;
  private readonly g: GossipModeConfig;
  private readonly queue = new EventQueue();
  private readonly members: Array<SwimMember | undefined>;
  private readonly up: Uint8Array;
  private readonly paused: Uint8Array;
  private readonly restarts: Int32Array;
  private readonly generation: Int32Array;
  private readonly inbox: Array<SwimMessage[] | undefined>;
  private readonly cuts: Array<Cut[] | undefined>;
  private readonly phases: number[][];
  private readonly ids: string[] = [];
  private readonly byId = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private readonly net: RandomStreams;
  private readonly seedRng: Random;
  private readonly root: Random;
  private readonly linkSalt: number;
  private readonly tracker: GossipTracker;
  private readonly counts: GossipCounts;
  private readonly retired = { probes: 0, indirectProbes: 0, refutations: 0, relaysDropped: 0, stalledProbes: 0, joinRetries: 0 };
  private convergedAtMs = Number.NaN;
  private convergedMostAtMs = Number.NaN;
  /** knownUp[o]: other up nodes member o holds ALIVE or SUSPECT (kept from transitions, crashes and restarts). */
  private readonly knownUp: Int32Array;
  private upCount = 0;
  private firstFaultMs = Number.NaN;
  /** The NameNode with the peer-evidence rule (gossip-namenode.ts), when enabled. */
  private readonly link: NameNodeLink | undefined;
  private readonly probing: Uint8Array;

  constructor(c: GossipRunConfig, private readonly plan: readonly PlannedFault[]) {
    this.sim = c.sim;
    this.g = c.gossip;
    const n = (this.n = c.sim.nodes);
    this.members = new Array(n).fill(undefined);
    this.up = new Uint8Array(n);
    this.paused = new Uint8Array(n);
    this.restarts = new Int32Array(n);
    this.generation = new Int32Array(n);
    this.inbox = new Array(n).fill(undefined);
    this.cuts = new Array(n).fill(undefined);
    this.phases = Array.from({ length: this.g.tickEveryMs }, () => []);
    this.knownUp = new Int32Array(n);
    this.timeline = new FaultTimeline(n);
    this.root = new Random(c.sim.seed).fork('gossip');
    this.net = new RandomStreams(c.sim.seed, 'gossip/net', n);
    this.seedRng = this.root.fork('seeds');
    this.linkSalt = this.root.fork('links').nextUint32();
    const swim = this.g.swim;
    const lookbackMs = suspicionMaxTimeoutMs(swim, n) + 2 * swim.protocolPeriodMs;
    this.tracker = new GossipTracker(n, this.timeline, lookbackMs);
    this.counts = {
      sent: { PING: 0, PING_REQ: 0, ACK: 0, SYNC: 0, GOSSIP: 0 }, messages: 0, lost: 0, cut: 0, toCrashed: 0, inboxDropped: 0, updatesCarried: 0,
      syncEntries: 0, ticks: 0, refused: 0, crashes: 0, restarts: 0, pauses: 0, partitions: 0,
    };
    for (let i = 0; i < n; i++) {
      this.ids.push(`dn${i}`);
      this.byId.set(this.ids[i], i);
      this.byAddress.set(address(i), i);
    }
    this.probing = new Uint8Array(n);
    this.link = this.g.peerEvidence.enabled
      ? new NameNodeLink(c.sim, this.g.peerEvidence, this.ids, this.ids.map((_, i) => address(i)), {
        push: (timeMs, kind, node, data) => this.queue.push(timeMs, kind, node, data),
        isUp: (i) => this.up[i] === 1,
        isPaused: (i) => this.paused[i] === 1,
        probeNow: (i, targetId, targetAddress, t) => {
          const m = this.members[i]!;
          const startedBefore = m.stats.onDemandProbes;
          let out: Outbound[];
          try {
            out = m.probeNow(t, targetId, targetAddress);
          } catch (err) {
            if (!(err instanceof Error) || !('code' in err)) throw err;
            return false;
          }
          this.probing[i] = 1;
          this.ship(i, out, t);
          return m.stats.onDemandProbes > startedBefore;
        },
        pendingProbes: (i) => this.members[i]?.pendingProbes ?? 0,
        drainProbeResults: (i) => this.members[i]!.drainProbeResults(),
        viewOf: (i, targetId, withLastHeard) => {
          const m = this.members[i]!;
          const state = m.stateOf(targetId);
          // view() copies the whole table: only for "unreachable" answers (msSinceHeard), which are rare.
          const lastHeardMs = withLastHeard && state !== undefined ? m.view().find((v) => v.id === targetId)?.lastHeardMs : undefined;
          return { state: state ?? 'UNKNOWN', lastHeardMs };
        },
      })
      : undefined;
  }

  run(): GossipEngineResult {
    const started = performance.now();
    const n = this.n;
    const phaseRng = this.root.fork('phases');
    for (let i = 0; i < n; i++) this.phases[phaseRng.int(this.g.tickEveryMs)].push(i);
    for (let i = 0; i < n; i++) this.start(i, 0, false);
    this.link?.start();
    for (const f of this.plan) {
      if (f.kind === 'crash') this.queue.push(f.atMs, EV.Crash, f.node, f);
      else if (f.kind === 'pause') this.queue.push(f.atMs, EV.PauseStart, f.node, f);
      else this.queue.push(f.atMs, EV.PartitionStart, -1, f);
    }
    const period = this.g.swim.protocolPeriodMs;
    const tickEvery = this.g.tickEveryMs;
    const end = Math.floor(this.sim.durationMs);
    const link = this.link;
    const nnTickMs = link?.tickMs ?? 0;
    for (let t = 1; t <= end; t++) {
      while (this.queue.peekTimeMs() <= t) this.dispatch(this.queue.pop()!);
      if (link && t % nnTickMs === 0) link.tick(t);
      const phase = this.phases[t % tickEvery];
      for (let k = 0; k < phase.length; k++) {
        const i = phase[k];
        if (this.up[i] && !this.paused[i]) this.tick(i, t);
      }
      if (Number.isNaN(this.convergedAtMs) && t % period === 0) this.checkConverged(t);
    }
    const swimStats = { ...this.retired };
    for (const m of this.members) if (m) this.addStats(swimStats, m);
    return {
      figures: this.tracker.figures(),
      counts: { ...this.counts, sent: { ...this.counts.sent } },
      convergedAtMs: this.convergedAtMs,
      convergedMostAtMs: this.convergedMostAtMs,
      firstFaultMs: this.firstFaultMs,
      swimStats,
      suspicionMinMs: suspicionTimeoutMs(this.g.swim, n),
      suspicionMaxMs: suspicionMaxTimeoutMs(this.g.swim, n),
      wallMs: performance.now() - started,
    };
  }

  /** The combined column's figures (after run()), or undefined when it is off. */
  combinedResult(): CombinedResult | undefined {
    if (!this.link) return undefined;
    const nameNodeOnly = this.plan.filter((p): p is PlannedPartition => p.kind === 'partition' && !p.peers);
    return this.link.result(this.timeline, nameNodeOnly);
  }

  /** Member i's current view of member j (for tests and reports). */
  stateOf(i: number, j: number): string | undefined {
    return this.members[i]?.stateOf(this.ids[j]);
  }

  // ---- members ------------------------------------------------------------------------------

  private start(i: number, t: number, restart: boolean): void {
    const k = this.restarts[i];
    const m = new SwimMember({
      id: this.ids[i], address: address(i), config: this.g.swim, random: this.root.fork(`member/${i}/${k}`), nowMs: t,
    });
    this.members[i] = m;
    this.up[i] = 1;
    this.upCount += 1;
    this.knownUp[i] = 0;
    if (restart) {
      const id = this.ids[i];
      for (let o = 0; o < this.n; o++) {
        if (o === i || !this.up[o]) continue;
        const s = this.members[o]!.stateOf(id);
        if (s === 'ALIVE' || s === 'SUSPECT') this.knownUp[o] += 1;
      }
    }
    this.ship(i, m.join(t, this.pickSeeds(i, restart)), t);
  }

  /** Random other members; after a restart only live ones (what the NameNode's Register answer would list). */
  private pickSeeds(i: number, liveOnly: boolean): string[] {
    const seeds: string[] = [];
    const want = Math.min(this.g.seedsPerJoin, this.n - 1);
    for (let tries = 0; seeds.length < want && tries < 64 * want; tries++) {
      const j = this.seedRng.int(this.n);
      if (j === i || (liveOnly && !this.up[j]) || seeds.includes(address(j))) continue;
      seeds.push(address(j));
    }
    return seeds;
  }

  private tick(i: number, t: number): void {
    this.counts.ticks += 1;
    const m = this.members[i]!;
    this.ship(i, m.tick(t), t);
    if (this.probing[i]) this.afterProbe(i, t);
  }

  /** Member i has on-demand probes for the NameNode: hand their answers to the link. */
  private afterProbe(i: number, t: number): void {
    if (!this.link || !this.up[i]) return;
    if (!this.link.afterMember(i, t)) this.probing[i] = 0;
  }

  private receive(i: number, message: SwimMessage, t: number): void {
    const m = this.members[i]!;
    let out: Outbound[];
    try {
      out = m.receive(t, message);
    } catch (err) {
      // The core refuses malformed or over-limit messages; none should occur here.
      this.counts.refused += 1;
      if (!(err instanceof Error) || !('code' in err)) throw err;
      return;
    }
    this.ship(i, out, t);
    if (this.probing[i]) this.afterProbe(i, t);
  }

  /** Drain member i's transitions into the tracker, then send what it returned. */
  private ship(i: number, outs: readonly Outbound[], t: number): void {
    const m = this.members[i]!;
    const transitions = m.drainTransitions();
    for (let k = 0; k < transitions.length; k++) this.observe(i, transitions[k]);
    for (let k = 0; k < outs.length; k++) {
      const o = outs[k];
      const msg = o.message;
      this.counts.messages += 1;
      this.counts.sent[msg.type] += 1;
      this.counts.updatesCarried += msg.updates.length;
      if (msg.type === 'SYNC') this.counts.syncEntries += msg.members.length;
      const j = this.byAddress.get(o.toAddress);
      if (j === undefined) continue;
      if (this.sim.network.loss > 0 && this.net.next(i) < this.sim.network.loss) {
        this.counts.lost += 1;
        continue;
      }
      if (this.isCut(i, j)) {
        this.counts.cut += 1;
        continue;
      }
      this.queue.push(t + this.linkDelayMs(i, j) + this.net.exponential(i, this.sim.network.jitterMs), EV.Deliver, j, msg);
    }
  }

  private observe(o: number, t: MemberTransition): void {
    const x = this.byId.get(t.memberId);
    if (x === undefined) return;
    this.tracker.transition(o, x, t);
    if (x !== o && this.up[x]) {
      const was = t.from === 'ALIVE' || t.from === 'SUSPECT';
      const is = t.to === 'ALIVE' || t.to === 'SUSPECT';
      if (was !== is) this.knownUp[o] += is ? 1 : -1;
    }
  }

  private linkDelayMs(a: number, b: number): number {
    let h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77) ^ this.linkSalt;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    return this.sim.network.delayMs * (0.5 + (h >>> 0) / 4294967296);
  }

  /** A partition drops a → b if a is inside one that cuts its outbound side, or b inside one that cuts its inbound side. */
  private isCut(a: number, b: number): boolean {
    const ca = this.cuts[a];
    if (ca) for (const c of ca) if (c.p.toNameNode && !c.members.has(b)) return true;
    const cb = this.cuts[b];
    if (cb) for (const c of cb) if (c.p.fromNameNode && !c.members.has(a)) return true;
    return false;
  }

  private checkConverged(t: number): void {
    let complete = 0;
    for (let i = 0; i < this.n; i++) if (this.up[i] && this.knownUp[i] === this.upCount - 1) complete += 1;
    if (Number.isNaN(this.convergedMostAtMs) && complete >= 0.99 * this.upCount) this.convergedMostAtMs = t;
    if (complete === this.upCount) this.convergedAtMs = t;
  }

  private faultBegins(t: number): void {
    if (Number.isNaN(this.firstFaultMs)) this.firstFaultMs = t;
  }

  private addStats(into: GossipEngineResult['swimStats'], m: SwimMember): void {
    into.probes += m.stats.probes;
    into.indirectProbes += m.stats.indirectProbes;
    into.refutations += m.stats.refutations;
    into.relaysDropped += m.stats.relaysDropped;
    into.stalledProbes += m.stats.stalledProbes;
    into.joinRetries += m.stats.joinRetries;
  }

  // ---- events -------------------------------------------------------------------------------

  private dispatch(ev: { timeMs: number; kind: number; node: number; data: unknown }): void {
    const i = ev.node;
    const t = ev.timeMs;
    switch (ev.kind) {
      case EV.Deliver: {
        if (!this.up[i]) {
          this.counts.toCrashed += 1;
          return;
        }
        if (this.paused[i]) {
          const box = (this.inbox[i] ??= []);
          if (box.length >= this.g.pausedInboxLimit) this.counts.inboxDropped += 1;
          else box.push(ev.data as SwimMessage);
          return;
        }
        return this.receive(i, ev.data as SwimMessage, t);
      }
      case EV.Crash: return this.crash(i, t, ev.data as { downtimeMs: number });
      case EV.Restart: {
        if ((ev.data as { generation: number }).generation !== this.generation[i] || this.up[i]) return;
        this.timeline.close(this.timeline.down, i, t);
        this.tracker.restart(i);
        this.restarts[i] += 1;
        this.counts.restarts += 1;
        this.start(i, t, true);
        this.link?.restart(i, t);
        return;
      }
      case EV.PauseStart: {
        if (!this.up[i] || this.paused[i]) return;
        this.faultBegins(t);
        this.counts.pauses += 1;
        this.paused[i] = 1;
        this.timeline.open(this.timeline.paused, i, t);
        this.queue.push(t + (ev.data as { durationMs: number }).durationMs, EV.PauseEnd, i, { generation: this.generation[i] });
        return;
      }
      case EV.PauseEnd: {
        if ((ev.data as { generation: number }).generation !== this.generation[i] || !this.paused[i]) return;
        this.paused[i] = 0;
        this.timeline.close(this.timeline.paused, i, t);
        this.tick(i, t);
        const box = this.inbox[i];
        this.inbox[i] = undefined;
        if (box) for (const message of box) if (this.up[i] && !this.paused[i]) this.receive(i, message, t);
        this.link?.resume(i, t);
        return;
      }
      case EV.PartitionStart: return this.partitionStart(t, ev.data as PlannedPartition);
      case EV.PartitionEnd: return this.partitionEnd(t, ev.data as Cut);
      default:
        if (this.link && ev.kind >= NN_EV.BeatTimer) return this.link.dispatch(ev);
        throw new Error(`unknown gossip event kind ${ev.kind}`);
    }
  }

  private crash(i: number, t: number, d: { downtimeMs: number }): void {
    if (!this.up[i]) return;
    this.faultBegins(t);
    const m = this.members[i]!;
    this.addStats(this.retired, m);
    this.counts.crashes += 1;
    this.up[i] = 0;
    this.upCount -= 1;
    if (this.paused[i]) this.timeline.close(this.timeline.paused, i, t);
    this.paused[i] = 0;
    this.inbox[i] = undefined;
    this.members[i] = undefined;
    this.generation[i] += 1;
    this.probing[i] = 0;
    this.link?.crash(i);
    this.timeline.open(this.timeline.down, i, t);
    const id = this.ids[i];
    let holders = 0;
    for (let o = 0; o < this.n; o++) {
      const s = this.up[o] ? this.members[o]!.stateOf(id) : undefined;
      if (s === 'ALIVE' || s === 'SUSPECT') {
        holders += 1;
        this.knownUp[o] -= 1;
      }
    }
    this.tracker.crash(i, t, m.incarnation, holders);
    this.tracker.observerCrashed(i, t, (x) => {
      const s = m.stateOf(this.ids[x]);
      return s === 'ALIVE' || s === 'SUSPECT';
    });
    if (Number.isFinite(d.downtimeMs)) this.queue.push(t + d.downtimeMs, EV.Restart, i, { generation: this.generation[i] });
  }

  private partitionStart(t: number, p: PlannedPartition): void {
    this.faultBegins(t);
    this.counts.partitions += 1;
    const cut: Cut = { p, members: new Set(p.nodes) };
    this.link?.partition(p, 1);
    for (const i of p.nodes) {
      this.timeline.open(this.timeline.cutNameNode, i, t);
      if (p.peers) {
        this.timeline.open(this.timeline.cutPeers, i, t);
        (this.cuts[i] ??= []).push(cut);
      }
    }
    if (!p.peers) this.tracker.nameNodeOnlyStart(p);
    this.queue.push(t + p.durationMs, EV.PartitionEnd, -1, cut);
  }

  private partitionEnd(t: number, cut: Cut): void {
    const p = cut.p;
    this.link?.partition(p, -1);
    for (const i of p.nodes) {
      this.timeline.close(this.timeline.cutNameNode, i, t);
      if (p.peers) {
        this.timeline.close(this.timeline.cutPeers, i, t);
        const list = this.cuts[i]!;
        list.splice(list.indexOf(cut), 1);
        if (list.length === 0) this.cuts[i] = undefined;
      }
    }
    if (!p.peers) {
      let observersUp = 0;
      for (let o = 0; o < this.n; o++) if (this.up[o]) observersUp += 1;
      this.tracker.nameNodeOnlyEnd(p, observersUp, (x) => {
        let alive = 0;
        for (let o = 0; o < this.n; o++) if (o !== x && this.up[o] && this.members[o]!.stateOf(this.ids[x]) === 'ALIVE') alive += 1;
        return alive;
      });
    }
  }
}

export interface GossipRunOptions {
  /** Called after each half (central, gossip) with its wall time, ms. */
  onPhase?: (phase: 'central' | 'gossip', wallMs: number) => void;
}

/**
 * One scenario, both detectors: the plan is drawn once; the gossip engine runs it with SwimMembers,
 * the central simulation runs it as scripted faults (its random fault rates set to 0).
 */
export function runGossipComparison(config: GossipRunConfig, options: GossipRunOptions = {}): GossipComparisonResult {
  const c = validateGossipRunConfig(config);
  const plan = gossipFaultPlan(c.sim, c.gossip.warmupMs, c.gossip.nameNodeOnlyFraction);
  const engine = new GossipEngine(c, plan);
  const gossip = engine.run();
  options.onPhase?.('gossip', gossip.wallMs);

  const central: SimConfig = {
    ...c.sim,
    network: { ...c.sim.network, partitionsPerDay: 0 },
    faults: { ...c.sim.faults, crashesPerNodeDay: 0, pausesPerNodeDay: 0, diskLossFraction: 0, scripted: toScriptedFaults(plan) },
  };
  const transitions: Transition[] = [];
  const started = performance.now();
  const r = runSimulation(central, { onTransition: (t) => transitions.push({ ...t }) });
  const centralWallMs = performance.now() - started;
  options.onPhase?.('central', centralWallMs);
  const ids = new Map<string, number>();
  for (let i = 0; i < c.sim.nodes; i++) ids.set(`dn${i}`, i);
  const l = c.sim.liveness;
  const nameNodeOnly = plan.filter((p): p is PlannedPartition => p.kind === 'partition' && !p.peers);
  const figures = centralDetectorFigures(
    c.sim.nodes, ids, transitions, engine.timeline, nameNodeOnly, (l.deadAfterMissed + 1) * l.heartbeatIntervalMs, l.heartbeatIntervalMs,
  );
  const nodeSeconds = (c.sim.nodes * c.sim.durationMs) / 1000;
  const combined = engine.combinedResult();
  return {
    config: c,
    plan: summarizePlan(plan),
    central: {
      figures,
      heartbeatsSent: r.figures.counts.heartbeatsSent,
      heartbeatsDelivered: r.figures.counts.heartbeatsDelivered,
      messagesPerNodeSecond: (r.figures.counts.heartbeatsSent + r.figures.counts.heartbeatsDelivered) / nodeSeconds,
      wallMs: centralWallMs,
    },
    gossip: { ...gossip, messagesPerNodeSecond: gossip.counts.messages / nodeSeconds },
    ...(combined ? { combined } : {}),
  };
}
