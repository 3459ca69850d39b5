/**
 * The simulation engine: simulated DataNodes and a simulated network around the real NameNode
 * core (sim-namenode.ts), on a virtual clock, every random choice drawn from the run's seed.
 *
 * Time advances in the NameNode's own tick steps (interval / 4, like its one timer). Within a step
 * the engine delivers everything that happens up to the tick — heartbeat arrivals and other
 * events, each with its exact virtual time — then calls the core's tick(), which runs the planner
 * every 4th tick as in the process, and sends what the planner pushed. Heartbeats are the bulk
 * (one per node per interval), so they skip the event heap: each DataNode has at most one beat
 * in flight, kept in typed arrays with the tick step it arrives in; lost beats are skipped with a geometric draw, not one by one. Order inside a
 * step is exact per node (an event for node i first delivers i's
 * earlier beat); across nodes it does not matter inside a step, because nodes only interact
 * through the NameNode's tick and planner, which run at the step's end — so the step's beats are
 * delivered in DataNode index order, which keeps the per-node state in cache.
 *
 * DataNode model (heartbeat-link.ts, datanode.ts): a beat every interval from a setTimeout chain
 * (each fire late by up to timerJitterMs); an answer to each; REREGISTER -> register, then a full
 * block report and beats on a new stream; commands pushed on the stream right after the planner
 * (REPLICATE copies at the node's bandwidth, one after another; INVALIDATE deletes) with
 * incremental reports; a watchdog that drops the stream when the NameNode has not answered for
 * max(20 intervals, 10 s) and reconnects with full-jitter backoff (100 ms doubling to 2 s).
 * Faults: crash (silent, restart later, sometimes with an empty disk), pause (nothing runs; the
 * overdue timer fires on resume), partitions of a node or a rack, both ways or one way.
 * Network: per link a base delay and exponential jitter; FIFO per connection; stream messages (beats,
 * answers, pushed commands) are lost with probability `loss`; unary RPCs wait out a cut link.
 */
import type { DatanodeRegistration, DatanodeStats, HeartbeatInput, Command, Transition, LivenessDetector } from '@minidfs/namenode';
import { PhiAccrualDetector } from '@minidfs/namenode';
import { type SimConfig, replicationConfigFor, resolvePhiConfig, validateSimConfig } from './config';
import { EventQueue, type SimEvent } from './event-queue';
import { type MistakeCause, QosTracker, type QosFigures, RepairTracker, type RepairFigures } from './metrics';
import { Random, RandomStreams } from './random';
import { SimNameNode } from './sim-namenode';

const EV = {
  Crash: 1,
  Restart: 2,
  PauseStart: 3,
  PauseEnd: 4,
  PartitionStart: 5,
  PartitionEnd: 6,
  NnRegister: 7,
  DnRegistered: 8,
  DnRegisterRetry: 9,
  NnFullReport: 10,
  DnCommands: 11,
  CopyDone: 12,
  CopyReceive: 13,
  NnIncremental: 14,
  NnStreamClosed: 15,
  DnWatchdog: 16,
  DnReconnect: 17,
  DnRetrySend: 18,
} as const;

/** DataNode-side events: they wait while the process is paused and vanish when it crashed. */
const DATANODE_SIDE = new Set<number>([
  EV.DnRegistered, EV.DnRegisterRetry, EV.DnCommands, EV.CopyDone, EV.CopyReceive, EV.DnWatchdog, EV.DnReconnect, EV.DnRetrySend,
]);

/** Register RPC deadline on the DataNode (heartbeat-link.ts). */
const REGISTER_DEADLINE_MS = 5000;
/** Reconnect backoff: full jitter, 100 ms doubling to 2 s (the DataNode's --reconnect-max-ms default). */
const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 2000;
/** A unary RPC over a cut link is retried this often. */
const RPC_RETRY_MS = 1000;
const GENERATION_STAMP = 1001;
/** Tick steps in the ring of arrival bitmaps (a power of two); beats further ahead keep their mark. */
const ARRIVAL_RING_STEPS = 64;
const ARRIVAL_RING_MASK = ARRIVAL_RING_STEPS - 1;

interface Partition {
  nodes: number[];
  toNameNode: boolean;
  fromNameNode: boolean;
  durationMs: number;
}

interface CopyJob {
  inc: number;
  blockId: number;
  lengthBytes: number;
  targets: number[];
  targetIncarnations: number[];
  startMs: number;
  pausedBaseMs: number;
}

export interface SimCounts {
  heartbeatsSent: number;
  heartbeatsDelivered: number;
  heartbeatsLost: number;
  ticks: number;
  events: number;
  registrations: number;
  fullReports: number;
  crashes: number;
  pauses: number;
  partitions: number;
  streamDrops: number;
}

export interface SimFigures {
  qos: QosFigures;
  repair: RepairFigures;
  counts: SimCounts;
}

export interface SimResult {
  config: SimConfig;
  /** Detector name as the NameNode reports it (threshold, phi, phi-exponential). */
  detector: string;
  /** Everything that depends only on the config and the seed. */
  figures: SimFigures;
  /** Wall-clock figures (not part of the deterministic result). */
  wall: { totalMs: number; setupMs: number; runMs: number; plannerMs: number };
}

export interface RunOptions {
  /**
   * Deliver uneventful heartbeats straight to the real HeartbeatMonitor (SimNameNode.heartbeatUneventful)
   * instead of through DatanodeManager.heartbeat. Same figures either way (tested); default true.
   */
  fastHeartbeats?: boolean;
  /** Called about every `progressEveryMs` of wall time with the virtual time reached. */
  onProgress?: (virtualMs: number, wallMs: number) => void;
  progressEveryMs?: number;
  /** Every transition of the real HeartbeatMonitor, as it happens (gossip mode compares it with the peers' view). */
  onTransition?: (t: Transition) => void;
}

export function runSimulation(config: SimConfig, options: RunOptions = {}): SimResult {
  return new Simulation(validateSimConfig(config), options.fastHeartbeats ?? true).run(options);
}

