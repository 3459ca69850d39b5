/**
 * SwimMember: one node's view of its peers under SWIM (Das, Gupta, Motivala, DSN 2002) with the
 * memberlist refinements we need, as a pure state machine: no sockets, timers, Date.now() or
 * Math.random(). The caller passes the time to tick()/receive(), ships the Outbound messages they
 * return and drains the transitions for its logs (raft's Ready pattern, like HeartbeatMonitor).
 *
 * Each protocol period: PING the next member of a shuffled round-robin list; no ACK within
 * pingTimeoutMs → PING_REQ to k random members, which PING the target and relay its ACK; no ACK
 * by the end of the period → the target is SUSPECT. A SUSPECT member is DEAD once the suspicion
 * timeout passes without a refutation: Lifeguard's, from suspicionMaxTimeoutMult × min down to
 * min = suspicionMult × max(1, log10 N) × period as independent suspecters confirm. Every state
 * change is gossiped by piggybacking on PING/ACK (each update ≤ retransmitMult·ceil(log10(N+1))
 * times); joins and a periodic anti-entropy exchange whole views (SYNC push-pull).
 *
 * Incarnation rules (SWIM §4.2, memberlist state.go), for a member at incarnation i:
 *   ALIVE(j)   applies if j > i (a SUSPECT/DEAD/LEFT member is back: refuted / rejoined);
 *   SUSPECT(j) applies if j ≥ i to an ALIVE member, j > i to a SUSPECT one (only raises i);
 *   DEAD(j), LEFT(j) apply if j ≥ i to an ALIVE or SUSPECT member; DEAD and LEFT are final for
 *              their incarnation (only ALIVE(j > i) brings the member back).
 * A node that hears itself SUSPECT/DEAD at incarnation ≥ its own refutes: incarnation + 1, gossiped
 * first. Every message carries its sender's (id, address, incarnation) — an ALIVE claim from the
 * node itself — and a message to a member we hold SUSPECT/DEAD carries that fact first, so the
 * member learns of it (and refutes) at the next contact instead of waiting for gossip.
 *
 * Lifeguard local health (Dadgar et al. 2018, memberlist awareness.go): a health score
 * 0 .. awarenessMaxMultiplier − 1 multiplies our ping timeout and protocol period by (score + 1).
 * A failed probe adds the number of NACKs we expected from our relays but did not get (+1 when we
 * could ask no relay), refuting a suspicion of ourselves adds 1, an answered probe subtracts 1. A
 * relay that gets no ACK within NACK_TIMEOUT_FRACTION of the ping timeout NACKs the requester: the
 * requester hears its relays, so the silence is the target's, not ours. A NACK never satisfies a
 * probe. While the score is above 0, each base period our stretched probe skips carries one unjudged
 * PING (dissemination only: SWIM news rides on probes, and refutations must not slow down).
 *
 * Invariants: the member table ≤ config.maxMembers (a message that would exceed it is refused with
 * MembershipFullError before anything is applied); one pending update per member; pending relays
 * ≤ MembershipLimits.maxPendingRelays; buffered transitions ≤ maxBufferedTransitions; impossible
 * transitions throw.
 */
import { DfsError, InvalidArgumentError } from '@minidfs/common';
import { BroadcastQueue } from './broadcast-queue';
import {
  confirmedSuspicionTimeoutMs, nackTimeoutMs, retransmitLimit, suspicionConfirmationsWanted, suspicionMaxTimeoutMs, suspicionTimeoutMs,
  type SwimConfig, validateSwimConfig,
} from './config';
import { MembershipLimits } from './limits';
import {
  checkAddress, checkId, type MemberState, type MemberUpdate, type Outbound, type SwimMessage, validateMessage,
} from './messages';

/** Uniform in [0, 1): the injected randomness (sim's seeded Random fits). */
export interface RandomSource {
  next(): number;
}

/** A message would take the member table beyond config.maxMembers. */
export class MembershipFullError extends DfsError {
  override readonly name = 'MembershipFullError';
  constructor(m: string) { super('RESOURCE_EXHAUSTED', m); }
}

export type TransitionReason =
  | 'discovered' // first heard of (directly or by gossip)
  | 'probe-failed' // our own probe (direct + indirect) got no ACK within the period
  | 'suspected-by-peer' // gossip: someone else's probe failed
  | 'suspicion-timeout' // SUSPECT for the whole suspicion timeout without a refutation
  | 'declared-dead-by-peer' // gossip: someone else's suspicion timed out
  | 'refuted' // SUSPECT → ALIVE at a higher incarnation
  | 'rejoined' // DEAD/LEFT → ALIVE at a higher incarnation
  | 'left' // graceful leave
  | 'refuting-self'; // we heard ourselves suspected/declared dead and raised our incarnation

export interface MemberTransition {
  memberId: string;
  from: MemberState | 'NEW';
  to: MemberState;
  incarnation: number;
  reason: TransitionReason;
  atMs: number;
  /** ms since we last heard from the member directly or through an indirect ACK; undefined if never. */
  msSinceLastHeard: number | undefined;
}

export interface MemberView {
  id: string;
  address: string;
  state: MemberState;
  incarnation: number;
  /** When it entered its current state (our clock). */
  sinceMs: number;
  /** Last direct message or relayed ACK from it; undefined if never (known by gossip only). */
  lastHeardMs: number | undefined;
}

export interface SwimMemberOptions {
  id: string;
  address: string;
  config: SwimConfig;
  random: RandomSource;
  nowMs: number;
  /** Starting incarnation (e.g. persisted by a restarting node); default 0. */
  incarnation?: number;
}

