/**
 * MembershipAgent: runs this DataNode's SwimMember (@minidfs/membership, a pure core) over gRPC
 * (docs/GOSSIP.md). The core decides; this adapter does: one timer ticks it every
 * protocolPeriodMs / 10 with the clock's time, every Outbound it returns goes out as a unary
 * Membership.Deliver (fire-and-forget: short deadline, failures counted, never thrown; replies
 * come back as separate Delivers), and every inbound envelope is checked (MAC, decoding, limits)
 * before the core sees it. The Membership service is served on the DataNode's data-transfer port,
 * so a node's membership address is `advertiseHost:dataPort`.
 *
 * Each envelope carries the protobuf bytes of one SwimMessage and, on a secured cluster, an
 * HMAC-SHA256 of them under the membership key derived from the cluster secret: a missing or bad
 * MAC is refused UNAUTHENTICATED and nothing is applied. The MAC proves "sent by a holder of the
 * secret", not which node, and does not stop replays (docs/SECURITY.md).
 *
 * Every transition the core reports is logged as one JSON line (event `member-transition`). The
 * NameNode's ProbePeers questions go to the core's probeNow(); the answers wait (bounded) for the
 * heartbeat link, which is nudged to send them promptly. Gossip does not depend on the NameNode:
 * it runs from start() whether or not the heartbeat link is up.
 *
 * Invariants: peer clients ≤ MAX_MEMBERSHIP_CLIENTS (least recently used closed first); Delivers in
 * flight ≤ MAX_IN_FLIGHT_DELIVERIES (more are dropped and counted); probes in flight are the core's
 * (≤ MembershipLimits.maxOnDemandProbes) and answers waiting ≤ MAX_QUEUED_PROBE_RESULTS (oldest
 * dropped, counted); seeds ≤ MembershipLimits.maxJoinSeeds.
 */
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS, type Clock, DfsError, InvalidArgumentError, Limits, type Logger, SystemClock, loadProtos, toGrpcError,
} from '@minidfs/common';
import {
  MembershipLimits, type MemberView, type Outbound, type ProbeResult, type RandomSource, SwimMember, type SwimConfig, suspicionMaxTimeoutMs,
} from '@minidfs/membership';
import { ClientCache } from './client-cache';
import {
  type MembershipClient, type MembershipHandlers, type MembershipViewOut, type PeerProbeResultOut, checkMembershipMac, decodeSwimMessage,
  encodeSwimMessage, membershipMac, membershipViewOut, peerProbeResultOut,
} from './membership-wire';

/** Peer Membership clients kept open at once; the least recently used one is closed beyond this. */
export const MAX_MEMBERSHIP_CLIENTS = 256;
/** Deliver calls in flight at once; more outbound messages are dropped and counted (SWIM tolerates loss). */
export const MAX_IN_FLIGHT_DELIVERIES = 1024;
/** Probe answers waiting for a heartbeat (the NameNode link may be down); the oldest is dropped beyond this. */
export const MAX_QUEUED_PROBE_RESULTS = Limits.maxPendingPeerProbes;
/** Seeds from configuration (--peer); the NameNode's (≤ Limits.maxMembershipSeeds) fill the core's join limit up. */
export const MAX_CONFIGURED_SEEDS = MembershipLimits.maxJoinSeeds - Limits.maxMembershipSeeds;
/** Ticks per protocol period (docs/GOSSIP.md: the core's timers fire at the first tick after their deadline). */
export const TICKS_PER_PERIOD = 10;

export interface MembershipAgentOptions {
  /** This node's id (the DataNode id). */
  id: string;
  /** host:port others reach our Membership service at (advertiseHost:dataPort). */
  address: string;
  config: SwimConfig;
  /** Membership MAC key (ClusterKeys.membership); undefined = an open cluster (no MAC sent or checked). */
  key: Buffer | undefined;
  logger: Logger;
  /** Towards peers (TLS like the data path); default plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** Seeds given on the command line (--peer), host:port. */
  seeds?: readonly string[];
  /** Default: SystemClock (monotonic). */
  clock?: Clock;
  /** Default: Math.random. */
  random?: RandomSource;
  /** Called when probe answers are ready for the heartbeat link (it may send a beat early). */
  onProbeResults?: () => void;
  maxClients?: number;
}

