/**
 * The central simulation engine: simulated DataNodes and a simulated network around the real
 * NameNode core (sim-namenode.ts), on a virtual clock, every random choice drawn from the run's
 * seed. This file is the engine loop, the event dispatcher and the DataNode model; the state and
 * models it drives live beside it:
 *   datanode-table.ts  every DataNode's state, a typed array per field
 *   arrival-ring.ts    the per-tick-step bitmaps of beats that may arrive in that step
 *   network-model.ts   per-link base delay, jitter and loss runs
 *   fault-plan.ts      the seeded crashes, pauses and partitions (shared with gossip mode)
 *
 * Time advances in the NameNode's own tick steps (interval / 4, like its one timer). Within a step
 * the engine delivers everything that happens up to the tick — heartbeat arrivals and other
 * events, each with its exact virtual time — then calls the core's tick(), which runs the planner
 * every 4th tick as in the process, and sends what the planner pushed. Heartbeats are the bulk
 * (one per node per interval), so they skip the event heap: each DataNode has at most one beat in
 * flight, kept in the table with the tick step it arrives in and marked in the arrival ring; lost
 * beats are skipped with a geometric draw, not one by one. Order inside a step is exact per node
 * (an event for node i first delivers i's earlier beat); across nodes it does not matter inside a
 * step, because nodes only interact through the NameNode's tick and planner, which run at the
 * step's end — so the step's beats are delivered in DataNode index order, which keeps the
 * per-node state in cache. Most beats do not go through the ring either: a node whose beats
 * nothing can tell apart runs ahead, its beats delivered in a loop and handed to the core as one
 * HeartbeatMonitor.heardThrough (see "skipped beats" below; skipQuietBeats: false delivers every
 * beat one by one, with identical figures).
 *
 * DataNode model (heartbeat-link.ts, datanode.ts; times from LinkPolicy): a beat every interval
 * from a setTimeout chain (each fire late by up to timerJitterMs); an answer to each; REREGISTER
 * -> register, then a full block report and beats on a new stream; commands pushed on the stream
 * right after the planner (REPLICATE copies at the node's bandwidth, one after another;
 * INVALIDATE deletes) with incremental reports; a watchdog that drops the stream when the NameNode
 * has not answered for max(20 intervals, 10 s) and reconnects with full-jitter backoff (100 ms
 * doubling to 2 s). Faults: crash (silent, restart later, sometimes with an empty disk), pause
 * (nothing runs; the overdue timer fires on resume), partitions of a node or a rack, both ways or
 * one way. Network: FIFO per connection; stream messages (beats, answers, pushed commands) may be
 * lost; unary RPCs wait out a cut link.
 */
import { LINK_REGISTER_TIMEOUT_MS, LINK_RECONNECT_INITIAL_MS, LINK_RECONNECT_MAX_MS, LinkPolicy } from '@minidfs/common';
import type { DatanodeRegistration, DatanodeStats, HeartbeatInput, Command, Transition, LivenessDetector } from '@minidfs/namenode';
import { PhiAccrualDetector } from '@minidfs/namenode';
import { ArrivalRing } from './arrival-ring';
import { type SimConfig, replicationConfigFor, resolvePhiConfig, validateSimConfig } from './config';
import { DataNodeTable } from './datanode-table';
import { EventQueue, type SimEvent } from './event-queue';
import { type PlannedPartition, centralFaultPlan } from './fault-plan';
import { type MistakeCause, QosTracker, type QosFigures, RepairTracker, type RepairFigures } from './metrics';
import { NetworkModel } from './network-model';
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

/** Most beats one run ahead covers (a replay walks at most this many again). */
const MAX_CRUISE_BEATS = 1024;

/** A unary RPC over a cut link is retried this often. */
const RPC_RETRY_MS = 1000;
const GENERATION_STAMP = 1001;

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
  /** How the engine got there (differs between skipQuietBeats on and off; the figures do not). */
  engine: SimEngineCounts;
}

export interface SimEngineCounts {
  /** Beats delivered inside runs ahead (the core got them as HeartbeatMonitor.heardThrough), not one by one. */
  beatsRunAhead: number;
  /** Runs ahead started, and the ones replayed to an earlier end because something touched the node. */
  runsAhead: number;
  replays: number;
}

export interface RunOptions {
  /**
   * Deliver uneventful heartbeats straight to the real HeartbeatMonitor (SimNameNode.heartbeatUneventful)
   * instead of through DatanodeManager.heartbeat. Same figures either way (tested); default true.
   */
  fastHeartbeats?: boolean;
  /**
   * Skip the beats that change nothing (with fastHeartbeats and the threshold detector): a node
   * whose beats keep coming is run ahead, beat by beat in the engine (same draws) but in one
   * HeartbeatMonitor.heardThrough call for the core, up to the first beat a tick or an event could
   * tell apart; anything that touches the node before then replays the run up to that moment.
   * Same figures either way (tested); default true.
   */
  skipQuietBeats?: boolean;
  /** Called about every `progressEveryMs` of wall time with the virtual time reached. */
  onProgress?: (virtualMs: number, wallMs: number) => void;
  progressEveryMs?: number;
  /** Every transition of the real HeartbeatMonitor, as it happens (gossip mode compares it with the peers' view). */
  onTransition?: (t: Transition) => void;
}

export function runSimulation(config: SimConfig, options: RunOptions = {}): SimResult {
  return new Simulation(validateSimConfig(config), options.fastHeartbeats ?? true, options.skipQuietBeats ?? true).run(options);
}