export interface SwimStats {
  probes: number;
  indirectProbes: number;
  refutations: number;
  relaysDropped: number;
  transitionsDropped: number;
  joinRetries: number;
  /** Probes not judged because our own tick came too late (stall guard). */
  stalledProbes: number;
  /** probeNow() requests started, and dropped beyond MembershipLimits.maxOnDemandProbes. */
  onDemandProbes: number;
  onDemandDropped: number;
  /** Lifeguard health score now (0 = healthy; timeouts and period are × (score + 1)). */
  healthScore: number;
  /** Probes judged while the health score was above 0 (run with a stretched period and timeout). */
  probesWhileDegraded: number;
  /** NACKs we sent as a relay, and NACKs for our own probes received (from relays we asked). */
  nacksSent: number;
  nacksReceived: number;
  /** Unjudged PINGs (dissemination only) sent in the periods our stretched probing skipped. */
  unjudgedPings: number;
}

/** One line per transition, the shape the project's logs use. */
export function formatTransition(observerId: string, t: MemberTransition): string {
  const heard = t.msSinceLastHeard === undefined ? 'never' : `${t.msSinceLastHeard}ms`;
  return `member ${t.memberId} ${t.from} -> ${t.to} inc=${t.incarnation} reason=${t.reason} lastHeard=${heard} observer=${observerId}`;
}

/** A running suspicion (Lifeguard): its deadline moves earlier with each independent confirmation. */
interface Suspicion {
  /** Who raised it; their own later reports are not confirmations. */
  by: string;
  startMs: number;
  minMs: number;
  maxMs: number;
  wanted: number;
  /** Distinct confirming members, at most `wanted`. */
  confirmations: Set<string>;
}

class Member {
  state: MemberState = 'ALIVE';
  lastHeardMs: number | undefined = undefined;
  suspicion: Suspicion | undefined = undefined;
  suspectDeadlineMs = 0;
  forgetAtMs = 0;
  constructor(readonly id: string, public address: string, public incarnation: number, public sinceMs: number) {}

  get live(): boolean {
    return this.state === 'ALIVE' || this.state === 'SUSPECT';
  }

  update(): MemberUpdate {
    const u: MemberUpdate = { id: this.id, address: this.address, state: this.state, incarnation: this.incarnation };
    if (this.state === 'SUSPECT') u.by = this.suspicion!.by;
    return u;
  }
}

interface Probe {
  target: string;
  targetAddress: string;
  seq: number;
  startMs: number;
  /** pingTimeoutMs × (health score + 1) at the start. */
  timeoutMs: number;
  acked: boolean;
  indirectSent: boolean;
  /** Members we sent PING_REQ to: each should answer with a relayed ACK or a NACK. */
  relays: string[];
  /** Those of them that NACKed (distinct, at most relays.length). */
  nacks: Set<string>;
}

/** A probe someone outside the protocol asked for (the NameNode: "can you hear this node?"). */
interface OnDemandProbe {
  target: string;
  targetAddress: string;
  startMs: number;
  indirectSent: boolean;
  /** Restarted once after a stall of our own (the missing ACK may be sitting unread). */
  restarted: boolean;
}

/** The answer to probeNow(): did the target answer a direct or relayed PING within one period? */
export interface ProbeResult {
  targetId: string;
  reachable: boolean;
  /** When the answer was known (our clock). */
  atMs: number;
  /** Round trip of the answering PING (direct or relayed) when reachable. */
  rttMs?: number;
}

interface Relay {
  requester: string;
  requesterAddress: string;
  requesterSeq: number;
  target: string;
  /** No ACK from the target by then: NACK the requester (once). */
  nackAtMs: number;
  nackSent: boolean;
  expiresAtMs: number;
}

/** A message without its envelope (sender fields and piggyback), which envelope() adds. */
type MessageBody = SwimMessage extends infer M ? (M extends SwimMessage ? Omit<M, 'from' | 'fromAddress' | 'fromIncarnation' | 'updates'> : never) : never;

const ALLOWED: Record<MemberState | 'NEW', ReadonlySet<MemberState>> = {
  NEW: new Set(['ALIVE']),
  ALIVE: new Set(['SUSPECT', 'DEAD', 'LEFT']),
  SUSPECT: new Set(['ALIVE', 'DEAD', 'LEFT']),
  DEAD: new Set(['ALIVE']),
  LEFT: new Set(['ALIVE']),
};

export class SwimMember {
  readonly id: string;
  readonly address: string;
  readonly config: SwimConfig;
  readonly stats: SwimStats = {
    probes: 0, indirectProbes: 0, refutations: 0, relaysDropped: 0, transitionsDropped: 0, joinRetries: 0, stalledProbes: 0, onDemandProbes: 0,
    onDemandDropped: 0, healthScore: 0, probesWhileDegraded: 0, nacksSent: 0, nacksReceived: 0, unjudgedPings: 0,
  };
  private readonly rng: RandomSource;
  private readonly members = new Map<string, Member>();
  private readonly self: Member;
  private readonly queue = new BroadcastQueue();
  private readonly relays = new Map<number, Relay>();
  /** probeNow() probes in flight, by seq; at most MembershipLimits.maxOnDemandProbes. */
  private readonly onDemand = new Map<number, OnDemandProbe>();
  private probeResults: ProbeResult[] = [];
  private readonly suspects = new Set<Member>();
  /** DEAD/LEFT members waiting for forgetAtMs, in that order (retention is constant). */
  private readonly forgetting = new Set<Member>();
  private probeOrder: string[] = [];
  private probeIndex = 0;
  private probe: Probe | undefined;
  private nextProbeAtMs: number;
  /** Base-period clock for unjudged PINGs while our probes are stretched by poor local health. */
  private nextUnjudgedPingAtMs: number;
  private nextPushPullAtMs: number;
  private nextJoinAtMs = Number.POSITIVE_INFINITY;
  private seeds: string[] = [];
  private seq = 0;
  /** ALIVE + SUSPECT members, self included: the N of the formulas. */
  private liveCount = 1;
  private leaving = false;
  /** Members discovered since our last push-pull: a burst triggers an early one. */
  private discoveredSincePushPull = 0;
  /** Push-pulls in a row that taught us nothing while a cascade runs; undefined = no cascade. */
  private cascadeMisses: number | undefined = undefined;
  private lastNowMs: number;
  private lastTickMs: number;
  private transitions: MemberTransition[] = [];

