/**
 * HeartbeatMonitor: the liveness state machine of every DataNode, pure and clock-driven.
 *
 *   (register) -> LIVE --missed >= staleAfterMissed or stream closed--> STALE
 *   STALE --heartbeat--> LIVE
 *   LIVE|STALE --missed >= deadAfterMissed or goodbye--> DEAD
 *   DEAD --register--> LIVE            (a DEAD node's heartbeats are answered with REREGISTER)
 *
 * With peer evidence (`usePeerEvidence()`, ./peer-evidence.ts, docs/PEER-EVIDENCE.md), the move to
 * DEAD on silence first asks the evidence whether enough peers on distinct hosts still hear the node:
 *   LIVE|STALE --silence >= dead limit, peers vouch--> UNREACHABLE_FROM_NAMENODE ('peers-hear-it')
 *   UNREACHABLE_FROM_NAMENODE --heartbeat|register--> LIVE
 *   UNREACHABLE_FROM_NAMENODE --vouchers below the minimum--> DEAD ('peers-lost-it')
 *   UNREACHABLE_FROM_NAMENODE --unreachableGraceMs since it entered--> DEAD ('unreachable-grace-expired')
 *   UNREACHABLE_FROM_NAMENODE --goodbye--> DEAD
 * An UNREACHABLE node is re-judged every peerProbeIntervalMs (and whenever an answer about it
 * arrives, through recheck()). Without vouchers the move is DEAD at the usual moment, no delay.
 * So that the answers can be in before that moment, a LIVE gossip-enabled node silent for
 * peerProbeAfterMs (default 1.5 intervals, before STALE) is reported once per silence by
 * drainSilent(); the caller asks its peers then (and again on STALE, and every interval after).
 *
 * Every state change goes through one private function, enter(): it refuses a move or reason not
 * in the diagrams above (table LEGAL; registration moves any state but LIVE to LIVE) before it
 * changes anything, then assigns the state, resets the fields that belong to it and puts the node
 * in the wheel at its next deadline.
 *
 * missed = floor((now - lastReceived) / heartbeatIntervalMs), judged on the NameNode's own receive
 * time only. Stall guard (HDFS-9107, HDDS-1454): if tick() itself ran late by more than an
 * interval (GC, event-loop stall, SIGSTOP of the NameNode), the stall is not counted against the
 * DataNodes: every lastReceived is moved forward by the gap (to now at most), so a NameNode paused
 * for any length of time declares nobody DEAD when it resumes. Nor does a detector learn the
 * stall: the beats that waited in the NameNode's sockets arrive in a burst on resume (before or
 * after the late tick), and no inter-arrival time that starts before 2 intervals after the
 * resume is observed, so its limits after the stall are those from before. Once beats resume, the usual
 * rules hold: a node that crashes after the stall is DEAD deadAfter intervals after its last beat
 * heard, within (deadAfter + 1) × interval (+ one tick) of the crash with the missed-beat rule.
 *
 * Backlog guard: a NameNode that falls behind its input with its timers still firing (CPU-bound,
 * or starved of CPU) leaves beats waiting in its own socket and gRPC buffers while tick() keeps
 * counting silence, which the stall guard above does not see. The adapter reports how late its tick
 * timer fired (noteLag(); the event loop ran that late, and beats waited about as long). A lag of
 * BACKLOG_LAG_INTERVALS of an interval or more holds every move to DEAD on silence until
 * STALL_GAP_INTERVALS intervals after the last such report: a node past its dead limit meanwhile
 * goes (or stays) STALE and is judged again when the hold ends. So an overloaded NameNode marks
 * nodes STALE (routing avoids them) instead of DEAD (re-replication, REREGISTER, full reports: more
 * load); a node that really crashed during a backlog is DEAD at the first tick after the hold.
 * No sockets, timers or Date.now() in here.
 *
 * Cost: tick() does not scan every node. Each node sits in a DeadlineWheel (./deadline-wheel.ts)
 * at its next possible transition (lastReceived + stale or dead limit); a heartbeat only moves
 * lastReceived, and tick() re-checks the nodes whose wheel bucket came up, with the exact
 * missed-beat (or detector) rule, scheduling again the ones that beat meanwhile — about one check
 * per node every two intervals, where a scan checked every node four times per interval.
 * Transitions come out in registration order, as from a scan of the node map. Heartbeat answers
 * without a transition are shared constants.
 *
 * Pluggable detector: by default the missed-beat threshold above decides. `useDetector()` swaps in
 * another judgement (e.g. phi accrual, ./phi-accrual.ts) that sees every accepted inter-arrival
 * time and says, per node, after how much silence the node is STALE and DEAD. Everything else
 * (states, sequences, streams, goodbye, the stall guard) stays here and is the same for both.
 */