export interface MembershipCounters {
  /** Envelopes accepted and handed to the core. */
  received: number;
  refusedUnauthenticated: number;
  refusedInvalid: number;
  refusedFull: number;
  /** Deliver calls started / failed (peer down, deadline, refused) / not started (in-flight limit). */
  sent: number;
  sendFailures: number;
  sendsDropped: number;
  clientsEvicted: number;
  probesRequested: number;
  /** Beyond the core's in-flight limit (MembershipLimits.maxOnDemandProbes = Limits.maxPendingPeerProbes), or a malformed target. */
  probesDropped: number;
  probeResultsDropped: number;
  /** Transitions logged. */
  transitions: number;
}

/** One target of the NameNode's ProbePeers command. */
export interface ProbeTarget {
  nodeId: string;
  membershipAddress: string;
}

export class MembershipAgent {
  readonly member: SwimMember;
  readonly counters: MembershipCounters = {
    received: 0, refusedUnauthenticated: 0, refusedInvalid: 0, refusedFull: 0, sent: 0, sendFailures: 0, sendsDropped: 0, clientsEvicted: 0,
    probesRequested: 0, probesDropped: 0, probeResultsDropped: 0, transitions: 0,
  };
  private readonly clock: Clock;
  private readonly clients: ClientCache<MembershipClient>;
  private readonly configuredSeeds: string[];
  private registrationSeeds: string[] = [];
  private joinedSeeds = '';
  private ticker: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private stopped = false;
  private started = false;
  private readonly probeResults: ProbeResult[] = [];
  private lastRefusalLogMs = Number.NEGATIVE_INFINITY;
  private readonly serviceHandlers: MembershipHandlers;

  constructor(private readonly options: MembershipAgentOptions) {
    this.clock = options.clock ?? new SystemClock();
    const credentials = options.credentials ?? grpc.credentials.createInsecure();
    this.clients = new ClientCache(options.maxClients ?? MAX_MEMBERSHIP_CLIENTS,
      (address) => new (loadProtos().Membership)(address, credentials, CHANNEL_OPTIONS), () => { this.counters.clientsEvicted += 1; });
    this.configuredSeeds = dedupe(options.seeds ?? []);
    if (this.configuredSeeds.length > MAX_CONFIGURED_SEEDS) {
      throw new InvalidArgumentError(`${this.configuredSeeds.length} gossip seeds configured, at most ${MAX_CONFIGURED_SEEDS}`);
    }
    this.member = new SwimMember({
      id: options.id, address: options.address, config: options.config, random: options.random ?? { next: Math.random }, nowMs: this.clock.nowMs(),
    });
    this.serviceHandlers = this.makeHandlers();
  }

  get id(): string {
    return this.member.id;
  }

  get address(): string {
    return this.member.address;
  }

  /** Probe answers waiting for a heartbeat. */
  get pendingProbeResults(): number {
    return this.probeResults.length;
  }

  /** Starts ticking and joins through the configured seeds (if any). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const everyMs = Math.max(1, Math.floor(this.member.config.protocolPeriodMs / TICKS_PER_PERIOD));
    this.ticker = setInterval(() => this.tick(), everyMs);
    this.rejoin();
    this.options.logger.info('membership started', {
      event: 'membership-started', address: this.address, protocolPeriodMs: this.member.config.protocolPeriodMs, seeds: this.seeds(),
      authentication: this.options.key ? 'cluster-secret' : 'none',
    });
  }

  /**
   * Seeds from a RegisterResponse (membership_seeds). Joins through the seeds (configured ones
   * first) when they changed or when we know no live member; the core itself retries them every
   * period while it is alone.
   */
  addRegistrationSeeds(seeds: readonly string[]): void {
    this.registrationSeeds = dedupe(seeds).slice(0, Limits.maxMembershipSeeds);
    this.rejoin();
  }

