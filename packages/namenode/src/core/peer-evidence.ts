/**
 * PeerEvidence: the NameNode's second opinion before it declares a DataNode DEAD
 * (docs/PEER-EVIDENCE.md). Pure: time comes in as `nowMs`, randomness as an injected `random`,
 * probe requests go out as return values; no sockets, timers or Date.now().
 *
 * When the NameNode stops hearing a gossip-enabled node (it goes STALE), it asks up to
 * `peerProbeFanout` LIVE gossip-enabled DataNodes on distinct hosts to SWIM-probe it, and asks
 * again every `peerProbeIntervalMs` while the node stays STALE or UNREACHABLE_FROM_NAMENODE. Their
 * answers arrive on their heartbeats and are recorded with the NameNode's receive time. The rule
 * (`verdict()`), applied by HeartbeatMonitor at the moment it would declare the node DEAD and on
 * every re-check while UNREACHABLE: the node is vouched for when at least `minPeerReporters`
 * reporters on distinct hosts (none on the target's own host), each currently LIVE or STALE to the
 * NameNode, said `reachable` in their latest answer, received after the NameNode last heard the
 * node and no older than `peerEvidenceMaxAgeMs`. Ceph's equivalent: mon_osd_min_down_reporters = 2
 * with mon_osd_reporter_subtree_level = host (there to confirm a failure; here to refute one).
 *
 * Invariants: only answers to questions we asked are recorded (a reporter cannot vouch unasked);
 * every table is bounded (PeerEvidenceLimits); one answer per (target, reporter) is kept, the latest.
 */
import { InvalidArgumentError, Limits, type LivenessConfig } from '@minidfs/common';

export interface PeerEvidenceConfig {
  /**
   * Reporters on distinct hosts that must hear a node the NameNode cannot hear for it to become
   * UNREACHABLE_FROM_NAMENODE instead of DEAD. Default 2 (Ceph mon_osd_min_down_reporters = 2):
   * one reporter could be wrong or lying alone; two on different hosts rule out a fault local to
   * one machine. 0 turns the rule off (DEAD exactly as without gossip).
   */
  minPeerReporters: number;
  /**
   * Longest time a node stays UNREACHABLE_FROM_NAMENODE before it is DEAD anyway (and its blocks
   * re-replicated), ms. Default 60,000: rides out the usual NameNode-side link faults (a switch
   * port flap, a NIC reset, a routing change converge in seconds to tens of seconds) without
   * copying a node's data, while bounding the time its blocks sit with fewer usable replicas
   * (reads and writes avoid the node meanwhile). HDFS waits 10.5 min before any re-replication;
   * we wait 3 s for a crash and at most this for a node peers still hear.
   */
  unreachableGraceMs: number;
  /** Peers asked about one silent node per round. Default 4: two must answer for the rule, with room for one slow or lost answer and one reporter on a host already counted. */
  peerProbeFanout: number;
  /**
   * Silence after which a LIVE gossip-enabled node's peers are first asked, ms (they are asked
   * again when it goes STALE and every peerProbeIntervalMs after). Default 1.5 heartbeat intervals:
   * after one beat is clearly late, and early enough that a probe round (command pushed at once,
   * a direct SWIM ping, the answer on the reporter's next beat: about one interval) is back before
   * the DEAD deadline (deadAfterMissed intervals). Must be below the DEAD deadline.
   */
  peerProbeAfterMs: number;
  /** A silent node's peers are asked again after this long, ms. Default one heartbeat interval. */
  peerProbeIntervalMs: number;
  /** Answers older than this no longer count, ms. Default 3 heartbeat intervals (three rounds: a reporter may miss two). */
  peerEvidenceMaxAgeMs: number;
}

export function defaultPeerEvidenceConfig(liveness: LivenessConfig): PeerEvidenceConfig {
  return {
    minPeerReporters: 2,
    unreachableGraceMs: 60_000,
    peerProbeFanout: 4,
    peerProbeAfterMs: Math.round(1.5 * liveness.heartbeatIntervalMs),
    peerProbeIntervalMs: liveness.heartbeatIntervalMs,
    peerEvidenceMaxAgeMs: 3 * liveness.heartbeatIntervalMs,
  };
}