import { InvalidArgumentError, Limits, type LivenessConfig, validateLivenessConfig } from '@minidfs/common';
import { DeadlineWheel, NOT_SCHEDULED, type WheelItem } from './deadline-wheel';
import type { PeerReporter } from './peer-evidence';

export type NodeState = 'LIVE' | 'STALE' | 'DEAD' | 'UNREACHABLE_FROM_NAMENODE';

export const UNREACHABLE = 'UNREACHABLE_FROM_NAMENODE' as const;

export type TransitionReason =
  | 'registered' | 'heartbeat' | 'missed-beats' | 'stream-closed' | 'goodbye'
  | 'peers-hear-it' | 'peers-lost-it' | 'unreachable-grace-expired';

/** What the monitor asks before DEAD on silence (PeerEvidence implements it). */
export interface PeerEvidenceGate {
  /** Reporters vouching for the node (enough of them, on distinct hosts), or undefined: DEAD. */
  verdict(nodeId: string, lastHeardMs: number, nowMs: number): PeerReporter[] | undefined;
  /** The stall guard moved every lastReceived on by gapMs: evidence ages the same way. */
  stalled(gapMs: number, nowMs: number): void;
  readonly config: { readonly unreachableGraceMs: number; readonly peerProbeIntervalMs: number; readonly peerProbeAfterMs: number };
  /** Whether the node can be probed by peers (runs gossip): only then is its early silence reported. */
  probeable(nodeId: string): boolean;
}

export interface Transition {
  nodeId: string;
  from: NodeState | 'NEW';
  to: NodeState;
  reason: TransitionReason;
  /** Missed beats at the moment of the transition. */
  missedBeats: number;
  /** ms between the last heartbeat received and the transition. */
  msSinceLastHeartbeat: number;
  atMs: number;
  /** The vouching peers (one per distinct host), on moves into UNREACHABLE_FROM_NAMENODE. */
  reporters?: PeerReporter[];
}

export interface LivenessView {
  nodeId: string;
  state: NodeState;
  lastHeartbeatMs: number;
  missedBeats: number;
  msSinceLastHeartbeat: number;
  /** Current heartbeat stream, if any. */
  streamOpen: boolean;
}

export type HeartbeatVerdict =
  /** Counted: lastReceived moved to now. */
  | { kind: 'accepted'; transition?: Transition }
  /** Sequence not newer than the last one on this registration: ignored for liveness. */
  | { kind: 'duplicate' }
  /** Unknown or DEAD node: must register again (and re-report its blocks). */
  | { kind: 'reregister' };

/**
 * A failure detector the monitor can use instead of the missed-beat threshold. It owns only the
 * judgement "after how much silence is this node STALE / DEAD", per node, from the history of its
 * accepted heartbeats. Both limits are read once after registration and after every accepted
 * beat and cached on the node, so tick() stays one comparison per node.
 */
export interface LivenessDetector<History = unknown> {
  /** Short name for logs and reports, e.g. `phi`. */
  readonly name: string;
  /** Fresh history for a node that (re-)registered at nowMs. */
  start(nowMs: number): History;
  /** An accepted heartbeat arrived intervalMs after the previous one (not called for the first beat after registration). */
  observe(history: History, intervalMs: number): void;
  /** Silence (ms since the last accepted heartbeat) from which the node is STALE. */
  staleAfterMs(history: History): number;
  /** Silence from which the node is DEAD; never below staleAfterMs. */
  deadAfterMs(history: History): number;
}

/** A pluggable detector's per-node history and the limits it last gave (only with a detector). */
interface DetectorState {
  history: unknown;
  staleAfterMs: number;
  deadAfterMs: number;
}