export class Simulation {
  private readonly n: number;
  /** Racks; node i is on rack i % racks (see setup: why not contiguous). */
  private readonly racks: number;
  private readonly intervalMs: number;
  private readonly tickMs: number;
  private readonly watchdogMs: number;
  private readonly root: Random;
  readonly nn: SimNameNode;
  private readonly detector: LivenessDetector | undefined;
  private readonly queue = new EventQueue();
  private readonly qos: QosTracker;
  private readonly repair: RepairTracker;
  /** Every DataNode's state, a typed array per field. */
  private readonly dn: DataNodeTable;
  private readonly network: NetworkModel;
  private readonly dnRandom: RandomStreams;
  private currentStep = 0;
  private transitionHook: ((t: Transition) => void) | undefined = undefined;
  /** Set once the current step's scan has begun: beats that become due now go to `late`. */
  private scanning = false;
  private readonly late: number[] = [];
  private readonly ring: ArrivalRing;
  /** deliverBeat as one function object, for the ring's scan. */
  private readonly deliver = (i: number): void => this.deliverBeat(i, true);
  private streamCounter = 0;
  /** Beats are skipped (skipQuietBeats, threshold detector). */
  private readonly skipBeats: boolean;
  /** Tick steps in the run: a beat arriving after the last one is never delivered. */
  private lastStep = 0;
  /** The beat a run ahead (runAhead) ended on: its sequence and arrival. */
  private aheadSeq = 0;
  private aheadArrivalMs = 0;
  private readonly input: HeartbeatInput = { nodeId: '', registrationId: '', sequence: 0, streamId: 0, goodbye: false, stats: undefined as unknown as DatanodeStats };
  private readonly counts: SimCounts = {
    heartbeatsSent: 0, heartbeatsDelivered: 0, heartbeatsLost: 0, ticks: 0, events: 0, registrations: 0, fullReports: 0, crashes: 0,
    pauses: 0, partitions: 0, streamDrops: 0,
  };

  constructor(private readonly config: SimConfig, private readonly fastHeartbeats = true, skipQuietBeats = true) {
    const n = (this.n = config.nodes);
    this.racks = Math.ceil(n / config.nodesPerRack);
    this.intervalMs = config.liveness.heartbeatIntervalMs;
    this.tickMs = Math.max(5, Math.floor(this.intervalMs / 4)); // namenode.ts: interval / 4
    this.watchdogMs = new LinkPolicy().watchdogMs(this.intervalMs); // max(20 intervals, 10 s), as heartbeat-link.ts
    this.root = new Random(config.seed);
    const phi = resolvePhiConfig(config.liveness, config.detector);
    this.detector = phi ? new PhiAccrualDetector(phi) : undefined;
    this.skipBeats = fastHeartbeats && skipQuietBeats && this.detector === undefined;
    this.qos = new QosTracker(n, config.durationMs);
    this.nn = new SimNameNode(config.liveness, this.detector, replicationConfigFor(config), {
      transition: (t, affected) => this.onTransition(t, affected),
      replicaGained: (blockId, nowMs) => this.repair.replicaGained(blockId, nowMs),
      replicasLost: (blockIds) => this.repair.replicasLost(blockIds),
    });
    this.repair = new RepairTracker((b) => this.nn.blockMap.liveReplicaCount(b, this.nn.usable), () => config.replication);
    this.dn = new DataNodeTable(n);
    this.network = new NetworkModel(config.seed, n, config.network);
    this.ring = new ArrivalRing(n);
    this.dnRandom = new RandomStreams(config.seed, 'dn', n);
  }