export class Simulation {
  private readonly n: number;
  /** Racks; node i is on rack i % racks (see setup: why not contiguous). */
  private readonly racks: number;
  private readonly intervalMs: number;
  private readonly tickMs: number;
  private readonly watchdogMs: number;
  private readonly loss: number;
  private readonly root: Random;
  readonly nn: SimNameNode;
  private readonly detector: LivenessDetector | undefined;
  private readonly queue = new EventQueue();
  private readonly qos: QosTracker;
  private readonly repair: RepairTracker;
  private readonly ids: string[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly registrationObjects: DatanodeRegistration[] = [];
  private readonly stats: DatanodeStats[] = [];
  private readonly disk: Set<number>[] = [];
  private readonly net: RandomStreams;
  private readonly dnRandom: RandomStreams;
  private readonly deferred: Array<SimEvent[] | undefined> = [];
  private readonly registrationId: string[] = [];
  /** The registration the NameNode holds for node i (what DatanodeManager compares beats against). */
  private readonly nnRegistration: string[] = [];
  /** Stats changed since the NameNode last copied them (a full DatanodeManager.heartbeat is due). */
  private readonly statsDirty: Uint8Array;
  /** Commands wait in the DatanodeManager's queue for node i (a full heartbeat drains them). */
  private readonly commandsQueued: Uint8Array;
  private readonly pendingRegistration: string[] = [];
  // DataNode process state
  private readonly alive: Uint8Array;
  private readonly paused: Uint8Array;
  private readonly pauseStartMs: Float64Array;
  private readonly pausedTotalMs: Float64Array;
  private readonly lastPauseEndMs: Float64Array;
  private readonly incarnation: Int32Array;
  /** Crashed for good (no restart scheduled): its disk no longer counts as a copy. */
  private readonly gone: Uint8Array;
  private readonly registering: Uint8Array;
  private readonly dnStream: Int32Array;
  private readonly reconnectAttempts: Int32Array;
  private readonly lastAnswerMs: Float64Array;
  private readonly sequence: Float64Array;
  private readonly capacity: Float64Array;
  private readonly usedBytes: Float64Array;
  private readonly busyUntilMs: Float64Array;
  private readonly activeTransfers: Int32Array;
  // the heartbeat chain
  /** Bumped whenever the beat chain is cancelled or re-planned; watchdog events carry it. */
  private readonly beatToken: Int32Array;
  /** Tick step in which node i's beat in flight arrives; -1 = none in flight. */
  private readonly arrivalStep: Int32Array;
  private readonly suspended: Uint8Array;
  private readonly timerMs: Float64Array;
  private readonly pendingSendMs: Float64Array;
  private readonly pendingArrivalMs: Float64Array;
  private readonly pendingSeq: Float64Array;
  private readonly pendingStream: Int32Array;
  private readonly lastArrivalMs: Float64Array;
  /** Arrival of the latest unary message (register, report, stream close) on node i's link: the connection is FIFO. */
  private readonly lastControlToNameNodeMs: Float64Array;
  private readonly beatLossLeft: Float64Array;
  private readonly answerLossLeft: Float64Array;
  private readonly baseDelayMs: Float64Array;
  // links
  private readonly cutToNameNode: Int32Array;
  private readonly cutFromNameNode: Int32Array;
  private readonly lastPartitionEndMs: Float64Array;
  // NameNode side
  private readonly nnStream: Int32Array;
  private readonly lastDeliveredMs: Float64Array;
  private currentStep = 0;
  private transitionHook: ((t: Transition) => void) | undefined = undefined;
  /** Set once the current step's scan has begun: beats that become due now go to `late`. */
  private scanning = false;
  private readonly late: number[] = [];
  /** Bitmap per tick step (a ring of ARRIVAL_RING_STEPS slots): nodes whose beat may arrive in that step. */
  private readonly arrivalBits: Int32Array;
  private readonly arrivalWords: number;
  private streamCounter = 0;
  private readonly input: HeartbeatInput = { nodeId: '', registrationId: '', sequence: 0, streamId: 0, goodbye: false, stats: undefined as unknown as DatanodeStats };
  private readonly counts: SimCounts = {
    heartbeatsSent: 0, heartbeatsDelivered: 0, heartbeatsLost: 0, ticks: 0, events: 0, registrations: 0, fullReports: 0, crashes: 0,
    pauses: 0, partitions: 0, streamDrops: 0,
  };

  constructor(private readonly config: SimConfig, private readonly fastHeartbeats = true) {
    const n = (this.n = config.nodes);
    this.racks = Math.ceil(n / config.nodesPerRack);
    this.intervalMs = config.liveness.heartbeatIntervalMs;
    this.tickMs = Math.max(5, Math.floor(this.intervalMs / 4)); // namenode.ts: interval / 4
    this.watchdogMs = Math.max(20 * this.intervalMs, 10_000); // heartbeat-link.ts silence timeout
    this.loss = config.network.loss;
    this.root = new Random(config.seed);
    const phi = resolvePhiConfig(config.liveness, config.detector);
    this.detector = phi ? new PhiAccrualDetector(phi) : undefined;
    this.qos = new QosTracker(n, config.durationMs);
    this.nn = new SimNameNode(config.liveness, this.detector, replicationConfigFor(config), {
      transition: (t, affected) => this.onTransition(t, affected),
      replicaGained: (blockId, nowMs) => this.repair.replicaGained(blockId, nowMs),
      replicasLost: (blockIds) => this.repair.replicasLost(blockIds),
    });
    this.repair = new RepairTracker((b) => this.nn.blockMap.liveReplicaCount(b, this.nn.usable), () => config.replication);
    const f64 = () => new Float64Array(n);
    this.alive = new Uint8Array(n);
    this.statsDirty = new Uint8Array(n);
    this.commandsQueued = new Uint8Array(n);
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
    this.capacity = f64();
    this.usedBytes = f64();
    this.busyUntilMs = f64();
    this.activeTransfers = new Int32Array(n);
    this.beatToken = new Int32Array(n);
    this.arrivalStep = new Int32Array(n).fill(-1);
    this.arrivalWords = (n + 31) >>> 5;
    this.arrivalBits = new Int32Array(ARRIVAL_RING_STEPS * this.arrivalWords);
    this.suspended = new Uint8Array(n);
    this.timerMs = f64();
    this.pendingSendMs = f64();
    this.pendingArrivalMs = f64();
    this.pendingSeq = f64();
    this.pendingStream = new Int32Array(n);
    this.lastArrivalMs = f64();
    this.lastControlToNameNodeMs = f64();
    this.beatLossLeft = f64();
    this.answerLossLeft = f64();
    this.baseDelayMs = f64();
    this.cutToNameNode = new Int32Array(n);
    this.cutFromNameNode = new Int32Array(n);
    this.lastPartitionEndMs = f64().fill(Number.NEGATIVE_INFINITY);
    this.nnStream = new Int32Array(n);
    this.lastDeliveredMs = f64();
    this.net = new RandomStreams(config.seed, 'net', n);
    this.dnRandom = new RandomStreams(config.seed, 'dn', n);
  }

  run(options: RunOptions = {}): SimResult {
    const started = performance.now();
    this.transitionHook = options.onTransition;
    this.setup();
    const setupDone = performance.now();
    const c = this.config;
    const ticks = Math.floor(c.durationMs / this.tickMs);
    const progressEveryMs = options.progressEveryMs ?? 5000;
    let nextProgress = performance.now() + progressEveryMs;
    for (let k = 1; k <= ticks; k++) {
      const g = k * this.tickMs;
      this.processStep(k, g);
      this.nn.tick(g);
      this.counts.ticks += 1;
      if (k % 4 === 0) this.replicationTick(g);
      if (options.onProgress && (k & 255) === 0 && performance.now() >= nextProgress) {
        options.onProgress(g, performance.now() - started);
        nextProgress = performance.now() + progressEveryMs;
      }
    }
    const runDone = performance.now();
    const figures: SimFigures = {
      qos: this.qos.figures(),
      repair: this.repair.figures(this.lostBlocks()),
      counts: { ...this.counts },
    };
    return {
      config: c,
      detector: this.nn.manager.monitor.detectorName,
      figures,
      wall: { totalMs: runDone - started, setupMs: setupDone - started, runMs: runDone - setupDone, plannerMs: this.nn.plannerWallMs },
    };
  }

  // ---- setup ------------------------------------------------------------------------------------

  private setup(): void {
    const c = this.config;
    const cluster = this.root.fork('cluster');
    for (let i = 0; i < this.n; i++) {
      const id = `dn${i}`;
      const rack = `/rack-${i % this.racks}`;
      this.ids.push(id);
      this.indexOf.set(id, i);
      const reg: DatanodeRegistration = {
        id, uuid: `uuid-${i}`, host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dataPort: 9866, httpPort: 9864, rack,
      };
      this.registrationObjects.push(reg);
      this.capacity[i] = Math.round(c.capacityBytes * (0.95 + 0.1 * cluster.next()));
      this.stats.push({ capacityBytes: this.capacity[i], usedBytes: 0, remainingBytes: this.capacity[i], activeTransfers: 0, failedVolumes: 0, blockCount: 0 });
      this.disk.push(new Set());
      this.deferred.push(undefined);
      this.registrationId.push('');
      this.nnRegistration.push('');
      this.pendingRegistration.push('');
      this.baseDelayMs[i] = c.network.delayMs * (0.5 + this.net.next(i));
      this.beatLossLeft[i] = this.net.geometric(i, this.loss);
      this.answerLossLeft[i] = this.net.geometric(i, this.loss);
    }
    this.layBlocks();
    for (let i = 0; i < this.n; i++) {
      this.alive[i] = 1;
      this.refreshStats(i);
      this.registrationId[i] = this.nnRegister0(i, 0);
      this.counts.registrations += 1;
      this.dnStream[i] = ++this.streamCounter;
    }
    this.nn.tick(0);
    // Beat phases follow the node index (node i first beats at ~i/n of an interval), so the beats
    // due in one tick step are a run of neighbouring indices and the per-node arrays are read
    // sequentially — about 3x fewer cache misses per beat than random phases. Racks are
    // interleaved (i % racks), so no rack shares a phase window.
    for (let i = 0; i < this.n; i++) this.scheduleBeat(i, ((i + cluster.next()) / this.n) * this.intervalMs);
    this.scheduleFaults();
  }

  /**
   * The initial layout (the write path is not simulated), HDFS's default policy for writers that
   * run on the DataNodes: replica 1 on the writer's node (block ids come in runs per node, as each
   * node's writer allocated them), replica 2 on a random node of another rack, replica 3 on
   * replica 2's rack, more at random. Blocks enter the real core block by block
   * (NameNodeCore.addCompleteBlock: the block, then its replicas): each block's entry, and the writer's index, stay in cache —
   * several times faster than node-by-node full reports of a random layout.
   */
  private layBlocks(): void {
    const c = this.config;
    if (c.blocks === 0) return;
    const rng = this.root.fork('layout');
    const racks = this.racks;
    const rackOf = (i: number) => i % racks;
    const rackSize = (r: number) => Math.floor((this.n - 1 - r) / racks) + 1;
    const chosen: number[] = [];
    const holders: string[] = [];
    const held: number[][] = Array.from({ length: this.n }, () => []);
    for (let b = 1; b <= c.blocks; b++) {
      chosen.length = 0;
      const first = Math.floor(((b - 1) * this.n) / c.blocks);
      chosen.push(first);
      const pick = (fromRack: number | undefined, avoidRack: number | undefined): void => {
        for (let attempt = 0; attempt < 64; attempt++) {
          let i: number;
          if (fromRack !== undefined) i = fromRack + racks * rng.int(rackSize(fromRack));
          else i = rng.int(this.n);
          if (avoidRack !== undefined && rackOf(i) === avoidRack) continue;
          if (chosen.includes(i)) continue;
          chosen.push(i);
          return;
        }
        for (let i = 0; i < this.n; i++) if (!chosen.includes(i)) { chosen.push(i); return; }
      };
      if (c.replication >= 2) pick(undefined, racks > 1 ? rackOf(first) : undefined);
      if (c.replication >= 3) pick(rackSize(rackOf(chosen[1])) > 1 ? rackOf(chosen[1]) : undefined, undefined);
      while (chosen.length < c.replication) pick(undefined, undefined);
      holders.length = 0;
      for (const i of chosen) {
        holders.push(this.ids[i]);
        held[i].push(b);
      }
      this.nn.addCompleteBlock({ blockId: b, generationStamp: GENERATION_STAMP, lengthBytes: c.blockSizeBytes, expectedReplication: c.replication }, holders);
    }
    for (let i = 0; i < this.n; i++) {
      this.disk[i] = new Set(held[i]); // built in one go: far cheaper than 3 random Set.add per block
      this.usedBytes[i] = held[i].length * c.blockSizeBytes;
    }
  }

  private scheduleFaults(): void {
    const c = this.config;
    const f = c.faults;
    const day = 86_400_000;
    if (f.crashesPerNodeDay > 0) {
      const mean = day / f.crashesPerNodeDay;
      for (let i = 0; i < this.n; i++) {
        const rng = this.root.fork(`faults/crash/${i}`);
        let t = rng.exponential(mean);
        while (t < c.durationMs) {
          const downtimeMs = Number.isFinite(f.downtimeMeanMs) ? rng.exponential(f.downtimeMeanMs) : Number.POSITIVE_INFINITY;
          const diskLost = rng.next() < f.diskLossFraction;
          this.queue.push(t, EV.Crash, i, { downtimeMs, diskLost });
          t += downtimeMs + rng.exponential(mean);
        }
      }
    }
    if (f.pausesPerNodeDay > 0) {
      const mean = day / f.pausesPerNodeDay;
      for (let i = 0; i < this.n; i++) {
        const rng = this.root.fork(`faults/pause/${i}`);
        let t = rng.exponential(mean);
        while (t < c.durationMs) {
          const durationMs = rng.logNormal(f.pauseMedianMs, f.pauseSigma);
          this.queue.push(t, EV.PauseStart, i, { durationMs });
          t += durationMs + rng.exponential(mean);
        }
      }
    }
    for (const s of f.scripted ?? []) {
      if (s.kind === 'crash') {
        this.queue.push(s.atMs, EV.Crash, s.node, { downtimeMs: s.downtimeMs ?? Number.POSITIVE_INFINITY, diskLost: s.diskLost ?? false });
      } else if (s.kind === 'pause') {
        this.queue.push(s.atMs, EV.PauseStart, s.node, { durationMs: s.durationMs });
      } else {
        const p: Partition = { nodes: [...s.nodes], toNameNode: s.toNameNode ?? true, fromNameNode: s.fromNameNode ?? true, durationMs: s.durationMs };
        this.queue.push(s.atMs, EV.PartitionStart, -1, p);
      }
    }
    const net = c.network;
    if (net.partitionsPerDay > 0) {
      const rng = this.root.fork('faults/partition');
      const mean = day / net.partitionsPerDay;
      let t = rng.exponential(mean);
      while (t < c.durationMs) {
        let nodes: number[];
        if (rng.next() < net.partitionRackFraction) {
          const rack = rng.int(this.racks);
          nodes = [];
          for (let i = rack; i < this.n; i += this.racks) nodes.push(i);
        } else {
          nodes = [rng.int(this.n)];
        }
        let toNameNode = true;
        let fromNameNode = true;
        if (rng.next() < net.partitionOneWayFraction) {
          if (rng.next() < 0.5) fromNameNode = false;
          else toNameNode = false;
        }
        const p: Partition = { nodes, toNameNode, fromNameNode, durationMs: rng.exponential(net.partitionMeanMs) };
        this.queue.push(t, EV.PartitionStart, -1, p);
        t += rng.exponential(mean);
      }
    }
  }

  // ---- the step loop ----------------------------------------------------------------------------

  private processStep(k: number, g: number): void {
    this.currentStep = k;
    this.scanning = false;
    const arrivalStep = this.arrivalStep;
    for (;;) {
      if (this.queue.peekTimeMs() <= g) {
        const ev = this.queue.pop()!;
        if (ev.node >= 0) this.flushBeat(ev.node, ev.timeMs);
        this.counts.events += 1;
        this.dispatch(ev);
        continue;
      }
      if (!this.scanning) {
        this.scanning = true;
        this.scanArrivals(k);
        continue;
      }
      if (this.late.length) {
        const i = this.late.pop()!;
        if (arrivalStep[i] === k) this.deliverBeat(i);
        continue;
      }
      break;
    }
  }

  /** Delivers node i's beat if it arrives no later than `timeMs` (keeps per-node order exact). */
  private flushBeat(i: number, timeMs: number): void {
    if (this.arrivalStep[i] >= 0 && this.pendingArrivalMs[i] <= timeMs) this.deliverBeat(i);
  }

  private dispatch(ev: SimEvent): void {
    const i = ev.node;
    if (i >= 0 && DATANODE_SIDE.has(ev.kind)) {
      const d = ev.data as { inc: number };
      if (d.inc !== this.incarnation[i] || !this.alive[i]) {
        if (ev.kind === EV.CopyDone) this.repair.copiesFailed += 1;
        return;
      }
      if (this.paused[i]) {
        (this.deferred[i] ??= []).push(ev);
        return;
      }
    }
    const t = ev.timeMs;
    switch (ev.kind) {
      case EV.Crash: return this.crash(i, t, ev.data as { downtimeMs: number; diskLost: boolean });
      case EV.Restart: return this.restart(i, t, ev.data as { inc: number });
      case EV.PauseStart: return this.pauseStart(i, t, (ev.data as { durationMs: number }).durationMs);
      case EV.PauseEnd: return this.pauseEnd(i, t, ev.data as { inc: number });
      case EV.PartitionStart: return this.partitionStart(t, ev.data as Partition);
      case EV.PartitionEnd: return this.partitionEnd(t, ev.data as Partition);
      case EV.NnRegister: return this.nnRegister(i, t, ev.data as { inc: number; sentMs: number });
      case EV.DnRegistered: return this.dnRegistered(i, t, ev.data as { inc: number; registrationId: string });
      case EV.DnRegisterRetry:
        if (this.registering[i]) this.startRegistration(i, t + this.dnRandom.next(i) * RECONNECT_MAX_MS);
        return;
      case EV.NnFullReport: return this.nnFullReport(i, t, ev.data as { registrationId: string; blocks: number[] });
      case EV.DnCommands: return this.dnCommands(i, t, ev.data as { inc: number; stream: number; commands: Command[] });
      case EV.CopyDone: return this.copyDone(i, t, ev.data as CopyJob);
      case EV.CopyReceive: return this.receiveReplica(i, t, (ev.data as { blockId: number }).blockId);
      case EV.NnIncremental: return this.nnIncremental(i, t, ev.data as { registrationId: string; received: number[]; deleted: number[] });
      case EV.NnStreamClosed: return this.nnStreamClosed(i, t, (ev.data as { stream: number }).stream);
      case EV.DnWatchdog: return this.dnWatchdog(i, t, (ev.data as { token: number }).token);
      case EV.DnReconnect: return this.dnReconnect(i, t);
      case EV.DnRetrySend: {
        const d = ev.data as { kind: number; payload: unknown };
        return this.sendToNameNode(i, t, d.kind, d.payload);
      }
      default: throw new Error(`unknown event kind ${ev.kind}`);
    }
  }

  // ---- heartbeats -------------------------------------------------------------------------------

  /** One-way delay of a message on node i's link. */
  private delay(i: number): number {
    return this.baseDelayMs[i] + this.net.exponential(i, this.config.network.jitterMs);
  }

  private beatLost(i: number): boolean {
    if (--this.beatLossLeft[i] > 0) return false;
    this.beatLossLeft[i] = this.net.geometric(i, this.loss);
    return true;
  }

  /** Whether a NameNode -> DataNode stream message (answer, pushed commands) is lost. */
  private answerLost(i: number): boolean {
    if (this.cutFromNameNode[i] > 0) return true;
    if (this.loss === 0 || --this.answerLossLeft[i] > 0) return false;
    this.answerLossLeft[i] = this.net.geometric(i, this.loss);
    return true;
  }

  /**
   * The DataNode's beat timer is due at sendMs: plan the next beat that reaches the NameNode, or
   * stop the chain (paused, cut link: resumed by the event that ends the condition), or fire the
   * watchdog. Invalidates any beat of this node still queued.
   */
  private scheduleBeat(i: number, sendMs: number): void {
    const token = ++this.beatToken[i];
    this.arrivalStep[i] = -1;
    this.suspended[i] = 0;
    this.timerMs[i] = sendMs;
    if (!this.alive[i] || this.dnStream[i] === 0 || this.registering[i]) return;
    if (this.paused[i]) {
      this.suspended[i] = 1;
      return;
    }
    const interval = this.intervalMs;
    const jitter = this.config.timerJitterMs;
    let s = sendMs;
    for (;;) {
      if (s - this.lastAnswerMs[i] > this.watchdogMs) {
        this.queue.push(s, EV.DnWatchdog, i, { inc: this.incarnation[i], token });
        return;
      }
      if (this.cutToNameNode[i] > 0) {
        // Beats go out and vanish until the cut heals (partitionEnd resumes the chain) or the
        // watchdog gives up on the stream.
        this.suspended[i] = 1;
        this.timerMs[i] = s;
        const k = Math.max(0, Math.floor((this.lastAnswerMs[i] + this.watchdogMs - s) / interval) + 1);
        this.queue.push(s + k * interval, EV.DnWatchdog, i, { inc: this.incarnation[i], token });
        return;
      }
      this.sequence[i] += 1;
      this.counts.heartbeatsSent += 1;
      if (this.loss > 0 && this.beatLost(i)) {
        this.counts.heartbeatsLost += 1;
        s += interval + this.net.next(i) * jitter;
        continue;
      }
      let arrival = s + this.delay(i);
      if (arrival < this.lastArrivalMs[i]) arrival = this.lastArrivalMs[i]; // FIFO stream
      if (arrival < this.lastControlToNameNodeMs[i]) arrival = this.lastControlToNameNodeMs[i]; // FIFO connection
      this.lastArrivalMs[i] = arrival;
      this.pendingSendMs[i] = s;
      this.pendingArrivalMs[i] = arrival;
      this.pendingSeq[i] = this.sequence[i];
      this.pendingStream[i] = this.dnStream[i];
      this.pendingRegistration[i] = this.registrationId[i];
      this.setArrivalStep(i, Math.ceil(arrival / this.tickMs));
      return;
    }
  }

  /**
   * Node i's beat in flight arrives in tick step `step` (or the current one, if earlier). Marks it
   * in the step's bitmap; a beat that becomes due while the current step is being scanned also
   * goes to `late` (the scan may be past i).
   */
  private setArrivalStep(i: number, step: number): void {
    if (step <= this.currentStep) {
      step = this.currentStep;
      if (this.scanning) this.late.push(i);
    }
    this.arrivalStep[i] = step;
    this.arrivalBits[(step & ARRIVAL_RING_MASK) * this.arrivalWords + (i >>> 5)] |= 1 << (i & 31);
  }

  /**
   * Delivers, in node index order, every beat arriving in step k: the nodes marked in k's slot of
   * the bitmap ring whose arrivalStep is k — what a scan of arrivalStep over all nodes finds, at
   * a cost per beat instead of per node. A mark stays for a beat R steps or more ahead (same slot)
   * and is dropped when stale (the beat was delivered early, re-planned or cancelled).
   */
  private scanArrivals(k: number): void {
    const bits = this.arrivalBits;
    const arrivalStep = this.arrivalStep;
    const base = (k & ARRIVAL_RING_MASK) * this.arrivalWords;
    for (let w = 0; w < this.arrivalWords; w++) {
      let word = bits[base + w];
      while (word !== 0) {
        const b = 31 - Math.clz32(word & -word);
        const i = (w << 5) + b;
        const step = arrivalStep[i];
        if (!(step > k && ((step - k) & ARRIVAL_RING_MASK) === 0)) bits[base + w] &= ~(1 << b);
        if (step === k) this.deliverBeat(i);
        word = bits[base + w] & ~((2 << b) - 1); // re-read: delivering may mark nodes above i
      }
    }
  }

  private deliverBeat(i: number): void {
    const arrival = this.pendingArrivalMs[i];
    const stream = this.pendingStream[i];
    this.arrivalStep[i] = -1;
    this.counts.heartbeatsDelivered += 1;
    const registration = this.pendingRegistration[i];
    let acked = -1;
    let commands: Command[] | undefined;
    if (this.fastHeartbeats && this.statsDirty[i] === 0 && this.commandsQueued[i] === 0 && registration === this.nnRegistration[i]) {
      acked = this.nn.heartbeatUneventful(this.ids[i], this.pendingSeq[i], stream, arrival);
    }
    if (acked < 0) {
      const input = this.input;
      input.nodeId = this.ids[i];
      input.registrationId = registration;
      input.sequence = this.pendingSeq[i];
      input.streamId = stream;
      input.stats = this.stats[i];
      const outcome = this.nn.heartbeat(input, arrival);
      acked = outcome.ackedSequence;
      if (acked > 0) {
        this.statsDirty[i] = 0;
        this.commandsQueued[i] = 0;
      }
      if (outcome.commands.length) commands = outcome.commands;
    }
    if (acked > 0) {
      this.nnStream[i] = stream; // the adapter's session: commands are pushed on this stream
      this.lastDeliveredMs[i] = arrival;
    }
    const current = stream === this.dnStream[i] && this.alive[i] === 1;
    if (!this.answerLost(i) && current) {
      // Only the DataNode's watchdog (max(20 intervals, 10 s)) reads the arrival time of an answer
      // without commands: it takes the link's base delay, no jitter draw.
      const back = arrival + (commands ? this.delay(i) : this.baseDelayMs[i]);
      if (back > this.lastAnswerMs[i]) this.lastAnswerMs[i] = back;
      if (commands) this.queue.push(back, EV.DnCommands, i, { inc: this.incarnation[i], stream, commands });
    }
    if (current) this.scheduleBeat(i, this.pendingSendMs[i] + this.intervalMs + this.net.next(i) * this.config.timerJitterMs);
  }

  // ---- the NameNode's planner and pushes --------------------------------------------------------

  private replicationTick(nowMs: number): void {
    const touched = this.nn.drainTouched(); // the planner ran in nn.tick (every fourth tick)
    for (const id of touched) {
      const i = this.indexOf.get(id)!;
      const stream = this.nnStream[i];
      if (stream === 0) {
        this.commandsQueued[i] = 1; // no session: they wait for the node's next heartbeat answer
        continue;
      }
      const commands = this.nn.drainCommands(id);
      if (commands.length === 0 || this.answerLost(i)) continue;
      this.queue.push(nowMs + this.delay(i), EV.DnCommands, i, { inc: this.incarnation[i], stream, commands });
    }
  }

  private onTransition(t: Transition, affected: readonly number[]): void {
    const i = this.indexOf.get(t.nodeId)!;
    this.qos.transition(i, t.from, t.to, t.atMs, () => this.mistakeCause(i));
    if (t.to === 'DEAD') this.repair.death(t.atMs, affected, this.qos.isCrashed(i));
    this.transitionHook?.(t);
  }

  /** Why an up node was suspected: its silence overlaps a pause, a partition, or neither. */
  private mistakeCause(i: number): MistakeCause {
    const lastHeard = this.lastDeliveredMs[i];
    if (this.paused[i] || this.lastPauseEndMs[i] > lastHeard) return 'pause';
    if (this.cutToNameNode[i] > 0 || this.cutFromNameNode[i] > 0 || this.lastPartitionEndMs[i] > lastHeard) return 'partition';
    return 'loss-or-delay';
  }

  // ---- registration, reports, commands ----------------------------------------------------------

  /**
   * Arrival time of a message the DataNode sends at t outside the beat chain. Everything shares one
   * HTTP/2 connection, so it is FIFO: it arrives after what was sent before it (a beat already on
   * its way, an earlier RPC) and before a beat sent later (which is pushed back if needed). Without
   * this a REREGISTER's stream cancel could overtake the Register that follows it.
   */
  private toNameNodeArrival(i: number, t: number): number {
    let a = t + this.delay(i);
    if (a < this.lastControlToNameNodeMs[i]) a = this.lastControlToNameNodeMs[i];
    if (this.arrivalStep[i] >= 0) {
      if (this.pendingSendMs[i] <= t) {
        if (a < this.pendingArrivalMs[i]) a = this.pendingArrivalMs[i];
      } else if (this.pendingArrivalMs[i] < a) {
        this.pendingArrivalMs[i] = a;
        this.lastArrivalMs[i] = Math.max(this.lastArrivalMs[i], a);
        this.setArrivalStep(i, Math.ceil(a / this.tickMs));
      }
    }
    this.lastControlToNameNodeMs[i] = a;
    return a;
  }

  /** A unary RPC from the DataNode: delivered after the link delay, or retried while the link is cut. */
  private sendToNameNode(i: number, t: number, kind: number, payload: unknown): void {
    if (this.cutToNameNode[i] > 0) {
      this.queue.push(t + RPC_RETRY_MS, EV.DnRetrySend, i, { inc: this.incarnation[i], kind, payload });
      return;
    }
    this.queue.push(this.toNameNodeArrival(i, t), kind, i, payload);
  }

  private startRegistration(i: number, t: number): void {
    if (!this.alive[i]) return;
    this.registering[i] = 1;
    this.registrationId[i] = '';
    this.dropStream(i, t);
    const data = { inc: this.incarnation[i], sentMs: t };
    if (this.cutToNameNode[i] > 0) {
      this.queue.push(t + REGISTER_DEADLINE_MS, EV.DnRegisterRetry, i, { inc: this.incarnation[i] });
      return;
    }
    this.queue.push(this.toNameNodeArrival(i, t), EV.NnRegister, i, data);
  }

  private nnRegister(i: number, t: number, d: { inc: number; sentMs: number }): void {
    if (d.inc !== this.incarnation[i]) return; // that process is gone
    const registrationId = this.nnRegister0(i, t);
    this.counts.registrations += 1;
    if (this.cutFromNameNode[i] > 0) {
      this.queue.push(d.sentMs + REGISTER_DEADLINE_MS, EV.DnRegisterRetry, i, { inc: d.inc });
      return;
    }
    this.queue.push(t + this.delay(i), EV.DnRegistered, i, { inc: d.inc, registrationId });
  }

  private dnRegistered(i: number, t: number, d: { registrationId: string }): void {
    if (!this.registering[i]) return;
    this.registering[i] = 0;
    this.registrationId[i] = d.registrationId;
    this.openStream(i, t);
    this.sendToNameNode(i, t, EV.NnFullReport, { registrationId: d.registrationId, blocks: [...this.disk[i]] });
  }

  private openStream(i: number, t: number): void {
    this.dnStream[i] = ++this.streamCounter;
    this.reconnectAttempts[i] = 0;
    this.lastAnswerMs[i] = t;
    this.lastArrivalMs[i] = 0;
    this.scheduleBeat(i, t); // scheduleBeat(0) on a new stream
  }

  private nnFullReport(i: number, t: number, d: { registrationId: string; blocks: number[] }): void {
    const id = this.ids[i];
    if (!this.nn.registered(id, d.registrationId)) return;
    this.counts.fullReports += 1;
    const size = this.config.blockSizeBytes;
    const replicas = d.blocks.map((blockId) => ({ blockId, generationStamp: GENERATION_STAMP, lengthBytes: size }));
    const invalidate = this.nn.fullBlockReport(id, replicas, t);
    if (invalidate.length) this.replyCommands(i, t, [{ kind: 'invalidate', blockIds: invalidate }]);
  }

  private nnIncremental(i: number, t: number, d: { registrationId: string; received: number[]; deleted: number[] }): void {
    const id = this.ids[i];
    if (!this.nn.registered(id, d.registrationId)) return;
    const size = this.config.blockSizeBytes;
    const received = d.received.map((blockId) => ({ blockId, generationStamp: GENERATION_STAMP, lengthBytes: size }));
    const invalidate = this.nn.blockReceivedAndDeleted(id, received, d.deleted, t);
    if (invalidate.length) this.replyCommands(i, t, [{ kind: 'invalidate', blockIds: invalidate }]);
  }

  /** An RPC response carrying commands (not bound to the heartbeat stream). */
  private replyCommands(i: number, t: number, commands: Command[]): void {
    if (this.cutFromNameNode[i] > 0) return;
    this.queue.push(t + this.delay(i), EV.DnCommands, i, { inc: this.incarnation[i], stream: 0, commands });
  }

  private dnCommands(i: number, t: number, d: { stream: number; commands: Command[] }): void {
    if (d.stream !== 0 && d.stream !== this.dnStream[i]) return; // written on a stream this process dropped
    for (const cmd of d.commands) {
      switch (cmd.kind) {
        case 'reregister':
          if (!this.registering[i]) this.startRegistration(i, t);
          break;
        case 'invalidate':
          this.invalidate(i, t, cmd.blockIds);
          break;
        case 'replicate':
          this.startCopy(i, t, cmd);
          break;
        default:
          break;
      }
    }
  }

  private invalidate(i: number, t: number, blockIds: number[]): void {
    const deleted: number[] = [];
    for (const b of blockIds) {
      if (!this.disk[i].delete(b)) continue;
      this.usedBytes[i] -= this.config.blockSizeBytes;
      deleted.push(b);
    }
    if (!deleted.length) return;
    this.repair.replicasInvalidated += deleted.length;
    this.refreshStats(i);
    if (this.registrationId[i]) this.sendToNameNode(i, t, EV.NnIncremental, { registrationId: this.registrationId[i], received: [], deleted });
  }

  private startCopy(i: number, t: number, cmd: Extract<Command, { kind: 'replicate' }>): void {
    if (!this.disk[i].has(cmd.blockId)) {
      this.repair.copiesFailed += 1;
      return;
    }
    const start = Math.max(t, this.busyUntilMs[i]);
    const end = start + (cmd.lengthBytes / this.config.copyBandwidthBytesPerSecond) * 1000;
    this.busyUntilMs[i] = end;
    this.activeTransfers[i] += 1;
    this.refreshStats(i);
    const targets = cmd.targetIds.map((id) => this.indexOf.get(id)!);
    const job: CopyJob = {
      inc: this.incarnation[i], blockId: cmd.blockId, lengthBytes: cmd.lengthBytes, targets,
      targetIncarnations: targets.map((j) => this.incarnation[j]), startMs: start, pausedBaseMs: this.pausedTotalMs[i],
    };
    this.queue.push(end, EV.CopyDone, i, job);
  }

  private copyDone(i: number, t: number, job: CopyJob): void {
    const stalledMs = this.pausedTotalMs[i] - job.pausedBaseMs;
    if (stalledMs > 0) {
      // The source was paused during the copy: it finishes that much later.
      job.pausedBaseMs = this.pausedTotalMs[i];
      this.busyUntilMs[i] = Math.max(this.busyUntilMs[i], t + stalledMs);
      this.queue.push(t + stalledMs, EV.CopyDone, i, job);
      return;
    }
    this.activeTransfers[i] = Math.max(0, this.activeTransfers[i] - 1);
    this.refreshStats(i);
    let delivered = 0;
    for (let k = 0; k < job.targets.length; k++) {
      const j = job.targets[k];
      if (!this.alive[j] || this.incarnation[j] !== job.targetIncarnations[k]) continue;
      delivered += 1;
      if (this.paused[j]) (this.deferred[j] ??= []).push({ timeMs: t, seq: 0, kind: EV.CopyReceive, node: j, data: { inc: this.incarnation[j], blockId: job.blockId } });
      else this.receiveReplica(j, t, job.blockId);
    }
    if (delivered) this.repair.copied(job.lengthBytes * delivered, job.startMs, t);
    else this.repair.copiesFailed += 1;
  }

  private receiveReplica(j: number, t: number, blockId: number): void {
    if (this.disk[j].has(blockId)) return;
    this.disk[j].add(blockId);
    this.usedBytes[j] += this.config.blockSizeBytes;
    this.refreshStats(j);
    if (this.registrationId[j]) this.sendToNameNode(j, t, EV.NnIncremental, { registrationId: this.registrationId[j], received: [blockId], deleted: [] });
  }

  /** nn.register plus the bookkeeping of what the NameNode now holds for the node. */
  private nnRegister0(i: number, t: number): string {
    const registrationId = this.nn.register(this.registrationObjects[i], this.stats[i], t);
    this.nnRegistration[i] = registrationId;
    this.statsDirty[i] = 0; // register copies the stats
    this.commandsQueued[i] = 0; // and clears the node's command queue
    return registrationId;
  }

  private refreshStats(i: number): void {
    this.statsDirty[i] = 1;
    const s = this.stats[i];
    s.usedBytes = this.usedBytes[i];
    s.remainingBytes = this.capacity[i] - this.usedBytes[i];
    s.blockCount = this.disk[i].size;
    s.activeTransfers = this.activeTransfers[i];
  }

  // ---- streams ----------------------------------------------------------------------------------

  /** The DataNode cancels its heartbeat stream; the NameNode sees it close if the link lets the RST through. */
  private dropStream(i: number, t: number): void {
    const old = this.dnStream[i];
    if (old === 0) return;
    this.dnStream[i] = 0;
    this.counts.streamDrops += 1;
    ++this.beatToken[i];
    if (this.arrivalStep[i] >= 0 && this.pendingSendMs[i] > t) this.arrivalStep[i] = -1; // not sent yet: never will be
    this.suspended[i] = 0;
    if (this.cutToNameNode[i] === 0) this.queue.push(this.toNameNodeArrival(i, t), EV.NnStreamClosed, i, { stream: old });
  }

  private nnStreamClosed(i: number, t: number, stream: number): void {
    this.nn.streamClosed(this.ids[i], stream, t);
    if (this.nnStream[i] === stream) this.nnStream[i] = 0;
  }

  private dnWatchdog(i: number, t: number, token: number): void {
    if (token !== this.beatToken[i]) return;
    this.dropStream(i, t);
    this.queueReconnect(i, t);
  }

  private queueReconnect(i: number, t: number): void {
    const cap = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(this.reconnectAttempts[i], 16));
    this.reconnectAttempts[i] += 1;
    this.queue.push(t + this.dnRandom.next(i) * cap, EV.DnReconnect, i, { inc: this.incarnation[i] });
  }