  /** The GetMembership view at this moment. */
  snapshot(): MembershipViewOut {
    const m = this.member;
    return membershipViewOut({
      selfId: m.id, selfAddress: m.address, selfIncarnation: m.incarnation, view: m.view(), nowMs: this.clock.nowMs(),
      protocolPeriodMs: m.config.protocolPeriodMs, suspicionTimeoutMinMs: m.suspicionTimeoutMs,
      suspicionTimeoutMaxMs: suspicionMaxTimeoutMs(m.config, m.liveMembers),
    });
  }

  /** The gRPC handlers (served on the DataNode's data-transfer server). */
  handlers(): MembershipHandlers {
    return this.serviceHandlers;
  }

  private makeHandlers(): MembershipHandlers {
    return {
      Deliver: (call, callback) => {
        try {
          this.accept(call.request.message, call.request.mac);
          callback(null, {});
        } catch (err) {
          this.refused(err);
          callback(toGrpcError(err));
        }
      },
      GetMembership: (_call, callback) => {
        callback(null, this.snapshot());
      },
    };
  }

  /**
   * One inbound envelope: MAC, decode, hand to the core (which validates shape and limits before
   * applying anything), ship its answers. Throws UnauthenticatedError, InvalidArgumentError or
   * MembershipFullError (RESOURCE_EXHAUSTED).
   */
  accept(bytes: Uint8Array, mac: Uint8Array | undefined): void {
    if (this.stopped) throw new DfsError('UNAVAILABLE', 'membership stopped');
    checkMembershipMac(this.options.key, bytes, mac);
    const message = decodeSwimMessage(bytes);
    const out = this.member.receive(this.clock.nowMs(), message);
    this.counters.received += 1;
    this.ship(out);
    this.drain();
  }

  /**
   * The NameNode's ProbePeers targets: each is probed now (direct, then indirect; answered within
   * one protocol period). The core keeps the probes in flight: one per target (a repeated target
   * shares its answer) and at most MembershipLimits.maxOnDemandProbes; beyond that, or for a
   * malformed target, the request is dropped (counted).
   */
  requestProbes(targets: readonly ProbeTarget[]): void {
    if (this.stopped) return;
    const now = this.clock.nowMs();
    for (const t of targets) {
      this.counters.probesRequested += 1;
      const droppedBefore = this.member.stats.onDemandDropped;
      try {
        this.ship(this.member.probeNow(now, t.nodeId, t.membershipAddress));
      } catch (err) {
        this.counters.probesDropped += 1;
        this.options.logger.warn('peer probe target refused', { event: 'peer-probe-refused', target: t.nodeId, error: (err as Error).message });
        continue;
      }
      if (this.member.stats.onDemandDropped > droppedBefore) this.counters.probesDropped += 1;
    }
    this.drain();
  }

  /**
   * Up to `max` probe answers for a heartbeat, oldest first, each with what our view says about
   * the target now (state, time since we last heard it).
   */
  takeProbeResults(max: number): PeerProbeResultOut[] {
    if (this.probeResults.length === 0 || max <= 0) return [];
    const taken = this.probeResults.splice(0, max);
    const byId = new Map<string, MemberView>();
    for (const v of this.member.view()) byId.set(v.id, v);
    const now = this.clock.nowMs();
    return taken.map((r) => peerProbeResultOut({ targetId: r.targetId, reachable: r.reachable, view: byId.get(r.targetId), nowMs: now }));
  }

  /** Advance the core to now: timers, then what it wants sent and logged. */
  tick(): void {
    if (this.stopped) return;
    this.ship(this.member.tick(this.clock.nowMs()));
    this.drain();
  }