  run(options: RunOptions = {}): SimResult {
    const started = performance.now();
    this.transitionHook = options.onTransition;
    this.setup();
    const setupDone = performance.now();
    const c = this.config;
    const ticks = Math.floor(c.durationMs / this.tickMs);
    this.lastStep = ticks;
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
      engine: { ...this.engine },
    };
  }

  // ---- setup ------------------------------------------------------------------------------------

  private setup(): void {
    const c = this.config;
    const cluster = this.root.fork('cluster');
    for (let i = 0; i < this.n; i++) {
      const id = `dn${i}`;
      const rack = `/rack-${i % this.racks}`;
      this.dn.ids.push(id);
      this.dn.indexOf.set(id, i);
      const reg: DatanodeRegistration = {
        id, uuid: `uuid-${i}`, host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dataPort: 9866, httpPort: 9864, rack,
      };
      this.dn.registrationObjects.push(reg);
      this.dn.capacity[i] = Math.round(c.capacityBytes * (0.95 + 0.1 * cluster.next()));
      this.dn.stats.push({ capacityBytes: this.dn.capacity[i], usedBytes: 0, remainingBytes: this.dn.capacity[i], activeTransfers: 0, failedVolumes: 0, blockCount: 0 });
      this.dn.disk.push(new Set());
      this.dn.deferred.push(undefined);
      this.dn.registrationId.push('');
      this.dn.nnRegistration.push('');
      this.dn.pendingRegistration.push('');
    }
    this.layBlocks();
    for (let i = 0; i < this.n; i++) {
      this.dn.alive[i] = 1;
      this.refreshStats(i);
      this.dn.registrationId[i] = this.nnRegister0(i, 0);
      this.counts.registrations += 1;
      this.dn.dnStream[i] = ++this.streamCounter;
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
        holders.push(this.dn.ids[i]);
        held[i].push(b);
      }
      this.nn.addCompleteBlock({ blockId: b, generationStamp: GENERATION_STAMP, lengthBytes: c.blockSizeBytes, expectedReplication: c.replication }, holders);
    }
    for (let i = 0; i < this.n; i++) {
      this.dn.disk[i] = new Set(held[i]); // built in one go: far cheaper than 3 random Set.add per block
      this.dn.usedBytes[i] = held[i].length * c.blockSizeBytes;
    }
  }

  /** Queues the run's faults (fault-plan.ts: random from the config's rates, then the scripted ones). */
  private scheduleFaults(): void {
    for (const f of centralFaultPlan(this.config)) {
      if (f.kind === 'crash') this.queue.push(f.atMs, EV.Crash, f.node, f);
      else if (f.kind === 'pause') this.queue.push(f.atMs, EV.PauseStart, f.node, f);
      else this.queue.push(f.atMs, EV.PartitionStart, -1, f);
    }
  }

  // ---- the step loop ----------------------------------------------------------------------------

  private processStep(k: number, g: number): void {
    this.currentStep = k;
    this.scanning = false;
    const arrivalStep = this.dn.arrivalStep;
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
        this.ring.scan(k, arrivalStep, this.deliver);
        continue;
      }
      if (this.late.length) {
        const i = this.late.pop()!;
        if (arrivalStep[i] === k) this.deliverBeat(i, true);
        continue;
      }
      break;
    }
  }

  /** Delivers node i's beat if it arrives no later than `timeMs` (keeps per-node order exact). */
  private flushBeat(i: number, timeMs: number): void {
    const dn = this.dn;
    if (dn.cruising[i]) this.settle(i);
    if (dn.arrivalStep[i] >= 0 && dn.pendingArrivalMs[i] <= timeMs) this.deliverBeat(i, false);
  }

  private dispatch(ev: SimEvent): void {
    const i = ev.node;
    if (i >= 0 && DATANODE_SIDE.has(ev.kind)) {
      const d = ev.data as { inc: number };
      if (d.inc !== this.dn.incarnation[i] || !this.dn.alive[i]) {
        if (ev.kind === EV.CopyDone) this.repair.copiesFailed += 1;
        return;
      }
      if (this.dn.paused[i]) {
        (this.dn.deferred[i] ??= []).push(ev);
        return;
      }
    }
    const t = ev.timeMs;
    switch (ev.kind) {
      case EV.Crash: return this.crash(i, t, ev.data as { downtimeMs: number; diskLost: boolean });
      case EV.Restart: return this.restart(i, t, ev.data as { inc: number });
      case EV.PauseStart: return this.pauseStart(i, t, (ev.data as { durationMs: number }).durationMs);
      case EV.PauseEnd: return this.pauseEnd(i, t, ev.data as { inc: number });
      case EV.PartitionStart: return this.partitionStart(t, ev.data as PlannedPartition);
      case EV.PartitionEnd: return this.partitionEnd(t, ev.data as PlannedPartition);
      case EV.NnRegister: return this.nnRegister(i, t, ev.data as { inc: number; sentMs: number });
      case EV.DnRegistered: return this.dnRegistered(i, t, ev.data as { inc: number; registrationId: string });
      case EV.DnRegisterRetry:
        if (this.dn.registering[i]) this.startRegistration(i, t + this.dnRandom.next(i) * LINK_RECONNECT_MAX_MS);
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

  /** Whether a NameNode -> DataNode stream message (answer, pushed commands) is lost. */
  private answerLost(i: number): boolean {
    return this.dn.cutFromNameNode[i] > 0 || this.network.answerLost(i);
  }

  /**
   * The DataNode's beat timer is due at sendMs: plan the next beat that reaches the NameNode, or
   * stop the chain (paused, cut link: resumed by the event that ends the condition), or fire the
   * watchdog. Invalidates any beat of this node still queued.
   */
  private scheduleBeat(i: number, sendMs: number): void {
    const dn = this.dn;
    const token = ++dn.beatToken[i];
    dn.arrivalStep[i] = -1;
    dn.suspended[i] = 0;
    dn.timerMs[i] = sendMs;
    if (!dn.alive[i] || dn.dnStream[i] === 0 || dn.registering[i]) return;
    if (dn.paused[i]) {
      dn.suspended[i] = 1;
      return;
    }
    const interval = this.intervalMs;
    const jitter = this.config.timerJitterMs;
    let s = sendMs;
    for (;;) {
      if (s - dn.lastAnswerMs[i] > this.watchdogMs) {
        this.queue.push(s, EV.DnWatchdog, i, { inc: dn.incarnation[i], token });
        return;
      }
      if (dn.cutToNameNode[i] > 0) {
        // Beats go out and vanish until the cut heals (partitionEnd resumes the chain) or the
        // watchdog gives up on the stream.
        dn.suspended[i] = 1;
        dn.timerMs[i] = s;
        const k = Math.max(0, Math.floor((dn.lastAnswerMs[i] + this.watchdogMs - s) / interval) + 1);
        this.queue.push(s + k * interval, EV.DnWatchdog, i, { inc: dn.incarnation[i], token });
        return;
      }
      dn.sequence[i] += 1;
      this.counts.heartbeatsSent += 1;
      if (this.network.loss > 0 && this.network.beatLost(i)) {
        this.counts.heartbeatsLost += 1;
        s += interval + this.network.random.next(i) * jitter;
        continue;
      }
      let arrival = s + this.network.delay(i);
      if (arrival < dn.lastArrivalMs[i]) arrival = dn.lastArrivalMs[i]; // FIFO stream
      if (arrival < dn.lastControlToNameNodeMs[i]) arrival = dn.lastControlToNameNodeMs[i]; // FIFO connection
      dn.lastArrivalMs[i] = arrival;
      dn.pendingSendMs[i] = s;
      dn.pendingArrivalMs[i] = arrival;
      dn.pendingSeq[i] = dn.sequence[i];
      dn.pendingStream[i] = dn.dnStream[i];
      dn.pendingRegistration[i] = dn.registrationId[i];
      this.setArrivalStep(i, Math.ceil(arrival / this.tickMs));
      return;
    }
  }

  /**
   * Node i's beat in flight arrives in tick step `step` (or the current one, if earlier). Marks it
   * in the arrival ring; a beat that becomes due while the current step is being scanned also
   * goes to `late` (the scan may be past i).
   */
  private setArrivalStep(i: number, step: number): void {
    const dn = this.dn;
    if (step <= this.currentStep) {
      step = this.currentStep;
      if (this.scanning) this.late.push(i);
    }
    dn.arrivalStep[i] = step;
    this.ring.mark(i, step);
  }

  /** Delivers node i's beat in flight; `inStep`: from the step's scan (not flushed by an event), so the node may run ahead. */
  private deliverBeat(i: number, inStep: boolean): void {
    const dn = this.dn;
    const arrival = dn.pendingArrivalMs[i];
    const stream = dn.pendingStream[i];
    dn.arrivalStep[i] = -1;
    this.counts.heartbeatsDelivered += 1;
    const registration = dn.pendingRegistration[i];
    let acked = -1;
    let commands: Command[] | undefined;
    if (this.fastHeartbeats && dn.statsDirty[i] === 0 && dn.commandsQueued[i] === 0 && registration === dn.nnRegistration[i]) {
      acked = this.nn.heartbeatUneventful(dn.ids[i], dn.pendingSeq[i], stream, arrival);
    }
    const uneventful = acked > 0;
    if (acked < 0) {
      const input = this.input;
      input.nodeId = dn.ids[i];
      input.registrationId = registration;
      input.sequence = dn.pendingSeq[i];
      input.streamId = stream;
      input.stats = dn.stats[i];
      const outcome = this.nn.heartbeat(input, arrival);
      acked = outcome.ackedSequence;
      if (acked > 0) {
        dn.statsDirty[i] = 0;
        dn.commandsQueued[i] = 0;
      }
      if (outcome.commands.length) commands = outcome.commands;
    }
    if (acked > 0) {
      dn.nnStream[i] = stream; // the adapter's session: commands are pushed on this stream
      dn.lastDeliveredMs[i] = arrival;
    }
    const current = stream === dn.dnStream[i] && dn.alive[i] === 1;
    if (!this.answerLost(i) && current) {
      // Only the DataNode's watchdog (max(20 intervals, 10 s)) reads the arrival time of an answer
      // without commands: it takes the link's base delay, no jitter draw.
      const back = arrival + (commands ? this.network.delay(i) : this.network.baseDelayMs[i]);
      if (back > dn.lastAnswerMs[i]) dn.lastAnswerMs[i] = back;
      if (commands) this.queue.push(back, EV.DnCommands, i, { inc: dn.incarnation[i], stream, commands });
    }
    if (!current) return;
    const next = dn.pendingSendMs[i] + this.intervalMs + this.network.random.next(i) * this.config.timerJitterMs;
    if (uneventful && inStep && this.skipBeats && dn.paused[i] === 0 && dn.registering[i] === 0 && dn.cutToNameNode[i] === 0 && dn.cutFromNameNode[i] === 0) {
      this.cruise(i, next, arrival, dn.pendingSeq[i], stream);
    } else {
      this.scheduleBeat(i, next);
    }
  }

  // ---- skipped beats ----------------------------------------------------------------------------
  //
  // A node whose beat was just delivered uneventfully in the step scan runs ahead (cruise): its
  // next beats are planned and delivered here, with the same draws in the same order as one by
  // one, but without the ring, the event queue or the core, up to the first beat that something
  // could tell apart from the beats one by one: a tick that would find the node silent for its
  // stale limit before it, a due watchdog, the end of the run, MAX_CRUISE_BEATS. The core gets
  // the run as one HeartbeatMonitor.heardThrough (no beat of it changes anything there but the
  // node's last-heard time: it stays LIVE, no command waits). The node's table entries show the
  // state after the run; every path that touches the node (an event for it, a partition, a copy
  // arriving, the planner's pushes) first calls settle(), which, if the run has not ended by
  // then, restores the state the run started from and replays it up to that moment, so the node
  // is then exactly where the beats one by one would have left it.

  /** Node i's beat (sequence seq, arrival) was just delivered uneventfully in the scan; its next timer is at sendMs. */
  private cruise(i: number, sendMs: number, arrival: number, seq: number, stream: number): void {
    const dn = this.dn;
    const id = dn.ids[i];
    if (!this.nn.heardThrough(id, seq, stream, arrival)) { // asks whether the core takes runs (changes nothing)
      this.scheduleBeat(i, sendMs);
      return;
    }
    this.network.saveLink(i, dn.cruiseLinkInts, dn.cruiseLinkNums);
    dn.cruiseSendMs[i] = sendMs;
    dn.cruiseFromArrivalMs[i] = arrival;
    dn.cruiseFromStep[i] = this.currentStep;
    dn.cruiseFromSeq[i] = seq;
    dn.cruiseSequence[i] = dn.sequence[i];
    dn.cruiseBeatToken[i] = dn.beatToken[i];
    dn.cruiseLastArrivalMs[i] = dn.lastArrivalMs[i];
    dn.cruiseLastAnswerMs[i] = dn.lastAnswerMs[i];
    const c = this.counts;
    const sent = c.heartbeatsSent;
    const lost = c.heartbeatsLost;
    const delivered = c.heartbeatsDelivered;
    let n = this.runAhead(i, this.lastStep, true, MAX_CRUISE_BEATS);
    if (n < 0 || (n > 0 && this.aheadSameStep)) {
      // The run may not end on this beat: a watchdog came due when the next one was planned (it is
      // pushed when that beat is delivered for real), or the next one arrives in the same step (one
      // by one it would be delivered after the step's scan). Replayed one beat shorter.
      const keep = n < 0 ? -n - 2 : n - 1;
      dn.cruiseCounts[3 * i] = c.heartbeatsSent - sent;
      dn.cruiseCounts[3 * i + 1] = c.heartbeatsLost - lost;
      dn.cruiseCounts[3 * i + 2] = c.heartbeatsDelivered - delivered;
      this.restoreCruise(i);
      if (keep < 0) {
        this.scheduleBeat(i, sendMs);
        return;
      }
      n = this.runAhead(i, this.lastStep, true, keep);
    }
    dn.cruiseCounts[3 * i] = c.heartbeatsSent - sent;
    dn.cruiseCounts[3 * i + 1] = c.heartbeatsLost - lost;
    dn.cruiseCounts[3 * i + 2] = c.heartbeatsDelivered - delivered;
    if (n > 0) {
      this.nn.heardThrough(id, this.aheadSeq, stream, this.aheadArrivalMs);
      this.engine.runsAhead += 1;
      this.engine.beatsRunAhead += n;
      dn.cruising[i] = 1;
      dn.cruiseEndStep[i] = this.aheadStep;
    }
    if (dn.arrivalStep[i] >= 0) this.setArrivalStep(i, dn.arrivalStep[i]);
  }

  /** Step of the beat runAhead ended on. */
  private aheadStep = 0;
  /** The run ahead stopped because its next beat arrives in the same step as its last one. */
  private aheadSameStep = false;
  private readonly engine: SimEngineCounts = { beatsRunAhead: 0, runsAhead: 0, replays: 0 };

  /**
   * Plans node i's beats from its saved start and delivers those that arrive by the limit
   * (a step before limitStep, or in it when limitAll), at most maxBeats,
   * stopping before a beat a tick could tell apart. Exactly what scheduleBeat and deliverBeat's
   * uneventful path do for these beats (same draws in the same order), with the node's fields in
   * locals. Leaves the beat it stops at planned (its step in arrivalStep) but not marked. Returns
   * the beats delivered, or -(beats delivered) - 1 when a watchdog came due.
   */
  private runAhead(i: number, limitStep: number, limitAll: boolean, maxBeats: number): number {
    const dn = this.dn;
    const net = this.network;
    const rnd = net.random;
    const interval = this.intervalMs;
    const jitter = this.config.timerJitterMs;
    const staleAfter = this.config.liveness.staleAfterMissed;
    const tickMs = this.tickMs;
    const watchdogMs = this.watchdogMs;
    const lossy = net.loss > 0;
    const base = net.baseDelayMs[i];
    const lastControl = dn.lastControlToNameNodeMs[i];
    let lastArrival = dn.lastArrivalMs[i];
    let lastAnswer = dn.lastAnswerMs[i];
    let sequence = dn.sequence[i];
    let prevArrival = dn.cruiseFromArrivalMs[i];
    let prevStep = dn.cruiseFromStep[i];
    let seq = dn.cruiseFromSeq[i];
    let s = dn.cruiseSendMs[i];
    let timer = s;
    let n = 0;
    let sent = 0;
    let lost = 0;
    let schedules = 0;
    let aborted = false;
    let sameStep = false;
    let pendingSend = 0;
    let pendingArrival = 0;
    let pendingSeq = 0;
    let step = -1;
    for (;;) {
      // scheduleBeat(i, s)
      schedules += 1;
      timer = s;
      for (;;) {
        if (s - lastAnswer > watchdogMs) {
          aborted = true;
          break;
        }
        sequence += 1;
        sent += 1;
        if (lossy && net.beatLost(i)) {
          lost += 1;
          s += interval + rnd.next(i) * jitter;
          continue;
        }
        let a = s + net.delay(i);
        if (a < lastArrival) a = lastArrival;
        if (a < lastControl) a = lastControl;
        lastArrival = a;
        pendingSend = s;
        pendingArrival = a;
        pendingSeq = sequence;
        step = Math.ceil(a / tickMs);
        break;
      }
      if (aborted) break;
      if (step <= prevStep) { // in the same step as the last
        sameStep = true;
        break;
      }
      if (n >= maxBeats || !(step < limitStep || (step === limitStep && limitAll))) break;
      // the last tick before this beat arrives must not find the node silent for its stale limit
      if (Math.floor(((step - 1) * tickMs - prevArrival) / interval) >= staleAfter) break;
      // deliverBeat, uneventful: the core is told at the end (heardThrough)
      n += 1;
      if (!net.answerLost(i)) {
        const back = pendingArrival + base;
        if (back > lastAnswer) lastAnswer = back;
      }
      prevArrival = pendingArrival;
      prevStep = step;
      seq = pendingSeq;
      s = pendingSend + interval + rnd.next(i) * jitter;
    }
    dn.sequence[i] = sequence;
    dn.lastArrivalMs[i] = lastArrival;
    dn.lastAnswerMs[i] = lastAnswer;
    dn.beatToken[i] += schedules;
    dn.suspended[i] = 0;
    dn.timerMs[i] = timer;
    if (n > 0) dn.lastDeliveredMs[i] = prevArrival;
    const c = this.counts;
    c.heartbeatsSent += sent;
    c.heartbeatsLost += lost;
    c.heartbeatsDelivered += n;
    this.aheadSeq = seq;
    this.aheadArrivalMs = prevArrival;
    this.aheadStep = prevStep;
    this.aheadSameStep = sameStep;
    if (aborted) {
      dn.arrivalStep[i] = -1;
      return -n - 1;
    }
    dn.pendingSendMs[i] = pendingSend;
    dn.pendingArrivalMs[i] = pendingArrival;
    dn.pendingSeq[i] = pendingSeq;
    dn.pendingStream[i] = dn.dnStream[i];
    dn.pendingRegistration[i] = dn.registrationId[i];
    dn.arrivalStep[i] = step;
    return n;
  }

  /** Puts node i back where its run ahead started (and takes back what the run counted). */
  private restoreCruise(i: number): void {
    const dn = this.dn;
    this.network.restoreLink(i, dn.cruiseLinkInts, dn.cruiseLinkNums);
    dn.sequence[i] = dn.cruiseSequence[i];
    dn.beatToken[i] = dn.cruiseBeatToken[i];
    dn.lastArrivalMs[i] = dn.cruiseLastArrivalMs[i];
    dn.lastAnswerMs[i] = dn.cruiseLastAnswerMs[i];
    dn.lastDeliveredMs[i] = dn.cruiseFromArrivalMs[i];
    dn.arrivalStep[i] = -1;
    const c = this.counts;
    c.heartbeatsSent -= dn.cruiseCounts[3 * i];
    c.heartbeatsLost -= dn.cruiseCounts[3 * i + 1];
    c.heartbeatsDelivered -= dn.cruiseCounts[3 * i + 2];
    dn.cruiseCounts[3 * i] = 0;
    dn.cruiseCounts[3 * i + 1] = 0;
    dn.cruiseCounts[3 * i + 2] = 0;
  }

  /**
   * Something touches node i now: if its run ahead has not ended by now, it is replayed up to now
   * and the core told where the node really is. One by one, the beats of earlier steps are
   * delivered by now, and those of this step once it was scanned; before the scan a beat of this
   * step is still in flight (an event for the node delivers it first if it has arrived: flushBeat).
   */
  private settle(i: number): void {
    const dn = this.dn;
    if (!dn.cruising[i]) return;
    dn.cruising[i] = 0;
    const k = this.currentStep;
    const end = dn.cruiseEndStep[i];
    if (end < k || (end === k && this.scanning)) return; // over: the table is right
    this.engine.replays += 1;
    this.engine.beatsRunAhead -= dn.cruiseCounts[3 * i + 2];
    this.restoreCruise(i);
    this.engine.beatsRunAhead += this.runAhead(i, k, this.scanning, MAX_CRUISE_BEATS);
    this.nn.heardThrough(dn.ids[i], this.aheadSeq, dn.dnStream[i], this.aheadArrivalMs);
    if (dn.arrivalStep[i] >= 0) this.setArrivalStep(i, dn.arrivalStep[i]);
  }

  // ---- the NameNode's planner and pushes --------------------------------------------------------

  private replicationTick(nowMs: number): void {
    const touched = this.nn.drainTouched(); // the planner ran in nn.tick (every fourth tick)
    for (const id of touched) {
      const i = this.dn.indexOf.get(id)!;
      if (this.dn.cruising[i]) this.settle(i);
      const stream = this.dn.nnStream[i];
      if (stream === 0) {
        this.dn.commandsQueued[i] = 1; // no session: they wait for the node's next heartbeat answer
        continue;
      }
      const commands = this.nn.drainCommands(id);
      if (commands.length === 0 || this.answerLost(i)) continue;
      this.queue.push(nowMs + this.network.delay(i), EV.DnCommands, i, { inc: this.dn.incarnation[i], stream, commands });
    }
  }

  private onTransition(t: Transition, affected: readonly number[]): void {
    const i = this.dn.indexOf.get(t.nodeId)!;
    this.qos.transition(i, t.from, t.to, t.atMs, () => this.mistakeCause(i));
    if (t.to === 'DEAD') this.repair.death(t.atMs, affected, this.qos.isCrashed(i));
    this.transitionHook?.(t);
  }

  /** Why an up node was suspected: its silence overlaps a pause, a partition, or neither. */
  private mistakeCause(i: number): MistakeCause {
    const lastHeard = this.dn.lastDeliveredMs[i];
    if (this.dn.paused[i] || this.dn.lastPauseEndMs[i] > lastHeard) return 'pause';
    if (this.dn.cutToNameNode[i] > 0 || this.dn.cutFromNameNode[i] > 0 || this.dn.lastPartitionEndMs[i] > lastHeard) return 'partition';
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
    const dn = this.dn;
    let a = t + this.network.delay(i);
    if (a < dn.lastControlToNameNodeMs[i]) a = dn.lastControlToNameNodeMs[i];
    if (dn.arrivalStep[i] >= 0) {
      if (dn.pendingSendMs[i] <= t) {
        if (a < dn.pendingArrivalMs[i]) a = dn.pendingArrivalMs[i];
      } else if (dn.pendingArrivalMs[i] < a) {
        dn.pendingArrivalMs[i] = a;
        dn.lastArrivalMs[i] = Math.max(dn.lastArrivalMs[i], a);
        this.setArrivalStep(i, Math.ceil(a / this.tickMs));
      }
    }
    dn.lastControlToNameNodeMs[i] = a;
    return a;
  }

  /** A unary RPC from the DataNode: delivered after the link delay, or retried while the link is cut. */
  private sendToNameNode(i: number, t: number, kind: number, payload: unknown): void {
    if (this.dn.cutToNameNode[i] > 0) {
      this.queue.push(t + RPC_RETRY_MS, EV.DnRetrySend, i, { inc: this.dn.incarnation[i], kind, payload });
      return;
    }
    this.queue.push(this.toNameNodeArrival(i, t), kind, i, payload);
  }

  private startRegistration(i: number, t: number): void {
    if (!this.dn.alive[i]) return;
    this.dn.registering[i] = 1;
    this.dn.registrationId[i] = '';
    this.dropStream(i, t);
    const data = { inc: this.dn.incarnation[i], sentMs: t };
    if (this.dn.cutToNameNode[i] > 0) {
      this.queue.push(t + LINK_REGISTER_TIMEOUT_MS, EV.DnRegisterRetry, i, { inc: this.dn.incarnation[i] });
      return;
    }
    this.queue.push(this.toNameNodeArrival(i, t), EV.NnRegister, i, data);
  }

  private nnRegister(i: number, t: number, d: { inc: number; sentMs: number }): void {
    if (d.inc !== this.dn.incarnation[i]) return; // that process is gone
    const registrationId = this.nnRegister0(i, t);
    this.counts.registrations += 1;
    if (this.dn.cutFromNameNode[i] > 0) {
      this.queue.push(d.sentMs + LINK_REGISTER_TIMEOUT_MS, EV.DnRegisterRetry, i, { inc: d.inc });
      return;
    }
    this.queue.push(t + this.network.delay(i), EV.DnRegistered, i, { inc: d.inc, registrationId });
  }

  private dnRegistered(i: number, t: number, d: { registrationId: string }): void {
    if (!this.dn.registering[i]) return;
    this.dn.registering[i] = 0;
    this.dn.registrationId[i] = d.registrationId;
    this.openStream(i, t);
    this.sendToNameNode(i, t, EV.NnFullReport, { registrationId: d.registrationId, blocks: [...this.dn.disk[i]] });
  }

  private openStream(i: number, t: number): void {
    this.dn.dnStream[i] = ++this.streamCounter;
    this.dn.reconnectAttempts[i] = 0;
    this.dn.lastAnswerMs[i] = t;
    this.dn.lastArrivalMs[i] = 0;
    this.scheduleBeat(i, t); // scheduleBeat(0) on a new stream
  }

  private nnFullReport(i: number, t: number, d: { registrationId: string; blocks: number[] }): void {
    const id = this.dn.ids[i];
    if (!this.nn.registered(id, d.registrationId)) return;
    this.counts.fullReports += 1;
    const size = this.config.blockSizeBytes;
    const replicas = d.blocks.map((blockId) => ({ blockId, generationStamp: GENERATION_STAMP, lengthBytes: size }));
    const invalidate = this.nn.fullBlockReport(id, replicas, t);
    if (invalidate.length) this.replyCommands(i, t, [{ kind: 'invalidate', blockIds: invalidate }]);
  }

  private nnIncremental(i: number, t: number, d: { registrationId: string; received: number[]; deleted: number[] }): void {
    const id = this.dn.ids[i];
    if (!this.nn.registered(id, d.registrationId)) return;
    const size = this.config.blockSizeBytes;
    const received = d.received.map((blockId) => ({ blockId, generationStamp: GENERATION_STAMP, lengthBytes: size }));
    const invalidate = this.nn.blockReceivedAndDeleted(id, received, d.deleted, t);
    if (invalidate.length) this.replyCommands(i, t, [{ kind: 'invalidate', blockIds: invalidate }]);
  }

  /** An RPC response carrying commands (not bound to the heartbeat stream). */
  private replyCommands(i: number, t: number, commands: Command[]): void {
    if (this.dn.cutFromNameNode[i] > 0) return;
    this.queue.push(t + this.network.delay(i), EV.DnCommands, i, { inc: this.dn.incarnation[i], stream: 0, commands });
  }

  private dnCommands(i: number, t: number, d: { stream: number; commands: Command[] }): void {
    if (d.stream !== 0 && d.stream !== this.dn.dnStream[i]) return; // written on a stream this process dropped
    for (const cmd of d.commands) {
      switch (cmd.kind) {
        case 'reregister':
          if (!this.dn.registering[i]) this.startRegistration(i, t);
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
      if (!this.dn.disk[i].delete(b)) continue;
      this.dn.usedBytes[i] -= this.config.blockSizeBytes;
      deleted.push(b);
    }
    if (!deleted.length) return;
    this.repair.replicasInvalidated += deleted.length;
    this.refreshStats(i);
    if (this.dn.registrationId[i]) this.sendToNameNode(i, t, EV.NnIncremental, { registrationId: this.dn.registrationId[i], received: [], deleted });
  }

  private startCopy(i: number, t: number, cmd: Extract<Command, { kind: 'replicate' }>): void {
    if (!this.dn.disk[i].has(cmd.blockId)) {
      this.repair.copiesFailed += 1;
      return;
    }
    const start = Math.max(t, this.dn.busyUntilMs[i]);
    const end = start + (cmd.lengthBytes / this.config.copyBandwidthBytesPerSecond) * 1000;
    this.dn.busyUntilMs[i] = end;
    this.dn.activeTransfers[i] += 1;
    this.refreshStats(i);
    const targets = cmd.targetIds.map((id) => this.dn.indexOf.get(id)!);
    const job: CopyJob = {
      inc: this.dn.incarnation[i], blockId: cmd.blockId, lengthBytes: cmd.lengthBytes, targets,
      targetIncarnations: targets.map((j) => this.dn.incarnation[j]), startMs: start, pausedBaseMs: this.dn.pausedTotalMs[i],
    };
    this.queue.push(end, EV.CopyDone, i, job);
  }

  private copyDone(i: number, t: number, job: CopyJob): void {
    const stalledMs = this.dn.pausedTotalMs[i] - job.pausedBaseMs;
    if (stalledMs > 0) {
      // The source was paused during the copy: it finishes that much later.
      job.pausedBaseMs = this.dn.pausedTotalMs[i];
      this.dn.busyUntilMs[i] = Math.max(this.dn.busyUntilMs[i], t + stalledMs);
      this.queue.push(t + stalledMs, EV.CopyDone, i, job);
      return;
    }
    this.dn.activeTransfers[i] = Math.max(0, this.dn.activeTransfers[i] - 1);
    this.refreshStats(i);
    let delivered = 0;
    for (let k = 0; k < job.targets.length; k++) {
      const j = job.targets[k];
      if (!this.dn.alive[j] || this.dn.incarnation[j] !== job.targetIncarnations[k]) continue;
      delivered += 1;
      if (this.dn.paused[j]) (this.dn.deferred[j] ??= []).push({ timeMs: t, seq: 0, kind: EV.CopyReceive, node: j, data: { inc: this.dn.incarnation[j], blockId: job.blockId } });
      else this.receiveReplica(j, t, job.blockId);
    }
    if (delivered) this.repair.copied(job.lengthBytes * delivered, job.startMs, t);
    else this.repair.copiesFailed += 1;
  }

  private receiveReplica(j: number, t: number, blockId: number): void {
    if (this.dn.cruising[j]) this.settle(j); // a copy from another node's event
    if (this.dn.disk[j].has(blockId)) return;
    this.dn.disk[j].add(blockId);
    this.dn.usedBytes[j] += this.config.blockSizeBytes;
    this.refreshStats(j);
    if (this.dn.registrationId[j]) this.sendToNameNode(j, t, EV.NnIncremental, { registrationId: this.dn.registrationId[j], received: [blockId], deleted: [] });
  }

  /** nn.register plus the bookkeeping of what the NameNode now holds for the node. */
  private nnRegister0(i: number, t: number): string {
    const registrationId = this.nn.register(this.dn.registrationObjects[i], this.dn.stats[i], t);
    this.dn.nnRegistration[i] = registrationId;
    this.dn.statsDirty[i] = 0; // register copies the stats
    this.dn.commandsQueued[i] = 0; // and clears the node's command queue
    return registrationId;
  }

  private refreshStats(i: number): void {
    this.dn.statsDirty[i] = 1;
    const s = this.dn.stats[i];
    s.usedBytes = this.dn.usedBytes[i];
    s.remainingBytes = this.dn.capacity[i] - this.dn.usedBytes[i];
    s.blockCount = this.dn.disk[i].size;
    s.activeTransfers = this.dn.activeTransfers[i];
  }

  // ---- streams ----------------------------------------------------------------------------------

  /** The DataNode cancels its heartbeat stream; the NameNode sees it close if the link lets the RST through. */
  private dropStream(i: number, t: number): void {
    const old = this.dn.dnStream[i];
    if (old === 0) return;
    this.dn.dnStream[i] = 0;
    this.counts.streamDrops += 1;
    ++this.dn.beatToken[i];
    if (this.dn.arrivalStep[i] >= 0 && this.dn.pendingSendMs[i] > t) this.dn.arrivalStep[i] = -1; // not sent yet: never will be
    this.dn.suspended[i] = 0;
    if (this.dn.cutToNameNode[i] === 0) this.queue.push(this.toNameNodeArrival(i, t), EV.NnStreamClosed, i, { stream: old });
  }

  private nnStreamClosed(i: number, t: number, stream: number): void {
    this.nn.streamClosed(this.dn.ids[i], stream, t);
    if (this.dn.nnStream[i] === stream) this.dn.nnStream[i] = 0;
  }

  private dnWatchdog(i: number, t: number, token: number): void {
    if (token !== this.dn.beatToken[i]) return;
    this.dropStream(i, t);
    this.queueReconnect(i, t);
  }

  private queueReconnect(i: number, t: number): void {
    const cap = Math.min(LINK_RECONNECT_MAX_MS, LINK_RECONNECT_INITIAL_MS * 2 ** Math.min(this.dn.reconnectAttempts[i], 16));
    this.dn.reconnectAttempts[i] += 1;
    this.queue.push(t + this.dnRandom.next(i) * cap, EV.DnReconnect, i, { inc: this.dn.incarnation[i] });
  }

  private dnReconnect(i: number, t: number): void {
    if (this.dn.registering[i] || this.dn.dnStream[i] !== 0) return;
    if (this.dn.cutToNameNode[i] > 0 || this.dn.cutFromNameNode[i] > 0) {
      this.queueReconnect(i, t); // the stream cannot open across a cut link
      return;
    }
    this.openStream(i, t + 2 * this.network.baseDelayMs[i]);
  }

  // ---- faults -----------------------------------------------------------------------------------

  private crash(i: number, t: number, d: { downtimeMs: number; diskLost: boolean }): void {
    if (!this.dn.alive[i]) return;
    this.counts.crashes += 1;
    this.qos.crash(i, t, this.nn.manager.state(this.dn.ids[i]));
    this.dn.alive[i] = 0;
    this.dn.paused[i] = 0;
    this.dn.deferred[i] = undefined;
    this.dn.incarnation[i] += 1;
    this.dn.registering[i] = 0;
    this.dn.registrationId[i] = '';
    this.dn.dnStream[i] = 0;
    if (!(this.dn.arrivalStep[i] >= 0 && this.dn.pendingSendMs[i] < t)) {
      ++this.dn.beatToken[i];
      this.dn.arrivalStep[i] = -1;
    }
    this.dn.suspended[i] = 0;
    this.dn.activeTransfers[i] = 0;
    this.dn.busyUntilMs[i] = t;
    if (d.diskLost) {
      this.dn.disk[i].clear();
      this.dn.usedBytes[i] = 0;
    }
    this.refreshStats(i);
    if (Number.isFinite(d.downtimeMs)) this.queue.push(t + d.downtimeMs, EV.Restart, i, { inc: this.dn.incarnation[i] });
    else this.dn.gone[i] = 1;
  }

  private restart(i: number, t: number, d: { inc: number }): void {
    if (d.inc !== this.dn.incarnation[i] || this.dn.alive[i]) return;
    this.qos.restart(i, t);
    this.dn.alive[i] = 1;
    this.startRegistration(i, t);
  }

  private pauseStart(i: number, t: number, durationMs: number): void {
    if (!this.dn.alive[i] || this.dn.paused[i]) return;
    this.counts.pauses += 1;
    this.dn.paused[i] = 1;
    this.dn.pauseStartMs[i] = t;
    if (this.dn.arrivalStep[i] >= 0 && this.dn.pendingSendMs[i] >= t) {
      // The beat was due during the pause: its timer fires on resume instead.
      ++this.dn.beatToken[i];
      this.dn.arrivalStep[i] = -1;
      this.dn.suspended[i] = 1;
      this.dn.timerMs[i] = this.dn.pendingSendMs[i];
    } else if (this.dn.suspended[i]) {
      ++this.dn.beatToken[i]; // no watchdog fires while paused
    }
    this.queue.push(t + durationMs, EV.PauseEnd, i, { inc: this.dn.incarnation[i] });
  }

  private pauseEnd(i: number, t: number, d: { inc: number }): void {
    if (d.inc !== this.dn.incarnation[i] || !this.dn.paused[i]) return;
    this.dn.paused[i] = 0;
    this.dn.pausedTotalMs[i] += t - this.dn.pauseStartMs[i];
    this.dn.lastPauseEndMs[i] = t;
    const deferred = this.dn.deferred[i];
    this.dn.deferred[i] = undefined;
    if (deferred) for (const ev of deferred) this.dispatch({ ...ev, timeMs: t });
    if (this.dn.alive[i] && this.dn.suspended[i] && this.dn.arrivalStep[i] < 0 && this.dn.dnStream[i] !== 0 && !this.dn.registering[i] && !this.dn.paused[i]) {
      this.scheduleBeat(i, Math.max(t, this.dn.timerMs[i]));
    }
  }

  private partitionStart(t: number, p: PlannedPartition): void {
    this.counts.partitions += 1;
    for (const i of p.nodes) {
      this.flushBeat(i, t);
      if (p.fromNameNode) this.dn.cutFromNameNode[i] += 1;
      if (p.toNameNode && ++this.dn.cutToNameNode[i] === 1) {
        if (this.dn.arrivalStep[i] >= 0 && this.dn.pendingSendMs[i] >= t) this.scheduleBeat(i, this.dn.pendingSendMs[i]);
      }
    }
    this.queue.push(t + p.durationMs, EV.PartitionEnd, -1, p);
  }

  private partitionEnd(t: number, p: PlannedPartition): void {
    for (const i of p.nodes) {
      this.flushBeat(i, t);
      this.dn.lastPartitionEndMs[i] = t;
      if (p.fromNameNode) this.dn.cutFromNameNode[i] -= 1;
      if (p.toNameNode && --this.dn.cutToNameNode[i] === 0) {
        if (this.dn.suspended[i] && !this.dn.paused[i] && this.dn.alive[i] && this.dn.dnStream[i] !== 0 && this.dn.arrivalStep[i] < 0) {
          // The chain kept ticking into the void; it is heard again from its next timer on.
          const k = Math.max(0, Math.ceil((t - this.dn.timerMs[i]) / this.intervalMs));
          this.dn.sequence[i] += k;
          this.scheduleBeat(i, this.dn.timerMs[i] + k * this.intervalMs);
        }
      }
    }
  }

  // ---- end of run -------------------------------------------------------------------------------

  private lostBlocks(): number {
    if (this.config.blocks === 0) return 0;
    const present = new Uint8Array(this.config.blocks + 1);
    for (let i = 0; i < this.n; i++) if (!this.dn.gone[i]) for (const b of this.dn.disk[i]) present[b] = 1;
    let lost = 0;
    for (let b = 1; b <= this.config.blocks; b++) if (!present[b]) lost += 1;
    return lost;
  }
}
