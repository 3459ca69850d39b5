/**
 * HeartbeatMonitor: the liveness state machine of every DataNode, pure and clock-driven.
 *
 *   (register) -> LIVE --missed >= staleAfterMissed or stream closed--> STALE
 *   STALE --heartbeat--> LIVE
 *   LIVE|STALE --missed >= deadAfterMissed or goodbye--> DEAD
 *   DEAD --register--> LIVE            (a DEAD node's heartbeats are answered with REREGISTER)
 *
 * missed = floor((now - lastReceived) / heartbeatIntervalMs), judged on the NameNode's own receive
 * time only. Stall guard (HDFS-9107, HDDS-1454): if tick() itself ran late by more than an
 * interval (GC, event-loop stall, SIGSTOP of the NameNode), the stall is not counted against the
 * DataNodes: every lastReceived is moved forward by the gap, so a NameNode paused for any length
 * of time declares nobody DEAD when it resumes. No sockets, timers or Date.now() in here.
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
import { type LivenessConfig, validateLivenessConfig } from '@minidfs/common';
import { DeadlineWheel, NOT_SCHEDULED, type WheelItem } from './deadline-wheel';

export type NodeState = 'LIVE' | 'STALE' | 'DEAD';

export type TransitionReason = 'registered' | 'heartbeat' | 'missed-beats' | 'stream-closed' | 'goodbye';

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
  state: NodeState = 'LIVE';
  lastReceivedMs = 0;
  lastSequence = -1;
  streamId: number | undefined = undefined;
  wheelKey = NOT_SCHEDULED;
  detection: DetectorState | undefined = undefined;

  constructor(
    readonly nodeId: string,
    /** Position in the node map (insertion order): transitions of one tick are reported in it. */
    readonly order: number,
  ) {}
}

const ACCEPTED: HeartbeatVerdict = Object.freeze({ kind: 'accepted' });
const DUPLICATE: HeartbeatVerdict = Object.freeze({ kind: 'duplicate' });
const REREGISTER: HeartbeatVerdict = Object.freeze({ kind: 'reregister' });

export class HeartbeatMonitor {
  private readonly nodes = new Map<string, Entry>();
  private lastTickMs: number | undefined;
  private stalls = 0;
  private detector: LivenessDetector | undefined;
  private readonly wheel: DeadlineWheel<Entry>;
  private readonly due: Entry[] = [];
  private insertions = 0;

  constructor(private readonly config: LivenessConfig) {
    validateLivenessConfig(config);
    // Fine buckets: a node is re-checked at (not long before) its deadline, by when the beat
    // that keeps it LIVE has usually arrived, so one check moves it two intervals on, not one.
    this.wheel = new DeadlineWheel(config.heartbeatIntervalMs / 32);
  }

  get heartbeatIntervalMs(): number {
    return this.config.heartbeatIntervalMs;
  }