  constructor(o: SwimMemberOptions) {
    checkId(o.id, 'own');
    checkAddress(o.address, 'own');
    this.config = validateSwimConfig({ ...o.config });
    this.id = o.id;
    this.address = o.address;
    this.rng = o.random;
    this.lastNowMs = o.nowMs;
    this.lastTickMs = o.nowMs;
    const incarnation = o.incarnation ?? 0;
    if (!Number.isInteger(incarnation) || incarnation < 0 || incarnation > MembershipLimits.maxIncarnation) {
      throw new InvalidArgumentError(`swim incarnation must be a non-negative safe integer, got ${String(incarnation)}`);
    }
    this.self = new Member(o.id, o.address, incarnation, o.nowMs);
    this.members.set(o.id, this.self);
    // Random phase: members started together do not probe in lockstep.
    this.nextProbeAtMs = o.nowMs + this.randomInt(this.config.protocolPeriodMs);
    this.nextUnjudgedPingAtMs = this.nextProbeAtMs;
    this.nextPushPullAtMs = this.config.pushPullIntervalMs > 0
      ? o.nowMs + this.config.pushPullIntervalMs + this.randomInt(this.config.protocolPeriodMs)
      : Number.POSITIVE_INFINITY;
  }

  get incarnation(): number {
    return this.self.incarnation;
  }

  /** Members currently ALIVE or SUSPECT, self included. */
  get liveMembers(): number {
    return this.liveCount;
  }

  /** Members tracked in any state, self included. */
  get size(): number {
    return this.members.size;
  }

  get pendingUpdates(): number {
    return this.queue.size;
  }

  get pendingRelays(): number {
    return this.relays.size;
  }

  /** probeNow() probes not answered yet. */
  get pendingProbes(): number {
    return this.onDemand.size;
  }

  /** Lifeguard local health score, 0 .. awarenessMaxMultiplier − 1 (0: healthy). */
  get healthScore(): number {
    return this.stats.healthScore;
  }

  /** The protocol period our next probe runs with: protocolPeriodMs × (health score + 1), ms. */
  get currentProtocolPeriodMs(): number {
    return this.config.protocolPeriodMs * (this.stats.healthScore + 1);
  }

  /** Suspicion timeout when fully confirmed, ms (depends on the number of live members). */
  get suspicionTimeoutMs(): number {
    return suspicionTimeoutMs(this.config, this.liveCount);
  }

  /** Ask the seeds for their views (SYNC push-pull); repeated every period whenever we know no live member. */
  join(nowMs: number, seedAddresses: readonly string[]): Outbound[] {
    if (seedAddresses.length > MembershipLimits.maxJoinSeeds) {
      throw new InvalidArgumentError(`swim join: ${seedAddresses.length} seeds, at most ${MembershipLimits.maxJoinSeeds}`);
    }
    for (const a of seedAddresses) checkAddress(a, 'seed');
    this.advance(nowMs);
    if (this.leaving) return [];
    this.seeds = seedAddresses.filter((a) => a !== this.address);
    this.nextJoinAtMs = this.seeds.length > 0 ? nowMs + this.config.protocolPeriodMs : Number.POSITIVE_INFINITY;
    return this.seeds.map((a) => this.sync(undefined, a, false));
  }

  /**
   * Graceful leave: we become LEFT (final for our incarnation) and tell up to k+1 random live
   * members; from now on tick() and receive() do nothing. Members that miss the notice find us
   * DEAD by probing instead.
   */
  leave(nowMs: number): Outbound[] {
    this.advance(nowMs);
    if (this.leaving) return [];
    this.setState(this.self, 'LEFT', 'left', nowMs);
    this.leaving = true;
    return this.randomLivePeers(this.config.indirectProbeCount + 1, undefined).map((m) => this.envelope(m.id, m.address, { type: 'GOSSIP' }));
  }

  /**
   * One protocol tick: the timeouts that are due (suspicions, forgetting, relays), then this
   * period's probing, dissemination, rejoin and push-pull, in that order.
   */
  tick(nowMs: number): Outbound[] {
    this.advance(nowMs);
    if (this.leaving) return [];
    const out: Outbound[] = [];
    this.creditStall(nowMs);
    this.expireSuspicions(nowMs);
    this.forgetDue(nowMs);
    this.expireRelays(nowMs, out);
    this.tickOnDemand(nowMs, out);
    this.indirectProbe(nowMs, out);
    const probeDue = this.probeRound(nowMs, out);
    this.unjudgedPing(nowMs, probeDue, out);
    this.rejoin(nowMs, out);
    this.pushPullRound(nowMs, out);
    return out;
  }