/**
 * One node's liveness; a class so that every entry has one shape (one V8 hidden class), and small:
 * 10,000 of them are read on every heartbeat and tick, so they should stay in cache.
 */
class Entry implements WheelItem {
  /** NEW only between its creation and the end of its first register(). */
  state: NodeState | 'NEW' = 'NEW';
  lastReceivedMs = 0;
  lastSequence = -1;
  streamId: number | undefined = undefined;
  wheelKey = NOT_SCHEDULED;
  detection: DetectorState | undefined = undefined;
  /** UNREACHABLE_FROM_NAMENODE only: when it entered, and when it is judged again. */
  unreachableSinceMs = 0;
  recheckAtMs = 0;
  /** Peers can probe it (gossip on), and whether this silence was already reported (drainSilent). */
  probeable = false;
  silenceReported = false;

  constructor(
    readonly nodeId: string,
    /** Position in the node map (insertion order): transitions of one tick are reported in it. */
    readonly order: number,
  ) {}
}

/** Every legal move and the reasons it may have (header diagram); enter() refuses anything else. */
const LEGAL: Readonly<Record<NodeState | 'NEW', Partial<Record<NodeState, readonly TransitionReason[]>>>> = {
  NEW: { LIVE: ['registered'] },
  LIVE: { STALE: ['missed-beats', 'stream-closed'], DEAD: ['missed-beats', 'goodbye'], [UNREACHABLE]: ['peers-hear-it'] },
  STALE: { LIVE: ['heartbeat', 'registered'], DEAD: ['missed-beats', 'goodbye'], [UNREACHABLE]: ['peers-hear-it'] },
  [UNREACHABLE]: { LIVE: ['heartbeat', 'registered'], DEAD: ['peers-lost-it', 'unreachable-grace-expired', 'goodbye'] },
  DEAD: { LIVE: ['registered'] },
};

/** The state of an entry in the node map: every one has finished its first register(). */
function registered(e: Entry): NodeState {
  if (e.state === 'NEW') throw new Error(`${e.nodeId} is in the node map without having registered`);
  return e.state;
}

/** Ticks further apart than this many intervals mean the NameNode itself was stalled (stall guard). */
const STALL_GAP_INTERVALS = 2;
/** A tick timer this many intervals late (or more) means the NameNode is behind its input (backlog guard). */
export const BACKLOG_LAG_INTERVALS = 0.25;

const ACCEPTED: HeartbeatVerdict = Object.freeze({ kind: 'accepted' });
const DUPLICATE: HeartbeatVerdict = Object.freeze({ kind: 'duplicate' });
const REREGISTER: HeartbeatVerdict = Object.freeze({ kind: 'reregister' });

export class HeartbeatMonitor {
  private readonly nodes = new Map<string, Entry>();
  private lastTickMs: number | undefined;
  /** Until then (a stall's backlog may still be arriving) a detector learns no inter-arrival time starting earlier. */
  private quietUntilMs = Number.NEGATIVE_INFINITY;
  private stalls = 0;
  /** Backlog guard: until then no node goes DEAD on silence. */
  private holdDeadUntilMs = Number.NEGATIVE_INFINITY;
  private backlogs = 0;
  private detector: LivenessDetector | undefined;
  private readonly wheel: DeadlineWheel<Entry>;
  private readonly due: Entry[] = [];
  private insertions = 0;
  private peers: PeerEvidenceGate | undefined;
  private silent: string[] = [];

  constructor(private readonly config: LivenessConfig) {
    validateLivenessConfig(config);
    // Fine buckets: a node is re-checked at (not long before) its deadline, by when the beat
    // that keeps it LIVE has usually arrived, so one check moves it two intervals on, not one.
    this.wheel = new DeadlineWheel(config.heartbeatIntervalMs / 32);
  }

  /** Ticks further apart than this mean the NameNode was stalled. */
  private get stallGapMs(): number {
    return STALL_GAP_INTERVALS * this.config.heartbeatIntervalMs;
  }

  get heartbeatIntervalMs(): number {
    return this.config.heartbeatIntervalMs;
  }

  /** Number of NameNode stalls the guard has absorbed. */
  get stallCount(): number {
    return this.stalls;
  }