  private dnReconnect(i: number, t: number): void {
    if (this.registering[i] || this.dnStream[i] !== 0) return;
    if (this.cutToNameNode[i] > 0 || this.cutFromNameNode[i] > 0) {
      this.queueReconnect(i, t); // the stream cannot open across a cut link
      return;
    }
    this.openStream(i, t + 2 * this.baseDelayMs[i]);
  }

  // ---- faults -----------------------------------------------------------------------------------

  private crash(i: number, t: number, d: { downtimeMs: number; diskLost: boolean }): void {
    if (!this.alive[i]) return;
    this.counts.crashes += 1;
    this.qos.crash(i, t, this.nn.manager.state(this.ids[i]));
    this.alive[i] = 0;
    this.paused[i] = 0;
    this.deferred[i] = undefined;
    this.incarnation[i] += 1;
    this.registering[i] = 0;
    this.registrationId[i] = '';
    this.dnStream[i] = 0;
    if (!(this.arrivalStep[i] >= 0 && this.pendingSendMs[i] < t)) {
      ++this.beatToken[i];
      this.arrivalStep[i] = -1;
    }
    this.suspended[i] = 0;
    this.activeTransfers[i] = 0;
    this.busyUntilMs[i] = t;
    if (d.diskLost) {
      this.disk[i].clear();
      this.usedBytes[i] = 0;
    }
    this.refreshStats(i);
    if (Number.isFinite(d.downtimeMs)) this.queue.push(t + d.downtimeMs, EV.Restart, i, { inc: this.incarnation[i] });
    else this.gone[i] = 1;
  }

