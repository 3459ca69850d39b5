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
 * Pluggable detector: by default the missed-beat threshold above decides. `useDetector()` swaps in
 * another judgement (e.g. phi accrual, ./phi-accrual.ts) that sees every accepted inter-arrival
 * time and says, per node, after how much silence the node is STALE and DEAD. Everything else
 * (states, sequences, streams, goodbye, the stall guard) stays here and is the same for both.
 */
import { type LivenessConfig, validateLivenessConfig } from '@minidfs/common';

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

interface Entry {
  state: NodeState;
  lastReceivedMs: number;
  lastSequence: number;
  streamId: number | undefined;
  /** Only with a pluggable detector: its per-node history and the limits it last gave. */
  history?: unknown;
  staleAfterMs?: number;
  deadAfterMs?: number;
}

export class HeartbeatMonitor {
  private readonly nodes = new Map<string, Entry>();
  private lastTickMs: number | undefined;
  private stalls = 0;
  private detector: LivenessDetector | undefined;

  constructor(private readonly config: LivenessConfig) {
    validateLivenessConfig(config);
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
    const prev = this.nodes.get(nodeId);
    const entry: Entry = { state: 'LIVE', lastReceivedMs: nowMs, lastSequence: -1, streamId: prev?.streamId };
    if (this.detector) {
      entry.history = this.detector.start(nowMs);
      this.refreshLimits(entry, this.detector);
    }
    this.nodes.set(nodeId, entry);
    if (prev?.state === 'LIVE') return undefined;
    return this.transition(nodeId, prev ? prev.state : 'NEW', 'LIVE', 'registered', prev?.lastReceivedMs ?? nowMs, nowMs);
  }

  heartbeat(nodeId: string, sequence: number, streamId: number, nowMs: number): HeartbeatVerdict {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return { kind: 'reregister' };
    if (sequence <= e.lastSequence) return { kind: 'duplicate' };
    const previousReceivedMs = e.lastReceivedMs;
    const firstSinceRegistration = e.lastSequence < 0;
    e.lastSequence = sequence;
    e.lastReceivedMs = Math.max(e.lastReceivedMs, nowMs);
    e.streamId = streamId;
    if (this.detector) {
      if (!firstSinceRegistration) this.detector.observe(e.history, e.lastReceivedMs - previousReceivedMs);
      this.refreshLimits(e, this.detector);
    }
    if (e.state === 'STALE') {
      e.state = 'LIVE';
      return { kind: 'accepted', transition: this.transition(nodeId, 'STALE', 'LIVE', 'heartbeat', previousReceivedMs, nowMs) };
    }
    return { kind: 'accepted' };
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
    return this.transition(nodeId, 'LIVE', 'STALE', 'stream-closed', e.lastReceivedMs, nowMs);
  }

  /** Clean shutdown announced by the node: DEAD without waiting. */
  goodbye(nodeId: string, nowMs: number): Transition | undefined {
    const e = this.nodes.get(nodeId);
    if (!e || e.state === 'DEAD') return undefined;
    const from = e.state;
    e.state = 'DEAD';
    e.streamId = undefined;
    return this.transition(nodeId, from, 'DEAD', 'goodbye', e.lastReceivedMs, nowMs);
  }

  /** Advances time: returns the LIVE->STALE and ->DEAD transitions due at nowMs. */
  tick(nowMs: number): Transition[] {
    const interval = this.config.heartbeatIntervalMs;
    if (this.lastTickMs !== undefined) {
      const gapMs = nowMs - this.lastTickMs;
      if (gapMs < 0) throw new RangeError(`tick went backwards: ${this.lastTickMs} -> ${nowMs}`);
      if (gapMs > 2 * interval) {
        // Stall guard: the NameNode itself could not observe anything during the gap.
        this.stalls += 1;
        for (const e of this.nodes.values()) e.lastReceivedMs = Math.min(nowMs, e.lastReceivedMs + gapMs);
      }
    }
    this.lastTickMs = nowMs;
    const out: Transition[] = [];
    for (const [nodeId, e] of this.nodes) {
      if (e.state === 'DEAD') continue;
      const missed = this.missedBeats(e, nowMs);
      const silenceMs = nowMs - e.lastReceivedMs;
      const dead = this.detector ? silenceMs >= e.deadAfterMs! : missed >= this.config.deadAfterMissed;
      const stale = this.detector ? silenceMs >= e.staleAfterMs! : missed >= this.config.staleAfterMissed;
      if (dead) {
        const from = e.state;
        e.state = 'DEAD';
        out.push(this.transition(nodeId, from, 'DEAD', 'missed-beats', e.lastReceivedMs, nowMs));
      } else if (stale && e.state === 'LIVE') {
        e.state = 'STALE';
        out.push(this.transition(nodeId, 'LIVE', 'STALE', 'missed-beats', e.lastReceivedMs, nowMs));
      }
    }
    return out;
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
    this.nodes.delete(nodeId);
  }

  private refreshLimits(e: Entry, detector: LivenessDetector): void {
    e.deadAfterMs = detector.deadAfterMs(e.history);
    e.staleAfterMs = Math.min(detector.staleAfterMs(e.history), e.deadAfterMs);
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