  /** Backlog episodes the guard has held DEADs through (noteLag reports of a new one). */
  get backlogCount(): number {
    return this.backlogs;
  }

  /** Whether moves to DEAD on silence are held at nowMs (backlog guard). */
  holdingDead(nowMs: number): boolean {
    return nowMs < this.holdDeadUntilMs;
  }

  /**
   * Backlog guard (header): the NameNode's tick timer fired `lagMs` late at nowMs. From
   * BACKLOG_LAG_INTERVALS of an interval on, moves to DEAD on silence are held until
   * STALL_GAP_INTERVALS intervals from now. Returns true when this starts a new hold (to log).
   */
  noteLag(nowMs: number, lagMs: number): boolean {
    if (!(lagMs >= BACKLOG_LAG_INTERVALS * this.config.heartbeatIntervalMs)) return false;
    const fresh = nowMs >= this.holdDeadUntilMs;
    if (fresh) this.backlogs += 1;
    this.holdDeadUntilMs = Math.max(this.holdDeadUntilMs, nowMs + this.stallGapMs);
    return fresh;
  }

  /** The detector in use: `threshold` (missed beats, the default) or the plugged-in one's name. */
  get detectorName(): string {
    return this.detector?.name ?? 'threshold';
  }

  /**
   * Judge silence with `detector` instead of the missed-beat threshold. Only before the first
   * registration: a node's history must come from one detector.
   */
  useDetector(detector: LivenessDetector): void {
    if (this.nodes.size > 0) throw new Error('useDetector() must be called before any node registers');
    this.detector = detector;
  }

  /** Ask `gate` before declaring a silent node DEAD (UNREACHABLE_FROM_NAMENODE, header). */
  usePeerEvidence(gate: PeerEvidenceGate): void {
    this.peers = gate;
  }

  /** A (re-)registration: the node is LIVE now, whatever it was. */
  register(nodeId: string, nowMs: number): Transition | undefined {
    let e = this.nodes.get(nodeId);
    if (!e) {
      e = new Entry(nodeId, ++this.insertions);
      e.lastReceivedMs = nowMs;
      this.nodes.set(nodeId, e);
    }
    e.lastSequence = -1;
    e.probeable = this.peers?.probeable(nodeId) ?? false;
    if (this.detector) {
      e.detection = { history: this.detector.start(nowMs), staleAfterMs: 0, deadAfterMs: 0 };
      this.refreshLimits(e.detection, this.detector);
    }
    if (e.state !== 'LIVE') return this.enter(e, 'LIVE', 'registered', nowMs, { heardAtMs: nowMs });
    // Registered again while LIVE: a fresh start of the silence, no transition.
    e.lastReceivedMs = nowMs;
    e.silenceReported = false;
    this.wheel.schedule(e, this.deadlineMs(e));
    return undefined;
  }

  heartbeat(nodeId: string, sequence: number, streamId: number, nowMs: number): HeartbeatVerdict {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return REREGISTER;
    if (sequence <= e.lastSequence) return DUPLICATE;
    if (e.lastSequence >= 0 && sequence > e.lastSequence + Limits.maxHeartbeatSequenceJump) {
      // Sequences go up by one per beat: a leap would make every later beat of the registration look old.
      throw new InvalidArgumentError(
        `heartbeat sequence ${sequence} of ${nodeId} leaps more than Limits.maxHeartbeatSequenceJump (${Limits.maxHeartbeatSequenceJump}) past ${e.lastSequence}`,
      );
    }
    const heardAtMs = Math.max(e.lastReceivedMs, nowMs);
    // No tick for a stall's length: this beat waited in a socket while the NameNode was stopped
    // (the tick's stall guard has not run yet).
    if (this.lastTickMs !== undefined && nowMs - this.lastTickMs > this.stallGapMs) this.quietUntilMs = Math.max(this.quietUntilMs, nowMs + this.stallGapMs);
    // An inter-arrival time from a beat received during or right after a stall (the beats that
    // waited arrive in a burst) says nothing about the node or the network: not learnt.
    const observe = e.lastSequence >= 0 && e.lastReceivedMs >= this.quietUntilMs;
    e.lastSequence = sequence;
    e.streamId = streamId;
    if (this.detector) {
      const d = e.detection!;
      if (observe) this.detector.observe(d.history, heardAtMs - e.lastReceivedMs);
      this.refreshLimits(d, this.detector);
    }
    if (e.state !== 'LIVE') return { kind: 'accepted', transition: this.enter(e, 'LIVE', 'heartbeat', nowMs, { heardAtMs }) };
    e.lastReceivedMs = heardAtMs;
    e.silenceReported = false;
    // The detector may have shortened its limits; without one the deadline only moved later and
    // the wheel re-checks lazily.
    if (this.detector) this.wheel.schedule(e, this.deadlineMs(e));
    return ACCEPTED;
  }