  /**
   * We were not ticking (stall) for more than a period: refutations may be waiting unread, so the
   * pause does not count against suspects (HeartbeatMonitor's stall guard does the same for DataNodes).
   */
  private creditStall(nowMs: number): void {
    const gapMs = nowMs - this.lastTickMs;
    this.lastTickMs = nowMs;
    if (gapMs <= this.config.protocolPeriodMs) return;
    for (const m of this.suspects) {
      m.suspectDeadlineMs += gapMs;
      m.suspicion!.startMs += gapMs;
    }
  }

  /** Suspects whose suspicion timed out become DEAD. */
  private expireSuspicions(nowMs: number): void {
    for (const m of this.suspects) {
      if (nowMs >= m.suspectDeadlineMs) this.setState(m, 'DEAD', 'suspicion-timeout', nowMs);
    }
  }

  /** DEAD and LEFT members whose time is up leave the table (`forgetting` is in deadline order). */
  private forgetDue(nowMs: number): void {
    for (const m of this.forgetting) {
      if (nowMs < m.forgetAtMs) break;
      this.forget(m);
    }
  }

  /** Relayed probes: the NACK when its time comes, then expiry. */
  private expireRelays(nowMs: number, out: Outbound[]): void {
    // Relays are in arrival order, and both deadlines are a constant offset from arrival.
    for (const [seq, r] of this.relays) {
      if (nowMs >= r.expiresAtMs) {
        this.relays.delete(seq);
        continue;
      }
      if (nowMs < r.nackAtMs) break;
      if (!r.nackSent) {
        // Lifeguard: tell the requester we are here and heard it, so it does not blame itself.
        r.nackSent = true;
        this.stats.nacksSent += 1;
        out.push(this.envelope(r.requester, r.requesterAddress, { type: 'ACK', seq: r.requesterSeq, target: r.target, nack: true }));
      }
    }
  }

  /** The probe's direct PING timed out unanswered: ask k random live members to ping the target. */
  private indirectProbe(nowMs: number, out: Outbound[]): void {
    const p = this.probe;
    if (!p || p.acked || p.indirectSent || nowMs < p.startMs + p.timeoutMs) return;
    p.indirectSent = true;
    for (const m of this.randomLivePeers(this.config.indirectProbeCount, p.target)) {
      this.stats.indirectProbes += 1;
      p.relays.push(m.id);
      out.push(this.envelope(m.id, m.address, { type: 'PING_REQ', seq: p.seq, target: p.target, targetAddress: p.targetAddress }));
    }
  }

  /**
   * At the end of a (health-stretched) protocol period: judge the probe (ACK: health improves; no
   * ACK: health worsens and the target is suspected, or its suspicion confirmed), start the next
   * probe and gossip to the fanout. Returns whether the period ended in this tick.
   */
  private probeRound(nowMs: number, out: Outbound[]): boolean {
    if (nowMs < this.nextProbeAtMs) return false;
    const p = this.probe;
    // Stall guard (as HeartbeatMonitor's): if this tick itself is later than the period end by
    // more than a ping timeout (GC, event-loop stall, SIGSTOP), the missing ACK may be ours to
    // blame — it can sit unread in our socket — so the probe proves nothing.
    const stalled = nowMs - this.nextProbeAtMs > this.config.pingTimeoutMs;
    if (stalled) this.stats.stalledProbes += 1;
    if (p && this.stats.healthScore > 0) this.stats.probesWhileDegraded += 1;
    if (p && p.acked) {
      this.changeHealth(-1);
    } else if (p && !stalled) {
      // Lifeguard (memberlist probeNode): each relay that neither relayed an ACK nor NACKed
      // suggests the fault is on our side (we do not hear them); with no relay to ask, any
      // failed probe counts once.
      this.changeHealth(p.relays.length > 0 ? p.relays.length - p.nacks.size : 1);
      const m = this.members.get(p.target);
      if (m && m.state === 'ALIVE') this.setState(m, 'SUSPECT', 'probe-failed', nowMs, this.id);
      else if (m && m.state === 'SUSPECT' && this.confirm(m, this.id)) this.queue.enqueue({ ...m.update(), by: this.id });
    }
    this.probe = undefined;
    // The next probe's period, stretched by our health score as it stands now.
    const periodMs = this.currentProtocolPeriodMs;
    this.nextProbeAtMs += periodMs;
    if (this.nextProbeAtMs <= nowMs) this.nextProbeAtMs = nowMs + periodMs; // we stalled
    this.startProbe(nowMs, out);
    if (this.config.gossipFanoutPerPeriod > 0 && this.queue.size > 0) {
      for (const m of this.randomLivePeers(this.config.gossipFanoutPerPeriod, undefined)) out.push(this.envelope(m.id, m.address, { type: 'GOSSIP' }));
    }
    return true;
  }