  /**
   * Clean stop: with `leave`, tell a few members we are LEFT and wait (≤ timeoutMs) for those
   * Delivers to finish; then stop ticking and close every client.
   */
  async stop(leave = true, timeoutMs = 1000): Promise<void> {
    if (this.stopped) return;
    if (leave && this.started) {
      this.ship(this.member.leave(this.clock.nowMs()));
      this.drain();
      const deadline = Date.now() + timeoutMs;
      while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    }
    this.stopped = true;
    clearInterval(this.ticker);
    this.clients.closeAll();
    this.options.logger.info('membership stopped', { event: 'membership-stopped', left: leave, ...this.counters });
  }

  // ---- internals ----

  private seeds(): string[] {
    return dedupe([...this.configuredSeeds, ...this.registrationSeeds]).filter((a) => a !== this.address).slice(0, MembershipLimits.maxJoinSeeds);
  }

  private rejoin(): void {
    if (!this.started || this.stopped) return;
    const seeds = this.seeds();
    const key = seeds.join(',');
    if (seeds.length === 0 || (key === this.joinedSeeds && this.member.liveMembers > 1)) return;
    this.joinedSeeds = key;
    this.ship(this.member.join(this.clock.nowMs(), seeds));
    this.drain();
  }

  private ship(outs: readonly Outbound[]): void {
    for (const o of outs) {
      if (this.inFlight >= MAX_IN_FLIGHT_DELIVERIES) {
        this.counters.sendsDropped += 1;
        continue;
      }
      const message = encodeSwimMessage(o.message);
      const envelope = { message, mac: membershipMac(this.options.key, message) };
      this.inFlight += 1;
      this.counters.sent += 1;
      // A deadline of one period: answers travel as separate Delivers, so this call only has to land.
      const deadline = Date.now() + this.member.config.protocolPeriodMs;
      this.clients.get(o.toAddress).Deliver(envelope, { deadline }, (err) => {
        this.inFlight -= 1;
        if (err) this.counters.sendFailures += 1;
      });
    }
  }

  /** Log transitions; collect probe answers. */
  private drain(): void {
    const { logger } = this.options;
    for (const t of this.member.drainTransitions()) {
      this.counters.transitions += 1;
      logger.info('member transition', {
        event: 'member-transition', observer: this.id, memberId: t.memberId, from: t.from, to: t.to, incarnation: t.incarnation,
        reason: t.reason, msSinceLastHeard: t.msSinceLastHeard ?? null,
      });
    }
    let fresh = false;
    for (const r of this.member.drainProbeResults()) {
      if (this.probeResults.length >= MAX_QUEUED_PROBE_RESULTS) {
        this.probeResults.shift();
        this.counters.probeResultsDropped += 1;
      }
      this.probeResults.push(r);
      fresh = true;
    }
    if (fresh) this.options.onProbeResults?.();
  }

  private refused(err: unknown): void {
    const code = err instanceof DfsError ? err.code : 'INTERNAL';
    if (code === 'UNAUTHENTICATED') this.counters.refusedUnauthenticated += 1;
    else if (code === 'RESOURCE_EXHAUSTED') this.counters.refusedFull += 1;
    else this.counters.refusedInvalid += 1;
    // At most one line per protocol period: a flood of bad envelopes must not flood the log.
    const now = this.clock.nowMs();
    if (now - this.lastRefusalLogMs < this.member.config.protocolPeriodMs) return;
    this.lastRefusalLogMs = now;
    this.options.logger.warn('swim envelope refused', {
      event: 'membership-refused', code, error: err instanceof Error ? err.message : String(err),
      refusedUnauthenticated: this.counters.refusedUnauthenticated, refusedInvalid: this.counters.refusedInvalid, refusedFull: this.counters.refusedFull,
    });
  }

}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim()).filter((s) => s.length > 0))];
}