  private restart(i: number, t: number, d: { inc: number }): void {
    if (d.inc !== this.incarnation[i] || this.alive[i]) return;
    this.qos.restart(i, t);
    this.alive[i] = 1;
    this.startRegistration(i, t);
  }

  private pauseStart(i: number, t: number, durationMs: number): void {
    if (!this.alive[i] || this.paused[i]) return;
    this.counts.pauses += 1;
    this.paused[i] = 1;
    this.pauseStartMs[i] = t;
    if (this.arrivalStep[i] >= 0 && this.pendingSendMs[i] >= t) {
      // The beat was due during the pause: its timer fires on resume instead.
      ++this.beatToken[i];
      this.arrivalStep[i] = -1;
      this.suspended[i] = 1;
      this.timerMs[i] = this.pendingSendMs[i];
    } else if (this.suspended[i]) {
      ++this.beatToken[i]; // no watchdog fires while paused
    }
    this.queue.push(t + durationMs, EV.PauseEnd, i, { inc: this.incarnation[i] });
  }

  private pauseEnd(i: number, t: number, d: { inc: number }): void {
    if (d.inc !== this.incarnation[i] || !this.paused[i]) return;
    this.paused[i] = 0;
    this.pausedTotalMs[i] += t - this.pauseStartMs[i];
    this.lastPauseEndMs[i] = t;
    const deferred = this.deferred[i];
    this.deferred[i] = undefined;
    if (deferred) for (const ev of deferred) this.dispatch({ ...ev, timeMs: t });
    if (this.alive[i] && this.suspended[i] && this.arrivalStep[i] < 0 && this.dnStream[i] !== 0 && !this.registering[i] && !this.paused[i]) {
      this.scheduleBeat(i, Math.max(t, this.timerMs[i]));
    }
  }