  /**
   * Dissemination on the unscaled period. Poor local health stretches our probing (fewer
   * judgments), not our share of dissemination: in each period our stretched probe skips, an
   * unjudged PING to a random member carries our news (a refutation first), and its ACK brings back
   * the other's (and tells us at once if we are suspected). memberlist gossips on its own, unscaled
   * timer; here dissemination rides on probes, and without this a cluster whose scores rise
   * (uniform heavy loss) spread refutations (s + 1)× slower: twice the false DEADs at N = 50, 20%
   * loss (docs/GOSSIP.md). Its ACK matches no probe or relay (fresh seq), so it is applied for its
   * piggyback only and judges nothing.
   */
  private unjudgedPing(nowMs: number, probeDue: boolean, out: Outbound[]): void {
    if (nowMs < this.nextUnjudgedPingAtMs) return;
    this.nextUnjudgedPingAtMs += this.config.protocolPeriodMs;
    if (this.nextUnjudgedPingAtMs <= nowMs) this.nextUnjudgedPingAtMs = nowMs + this.config.protocolPeriodMs;
    if (probeDue || this.stats.healthScore <= 0) return;
    const [peer] = this.randomLivePeers(1, undefined);
    if (!peer) return;
    this.stats.unjudgedPings += 1;
    out.push(this.envelope(peer.id, peer.address, { type: 'PING', seq: this.nextSeq(), target: peer.id }));
  }

  /**
   * Alone (the join went unanswered, or everyone was declared DEAD and forgotten during a
   * partition): ask the seeds again, once a period, until someone answers.
   */
  private rejoin(nowMs: number, out: Outbound[]): void {
    if (this.liveCount > 1 || this.seeds.length === 0 || nowMs < this.nextJoinAtMs) return;
    this.stats.joinRetries += 1;
    this.nextJoinAtMs = nowMs + this.config.protocolPeriodMs;
    for (const a of this.seeds) out.push(this.sync(undefined, a, false));
  }

  /** Anti-entropy: a full state exchange with one random live member every push-pull interval (sooner in a cascade). */
  private pushPullRound(nowMs: number, out: Outbound[]): void {
    if (nowMs < this.nextPushPullAtMs) return;
    this.nextPushPullAtMs = this.config.pushPullIntervalMs > 0 ? nowMs + this.config.pushPullIntervalMs : Number.POSITIVE_INFINITY;
    this.discoveredSincePushPull = 0;
    if (this.cascadeMisses !== undefined) {
      // Counted as useless until an answer says otherwise (a lost exchange is a miss too).
      this.cascadeMisses += 1;
      if (this.cascadeMisses < this.config.pushPullCascadeMisses) this.pushPullSoon(nowMs);
      else this.cascadeMisses = undefined;
    }
    const [peer] = this.randomLivePeers(1, undefined);
    if (peer) out.push(this.sync(peer.id, peer.address, false));
  }

  /**
   * A message arrived (the adapter vouches that it came from `message.from`). Throws
   * InvalidArgumentError for a malformed or oversized message and MembershipFullError when it
   * names more new members than the table has room for; nothing is applied in either case.
   */
  receive(nowMs: number, message: SwimMessage): Outbound[] {
    validateMessage(message);
    if (message.from === this.id) throw new InvalidArgumentError(`swim message claims to come from this member (${this.id})`);
    this.checkCapacity(message);
    this.advance(nowMs);
    if (this.leaving) return [];
    const out: Outbound[] = [];
    this.apply({ id: message.from, address: message.fromAddress, state: 'ALIVE', incarnation: message.fromIncarnation }, nowMs);
    const sender = this.members.get(message.from);
    if (sender) sender.lastHeardMs = nowMs;
    for (const u of message.updates) this.apply(u, nowMs);
    switch (message.type) {
      case 'PING':
        if (message.target === this.id) {
          out.push(this.envelope(message.from, message.fromAddress, { type: 'ACK', seq: message.seq, target: this.id }));
        }
        break;
      case 'PING_REQ': {
        if (message.target === this.id) {
          // Asked to probe ourselves (the requester has a stale view of who is where): answer.
          out.push(this.envelope(message.from, message.fromAddress, { type: 'ACK', seq: message.seq, target: this.id }));
          break;
        }
        if (this.relays.size >= MembershipLimits.maxPendingRelays) {
          this.stats.relaysDropped += 1;
          break;
        }
        const seq = this.nextSeq();
        this.relays.set(seq, {
          requester: message.from, requesterAddress: message.fromAddress, requesterSeq: message.seq,
          target: message.target, nackAtMs: nowMs + nackTimeoutMs(this.config), nackSent: false, expiresAtMs: nowMs + this.config.protocolPeriodMs,
        });
        out.push(this.envelope(message.target, message.targetAddress, { type: 'PING', seq, target: message.target }));
        break;
      }
      case 'ACK': {
        if (message.nack === true) {
          // A relay we asked could not reach the target: counted for our health, never an answer.
          const p = this.probe;
          if (p && message.seq === p.seq && message.target === p.target && p.relays.includes(message.from) && !p.nacks.has(message.from)) {
            p.nacks.add(message.from);
            this.stats.nacksReceived += 1;
          }
          break;
        }
        const d = this.onDemand.get(message.seq);
        if (d && message.target === d.target) {
          this.onDemand.delete(message.seq);
          const target = this.members.get(d.target);
          if (target) target.lastHeardMs = nowMs;
          this.pushProbeResult({ targetId: d.target, reachable: true, atMs: nowMs, rttMs: nowMs - d.startMs });
          break;
        }
        const p = this.probe;
        if (p && message.seq === p.seq && message.target === p.target) {
          p.acked = true;
          const target = this.members.get(p.target);
          if (target) target.lastHeardMs = nowMs;
          break;
        }
        const r = this.relays.get(message.seq);
        if (r && message.target === r.target && message.from === r.target) {
          this.relays.delete(message.seq);
          out.push(this.envelope(r.requester, r.requesterAddress, { type: 'ACK', seq: r.requesterSeq, target: r.target }));
        }
        break;
      }
      case 'SYNC': {
        const before = this.discoveredSincePushPull;
        for (const u of message.members) this.apply(u, nowMs, true);
        // The exchange taught us members we did not know: our view is still converging (a mass
        // join), so push-pull again next period instead of waiting for the interval (a cascade,
        // which tick() keeps going for pushPullCascadeMisses more exchanges after the last useful one).
        if (this.discoveredSincePushPull > before) this.startCascade(nowMs);
        if (!message.reply) out.push(this.sync(message.from, message.fromAddress, true));
        break;
      }
      case 'GOSSIP':
        break;
    }
    return out;
  }