  /** Number of NameNode stalls the guard has absorbed. */
  get stallCount(): number {
    return this.stalls;
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

  /** A (re-)registration: the node is LIVE now, whatever it was. */
  register(nodeId: string, nowMs: number): Transition | undefined {
    let e = this.nodes.get(nodeId);
    const prevState = e?.state;
    const prevReceivedMs = e?.lastReceivedMs;
    if (!e) {
      e = new Entry(nodeId, ++this.insertions);
      this.nodes.set(nodeId, e);
    }
    e.state = 'LIVE';
    e.lastReceivedMs = nowMs;
    e.lastSequence = -1;
    if (this.detector) {
      e.detection = { history: this.detector.start(nowMs), staleAfterMs: 0, deadAfterMs: 0 };
      this.refreshLimits(e.detection, this.detector);
    }
    this.wheel.schedule(e, this.deadlineMs(e));
    if (prevState === 'LIVE') return undefined;
    return this.transition(nodeId, prevState ?? 'NEW', 'LIVE', 'registered', prevReceivedMs ?? nowMs, nowMs);
  }

  heartbeat(nodeId: string, sequence: number, streamId: number, nowMs: number): HeartbeatVerdict {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return REREGISTER;
    if (sequence <= e.lastSequence) return DUPLICATE;
    const previousReceivedMs = e.lastReceivedMs;
    const firstSinceRegistration = e.lastSequence < 0;
    e.lastSequence = sequence;
    e.lastReceivedMs = Math.max(e.lastReceivedMs, nowMs);
    e.streamId = streamId;
    if (this.detector) {
      const d = e.detection!;
      if (!firstSinceRegistration) this.detector.observe(d.history, e.lastReceivedMs - previousReceivedMs);
      this.refreshLimits(d, this.detector);
      this.wheel.schedule(e, this.deadlineMs(e)); // the detector may have shortened its limits
    }
    if (e.state === 'STALE') {
      e.state = 'LIVE';
      this.wheel.schedule(e, this.deadlineMs(e));
      return { kind: 'accepted', transition: this.transition(nodeId, 'STALE', 'LIVE', 'heartbeat', previousReceivedMs, nowMs) };
    }
    // LIVE without a detector: the deadline only moved later; the wheel re-checks lazily.
    return ACCEPTED;
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
    e.state = 'STALE';
    this.wheel.schedule(e, this.deadlineMs(e));
    return this.transition(nodeId, 'LIVE', 'STALE', 'stream-closed', e.lastReceivedMs, nowMs);
  }

  /** Clean shutdown announced by the node: DEAD without waiting. */
  goodbye(nodeId: string, nowMs: number): Transition | undefined {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return undefined;
    const from = e.state;
    e.state = 'DEAD';
    e.streamId = undefined;
    this.wheel.cancel(e);
    return this.transition(nodeId, from, 'DEAD', 'goodbye', e.lastReceivedMs, nowMs);
  }

  /** Advances time: returns the LIVE->STALE and ->DEAD transitions due at nowMs, in registration order. */
  tick(nowMs: number): Transition[] {
    const interval = this.config.heartbeatIntervalMs;
    if (this.lastTickMs !== undefined) {
      const gapMs = nowMs - this.lastTickMs;
      if (gapMs < 0) throw new RangeError(`tick went backwards: ${this.lastTickMs} -> ${nowMs}`);
      if (gapMs > 2 * interval) {
        // Stall guard: the NameNode itself could not observe anything during the gap.
        this.stalls += 1;
        for (const e of this.nodes.values()) {
          e.lastReceivedMs = Math.min(nowMs, e.lastReceivedMs + gapMs);
          if (e.state !== 'DEAD') this.wheel.schedule(e, this.deadlineMs(e)); // min(now, ...) may have moved it earlier
        }
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
      const missed = this.missedBeats(e, nowMs);
      const silenceMs = nowMs - e.lastReceivedMs;
      const d = e.detection;
      const dead = d ? silenceMs >= d.deadAfterMs : missed >= this.config.deadAfterMissed;
      const stale = d ? silenceMs >= d.staleAfterMs : missed >= this.config.staleAfterMissed;
      let t: Transition | undefined;
      if (dead) {
        const from = e.state;
        e.state = 'DEAD';
        t = this.transition(e.nodeId, from, 'DEAD', 'missed-beats', e.lastReceivedMs, nowMs);
      } else {
        if (stale && e.state === 'LIVE') {
          e.state = 'STALE';
          t = this.transition(e.nodeId, 'LIVE', 'STALE', 'missed-beats', e.lastReceivedMs, nowMs);
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

  state(nodeId: string): NodeState | undefined {
    return this.nodes.get(nodeId)?.state;
  }

  view(nodeId: string, nowMs: number): LivenessView | undefined {
    const e = this.nodes.get(nodeId);
    if (!e) return undefined;
    return {
      nodeId,
      state: e.state,
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

  private refreshLimits(d: DetectorState, detector: LivenessDetector): void {
    d.deadAfterMs = detector.deadAfterMs(d.history);
    d.staleAfterMs = Math.min(detector.staleAfterMs(d.history), d.deadAfterMs);
  }

  /**
   * Earliest time at which tick() could move the node on (LIVE: STALE or DEAD; STALE: DEAD), a
   * hair early so that floating-point rounding in the exact check can never make the wheel late.
   */
  private deadlineMs(e: Entry): number {
    const d = e.detection;
    const silenceMs = d
      ? (e.state === 'LIVE' ? d.staleAfterMs : d.deadAfterMs)
      : (e.state === 'LIVE' ? this.config.staleAfterMissed : this.config.deadAfterMissed) * this.config.heartbeatIntervalMs;
    const at = e.lastReceivedMs + silenceMs;
    if (!Number.isFinite(at)) return at;
    return at - Math.abs(at) * 1e-12 - 1e-9;
  }

  private missedBeats(e: Entry, nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - e.lastReceivedMs) / this.config.heartbeatIntervalMs));
  }

  private transition(
    nodeId: string, from: NodeState | 'NEW', to: NodeState, reason: TransitionReason, lastReceivedMs: number, nowMs: number,
  ): Transition {
    if (from === to) throw new Error(`impossible transition ${from} -> ${to} for ${nodeId}`);
    if (from === 'DEAD' && to !== 'LIVE') throw new Error(`impossible transition DEAD -> ${to} for ${nodeId}`);
    const msSinceLastHeartbeat = Math.max(0, Math.round(nowMs - lastReceivedMs));
    return {
      nodeId, from, to, reason, atMs: nowMs, msSinceLastHeartbeat,
      missedBeats: Math.floor(msSinceLastHeartbeat / this.config.heartbeatIntervalMs),
    };
  }
}