  private partitionStart(t: number, p: Partition): void {
    this.counts.partitions += 1;
    for (const i of p.nodes) {
      this.flushBeat(i, t);
      if (p.fromNameNode) this.cutFromNameNode[i] += 1;
      if (p.toNameNode && ++this.cutToNameNode[i] === 1) {
        if (this.arrivalStep[i] >= 0 && this.pendingSendMs[i] >= t) this.scheduleBeat(i, this.pendingSendMs[i]);
      }
    }
    this.queue.push(t + p.durationMs, EV.PartitionEnd, -1, p);
  }

  private partitionEnd(t: number, p: Partition): void {
    for (const i of p.nodes) {
      this.flushBeat(i, t);
      this.lastPartitionEndMs[i] = t;
      if (p.fromNameNode) this.cutFromNameNode[i] -= 1;
      if (p.toNameNode && --this.cutToNameNode[i] === 0) {
        if (this.suspended[i] && !this.paused[i] && this.alive[i] && this.dnStream[i] !== 0 && this.arrivalStep[i] < 0) {
          // The chain kept ticking into the void; it is heard again from its next timer on.
          const k = Math.max(0, Math.ceil((t - this.timerMs[i]) / this.intervalMs));
          this.sequence[i] += k;
          this.scheduleBeat(i, this.timerMs[i] + k * this.intervalMs);
        }
      }
    }
  }

  // ---- end of run -------------------------------------------------------------------------------

  private lostBlocks(): number {
    if (this.config.blocks === 0) return 0;
    const present = new Uint8Array(this.config.blocks + 1);
    for (let i = 0; i < this.n; i++) if (!this.gone[i]) for (const b of this.disk[i]) present[b] = 1;
    let lost = 0;
    for (let b = 1; b <= this.config.blocks; b++) if (!present[b]) lost += 1;
    return lost;
  }
}