  /**
   * Probe `targetId` now, outside the round-robin (the NameNode asks "can you hear it?"): a direct
   * PING, PING_REQ through k members after pingTimeoutMs, and the answer from drainProbeResults()
   * as soon as an ACK arrives, or `reachable: false` one protocol period after the start. It
   * changes no member state (only lastHeardMs on an ACK): the caller asked a question, our own
   * probing still decides suspicion. A target already being probed this way is not probed twice;
   * beyond MembershipLimits.maxOnDemandProbes in flight the request is dropped (stats.onDemandDropped).
   */
  probeNow(nowMs: number, targetId: string, targetAddress: string): Outbound[] {
    checkId(targetId, 'probe target');
    checkAddress(targetAddress, 'probe target');
    this.advance(nowMs);
    if (this.leaving) return [];
    if (targetId === this.id) {
      this.pushProbeResult({ targetId, reachable: true, atMs: nowMs, rttMs: 0 });
      return [];
    }
    for (const d of this.onDemand.values()) if (d.target === targetId) return [];
    if (this.onDemand.size >= MembershipLimits.maxOnDemandProbes) {
      this.stats.onDemandDropped += 1;
      return [];
    }
    const seq = this.nextSeq();
    this.onDemand.set(seq, { target: targetId, targetAddress, startMs: nowMs, indirectSent: false, restarted: false });
    this.stats.onDemandProbes += 1;
    return [this.envelope(targetId, targetAddress, { type: 'PING', seq, target: targetId })];
  }

  /** probeNow() answers since the last call, oldest first (at most MembershipLimits.maxOnDemandProbes). */
  drainProbeResults(): ProbeResult[] {
    const r = this.probeResults;
    this.probeResults = [];
    return r;
  }

  view(): MemberView[] {
    const out: MemberView[] = [];
    for (const m of this.members.values()) {
      out.push({ id: m.id, address: m.address, state: m.state, incarnation: m.incarnation, sinceMs: m.sinceMs, lastHeardMs: m.lastHeardMs });
    }
    return out;
  }

  /** State of one member as we see it, undefined if unknown (or forgotten). */
  stateOf(id: string): MemberState | undefined {
    return this.members.get(id)?.state;
  }

  /** Transitions since the last call, oldest first (at most MembershipLimits.maxBufferedTransitions). */
  drainTransitions(): MemberTransition[] {
    const t = this.transitions;
    this.transitions = [];
    return t;
  }

  // ---- internals ----

  private advance(nowMs: number): void {
    if (!(nowMs >= this.lastNowMs)) throw new RangeError(`swim time went backwards: ${this.lastNowMs} -> ${nowMs}`);
    this.lastNowMs = nowMs;
  }

  private pushProbeResult(r: ProbeResult): void {
    if (this.probeResults.length >= MembershipLimits.maxOnDemandProbes) this.probeResults.shift();
    this.probeResults.push(r);
  }

  private tickOnDemand(nowMs: number, out: Outbound[]): void {
    if (this.onDemand.size === 0) return;
    const period = this.config.protocolPeriodMs;
    for (const [seq, d] of this.onDemand) {
      const endMs = d.startMs + period;
      if (nowMs >= endMs) {
        this.onDemand.delete(seq);
        // Stall guard: we ticked too late to trust the silence; ask once more.
        if (!d.restarted && nowMs - endMs > this.config.pingTimeoutMs) {
          this.stats.stalledProbes += 1;
          const again = this.nextSeq();
          this.onDemand.set(again, { ...d, startMs: nowMs, indirectSent: false, restarted: true });
          out.push(this.envelope(d.target, d.targetAddress, { type: 'PING', seq: again, target: d.target }));
          continue;
        }
        this.pushProbeResult({ targetId: d.target, reachable: false, atMs: nowMs });
      } else if (!d.indirectSent && nowMs >= d.startMs + this.config.pingTimeoutMs) {
        d.indirectSent = true;
        for (const m of this.randomLivePeers(this.config.indirectProbeCount, d.target)) {
          this.stats.indirectProbes += 1;
          out.push(this.envelope(m.id, m.address, { type: 'PING_REQ', seq, target: d.target, targetAddress: d.targetAddress }));
        }
      }
    }
  }

  private randomInt(n: number): number {
    return Math.min(n - 1, Math.floor(this.rng.next() * n));
  }

  private nextSeq(): number {
    this.seq = this.seq >= MembershipLimits.maxIncarnation ? 1 : this.seq + 1;
    return this.seq;
  }

  private checkCapacity(message: SwimMessage): void {
    let fresh: Set<string> | undefined;
    const consider = (id: string, state: MemberState) => {
      if (state === 'ALIVE' && id !== this.id && !this.members.has(id)) (fresh ??= new Set()).add(id);
    };
    consider(message.from, 'ALIVE');
    for (const u of message.updates) consider(u.id, u.state);
    if (message.type === 'SYNC') for (const u of message.members) consider(u.id, u.state);
    if (fresh && this.members.size + fresh.size > this.config.maxMembers) {
      throw new MembershipFullError(
        `swim: message from ${message.from} names ${fresh.size} new members; ${this.members.size} of ${this.config.maxMembers} tracked`,
      );
    }
  }

