/**
 * The DataNode table of the central simulation (simulation.ts): every simulated DataNode's state,
 * one typed array (or plain array) per field, indexed by node. Walking nodes in index order reads
 * each field sequentially; the engine's beat path touches a handful of fields per beat and no
 * per-node object. Plain data: the engine (simulation.ts) owns every rule that changes it.
 */
import type { DatanodeRegistration, DatanodeStats } from '@minidfs/namenode';
import type { SimEvent } from './event-queue';

export class DataNodeTable {
  // identity and what the DataNode reports
  readonly ids: string[] = [];
  readonly indexOf = new Map<string, number>();
  readonly registrationObjects: DatanodeRegistration[] = [];
  readonly stats: DatanodeStats[] = [];
  /** Block ids on node i's disk. */
  readonly disk: Set<number>[] = [];
  readonly capacity: Float64Array;
  readonly usedBytes: Float64Array;
  readonly activeTransfers: Int32Array;
  /** When node i's copy bandwidth is free again (copies run one after another). */
  readonly busyUntilMs: Float64Array;
  // DataNode process state
  readonly alive: Uint8Array;
  readonly paused: Uint8Array;
  /** DataNode-side events that came due while node i was paused: dispatched on resume. */
  readonly deferred: Array<SimEvent[] | undefined> = [];
  readonly pauseStartMs: Float64Array;
  readonly pausedTotalMs: Float64Array;
  readonly lastPauseEndMs: Float64Array;
  /** Bumped by a crash: events of the previous process carry the old value and are dropped. */
  readonly incarnation: Int32Array;
  /** Crashed for good (no restart scheduled): its disk no longer counts as a copy. */
  readonly gone: Uint8Array;
  readonly registering: Uint8Array;
  /** The registration the DataNode holds ('' while unregistered). */
  readonly registrationId: string[] = [];
  /** The DataNode's heartbeat stream (0: none open). */
  readonly dnStream: Int32Array;
  readonly reconnectAttempts: Int32Array;
  /** When the DataNode last heard an answer on its stream (its watchdog reads this). */
  readonly lastAnswerMs: Float64Array;
  readonly sequence: Float64Array;
  // the heartbeat chain
  /** Bumped whenever the beat chain is cancelled or re-planned; watchdog events carry it. */
  readonly beatToken: Int32Array;
  /** Tick step in which node i's beat in flight arrives; -1 = none in flight. */
  readonly arrivalStep: Int32Array;
  /** The chain is stopped (paused, or beating into a cut link) with its timer at timerMs. */
  readonly suspended: Uint8Array;
  readonly timerMs: Float64Array;
  /** The beat in flight: when it was sent, when it arrives, its sequence, stream and registration. */
  readonly pendingSendMs: Float64Array;
  readonly pendingArrivalMs: Float64Array;
  readonly pendingSeq: Float64Array;
  readonly pendingStream: Int32Array;
  readonly pendingRegistration: string[] = [];
  /** Arrival of the latest beat on the stream (FIFO). */
  readonly lastArrivalMs: Float64Array;
  /** Arrival of the latest unary message (register, report, stream close) on node i's link: the connection is FIFO. */
  readonly lastControlToNameNodeMs: Float64Array;
  // links
  /** Partitions in force that cut node i -> NameNode, and NameNode -> node i. */
  readonly cutToNameNode: Int32Array;
  readonly cutFromNameNode: Int32Array;
  readonly lastPartitionEndMs: Float64Array;
  // NameNode side
  /** The stream the NameNode pushes commands on for node i (0: no session). */
  readonly nnStream: Int32Array;
  /** The registration the NameNode holds for node i (what DatanodeManager compares beats against). */
  readonly nnRegistration: string[] = [];
  /** Stats changed since the NameNode last copied them (a full DatanodeManager.heartbeat is due). */
  readonly statsDirty: Uint8Array;
  /** Commands wait in the DatanodeManager's queue for node i (a full heartbeat drains them). */
  readonly commandsQueued: Uint8Array;
  /** Arrival of the latest beat the NameNode accepted from node i. */
  readonly lastDeliveredMs: Float64Array;
  // skipped beats (simulation.ts, cruise): node i's beats were run ahead through tick step cruiseEndStep
  readonly cruising: Uint8Array;
  readonly cruiseEndStep: Int32Array;
  /** The state the run ahead started from (its first beat delivered), to replay it up to a moment before its end. */
  readonly cruiseLinkInts: Int32Array;
  readonly cruiseLinkNums: Float64Array;
  readonly cruiseSendMs: Float64Array;
  readonly cruiseFromArrivalMs: Float64Array;
  readonly cruiseFromStep: Int32Array;
  readonly cruiseFromSeq: Float64Array;
  readonly cruiseSequence: Float64Array;
  readonly cruiseBeatToken: Int32Array;
  readonly cruiseLastArrivalMs: Float64Array;
  readonly cruiseLastAnswerMs: Float64Array;
  /** Beats the run ahead counted as sent, lost and delivered (taken back when it is replayed). */
  readonly cruiseCounts: Float64Array;

  constructor(readonly nodes: number) {
    const n = nodes;
    const f64 = () => new Float64Array(n);
    this.capacity = f64();
    this.usedBytes = f64();
    this.activeTransfers = new Int32Array(n);
    this.busyUntilMs = f64();
    this.alive = new Uint8Array(n);
    this.paused = new Uint8Array(n);
    this.pauseStartMs = f64();
    this.pausedTotalMs = f64();
    this.lastPauseEndMs = f64().fill(Number.NEGATIVE_INFINITY);
    this.incarnation = new Int32Array(n);
    this.gone = new Uint8Array(n);
    this.registering = new Uint8Array(n);
    this.dnStream = new Int32Array(n);
    this.reconnectAttempts = new Int32Array(n);
    this.lastAnswerMs = f64();
    this.sequence = f64();
    this.beatToken = new Int32Array(n);
    this.arrivalStep = new Int32Array(n).fill(-1);
    this.suspended = new Uint8Array(n);
    this.timerMs = f64();
    this.pendingSendMs = f64();
    this.pendingArrivalMs = f64();
    this.pendingSeq = f64();
    this.pendingStream = new Int32Array(n);
    this.lastArrivalMs = f64();
    this.lastControlToNameNodeMs = f64();
    this.cutToNameNode = new Int32Array(n);
    this.cutFromNameNode = new Int32Array(n);
    this.lastPartitionEndMs = f64().fill(Number.NEGATIVE_INFINITY);
    this.nnStream = new Int32Array(n);
    this.statsDirty = new Uint8Array(n);
    this.commandsQueued = new Uint8Array(n);
    this.lastDeliveredMs = f64();
    this.cruising = new Uint8Array(n);
    this.cruiseEndStep = new Int32Array(n);
    this.cruiseLinkInts = new Int32Array(4 * n);
    this.cruiseLinkNums = new Float64Array(2 * n);
    this.cruiseSendMs = f64();
    this.cruiseFromArrivalMs = f64();
    this.cruiseFromStep = new Int32Array(n);
    this.cruiseFromSeq = f64();
    this.cruiseSequence = f64();
    this.cruiseBeatToken = new Int32Array(n);
    this.cruiseLastArrivalMs = f64();
    this.cruiseLastAnswerMs = f64();
    this.cruiseCounts = new Float64Array(3 * n);
  }
}
