/**
 * SimNetwork: an in-memory, virtual-time network for SwimMembers (memberlist's MockTransport,
 * with faults). Time moves in 1 ms steps only when run() is called; each message is lost with
 * `lossRate` or delivered after its link's fixed delay (1..maxLinkDelayMs, a hash of the pair
 * and the seed) plus 0–1 ms jitter; a link filter models partitions, crash() silences a member.
 * Members tick every tickEveryMs at a random phase. Everything is drawn from the injected
 * RandomSource in a fixed order, so a seed replays a run exactly. Used by the unit tests; the
 * simulator can drive the same members through it.
 */
import type { Outbound, SwimMessage } from './messages';
import type { MemberTransition, RandomSource, SwimMember } from './swim-member';

export interface SimNetworkOptions {
  random: RandomSource;
  /** Probability that any one message is lost. Default 0. */
  lossRate?: number;
  /** Largest per-link one-way delay, ms. Default 8. */
  maxLinkDelayMs?: number;
  /** Each member's tick() cadence, ms. Default 10 (a tenth of fastSwimConfig's period). */
  tickEveryMs?: number;
}

interface Node {
  member: SwimMember;
  index: number;
  up: boolean;
}

interface Delivery {
  to: Node;
  message: SwimMessage;
}

export interface SimNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  filtered: number;
  /** Largest piggyback (updates) and SYNC (members) seen in any message. */
  maxUpdatesInMessage: number;
  maxSyncEntriesInMessage: number;
  /** Most messages in flight at once. */
  maxInFlight: number;
}

export class SimNetwork {
  nowMs = 0;
  lossRate: number;
  /** Return false to drop a message from `fromId` to `toId` (partitions, muted nodes). */
  linkFilter: ((fromId: string, toId: string) => boolean) | undefined = undefined;
  /** Called for every transition any member reports. */
  onTransition: ((observerId: string, t: MemberTransition) => void) | undefined = undefined;
  readonly stats: SimNetworkStats = { sent: 0, delivered: 0, lost: 0, filtered: 0, maxUpdatesInMessage: 0, maxSyncEntriesInMessage: 0, maxInFlight: 0 };
  private readonly rng: RandomSource;
  private readonly maxLinkDelayMs: number;
  private readonly tickEveryMs: number;
  private readonly salt: number;
  private readonly byAddress = new Map<string, Node>();
  private readonly byId = new Map<string, Node>();
  /** Members by tick phase: phases[t % tickEveryMs] tick at time t. */
  private readonly phases: Node[][];
  /** Calendar queue: deliveries by arrival ms. */
  private readonly agenda = new Map<number, Delivery[]>();
  private inFlight = 0;

  constructor(o: SimNetworkOptions) {
    this.rng = o.random;
    this.lossRate = o.lossRate ?? 0;
    this.maxLinkDelayMs = o.maxLinkDelayMs ?? 8;
    this.tickEveryMs = o.tickEveryMs ?? 10;
    this.salt = Math.floor(this.rng.next() * 0x7fffffff);
    this.phases = Array.from({ length: this.tickEveryMs }, () => []);
  }

  get members(): SwimMember[] {
    return [...this.byId.values()].map((n) => n.member);
  }

  member(id: string): SwimMember {
    const n = this.byId.get(id);
    if (!n) throw new Error(`no member ${id}`);
    return n.member;
  }

  isUp(id: string): boolean {
    return this.byId.get(id)?.up ?? false;
  }

  add(member: SwimMember): void {
    const node: Node = { member, index: this.byId.size, up: true };
    this.byId.set(member.id, node);
    this.byAddress.set(member.address, node);
    this.phases[Math.floor(this.rng.next() * this.tickEveryMs)].push(node);
  }

  /**
   * Every member learns every other one at once (a SYNC listing all, as after a finished
   * bootstrap): a converged cluster without paying for the join phase in each test.
   */
  introduceAll(): void {
    const nodes = [...this.byId.values()];
    const members = nodes.map((n) => ({ id: n.member.id, address: n.member.address, state: 'ALIVE' as const, incarnation: n.member.incarnation }));
    for (let i = 0; i < nodes.length; i++) {
      const from = nodes[(i + 1) % nodes.length].member;
      if (from === nodes[i].member) continue;
      const message: SwimMessage = {
        type: 'SYNC', reply: true, members, from: from.id, fromAddress: from.address, fromIncarnation: from.incarnation, updates: [],
      };
      this.send(nodes[i].member.id, nodes[i].member.receive(this.nowMs, message));
    }
  }

  /** The member stops: it neither ticks nor receives, and what is in flight to it is lost. */
  crash(id: string): void {
    const n = this.byId.get(id);
    if (n) n.up = false;
  }

  /** Ship what `fromId` returned from tick/receive/join/leave. */
  send(fromId: string, outs: readonly Outbound[]): void {
    const from = this.byId.get(fromId);
    if (!from) throw new Error(`no member ${fromId}`);
    this.drain(from);
    for (const o of outs) {
      this.stats.sent += 1;
      const m = o.message;
      this.stats.maxUpdatesInMessage = Math.max(this.stats.maxUpdatesInMessage, m.updates.length);
      if (m.type === 'SYNC') this.stats.maxSyncEntriesInMessage = Math.max(this.stats.maxSyncEntriesInMessage, m.members.length);
      const to = this.byAddress.get(o.toAddress);
      if (!to) continue;
      if (this.rng.next() < this.lossRate) {
        this.stats.lost += 1;
        continue;
      }
      if (this.linkFilter && !this.linkFilter(fromId, to.member.id)) {
        this.stats.filtered += 1;
        continue;
      }
      const at = this.nowMs + this.linkDelayMs(from.index, to.index) + Math.floor(this.rng.next() * 2);
      let slot = this.agenda.get(at);
      if (!slot) this.agenda.set(at, (slot = []));
      slot.push({ to, message: m });
      this.inFlight += 1;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    }
  }

  /**
   * Advance virtual time to `untilMs`, 1 ms at a time (deliveries first, then the ticks due).
   * `stop`, checked every tickEveryMs, ends the run early; returns whether it did.
   */
  run(untilMs: number, stop?: () => boolean): boolean {
    while (this.nowMs < untilMs) {
      this.nowMs += 1;
      const now = this.nowMs;
      const due = this.agenda.get(now);
      if (due) {
        this.agenda.delete(now);
        this.inFlight -= due.length;
        for (const d of due) {
          if (!d.to.up) continue;
          this.stats.delivered += 1;
          this.send(d.to.member.id, d.to.member.receive(now, d.message));
        }
      }
      const phase = now % this.tickEveryMs;
      for (const n of this.phases[phase]) {
        if (n.up) this.send(n.member.id, n.member.tick(now));
      }
      if (stop && phase === 0 && stop()) return true;
    }
    return false;
  }

  private linkDelayMs(a: number, b: number): number {
    let h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77) ^ this.salt;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 12;
    return 1 + ((h >>> 0) % this.maxLinkDelayMs);
  }

  private drain(n: Node): void {
    const ts = n.member.drainTransitions();
    if (this.onTransition) for (const t of ts) this.onTransition(n.member.id, t);
  }
}