  /** Learned members we did not know: push-pull next period, and on after it (pushPullCascadeMisses). */
  private startCascade(nowMs: number): void {
    this.cascadeMisses = 0;
    this.pushPullSoon(nowMs);
  }

  /** Push-pull at the next period at the latest (at most one exchange we start per period). */
  private pushPullSoon(nowMs: number): void {
    this.nextPushPullAtMs = Math.min(this.nextPushPullAtMs, nowMs + this.config.protocolPeriodMs);
  }

  private startProbe(nowMs: number, out: Outbound[]): void {
    const target = this.nextProbeTarget();
    if (!target) return;
    const seq = this.nextSeq();
    this.probe = {
      target: target.id, targetAddress: target.address, seq, startMs: nowMs, timeoutMs: this.config.pingTimeoutMs * (this.stats.healthScore + 1),
      acked: false, indirectSent: false, relays: [], nacks: new Set(),
    };
    this.stats.probes += 1;
    out.push(this.envelope(target.id, target.address, { type: 'PING', seq, target: target.id }));
  }

  /** SWIM's round-robin over a shuffled list: every live member is probed once per pass. */
  private nextProbeTarget(): Member | undefined {
    for (let pass = 0; pass < 2; pass++) {
      while (this.probeIndex < this.probeOrder.length) {
        const m = this.members.get(this.probeOrder[this.probeIndex++]);
        if (m && m !== this.self && m.live) return m;
      }
      const order: string[] = [];
      for (const m of this.members.values()) if (m !== this.self && m.live) order.push(m.id);
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.randomInt(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      this.probeOrder = order;
      this.probeIndex = 0;
      if (order.length === 0) return undefined;
    }
    return undefined;
  }

  /** A new or returning member goes to a random place in the rest of this pass (SWIM §4.3). */
  private addToProbeOrder(id: string): void {
    const order = this.probeOrder;
    if (order.length - this.probeIndex > 2 * this.members.size) {
      // Flapping members were re-added many times this pass: end it; the next one is rebuilt.
      this.probeIndex = order.length;
      return;
    }
    order.push(id);
    const j = this.probeIndex + this.randomInt(order.length - this.probeIndex);
    [order[order.length - 1], order[j]] = [order[j], order[order.length - 1]];
  }

  /** Up to `count` distinct ALIVE members other than self and `exclude`, drawn at random. */
  private randomLivePeers(count: number, exclude: string | undefined): Member[] {
    const chosen: Member[] = [];
    const order = this.probeOrder;
    if (count <= 0 || order.length === 0) return chosen;
    for (let tries = 0; tries < 4 * count + 8 && chosen.length < count; tries++) {
      const m = this.members.get(order[this.randomInt(order.length)]);
      if (m && m !== this.self && m.state === 'ALIVE' && m.id !== exclude && !chosen.includes(m)) chosen.push(m);
    }
    return chosen;
  }

  private sync(toId: string | undefined, toAddress: string, reply: boolean): Outbound {
    return this.envelope(toId, toAddress, { type: 'SYNC', reply, members: this.snapshot(MembershipLimits.maxSyncEntriesPerMessage) });
  }

  /** Our view as updates, self first; a random subset when larger than `max`. */
  private snapshot(max: number): MemberUpdate[] {
    const all = [...this.members.values()];
    const n = Math.min(max, all.length);
    const selfAt = all.indexOf(this.self);
    [all[0], all[selfAt]] = [all[selfAt], all[0]];
    if (all.length > n) {
      for (let i = 1; i < n; i++) {
        const j = i + this.randomInt(all.length - i);
        [all[i], all[j]] = [all[j], all[i]];
      }
    }
    const out: MemberUpdate[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = all[i].update();
    return out;
  }

  /**
   * Header and piggyback for a message to `toId`: first what we hold against the recipient (so it
   * can refute), then our own pending update (a refutation is urgent), then the least-sent rest.
   */
  private envelope(toId: string | undefined, toAddress: string, body: MessageBody): Outbound {
    const max = this.config.maxUpdatesPerMessage;
    const limit = retransmitLimit(this.config, this.liveCount);
    const updates: MemberUpdate[] = [];
    const recipient = toId === undefined ? undefined : this.members.get(toId);
    if (recipient && recipient.state !== 'ALIVE') updates.push(recipient.update());
    const own = this.queue.peek(this.id);
    if (own && updates.length < max) {
      updates.push(own);
      this.queue.takeOne(this.id, limit);
    }
    if (updates.length < max) updates.push(...this.queue.take(max - updates.length, limit, toId));
    const message = { ...body, from: this.id, fromAddress: this.address, fromIncarnation: this.self.incarnation, updates } as SwimMessage;
    return { toId, toAddress, message };
  }

  /**
   * Apply one fact. `viaSync`: it came in a push-pull view, whose sender already knew it, so a
   * member merely discovered that way is not gossiped again (after a join, re-gossiping the whole
   * view would bury real news under N stale entries); state changes are gossiped as usual.
   */
  private apply(u: MemberUpdate, nowMs: number, viaSync = false): void {
    if (u.id === this.id) {
      this.applyAboutSelf(u, nowMs);
      return;
    }
    const m = this.members.get(u.id);
    if (u.state === 'ALIVE') {
      if (!m) {
        const fresh = new Member(u.id, u.address, u.incarnation, nowMs);
        this.members.set(u.id, fresh);
        this.liveCount += 1;
        this.addToProbeOrder(u.id);
        if (!viaSync) this.queue.enqueue(fresh.update());
        this.record(fresh, 'NEW', 'discovered', nowMs);
        // More news than one message carries: a burst (mass join) that gossip alone would take
        // N / maxUpdatesPerMessage periods to spread; full views converge in O(log N) exchanges.
        if (++this.discoveredSincePushPull >= this.config.maxUpdatesPerMessage) this.startCascade(nowMs);
        return;
      }
      if (u.incarnation <= m.incarnation) return;
      m.incarnation = u.incarnation;
      m.address = u.address;
      if (m.state === 'ALIVE') this.queue.enqueue(m.update());
      else this.setState(m, 'ALIVE', m.state === 'SUSPECT' ? 'refuted' : 'rejoined', nowMs);
      return;
    }
    if (!m || !m.live || u.incarnation < m.incarnation) return;
    if (u.state === 'SUSPECT') {
      if (m.state === 'SUSPECT') {
        if (u.incarnation > m.incarnation) {
          m.incarnation = u.incarnation;
          this.queue.enqueue(m.update());
        } else if (this.confirm(m, u.by!)) {
          this.queue.enqueue(u); // pass the confirmation on: others' timers shrink too
        }
        return;
      }
      m.incarnation = u.incarnation;
      this.setState(m, 'SUSPECT', 'suspected-by-peer', nowMs, u.by);
      return;
    }
    m.incarnation = u.incarnation;
    this.setState(m, u.state, u.state === 'LEFT' ? 'left' : 'declared-dead-by-peer', nowMs);
  }

  private applyAboutSelf(u: MemberUpdate, nowMs: number): void {
    if (this.leaving) return;
    if (u.state === 'ALIVE' ? u.incarnation <= this.self.incarnation : u.incarnation < this.self.incarnation) return;
    // Suspected / declared dead / said to have left at our incarnation, or someone has a newer
    // ALIVE of ours (we restarted with an older one): refute above it.
    if (u.incarnation + 1 > MembershipLimits.maxIncarnation) throw new InvalidArgumentError(`swim incarnation overflow for ${this.id}`);
    this.self.incarnation = u.incarnation + 1;
    this.stats.refutations += 1;
    this.changeHealth(1); // Lifeguard: being suspected hints that others do not hear us well
    this.queue.enqueue(this.self.update());
    this.record(this.self, 'ALIVE', 'refuting-self', nowMs);
  }

  /** Lifeguard: move the health score by `delta`, within 0 .. awarenessMaxMultiplier − 1. */
  private changeHealth(delta: number): void {
    const max = this.config.awarenessMaxMultiplier - 1;
    this.stats.healthScore = Math.min(max, Math.max(0, this.stats.healthScore + delta));
  }

  /** An independent member also suspects `m`: true if it counted (new, not the raiser, room left). */
  private confirm(m: Member, by: string): boolean {
    const s = m.suspicion;
    if (!s || by === s.by || s.confirmations.size >= s.wanted || s.confirmations.has(by)) return false;
    s.confirmations.add(by);
    m.suspectDeadlineMs = s.startMs + confirmedSuspicionTimeoutMs(s.minMs, s.maxMs, s.wanted, s.confirmations.size);
    return true;
  }

  private setState(m: Member, to: MemberState, reason: TransitionReason, nowMs: number, suspectedBy?: string): void {
    const from = m.state;
    if (!ALLOWED[from].has(to)) throw new Error(`impossible swim transition ${from} -> ${to} for ${m.id} (${reason})`);
    const wasLive = m.live;
    m.state = to;
    m.sinceMs = nowMs;
    if (to === 'SUSPECT') {
      const n = this.liveCount;
      const s: Suspicion = {
        by: suspectedBy ?? this.id, startMs: nowMs, minMs: suspicionTimeoutMs(this.config, n), maxMs: suspicionMaxTimeoutMs(this.config, n),
        wanted: suspicionConfirmationsWanted(this.config, n), confirmations: new Set(),
      };
      m.suspicion = s;
      m.suspectDeadlineMs = nowMs + confirmedSuspicionTimeoutMs(s.minMs, s.maxMs, s.wanted, s.confirmations.size);
      this.suspects.add(m);
    } else {
      m.suspicion = undefined;
      this.suspects.delete(m);
    }
    if (wasLive && !m.live) {
      this.liveCount -= 1;
      m.forgetAtMs = nowMs + this.config.deadRetentionMs;
      this.forgetting.add(m);
    } else if (!wasLive && m.live) {
      this.liveCount += 1;
      this.forgetting.delete(m);
      this.addToProbeOrder(m.id);
    }
    this.queue.enqueue(m.update());
    this.record(m, from, reason, nowMs);
  }

  private forget(m: Member): void {
    this.forgetting.delete(m);
    this.members.delete(m.id);
    this.queue.remove(m.id);
  }

  private record(m: Member, from: MemberState | 'NEW', reason: TransitionReason, nowMs: number): void {
    if (this.transitions.length >= MembershipLimits.maxBufferedTransitions) {
      this.transitions.shift();
      this.stats.transitionsDropped += 1;
    }
    this.transitions.push({
      memberId: m.id, from, to: m.state, incarnation: m.incarnation, reason, atMs: nowMs,
      msSinceLastHeard: m.lastHeardMs === undefined ? undefined : Math.max(0, Math.round(nowMs - m.lastHeardMs)),
    });
  }
}