  /**
   * A run of accepted beats in one step, for a driver that knows a LIVE node's beats ahead of time
   * (the simulator): the node's last accepted beat becomes (sequence, streamId, heardAtMs), as
   * after delivering every beat up to it. heardAtMs may lie after the last tick; a later call may
   * move it back (the beats after it had not arrived yet). The caller guarantees what makes this
   * equal to the beats one by one: each would have been accepted without a transition, no tick
   * before heardAtMs would find the node silent for its stale limit, and nothing else about the
   * node reaches the monitor before heardAtMs without such a call first. O(1). Refused (false,
   * nothing changed) unless the node is LIVE, judged by the missed-beat threshold (a detector
   * learns every inter-arrival time) and not probeable by peers.
   */
  heardThrough(nodeId: string, sequence: number, streamId: number, heardAtMs: number): boolean {
    const e = this.nodes.get(nodeId);
    if (!e || e.state !== 'LIVE' || this.detector || e.probeable) return false;
    e.lastSequence = sequence;
    e.streamId = streamId;
    e.lastReceivedMs = heardAtMs;
    e.silenceReported = false;
    this.wheel.schedule(e, this.deadlineMs(e)); // moved back: earlier; on: lazily, as heartbeat()
    return true;
  }

  /**
   * The node's heartbeat stream broke (process crash, connection reset). Routing stops at once
   * (STALE); DEAD, and with it repair, still waits for the missed-beat threshold.
   */
  streamClosed(nodeId: string, streamId: number, nowMs: number): Transition | undefined {
    const e = this.nodes.get(nodeId);
    if (!e || e.streamId !== streamId) return undefined; // an older stream, already replaced
    e.streamId = undefined;
    if (e.state !== 'LIVE') return undefined;
    return this.enter(e, 'STALE', 'stream-closed', nowMs);
  }

  /** Clean shutdown announced by the node: DEAD without waiting. */
  goodbye(nodeId: string, nowMs: number): Transition | undefined {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return undefined;
    const t = this.enter(e, 'DEAD', 'goodbye', nowMs);
    e.streamId = undefined;
    return t;
  }