/** Checks fields against each other and, given the liveness settings, against the DEAD deadline. */
export function validatePeerEvidenceConfig(c: PeerEvidenceConfig, liveness?: LivenessConfig): PeerEvidenceConfig {
  const intField = (name: keyof PeerEvidenceConfig, min: number, max: number) => {
    const v = c[name];
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  intField('minPeerReporters', 0, 16);
  intField('unreachableGraceMs', 0, 24 * 3600_000);
  intField('peerProbeFanout', 1, Limits.maxProbeTargetsPerCommand);
  intField('peerProbeAfterMs', 1, 3600_000);
  intField('peerProbeIntervalMs', 1, 600_000);
  if (liveness && c.minPeerReporters > 0 && c.peerProbeAfterMs >= liveness.deadAfterMissed * liveness.heartbeatIntervalMs) {
    throw new InvalidArgumentError(
      `peerProbeAfterMs (${c.peerProbeAfterMs}) must be below the DEAD deadline (${liveness.deadAfterMissed * liveness.heartbeatIntervalMs} ms): the answers would come too late`,
    );
  }
  intField('peerEvidenceMaxAgeMs', 1, 3600_000);
  if (c.minPeerReporters > c.peerProbeFanout) {
    throw new InvalidArgumentError(`minPeerReporters (${c.minPeerReporters}) cannot exceed peerProbeFanout (${c.peerProbeFanout}): the rule could never be met`);
  }
  if (c.peerEvidenceMaxAgeMs < c.peerProbeIntervalMs) {
    throw new InvalidArgumentError(`peerEvidenceMaxAgeMs (${c.peerEvidenceMaxAgeMs}) must be >= peerProbeIntervalMs (${c.peerProbeIntervalMs}): answers would expire between rounds`);
  }
  return c;
}

/** Every table here has a limit, and the limit has a name. */
export const PeerEvidenceLimits = {
  /** Silent nodes probed at once; beyond it a node that goes STALE is not probed (DEAD as without gossip). */
  maxWatchedNodes: 1024,
  /** Reporters asked (and their latest answers) remembered per silent node; the least recently asked is forgotten. */
  maxReportersPerNode: 32,
  /** Gossip members looked at when choosing one round's reporters (random order). */
  maxReporterCandidatesExamined: 4096,
} as const;

export type PeerMemberState = 'ALIVE' | 'SUSPECT' | 'DEAD' | 'LEFT' | 'UNKNOWN';

/** One answer a DataNode sent about a peer (HeartbeatRequest.peer_probes). */
export interface PeerProbeResult {
  nodeId: string;
  reachable: boolean;
  msSinceHeard: number;
  neverHeard: boolean;
  memberState: PeerMemberState;
}

export interface PeerReporter {
  nodeId: string;
  host: string;
}

/** "Reporter, probe these targets": becomes one ProbePeers command. */
export interface ProbeRequest {
  reporterId: string;
  targets: Array<{ nodeId: string; membershipAddress: string }>;
}

/** A peer says a node is gone while the NameNode hears it (logged, never acted on). */
export interface PeerDisagreement {
  reporterId: string;
  targetId: string;
  memberState: PeerMemberState;
  msSinceHeard: number;
  neverHeard: boolean;
}

/** What PeerEvidence reads about the cluster. */
export interface PeerClusterView {
  state(nodeId: string): string | undefined;
  host(nodeId: string): string | undefined;
}

interface Answer {
  host: string;
  reachable: boolean;
  memberState: PeerMemberState;
  receivedAtMs: number;
}

interface Watch {
  lastRoundMs: number;
  /** reporter -> when last asked (insertion order = least recently asked first). */
  asked: Map<string, number>;
  /** reporter -> its latest answer. */
  answers: Map<string, Answer>;
}

export class PeerEvidence {
  /** Gossip-enabled nodes: id -> membership address. */
  private readonly addresses = new Map<string, string>();
  /** The same ids in an array (random sampling by partial Fisher-Yates) and their positions. */
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly watched = new Map<string, Watch>();
  private counters = { roundsSent: 0, answersRecorded: 0, answersUnasked: 0, watchesRefused: 0 };

  constructor(
    readonly config: PeerEvidenceConfig,
    private readonly cluster: PeerClusterView,
    private readonly random: () => number = Math.random,
  ) {
    validatePeerEvidenceConfig(config);
  }

  get enabled(): boolean {
    return this.config.minPeerReporters > 0;
  }

  stats(): Readonly<typeof this.counters> & { watched: number; gossipMembers: number } {
    return { ...this.counters, watched: this.watched.size, gossipMembers: this.ids.length };
  }

  /** A (re-)registration: `address` is its membership address, '' when gossip is off on it. */
  setMembershipAddress(nodeId: string, address: string): void {
    if (address) {
      if (!this.positions.has(nodeId)) {
        this.positions.set(nodeId, this.ids.length);
        this.ids.push(nodeId);
      }
      this.addresses.set(nodeId, address);
      return;
    }
    const i = this.positions.get(nodeId);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== nodeId) {
      this.ids[i] = last;
      this.positions.set(last, i);
    }
    this.positions.delete(nodeId);
    this.addresses.delete(nodeId);
  }

  membershipAddress(nodeId: string): string | undefined {
    return this.addresses.get(nodeId);
  }

  /** Up to Limits.maxMembershipSeeds random LIVE gossip members' addresses, not `nodeId`'s own. */
  seedsFor(nodeId: string): string[] {
    return this.sample(Limits.maxMembershipSeeds, (id) => id !== nodeId && this.cluster.state(id) === 'LIVE').map((id) => this.addresses.get(id)!);
  }

  /** The node runs gossip and the rule is on: peers can be asked about it. */
  probeable(nodeId: string): boolean {
    return this.enabled && this.addresses.has(nodeId);
  }

  isWatched(nodeId: string): boolean {
    return this.watched.has(nodeId);
  }

  /**
   * The NameNode stopped hearing `targetId` (silent for peerProbeAfterMs, or STALE): start asking
   * its peers now. Returns the first round: empty when the rule is off, the target runs no gossip,
   * too many nodes are watched, or it is watched already (due() asks again on schedule).
   */
  watch(targetId: string, nowMs: number): ProbeRequest[] {
    if (!this.probeable(targetId) || this.watched.has(targetId)) return [];
    if (this.watched.size >= PeerEvidenceLimits.maxWatchedNodes) {
      this.counters.watchesRefused += 1;
      return [];
    }
    const w: Watch = { lastRoundMs: nowMs, asked: new Map(), answers: new Map() };
    this.watched.set(targetId, w);
    return this.round(targetId, w, nowMs, []);
  }

  /** The target is heard again (LIVE) or DEAD: its questions and answers are dropped. */
  unwatch(targetId: string): void {
    this.watched.delete(targetId);
  }

  /** Rounds due at nowMs for watched nodes (one every peerProbeIntervalMs per node), batched per reporter. */
  due(nowMs: number): ProbeRequest[] {
    const out: ProbeRequest[] = [];
    for (const [targetId, w] of this.watched) {
      if (nowMs - w.lastRoundMs >= this.config.peerProbeIntervalMs) this.round(targetId, w, nowMs, out);
    }
    return out;
  }

  /**
   * Answers that arrived on `reporterId`'s heartbeat at nowMs. Answers about nodes we did not ask
   * this reporter about are dropped (counted), except that a "gone" answer about a node the
   * NameNode holds LIVE is returned as a disagreement to log. Returns the watched targets that got
   * an answer (their verdict may have changed) and the disagreements.
   */
  record(reporterId: string, results: readonly PeerProbeResult[], nowMs: number): { targets: string[]; disagreements: PeerDisagreement[] } {
    const targets: string[] = [];
    const disagreements: PeerDisagreement[] = [];
    const host = this.cluster.host(reporterId);
    if (host === undefined) return { targets, disagreements };
    const n = Math.min(results.length, Limits.maxPeerProbeResultsPerBeat);
    for (let i = 0; i < n; i++) {
      const r = results[i];
      if (!r.reachable && r.nodeId !== reporterId && this.cluster.state(r.nodeId) === 'LIVE') {
        disagreements.push({ reporterId, targetId: r.nodeId, memberState: r.memberState, msSinceHeard: r.msSinceHeard, neverHeard: r.neverHeard });
      }
      const w = this.watched.get(r.nodeId);
      if (!w || !w.asked.has(reporterId)) {
        this.counters.answersUnasked += 1;
        continue;
      }
      w.answers.set(reporterId, { host, reachable: r.reachable, memberState: r.memberState, receivedAtMs: nowMs });
      this.counters.answersRecorded += 1;
      if (!targets.includes(r.nodeId)) targets.push(r.nodeId);
    }
    return { targets, disagreements };
  }

  /**
   * The rule. The reporters (one per distinct host) vouching for `targetId` at nowMs, when there
   * are at least minPeerReporters of them; otherwise undefined. `lastHeardMs` is when the NameNode
   * last heard the target: only answers received after it count.
   */
  verdict(targetId: string, lastHeardMs: number, nowMs: number): PeerReporter[] | undefined {
    const vouchers = this.vouchers(targetId, lastHeardMs, nowMs);
    return this.enabled && vouchers.length >= this.config.minPeerReporters ? vouchers : undefined;
  }

  /** Reporters (one per distinct host, not the target's) whose latest fresh answer says the target is up. */
  vouchers(targetId: string, lastHeardMs: number, nowMs: number): PeerReporter[] {
    const w = this.watched.get(targetId);
    if (!w) return [];
    const targetHost = this.cluster.host(targetId);
    const hosts = new Set<string>();
    const out: PeerReporter[] = [];
    for (const [reporterId, a] of w.answers) {
      if (a.receivedAtMs <= lastHeardMs || nowMs - a.receivedAtMs > this.config.peerEvidenceMaxAgeMs) continue;
      if (!a.reachable || a.memberState === 'DEAD' || a.memberState === 'LEFT') continue;
      if (a.host === targetHost || hosts.has(a.host)) continue;
      const s = this.cluster.state(reporterId);
      if (s !== 'LIVE' && s !== 'STALE') continue;
      hosts.add(a.host);
      out.push({ nodeId: reporterId, host: a.host });
    }
    return out;
  }

  /** NameNode stall guard: answers age on observed time only, like lastReceived in HeartbeatMonitor. */
  stalled(gapMs: number, nowMs: number): void {
    for (const w of this.watched.values()) {
      w.lastRoundMs = Math.min(nowMs, w.lastRoundMs + gapMs);
      for (const [id, at] of w.asked) w.asked.set(id, Math.min(nowMs, at + gapMs));
      for (const a of w.answers.values()) a.receivedAtMs = Math.min(nowMs, a.receivedAtMs + gapMs);
    }
  }

  private round(targetId: string, w: Watch, nowMs: number, out: ProbeRequest[]): ProbeRequest[] {
    const address = this.addresses.get(targetId);
    if (!address) return out;
    const targetHost = this.cluster.host(targetId);
    w.lastRoundMs = nowMs;
    const reporters = this.chooseReporters(targetId, targetHost);
    for (const reporterId of reporters) {
      w.asked.delete(reporterId); // re-insert: most recently asked last
      w.asked.set(reporterId, nowMs);
      if (w.asked.size > PeerEvidenceLimits.maxReportersPerNode) {
        const oldest = w.asked.keys().next().value!;
        w.asked.delete(oldest);
        w.answers.delete(oldest);
      }
      let req = out.find((r) => r.reporterId === reporterId && r.targets.length < Limits.maxProbeTargetsPerCommand);
      if (!req) out.push((req = { reporterId, targets: [] }));
      req.targets.push({ nodeId: targetId, membershipAddress: address });
    }
    if (reporters.length) this.counters.roundsSent += 1;
    return out;
  }

  /** Up to peerProbeFanout LIVE gossip members, not the target nor on its host, distinct hosts first. */
  private chooseReporters(targetId: string, targetHost: string | undefined): string[] {
    const fanout = this.config.peerProbeFanout;
    const hosts = new Set<string>();
    const extra: string[] = [];
    const chosen = this.sample(fanout, (id) => {
      if (id === targetId || this.cluster.state(id) !== 'LIVE') return false;
      const h = this.cluster.host(id);
      if (h === undefined || h === targetHost) return false;
      if (hosts.has(h)) {
        if (extra.length < fanout) extra.push(id);
        return false;
      }
      hosts.add(h);
      return true;
    });
    return chosen.concat(extra.slice(0, fanout - chosen.length));
  }

  /** Up to `count` members passing `accept`, in random order (partial Fisher-Yates, bounded walk). */
  private sample(count: number, accept: (id: string) => boolean): string[] {
    const ids = this.ids;
    const out: string[] = [];
    const walk = Math.min(ids.length, PeerEvidenceLimits.maxReporterCandidatesExamined);
    for (let i = 0; i < walk && out.length < count; i++) {
      const j = i + Math.floor(this.random() * (ids.length - i));
      const a = ids[i], b = ids[j];
      ids[i] = b; ids[j] = a;
      this.positions.set(b, i);
      this.positions.set(a, j);
      if (accept(b)) out.push(b);
    }
    return out;
  }
}