  /** Advances time: returns the LIVE->STALE and ->DEAD transitions due at nowMs, in registration order. */
  tick(nowMs: number): Transition[] {
    if (this.lastTickMs !== undefined) {
      const gapMs = nowMs - this.lastTickMs;
      if (gapMs < 0) throw new RangeError(`tick went backwards: ${this.lastTickMs} -> ${nowMs}`);
      if (gapMs > this.stallGapMs) {
        // Stall guard: the NameNode itself could not observe anything during the gap.
        this.stalls += 1;
        // The beats sent during the stall arrive in a burst now: a detector learns no
        // inter-arrival time that starts before the burst is surely over (heartbeat()).
        this.quietUntilMs = Math.max(this.quietUntilMs, nowMs + this.stallGapMs);
        for (const e of this.nodes.values()) {
          e.lastReceivedMs = Math.min(nowMs, e.lastReceivedMs + gapMs);
          if (e.state === UNREACHABLE) {
            // The grace, too, counts observed time only.
            e.unreachableSinceMs = Math.min(nowMs, e.unreachableSinceMs + gapMs);
            e.recheckAtMs = Math.min(nowMs, e.recheckAtMs + gapMs);
          }
          if (e.state !== 'DEAD') this.wheel.schedule(e, this.deadlineMs(e)); // min(now, ...) may have moved it earlier
        }
        this.peers?.stalled(gapMs, nowMs);
      }
    }
    this.lastTickMs = nowMs;
    const due = this.due;
    this.wheel.drainDue(nowMs, due);
    let out: Transition[] | undefined;
    let order: number[] | undefined;
    for (let k = 0; k < due.length; k++) {
      const e = due[k];
      if (e.state === 'DEAD') continue;
      if (e.state === UNREACHABLE) {
        const t = this.judgeUnreachable(e, nowMs, true);
        if (t) {
          (out ??= []).push(t);
          (order ??= []).push(e.order);
        }
        continue;
      }
      const missed = this.missedBeats(e, nowMs);
      const silenceMs = nowMs - e.lastReceivedMs;
      const d = e.detection;
      const dead = d ? silenceMs >= d.deadAfterMs : missed >= this.config.deadAfterMissed;
      const stale = d ? silenceMs >= d.staleAfterMs : missed >= this.config.staleAfterMissed;
      let t: Transition | undefined;
      if (dead && nowMs < this.holdDeadUntilMs) {
        // Backlog guard: its beats may be waiting in the NameNode's own buffers. STALE now, DEAD (if
        // still silent) judged when the hold ends.
        if (e.state === 'LIVE') t = this.enter(e, 'STALE', 'missed-beats', nowMs);
        this.wheel.cancel(e);
        this.wheel.schedule(e, this.holdDeadUntilMs);
      } else if (dead) {
        const reporters = this.peers?.verdict(e.nodeId, e.lastReceivedMs, nowMs);
        t = reporters ? this.enter(e, UNREACHABLE, 'peers-hear-it', nowMs, { reporters }) : this.enter(e, 'DEAD', 'missed-beats', nowMs);
      } else if (stale && e.state === 'LIVE') {
        t = this.enter(e, 'STALE', 'missed-beats', nowMs);
      } else {
        if (e.probeable && !e.silenceReported && e.state === 'LIVE' && silenceMs >= this.peers!.config.peerProbeAfterMs) {
          e.silenceReported = true;
          this.silent.push(e.nodeId);
        }
        this.wheel.schedule(e, this.deadlineMs(e));
      }
      if (t) {
        (out ??= []).push(t);
        (order ??= []).push(e.order);
      }
    }
    due.length = 0;
    if (!out) return [];
    if (out.length === 1) return out;
    // The order a scan of the node map would give (registration order).
    const idx = out.map((_, i) => i).sort((a, b) => order![a] - order![b]);
    return idx.map((i) => out![i]);
  }

  /** LIVE gossip-enabled nodes whose silence reached peerProbeAfterMs since the last call (once per silence). */
  drainSilent(): string[] {
    if (this.silent.length === 0) return [];
    const out = this.silent;
    this.silent = [];
    return out;
  }

  /**
   * Judge an UNREACHABLE_FROM_NAMENODE node again now (an answer about it arrived): DEAD when its
   * vouchers fell below the minimum or its grace is over; otherwise nothing.
   */
  recheck(nodeId: string, nowMs: number): Transition | undefined {
    const e = this.nodes.get(nodeId);
    if (!e || e.state !== UNREACHABLE) return undefined;
    return this.judgeUnreachable(e, nowMs, false);
  }

  state(nodeId: string): NodeState | undefined {
    const e = this.nodes.get(nodeId);
    return e && registered(e);
  }

  /** ms the node has been UNREACHABLE_FROM_NAMENODE, or undefined when it is not. */
  unreachableForMs(nodeId: string, nowMs: number): number | undefined {
    const e = this.nodes.get(nodeId);
    return e?.state === UNREACHABLE ? Math.max(0, nowMs - e.unreachableSinceMs) : undefined;
  }

  view(nodeId: string, nowMs: number): LivenessView | undefined {
    const e = this.nodes.get(nodeId);
    if (!e) return undefined;
    return {
      nodeId,
      state: registered(e),
      lastHeartbeatMs: e.lastReceivedMs,
      missedBeats: this.missedBeats(e, nowMs),
      msSinceLastHeartbeat: Math.max(0, Math.round(nowMs - e.lastReceivedMs)),
      streamOpen: e.streamId !== undefined,
    };
  }

  views(nowMs: number): LivenessView[] {
    return [...this.nodes.keys()].map((id) => this.view(id, nowMs)!);
  }

  forget(nodeId: string): void {
    const e = this.nodes.get(nodeId);
    if (!e) return;
    this.wheel.cancel(e);
    this.nodes.delete(nodeId);
  }

  /** UNREACHABLE: DEAD at the end of the grace or without enough vouchers; otherwise judged again later. */
  private judgeUnreachable(e: Entry, nowMs: number, scheduled: boolean): Transition | undefined {
    const gate = this.peers!;
    let reason: TransitionReason | undefined;
    if (nowMs - e.unreachableSinceMs >= gate.config.unreachableGraceMs) reason = 'unreachable-grace-expired';
    else if (!gate.verdict(e.nodeId, e.lastReceivedMs, nowMs)) reason = 'peers-lost-it';
    if (reason) return this.enter(e, 'DEAD', reason, nowMs);
    if (scheduled) {
      e.recheckAtMs = nowMs + gate.config.peerProbeIntervalMs;
      this.wheel.schedule(e, this.deadlineMs(e));
    }
    return undefined;
  }

  private refreshLimits(d: DetectorState, detector: LivenessDetector): void {
    d.deadAfterMs = detector.deadAfterMs(d.history);
    d.staleAfterMs = Math.min(detector.staleAfterMs(d.history), d.deadAfterMs);
  }

  /**
   * Earliest time at which tick() could move the node on (LIVE: STALE or DEAD; STALE: DEAD), a
   * hair early so that floating-point rounding in the exact check can never make the wheel late.
   */
  private deadlineMs(e: Entry): number {
    if (e.state === UNREACHABLE) {
      return Math.min(e.recheckAtMs, e.unreachableSinceMs + this.peers!.config.unreachableGraceMs);
    }
    const d = e.detection;
    let silenceMs = d
      ? (e.state === 'LIVE' ? d.staleAfterMs : d.deadAfterMs)
      : (e.state === 'LIVE' ? this.config.staleAfterMissed : this.config.deadAfterMissed) * this.config.heartbeatIntervalMs;
    if (e.probeable && !e.silenceReported && e.state === 'LIVE') silenceMs = Math.min(silenceMs, this.peers!.config.peerProbeAfterMs);
    const at = e.lastReceivedMs + silenceMs;
    if (!Number.isFinite(at)) return at;
    return at - Math.abs(at) * 1e-12 - 1e-9;
  }

  private missedBeats(e: Entry, nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - e.lastReceivedMs) / this.config.heartbeatIntervalMs));
  }

  /**
   * The one way a node changes state. Refuses a move or reason not in LEGAL before touching
   * anything; then assigns the state, resets what belongs to it (LIVE: a new silence, moved to
   * `heardAtMs` when a beat or registration caused the move; UNREACHABLE_FROM_NAMENODE: its grace
   * and first re-check start now), and puts the node in the wheel at its next deadline (DEAD:
   * out of it). The Transition reports the silence that ended or led here (the old lastReceived).
   */
  private enter(
    e: Entry, to: NodeState, reason: TransitionReason, nowMs: number,
    extra: { heardAtMs?: number; reporters?: PeerReporter[] } = {},
  ): Transition {
    const from = e.state;
    if (!LEGAL[from][to]?.includes(reason)) throw new Error(`impossible transition ${from} -> ${to} (${reason}) for ${e.nodeId}`);
    const msSinceLastHeartbeat = Math.max(0, Math.round(nowMs - e.lastReceivedMs));
    const t: Transition = {
      nodeId: e.nodeId, from, to, reason, atMs: nowMs, msSinceLastHeartbeat,
      missedBeats: Math.floor(msSinceLastHeartbeat / this.config.heartbeatIntervalMs),
    };
    if (extra.reporters) t.reporters = extra.reporters;
    e.state = to;
    if (extra.heardAtMs !== undefined) e.lastReceivedMs = extra.heardAtMs;
    e.unreachableSinceMs = 0;
    e.recheckAtMs = 0;
    if (to === 'LIVE') {
      e.silenceReported = false;
    } else if (to === UNREACHABLE) {
      e.unreachableSinceMs = nowMs;
      e.recheckAtMs = nowMs + this.peers!.config.peerProbeIntervalMs;
    }
    if (to === 'DEAD') this.wheel.cancel(e);
    else this.wheel.schedule(e, this.deadlineMs(e));
    return t;
  }
}
