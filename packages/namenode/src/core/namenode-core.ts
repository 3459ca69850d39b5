/**
 * NameNodeCore: every decision the NameNode makes, in one pure state machine that the process
 * (namenode.ts and its adapters) and the simulator (packages/sim/src/sim-namenode.ts) both run.
 * It owns the DatanodeManager (liveness, peer evidence, command queues), the BlockMap, the
 * ReplicationMonitor, the Namespace, SafeMode, AdminStates and the client bad-replica checks. No
 * I/O, no timers, no clock, no logger: time comes in as `nowMs`, randomness as `random`.
 *
 * Inputs go in through `step(input, nowMs)` (or the typed method it routes to) and `tick(nowMs)`;
 * every output of one input comes back in one `Ready` (after etcd raft's Ready): the records to
 * persist, the reply, the commands to push per DataNode, the liveness transitions, the events to
 * log and append to the EventLog, and peer disagreements.
 *
 * Durability rule (the adapter enforces it): a Ready's `records` must be durable before ANY of that
 * Ready's reply or commands leave the process. The core has already applied the mutation in memory
 * when it returns; only the adapter can hold the answer back. A Ready with commands but no records
 * waits for every earlier persist too (MetadataStore.apply([]) resolves after every earlier apply),
 * so a heartbeat answer never carries an INVALIDATE for a delete whose record is not yet on disk.
 *
 * Commands: the core queues them on the DatanodeManager and, at the end of each input, drains the
 * queue of every node that got new ones and has an open heartbeat stream (a session: the stream of
 * its last accepted beat, until that stream closes or the node says goodbye) into `Ready.commands`.
 * A node without a session keeps its commands queued for its next heartbeat answer.
 *
 * Rhythm: the process calls `tick` every `tickPeriodMs(liveness)` (interval / 4). Liveness runs on
 * every tick; the safe mode, admin and replication planner passes run once per heartbeat interval
 * (every TICKS_PER_HEARTBEAT_INTERVAL-th tick, not the first).
 */
import {
  DfsError, InvalidArgumentError, Limits, type LivenessConfig, NotActiveError, NotEnoughDatanodesError, NoLiveReplicaError, SafeModeError,
} from '@minidfs/common';
import { BlockMap, type BlockClassification, type BlockCounts, type ReportedReplica, validateBlockId } from './block-map';
import {
  type AdminRecord, type AdminState, type AdminTransition, AdminStates, isDecommissionState, isMaintenanceState, parseAdminRecord,
} from './admin-states';
import {
  type Command, type DatanodeDescriptor, type DatanodeManager, type DatanodeRegistration, type DatanodeStats, type HeartbeatInput,
  type HeartbeatOutcome, validateNodeId,
} from './datanode-manager';
import type { Transition } from './heartbeat-monitor';
import type { PeerDisagreement } from './peer-evidence';
import { ReplicaVerifications } from './replica-verifications';
import { BlockRecoveries } from './block-recovery';
import { type LeaseConfig, Leases, defaultLeaseConfig, validateLeaseConfig } from './leases';
import { SafeMode, type SafeModeExitReason, type SafeModeProgress, type SafeModeState } from './safe-mode';
import { type Block, type FileStatus, Namespace, NamespaceLimits, type StoredRecord, type WriterDeleteCondition, normalizePath } from './namespace';
import {
  DEFAULT_MAINTENANCE_MIN_REPLICAS, type ReplicationConfig, type ReplicationEvent, ReplicationMonitor, defaultReplicationConfig,
} from './replication-monitor';
import { choosePipeline, type PlacementCandidate, rackSpreadSatisfied, shuffle } from './placement';

// ---- settings ---------------------------------------------------------------------------------

export interface NameNodeCoreSettings {
  defaultReplication: number;
  defaultBlockSizeBytes: number;
  /** Replicas every block needs reported before a file can be completed: min(this, file replication). */
  minReplication: number;
  safeModeThreshold: number;
  /**
   * Startup safe mode below the threshold ends once every LIVE/STALE DataNode has sent a full block
   * report and nothing changed for this long (core/safe-mode.ts). Default: 30 heartbeat intervals.
   */
  safeModeExtensionMs?: number;
  /**
   * A block with a replica on a node in maintenance needs min(its replication, this) replicas on
   * NORMAL live nodes; ENTERING_MAINTENANCE waits for it (HDFS dfs.namenode.maintenance.replication.min). Default 1.
   */
  maintenanceMinReplicas?: number;
  /**
   * Whether the rack rule counts a LIVE node's rack only once its full block report is in (default
   * true: until then its replicas are unknown). The simulator places blocks without full reports
   * (addCompleteBlock) and sets false.
   */
  racksWaitForFullReport?: boolean;
  /** Writer lease limits (core/leases.ts). Default 60 s soft, 20 min hard (HDFS's). */
  leases?: LeaseConfig;
}

/** Default safe mode extension, in heartbeat intervals (NameNodeCoreSettings.safeModeExtensionMs). */
export const DEFAULT_SAFE_MODE_EXTENSION_BEATS = 30;

/** Ticks per heartbeat interval: liveness every tick, the planner once per interval. */
export const TICKS_PER_HEARTBEAT_INTERVAL = 4;

/** The period of the process timer that calls tick(), ms: interval / 4, at least 5. */
export function tickPeriodMs(liveness: LivenessConfig): number {
  return Math.max(5, Math.floor(liveness.heartbeatIntervalMs / TICKS_PER_HEARTBEAT_INTERVAL));
}

/** Store key prefix of the admin state records (one per node not NORMAL; the namespace ignores them). */
export const ADMIN_KEY_PREFIX = 'admin:';

/** `admin decommission|recommission|maintenance` (ClientProtocol.SetDatanodeAdminState). */
export type AdminAction = 'decommission' | 'recommission' | 'start-maintenance' | 'end-maintenance';

/** `admin safemode get|enter|leave` (HDFS `dfsadmin -safemode`). */
export type SafeModeAction = 'get' | 'enter' | 'leave';

/** A node's admin state as reports show it. */
export interface AdminView {
  adminState: AdminState;
  /** Maintenance states only: ms until the window ends (0 once due). */
  maintenanceExpiresInMs?: number;
}

export interface LocatedBlockInfo {
  block: Block;
  offsetBytes: number;
  locations: Array<{ nodeId: string; host: string; dataPort: number; transferPort?: number; rack: string }>;
}

export interface FsckReport {
  path: string;
  files: number;
  blocks: number;
  underReplicated: number;
  overReplicated: number;
  missing: number;
  corrupt: number;
  pendingReplications: number;
  /**
   * Of the under-replicated blocks, those no repair can help now: every LIVE DataNode already holds
   * a good replica of the block, so there is no target until a DataNode joins or returns. (A node
   * holding only a corrupt copy is a target: the corrupt copy is deleted to make room.)
   */
  noTarget: number;
  /**
   * Blocks breaking the rack rule (core/placement.ts rackSpreadSatisfied): replication >= 2 and
   * every live replica on one rack while >= 2 racks have a LIVE DataNode. Counted whatever the
   * replica count (HDFS fsck "Mis-replicated blocks"); not healthy.
   */
  misReplicated: number;
  /**
   * Of the under-replicated blocks, those whose missing replicas sit on UNREACHABLE_FROM_NAMENODE
   * nodes (peers hear them, the NameNode does not): not repaired during the grace. Such replicas
   * are not "live" for fsck (no client is routed to them), but a block held only there is counted
   * under-replicated, not missing (the same classification as counts()).
   */
  waitingOnUnreachable: number;
  /**
   * Files under the path still open for write (created, not completed: a writer is running, or
   * died without completing; HDFS fsck -openforwrite). Counted and listed, their blocks not counted,
   * and they do not make the result unhealthy (as HDFS, which still says HEALTHY).
   */
  openForWrite: number;
  /** The listed open files with their writer (lease holder) and ms since it renewed its lease (-openforwrite). */
  openFileLeases: Array<{ path: string; holder: string; leaseAgeMs: number }>;
  /** Their paths, sorted, at most Limits.maxFsckOpenFilesListed. */
  openFiles: string[];
  healthy: boolean;
}

/** A client-reported replica the NameNode must read to check (clientReportsBadReplica). */
export interface ReplicaToVerify {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
  /** False while the file is being written: its length is not final. */
  complete: boolean;
  location: { nodeId: string; host: string; dataPort: number; transferPort?: number; rack: string };
}

// ---- inputs and the Ready ---------------------------------------------------------------------

export type CoreInput =
  | { kind: 'register'; registration: DatanodeRegistration; stats: DatanodeStats }
  | { kind: 'heartbeat'; heartbeat: HeartbeatInput }
  | { kind: 'streamClosed'; nodeId: string; streamId: number }
  | { kind: 'fullBlockReport'; nodeId: string; registrationId: string; replicas: ReportedReplica[]; beingWritten?: ReportedReplica[] }
  | { kind: 'incrementalBlockReport'; nodeId: string; registrationId: string; received: ReportedReplica[]; deleted: number[]; beingWritten?: ReportedReplica[] }
  | { kind: 'badReplicas'; nodeId: string; registrationId: string; blockIds: number[] }
  | { kind: 'mkdirs'; path: string }
  | { kind: 'create'; path: string; replication: number; blockSizeBytes: number; createParent: boolean; clientName: string }
  | { kind: 'addBlock'; path: string; clientName: string; excludeNodeIds: string[]; previous?: { blockId: number; lengthBytes: number } }
  | { kind: 'abandonBlock'; path: string; clientName: string; blockId: number }
  | { kind: 'complete'; path: string; clientName: string; blocks: Array<{ blockId: number; lengthBytes: number }> }
  | { kind: 'setReplication'; path: string; replication: number }
  | { kind: 'delete'; path: string; recursive: boolean; writer?: WriterDeleteCondition }
  | { kind: 'setSafeMode'; action: SafeModeAction }
  | { kind: 'setAdminState'; nodeId: string; action: AdminAction; maintenanceDurationMs: number }
  | { kind: 'clientReportsBadReplica'; blockId: number; nodeId: string }
  | { kind: 'renewLease'; clientName: string }
  | { kind: 'recoverLease'; path: string; clientName: string }
  | {
    kind: 'finishReplicaVerification'; blockId: number; nodeId: string; generationStamp: number;
    verdict: 'corrupt' | 'healthy' | 'inconclusive'; detail: string;
  };

/** The operation's result, or its typed error (nothing else a client may see is thrown). */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: DfsError };

/** Commands for one DataNode, to write on its heartbeat stream `streamId` now. */
export interface PushCommands {
  nodeId: string;
  streamId: number;
  commands: Command[];
}

/** A liveness transition and, for DEAD, the blocks that lost a replica with it. */
export interface CoreTransition {
  transition: Transition;
  affectedBlockIds: readonly number[];
}

/**
 * Something to tell: `sink` says where — 'log' (one JSON log line: level, message, event, fields),
 * 'event-log' (appended to the EventLog as `event` with `fields` at `atMs`), or 'both'.
 */
export interface CoreEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  event: string;
  fields: Record<string, unknown>;
  atMs: number;
  sink: 'log' | 'event-log' | 'both';
}

export interface Ready<T = unknown> {
  /** Namespace and admin records to persist, in order, as one atomic batch. */
  readonly records: readonly StoredRecord[];
  /** Undefined for inputs without an answer (tick, streamClosed). */
  readonly reply: Reply<T> | undefined;
  readonly commands: readonly PushCommands[];
  readonly transitions: readonly CoreTransition[];
  readonly events: readonly CoreEvent[];
  /** Peers said a node the NameNode hears is gone: logged (also in events), not acted on. */
  readonly disagreements: readonly PeerDisagreement[];
}

export interface RegisterReply {
  node: DatanodeDescriptor;
  membershipSeeds: string[];
}

/** Synchronous hooks for a driver that keeps its own figures (the simulator); called inline, in order. */
export interface CoreObserver {
  /** After the core acted on a transition (for DEAD: `affected` = blocks that lost a replica). */
  transition?(t: Transition, affected: readonly number[]): void;
  /** A replica became live on a node (report or copy). */
  replicaGained?(blockId: number, nowMs: number): void;
  /** Replicas a node no longer has (full report after a disk loss). */
  replicasLost?(blockIds: readonly number[], nowMs: number): void;
}

export interface NameNodeCoreDeps {
  manager: DatanodeManager;
  settings: NameNodeCoreSettings;
  /** The namespace as loaded; default empty. */
  namespace?: Namespace;
  /** Admin state records as loaded (ADMIN_KEY_PREFIX keys). */
  adminRecords?: Iterable<[string, AdminRecord]>;
  /** Uniform in [0, 1): pipeline choice and read ordering. */
  random?: () => number;
  replicationConfig?: ReplicationConfig;
  observer?: CoreObserver;
}

const NONE: readonly never[] = Object.freeze([]);
/** A block recovery's orders are repeated after this many heartbeat intervals without the file closing... */
const BLOCK_RECOVERY_RETRY_INTERVALS = 10;
/** ...and never sooner than this (a lost order, or a holder that died meanwhile: retried with the live ones). */
const BLOCK_RECOVERY_RETRY_MIN_MS = 10_000;
const EMPTY_READY: Ready<never> = Object.freeze({
  records: NONE, reply: undefined, commands: NONE, transitions: NONE, events: NONE, disagreements: NONE,
});

/** Why a Ready's reply failed: throws its DfsError, else returns the value. */
export function replyValue<T>(ready: Ready<T>): T {
  const r = ready.reply;
  if (!r) throw new DfsError('INTERNAL', 'no reply for this input');
  if (!r.ok) throw r.error;
  return r.value;
}

export class NameNodeCore {
  readonly manager: DatanodeManager;
  readonly blockMap = new BlockMap();
  readonly replication: ReplicationMonitor;
  /** Decommission and maintenance (core/admin-states.ts); persisted under ADMIN_KEY_PREFIX. */
  readonly admin: AdminStates;
  readonly settings: NameNodeCoreSettings;
  private readonly namespace: Namespace;
  private readonly safe: SafeMode;
  private readonly verifications = new ReplicaVerifications(Limits.maxPendingReplicaVerifications);
  /** Replicas being written that cut writes left, and the block recoveries finalizing them. */
  private readonly recoveries: BlockRecoveries;
  /** Writer leases (core/leases.ts): one per client with files open for write. */
  readonly leases: Leases;
  private readonly random: () => number;
  private readonly observer: CoreObserver;
  /**
   * Nodes whose full block report was processed since this NameNode started (bounded by the
   * DataNodes the manager accepts, Limits.maxDatanodes; a DEAD node leaves it).
   */
  private readonly fullyReported = new Set<string>();
  private fullReports = 0;
  /** LIVE/STALE DataNodes and those of them in fullyReported, as last counted (safeModeProgress). */
  private nodeCounts = { liveNodes: 0, reportedNodes: 0 };
  /** nodeId -> stream of its last accepted beat (a session), until that stream closes or goodbye. */
  private readonly sessions = new Map<string, number>();
  /** Nodes with commands queued and no session: they go out with the node's next heartbeat answer. */
  private readonly waiting = new Set<string>();
  /** tick() calls so far, minus one: the first call is tick 0 and never plans. */
  private ticks = -1;
  /** The latest time an input or tick brought (the time of events from rules evaluated without one). */
  private lastNowMs = 0;
  /**
   * HA standby (docs/HA.md): liveness, block map and safe mode follow the DataNodes' inputs and
   * the active's edits (applyEdits), but nothing is ordered: no commands, no planning, no records.
   */
  private standby = false;
  /** Standby: replicas reported for blocks whose edit has not arrived yet, oldest first (Limits.maxPostponedStandbyReplicas). */
  private readonly postponed = new Map<number, Map<string, ReportedReplica>>();
  private postponedCount = 0;

  // What the current input produced (moved into its Ready at the end of the input).
  private records: StoredRecord[] = [];
  private events: CoreEvent[] = [];
  private transitions: CoreTransition[] = [];
  private disagreements: PeerDisagreement[] = [];
  private readonly touched = new Set<string>();
  /** The Ready of a beat that changed nothing but the node's liveness clock: reused, valid until the next input. */
  private readonly quietBeat: { records: readonly StoredRecord[]; reply: { ok: true; value: HeartbeatOutcome }; commands: readonly PushCommands[];
    transitions: readonly CoreTransition[]; events: readonly CoreEvent[]; disagreements: readonly PeerDisagreement[]; };
  private readonly quietOutcome: HeartbeatOutcome = { ackedSequence: 0, commands: NONE as unknown as Command[], transitions: NONE as unknown as Transition[] };
  private readonly scratchReplica: ReportedReplica = { blockId: 0, generationStamp: 0, lengthBytes: 0 };

  constructor(deps: NameNodeCoreDeps) {
    const { manager, settings } = deps;
    this.manager = manager;
    this.settings = settings;
    this.namespace = deps.namespace ?? Namespace.fromRecords([]);
    this.random = deps.random ?? Math.random;
    this.observer = deps.observer ?? {};
    this.quietBeat = {
      records: NONE, reply: { ok: true, value: this.quietOutcome }, commands: NONE, transitions: NONE, events: NONE, disagreements: NONE,
    };
    this.admin = new AdminStates(deps.adminRecords ?? []);
    this.leases = new Leases(validateLeaseConfig(settings.leases ?? defaultLeaseConfig()));
    this.recoveries = new BlockRecoveries(
      Limits.maxBeingWrittenReplicas, Math.max(BLOCK_RECOVERY_RETRY_MIN_MS, BLOCK_RECOVERY_RETRY_INTERVALS * manager.liveness.heartbeatIntervalMs),
    );
    for (const { path, file } of this.namespace.allFiles()) if (!file.complete) this.leases.open(path, file.clientName, undefined);
    const replicationConfig = deps.replicationConfig ?? defaultReplicationConfig(manager.liveness.heartbeatIntervalMs);
    const racksWait = settings.racksWaitForFullReport ?? true;
    this.replication = new ReplicationMonitor({
      ...replicationConfig, maintenanceMinReplicas: settings.maintenanceMinReplicas ?? replicationConfig.maintenanceMinReplicas ?? DEFAULT_MAINTENANCE_MIN_REPLICAS,
    }, this.blockMap, {
      state: (id) => manager.state(id),
      candidates: () => this.candidates(),
      rack: (id) => manager.get(id)?.rack,
      ...(racksWait ? { reported: (id: string) => this.fullyReported.has(id) } : {}),
      adminState: (id) => this.admin.state(id),
      reportsNodeChanges: true,
    });
    for (const { file } of this.namespace.allFiles()) {
      for (const b of file.blocks) {
        this.blockMap.addBlock({
          blockId: b.blockId, generationStamp: b.generationStamp, lengthBytes: b.lengthBytes,
          expectedReplication: file.replication, complete: file.complete, blockSizeBytes: file.blockSizeBytes,
        });
      }
    }
    this.safe = new SafeMode({
      threshold: settings.safeModeThreshold,
      extensionMs: settings.safeModeExtensionMs ?? DEFAULT_SAFE_MODE_EXTENSION_BEATS * manager.liveness.heartbeatIntervalMs,
    }, this.safeModeProgress());
  }

  /** What the core says at start (safe mode on, and why); the adapter logs it. */
  startupEvents(nowMs: number): CoreEvent[] {
    if (!this.safe.on) return [];
    const s = this.safe.state();
    return [{
      level: 'info', message: 'safe mode on: waiting for block reports', event: 'safe-mode-on', atMs: nowMs, sink: 'log',
      fields: { reason: 'startup', totalBlocks: s.totalBlocks, threshold: s.threshold, extensionMs: s.extensionMs },
    }];
  }

  // ---- the one entry point ----

  step(input: CoreInput, nowMs: number): Ready {
    switch (input.kind) {
      case 'register': return this.register(input.registration, input.stats, nowMs);
      case 'heartbeat': return this.heartbeat(input.heartbeat, nowMs);
      case 'streamClosed': return this.streamClosed(input.nodeId, input.streamId, nowMs);
      case 'fullBlockReport': return this.fullBlockReport(input.nodeId, input.registrationId, input.replicas, nowMs, input.beingWritten);
      case 'incrementalBlockReport':
        return this.incrementalBlockReport(input.nodeId, input.registrationId, input.received, input.deleted, nowMs, input.beingWritten);
      case 'badReplicas': return this.badReplicas(input.nodeId, input.registrationId, input.blockIds, nowMs);
      case 'mkdirs': return this.mkdirs(input.path, nowMs);
      case 'create': return this.create(input.path, input.replication, input.blockSizeBytes, input.createParent, input.clientName, nowMs);
      case 'addBlock': return this.addBlock(input.path, input.clientName, input.excludeNodeIds, input.previous, nowMs);
      case 'abandonBlock': return this.abandonBlock(input.path, input.clientName, input.blockId, nowMs);
      case 'complete': return this.complete(input.path, input.clientName, input.blocks, nowMs);
      case 'setReplication': return this.setReplication(input.path, input.replication, nowMs);
      case 'delete': return this.delete(input.path, input.recursive, input.writer, nowMs);
      case 'setSafeMode': return this.setSafeMode(input.action, nowMs);
      case 'setAdminState': return this.setAdminState(input.nodeId, input.action, input.maintenanceDurationMs, nowMs);
      case 'clientReportsBadReplica': return this.clientReportsBadReplica(input.blockId, input.nodeId, nowMs);
      case 'renewLease': return this.renewLease(input.clientName, nowMs);
      case 'recoverLease': return this.recoverLease(input.path, input.clientName, nowMs);
      case 'finishReplicaVerification':
        return this.finishReplicaVerification(input.blockId, input.nodeId, input.generationStamp, input.verdict, input.detail, nowMs);
      default: {
        const never: never = input;
        throw new InvalidArgumentError(`unknown core input ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Advances time: liveness on every call; once per heartbeat interval (every
   * TICKS_PER_HEARTBEAT_INTERVAL-th call after the first) the safe mode, admin and replication passes.
   */
  tick(nowMs: number): Ready<undefined> {
    this.ticks += 1;
    this.lastNowMs = nowMs;
    if (this.ticks === 0) this.leases.start(nowMs);
    this.leases.observe(nowMs);
    const ts = this.manager.tick(nowMs);
    if (ts.length) this.onTransitions(ts, nowMs);
    if (this.plans) this.intervalTick(nowMs);
    return this.finish<undefined>(undefined);
  }

  /** The time of the latest tick or input (the liveness clock): lease times are measured on it. */
  get lastTickMs(): number {
    return this.lastNowMs;
  }

  /** Whether the tick() now running (or just run) is a planner tick. */
  get plans(): boolean {
    return this.ticks > 0 && this.ticks % TICKS_PER_HEARTBEAT_INTERVAL === 0;
  }

  /** Whether the next tick() runs the interval passes (the simulator times the planner with it). */
  get plansOnNextTick(): boolean {
    return (this.ticks + 1) > 0 && (this.ticks + 1) % TICKS_PER_HEARTBEAT_INTERVAL === 0;
  }

  // ---- high availability (docs/HA.md) ----

  get haRole(): 'active' | 'standby' {
    return this.standby ? 'standby' : 'active';
  }

  /** Makes this core a standby; only before its first input (an active that loses its leadership is restarted, not demoted). */
  becomeStandby(): void {
    this.replication.allChanged();
    if (this.ticks >= 0) throw new DfsError('INTERNAL', 'becomeStandby after the first tick');
    this.standby = true;
  }

  /**
   * The standby won the election: from now on it orders and persists. Its liveness clocks, block
   * map and safe mode state carry on as they are (no node is judged anew, no report is awaited
   * again); every block is re-planned once, and postponed replicas of blocks still unknown are dropped.
   */
  promote(epoch: number, nowMs: number): Ready<undefined> {
    this.replication.allChanged();
    if (!this.standby) throw new DfsError('INTERNAL', 'promote on an active core');
    this.standby = false;
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
    const dropped = this.postponedCount;
    this.postponed.clear();
    this.postponedCount = 0;
    this.replication.check([...this.blockMap.blockIds()]);
    this.leases.renewAll(nowMs); // clients renewed at the old active: their leases start now here
    this.event('info', 'namenode is active', 'ha-active', nowMs, 'both', {
      epoch, blocks: this.blockMap.size(), safeMode: this.safe.on, droppedPostponedReplicas: dropped,
    });
    return this.finish<undefined>(undefined);
  }

  /**
   * Standby: one committed mutation of the active (its records, in order). The namespace changes
   * in place; blocks it added, changed or removed follow in the block map, and replicas reported
   * before the edit arrived are recorded now.
   */
  applyEdits(records: readonly StoredRecord[], nowMs: number): Ready<undefined> {
    if (!this.standby) throw new DfsError('INTERNAL', 'applyEdits on the active core');
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
    const changed = this.namespace.applyRecords(records);
    const gone = new Set<number>();
    const present = new Map<number, { block: Block; replication: number; complete: boolean; blockSizeBytes: number }>();
    for (const [path, { before, after }] of changed) {
      if (after && !after.complete) this.leases.open(path, after.clientName, nowMs);
      else this.leases.close(path);
      if (before) for (const b of before.blocks) gone.add(b.blockId);
      if (after) for (const b of after.blocks) present.set(b.blockId, { block: b, replication: after.replication, complete: after.complete, blockSizeBytes: after.blockSizeBytes });
    }
    for (const id of gone) {
      if (present.has(id) || !this.blockMap.has(id)) continue;
      this.blockMap.removeBlock(id);
      this.replication.forget(id);
    }
    for (const [id, p] of present) {
      const known = this.blockMap.get(id);
      if (!known) {
        this.blockMap.addBlock({
          blockId: id, generationStamp: p.block.generationStamp, lengthBytes: p.block.lengthBytes, expectedReplication: p.replication,
          complete: p.complete, blockSizeBytes: p.blockSizeBytes,
        });
        this.replayPostponed(id, nowMs);
      } else if (known.lengthBytes !== p.block.lengthBytes || known.complete !== p.complete || known.expectedReplication !== p.replication) {
        this.blockMap.updateBlock(id, { lengthBytes: p.block.lengthBytes, complete: p.complete, expectedReplication: p.replication });
      }
    }
    for (const r of records) {
      if (!r.key.startsWith(ADMIN_KEY_PREFIX)) continue;
      const nodeId = r.key.slice(ADMIN_KEY_PREFIX.length);
      this.admin.applyRecord(nodeId, 'deleted' in r && r.deleted === true ? undefined : parseAdminRecord(r.key, (r as { value: unknown }).value));
      this.replication.nodeChanged(nodeId);
    }
    return this.finish<undefined>(undefined);
  }

  /** Standby: keeps a reported replica of a block it does not know yet. */
  private postpone(nodeId: string, replica: ReportedReplica): void {
    let byNode = this.postponed.get(replica.blockId);
    if (!byNode) this.postponed.set(replica.blockId, byNode = new Map());
    if (!byNode.has(nodeId)) this.postponedCount += 1;
    byNode.set(nodeId, { blockId: replica.blockId, generationStamp: replica.generationStamp, lengthBytes: replica.lengthBytes });
    while (this.postponedCount > Limits.maxPostponedStandbyReplicas) {
      const [oldestId, oldest] = this.postponed.entries().next().value as [number, Map<string, ReportedReplica>];
      this.postponedCount -= oldest.size;
      this.postponed.delete(oldestId);
    }
  }

  private replayPostponed(blockId: number, nowMs: number): void {
    const byNode = this.postponed.get(blockId);
    if (!byNode) return;
    this.postponed.delete(blockId);
    this.postponedCount -= byNode.size;
    for (const [nodeId, replica] of byNode) {
      if (this.manager.state(nodeId) === 'DEAD' || !this.manager.get(nodeId)) continue;
      if (this.blockMap.blockReceived(nodeId, replica).accepted) this.observer.replicaGained?.(blockId, nowMs);
    }
  }

  // ---- DataNode inputs ----

  register(reg: DatanodeRegistration, stats: DatanodeStats, nowMs: number): Ready<RegisterReply> {
    let reply: Reply<RegisterReply>;
    try {
      const { node, transitions, membershipSeeds } = this.manager.register(reg, stats, nowMs);
      this.replication.nodeChanged(node.id);
      this.waiting.delete(node.id); // register clears the node's queue
      this.event('info', 'datanode registered', 'registered', nowMs, 'log', { nodeId: node.id, address: `${node.host}:${node.dataPort}`, uuid: node.uuid });
      if (transitions.length) this.onTransitions(transitions, nowMs);
      reply = { ok: true, value: { node, membershipSeeds } };
    } catch (err) {
      if (!(err instanceof DfsError)) throw err;
      this.event('warn', 'registration refused', 'register-refused', nowMs, 'log', { nodeId: String(reg?.id).slice(0, 128), error: err.message });
      reply = { ok: false, error: err };
    }
    return this.finish(reply);
  }

  /**
   * A heartbeat. Values out of range or an implausible sequence are an error reply and nothing of
   * the beat is applied. A beat that changes nothing but the node's liveness clock returns a shared
   * Ready (valid until the next input); its reply is the node's answer.
   */
  heartbeat(input: HeartbeatInput, nowMs: number): Ready<HeartbeatOutcome> {
    let outcome: HeartbeatOutcome;
    try {
      outcome = this.manager.heartbeat(input, nowMs);
    } catch (err) {
      if (!(err instanceof DfsError)) throw err;
      this.event('warn', 'heartbeat refused', 'heartbeat-refused', nowMs, 'log', { nodeId: String(input.nodeId).slice(0, 128), error: err.message });
      return this.finish<HeartbeatOutcome>({ ok: false, error: err });
    }
    const nodeId = input.nodeId;
    if (outcome.ackedSequence > 0) {
      if (input.goodbye) this.sessions.delete(nodeId);
      else {
        if (this.sessions.get(nodeId) !== input.streamId) this.sessions.set(nodeId, input.streamId);
        if (this.waiting.size !== 0) this.waiting.delete(nodeId); // the answer drained its queue
      }
    }
    if (input.goodbye) this.event('info', 'datanode said goodbye', 'goodbye', nowMs, 'log', { nodeId });
    if (outcome.transitions.length) this.onTransitions(outcome.transitions, nowMs);
    if (outcome.disagreements) this.onDisagreements(outcome.disagreements, nowMs);
    if (this.quiet()) {
      this.quietBeat.reply.value = outcome;
      return this.quietBeat;
    }
    return this.finish<HeartbeatOutcome>({ ok: true, value: outcome });
  }

  /**
   * The simulator's fast path for the bulk of its beats: one for which heartbeat() would do nothing
   * but call the HeartbeatMonitor. The caller guarantees the registration is the node's current
   * one, no goodbye, no peer probe answers, and stats equal to the ones the manager holds; the core
   * checks the rest (no commands waiting for the node, the node not watched by peer evidence).
   * Then heartbeat() is monitor.heartbeat() plus a stats copy of equal values and an empty drain,
   * so calling the monitor directly gives the same verdict and state without allocating. Returns
   * undefined when the beat must go through heartbeat() (nothing was changed then).
   */
  heartbeatUneventful(nodeId: string, sequence: number, streamId: number, nowMs: number): Ready<HeartbeatOutcome> | undefined {
    if (this.waiting.size !== 0 && this.waiting.has(nodeId)) return undefined;
    const peers = this.manager.peers;
    if (peers.enabled && peers.isWatched(nodeId)) return undefined;
    const verdict = this.manager.monitor.heartbeat(nodeId, sequence, streamId, nowMs);
    if (verdict.kind === 'reregister') return undefined;
    const q = this.quietOutcome;
    if (verdict.kind === 'duplicate') {
      q.ackedSequence = 0;
      this.quietBeat.reply.value = q;
      return this.quietBeat;
    }
    if (this.sessions.get(nodeId) !== streamId) this.sessions.set(nodeId, streamId);
    if (!verdict.transition) {
      q.ackedSequence = sequence;
      this.quietBeat.reply.value = q;
      return this.quietBeat;
    }
    this.onTransitions([verdict.transition], nowMs);
    return this.finish<HeartbeatOutcome>({ ok: true, value: { ackedSequence: sequence, commands: [], transitions: [verdict.transition] } });
  }

  streamClosed(nodeId: string, streamId: number, nowMs: number): Ready<undefined> {
    if (this.sessions.get(nodeId) === streamId) this.sessions.delete(nodeId);
    const ts = this.manager.streamClosed(nodeId, streamId, nowMs);
    if (ts.length) this.onTransitions(ts, nowMs);
    return this.finish<undefined>(undefined);
  }

  /** Reports are accepted from the current registration of a node that is not DEAD. */
  registered(nodeId: string, registrationId: string): boolean {
    const n = this.manager.get(nodeId);
    return !!n && n.registrationId === registrationId && this.manager.state(nodeId) !== 'DEAD';
  }

  /**
   * Full block report; the reply is the commands of the answer (INVALIDATE, or REREGISTER for an
   * unknown registration). In safe mode nothing is deleted from a report (HDFS judges the first
   * report after a start the same way): unknown blocks are postponed to the node's next full
   * report, bad replicas of known blocks are kept as corrupt until the repair path has good copies.
   */
  fullBlockReport(nodeId: string, registrationId: string, blocks: ReportedReplica[], nowMs: number, beingWritten: ReportedReplica[] = []): Ready<Command[]> {
    if (!this.registered(nodeId, registrationId)) {
      return this.finish<Command[]>({ ok: true, value: [{ kind: 'reregister', reason: 'block report from an unknown registration' }] });
    }
    return this.guard<Command[]>(() => {
      const holdDeletions = this.inSafeMode || this.standby;
      const r = this.blockMap.processFullReport(nodeId, blocks, { holdDeletions });
      if (this.standby && r.postponed.length) {
        const unknown = new Set(r.postponed);
        for (const b of blocks) if (unknown.has(b.blockId)) this.postpone(nodeId, b);
      }
      if (!this.fullyReported.has(nodeId)) this.replication.nodeChanged(nodeId);
      this.fullyReported.add(nodeId);
      this.fullReports += 1;
      this.event('info', 'full block report', 'block-report', nowMs, 'log', {
        nodeId, blocks: blocks.length, added: r.added.length, removed: r.removed.length, invalidate: r.toInvalidate.length,
        ...(holdDeletions ? { safeMode: true, postponed: r.postponed.length, corrupt: r.corrupt.length } : {}),
      });
      if (r.postponed.length && !this.standby) {
        this.event('warn', 'unknown blocks reported in safe mode: kept, judged again at the next full report', 'block-report-postponed', nowMs, 'log', {
          nodeId, blocks: r.postponed.length, firstBlockIds: r.postponed.slice(0, 10),
        });
      }
      this.replication.check([...r.added, ...r.removed, ...r.corrupt]);
      if (this.observer.replicaGained) for (const id of r.added) this.observer.replicaGained(id, nowMs);
      if (r.removed.length) this.observer.replicasLost?.(r.removed, nowMs);
      this.recoveries.replaceNode(nodeId, new Set(beingWritten.map((b) => b.blockId)));
      const stray = this.noteBeingWritten(nodeId, beingWritten);
      this.checkSafeModeExit(nowMs);
      const toInvalidate = [...r.toInvalidate, ...stray];
      return toInvalidate.length && !this.standby ? [{ kind: 'invalidate', blockIds: toInvalidate }] : [];
    });
  }

  /** Incremental report; replicas to invalidate are queued as commands for the node (held in safe mode). */
  incrementalBlockReport(
    nodeId: string, registrationId: string, received: ReportedReplica[], deleted: number[], nowMs: number, beingWritten: ReportedReplica[] = [],
  ): Ready<undefined> {
    if (!this.registered(nodeId, registrationId)) {
      return this.finish<undefined>({ ok: false, error: new DfsError('UNKNOWN_NODE', `unknown registration for ${nodeId}`) });
    }
    return this.guard(() => {
      const invalid: number[] = [];
      for (const r of received) {
        if (this.standby && !this.blockMap.has(r.blockId)) {
          this.postpone(nodeId, r);
          continue;
        }
        const verdict = this.blockMap.blockReceived(nodeId, r);
        this.recoveries.forgetReplica(nodeId, r.blockId);
        if (verdict.invalidate) invalid.push(r.blockId);
        if (verdict.accepted) {
          this.replicationEvents(this.replication.replicaAdded(r.blockId, nodeId, nowMs), nowMs);
          this.observer.replicaGained?.(r.blockId, nowMs);
        }
      }
      for (const id of deleted) {
        this.recoveries.forgetReplica(nodeId, id);
        if (this.blockMap.blockDeleted(nodeId, id)) this.replication.check([id]);
        this.replication.replicaDeleted(id, nodeId); // an ordered deletion done: the node may be a target again
      }
      invalid.push(...this.noteBeingWritten(nodeId, beingWritten));
      if (invalid.length && this.standby) {
        // The active judges these; a standby orders nothing.
      } else if (invalid.length && this.inSafeMode) {
        // No deletion from a report in safe mode: the node's next full report judges these again.
        this.event('warn', 'replicas to invalidate reported in safe mode: kept for now', 'block-report-postponed', nowMs, 'log', {
          nodeId, blocks: invalid.length, firstBlockIds: invalid.slice(0, 10),
        });
      } else if (invalid.length) {
        this.enqueue(nodeId, { kind: 'invalidate', blockIds: invalid });
      }
      this.checkSafeModeExit(nowMs);
      return undefined;
    });
  }

  /**
   * Replicas being written a node reports: kept for block recovery while their block is under
   * construction (not complete, not committed) and the node holds no finalized replica of it.
   * Returns the ones to delete: their block is gone, complete or committed, or of another
   * generation (a standby judges none: it may not have the block's edit yet).
   */
  private noteBeingWritten(nodeId: string, reported: readonly ReportedReplica[]): number[] {
    const stray: number[] = [];
    for (const r of reported) {
      const block = this.blockMap.get(r.blockId);
      if (block && this.blockMap.replicas(r.blockId).includes(nodeId)) continue; // finalized here since
      if (block && !block.complete && !block.committed && block.generationStamp === r.generationStamp && r.lengthBytes > 0) {
        this.recoveries.report(nodeId, r);
      } else if (!this.standby) {
        stray.push(r.blockId);
      }
    }
    return stray;
  }

  /** A DataNode's report of its own bad replicas (ReportBadBlocks). */
  badReplicas(nodeId: string, registrationId: string, blockIds: number[], nowMs: number): Ready<undefined> {
    if (!this.registered(nodeId, registrationId)) {
      return this.finish<undefined>({ ok: false, error: new DfsError('UNKNOWN_NODE', `unknown registration for ${nodeId}`) });
    }
    return this.guard(() => {
      for (const id of blockIds) this.reportBadReplica(id, nodeId, 'reported by datanode', nowMs);
      return undefined;
    });
  }

  /**
   * A complete block whose replicas are already on `holders` (the simulator's initial layout: it
   * has no namespace and no write path). Not for the process: its blocks come from the namespace.
   */
  addCompleteBlock(block: { blockId: number; generationStamp: number; lengthBytes: number; expectedReplication: number }, holders: readonly string[]): void {
    this.blockMap.addBlock({
      blockId: block.blockId, generationStamp: block.generationStamp, lengthBytes: block.lengthBytes, expectedReplication: block.expectedReplication, complete: true,
    });
    const r = this.scratchReplica;
    r.blockId = block.blockId;
    r.generationStamp = block.generationStamp;
    r.lengthBytes = block.lengthBytes;
    for (const id of holders) this.blockMap.blockReceived(id, r);
  }

  // ---- client operations ----

  get safeMode(): boolean {
    return this.safe.on;
  }

  /** The state with fresh counts. */
  safeModeStatus(nowMs?: number): SafeModeState {
    this.evaluateSafeMode(nowMs);
    return this.safe.state(nowMs);
  }

  /**
   * `admin safemode`: get the state, enter (held until leave; the startup rules never end it), or
   * leave (ends startup and manual safe mode; blocks still unreported are then missing).
   */
  setSafeMode(action: SafeModeAction, nowMs?: number): Ready<SafeModeState> {
    return this.guard(() => {
      const atMs = nowMs ?? this.lastNowMs;
      if (action === 'enter') {
        if (this.safe.enter()) this.event('warn', 'safe mode entered by an operator', 'safe-mode-on', atMs, 'both', { reason: 'manual' });
      } else if (action === 'leave') {
        if (this.safe.leave()) this.safeModeOff('manual-leave', atMs);
      } else if (action !== 'get') {
        throw new DfsError('INVALID_ARGUMENT', `unknown safe mode action ${JSON.stringify(action)}: get, enter or leave`);
      }
      return this.safeModeStatus(nowMs);
    });
  }

  mkdirs(path: string, nowMs: number): Ready<FileStatus> {
    return this.guard(() => {
      this.checkNotSafeMode('mkdirs');
      return this.persist(this.namespace.mkdirs(path, nowMs));
    });
  }

  create(path: string, replication: number, blockSizeBytes: number, createParent: boolean, clientName: string, nowMs: number): Ready<FileStatus> {
    return this.guard(() => {
      this.checkNotSafeMode('create');
      // The NameNode's default replication (replication 0) is the operator's choice and not checked.
      this.checkReplicationFits(path, replication);
      const status = this.persist(this.namespace.create(path, {
        replication: replication || this.settings.defaultReplication,
        blockSizeBytes: blockSizeBytes || this.settings.defaultBlockSizeBytes,
        createParent, clientName,
      }, nowMs));
      this.leases.open(status.path, clientName, this.lastNowMs); // leases run on the liveness clock, not the wall clock of mtimes
      return status;
    });
  }

  /**
   * A new block and its pipeline. `previous` (the block the client finalized last) is committed
   * first: its length is final and it is repaired if it loses a replica while the file is open.
   */
  addBlock(
    path: string, clientName: string, excludeNodeIds: string[], previous: { blockId: number; lengthBytes: number } | undefined, _nowMs: number,
  ): Ready<LocatedBlockInfo> {
    return this.guard(() => {
      this.checkNotSafeMode('addBlock');
      const status = this.namespace.checkOpenForWrite(path, clientName);
      this.leases.renew(clientName, this.lastNowMs);
      if (previous) {
        this.namespace.checkCommit(path, clientName, previous);
        this.commit(path, [previous]);
      }
      const targets = choosePipeline(this.candidates(), {
        count: status.replication, blockSizeBytes: status.blockSizeBytes, exclude: new Set(excludeNodeIds), random: this.random,
      });
      const retried = this.retriedAddBlock(path, clientName, previous);
      const needed = this.minReplicasFor(status.replication);
      if (targets.length < needed) {
        throw new NotEnoughDatanodesError(
          `need ${needed} LIVE DataNodes with ${status.blockSizeBytes} bytes free for a block of ${path}, have ${targets.length}` +
            (excludeNodeIds.length ? ` (excluding ${excludeNodeIds.join(', ')})` : ''),
        );
      }
      if (retried) {
        // A retried AddBlock (its answer was lost, e.g. in a NameNode failover): the same empty block, on a new pipeline.
        this.blockMap.removeBlock(retried.blockId);
        this.blockMap.addBlock({
          blockId: retried.blockId, generationStamp: retried.generationStamp, lengthBytes: 0, expectedReplication: status.replication, complete: false,
          blockSizeBytes: status.blockSizeBytes,
        }, targets);
        return { block: retried, offsetBytes: status.lengthBytes, locations: targets.map((id) => this.location(id)!) };
      }
      const block = this.persist(this.namespace.allocateBlock(path, clientName));
      // The pipeline is the block's placement: only these nodes may report a replica of it (block-map mayAdd).
      this.blockMap.addBlock({
        blockId: block.blockId, generationStamp: block.generationStamp, lengthBytes: 0, expectedReplication: status.replication, complete: false,
        blockSizeBytes: status.blockSizeBytes,
      }, targets);
      return { block, offsetBytes: status.lengthBytes, locations: targets.map((id) => this.location(id)!) };
    });
  }

  /** A writer's lease heartbeat (RenewLease): the number of files it holds open. */
  renewLease(clientName: string, nowMs: number): Ready<number> {
    return this.guard(() => {
      if (this.standby) throw new NotActiveError('renewLease: this NameNode is a standby');
      if (typeof clientName !== 'string' || clientName.length === 0 || clientName.length > NamespaceLimits.maxClientNameLength) {
        throw new InvalidArgumentError('clientName must be a non-empty string');
      }
      return this.leases.renew(clientName, nowMs);
    });
  }

  /**
   * HDFS recoverLease: closes `path` now if `clientName` holds it or its holder's soft limit has
   * passed (see recoverFile); a closed file answers closed at once.
   */
  recoverLease(path: string, clientName: string, nowMs: number): Ready<{ closed: boolean; holder: string; softLimitRemainingMs: number }> {
    return this.guard(() => {
      this.checkNotSafeMode('recoverLease');
      const status = this.namespace.getFileInfo(path);
      if (status.isDirectory) throw new DfsError('IS_A_DIRECTORY', `${status.path} is a directory`);
      if (status.complete) return { closed: true, holder: '', softLimitRemainingMs: 0 };
      const holder = this.namespace.openFileHolder(status.path);
      const remaining = this.leases.softLimitRemainingMs(status.path, nowMs) ?? 0;
      if (holder !== clientName && remaining > 0) return { closed: false, holder, softLimitRemainingMs: remaining };
      const closed = this.recoverFile(status.path, holder, holder === clientName ? 'by-holder' : 'soft-limit', nowMs);
      return { closed, holder, softLimitRemainingMs: 0 };
    });
  }

  /**
   * Lease recovery: closes an open file whose writer is gone; true once closed. Each block keeps
   * the length its finalized replicas reported (the shortest: every replica holds that prefix;
   * committed blocks their committed length). The first block without a finalized replica, if
   * live nodes hold it being written (its pipeline was cut mid-block), is recovered first (HDFS
   * recoverBlock): its holders are ordered to finalize it at the shortest length they reported,
   * which holds every byte the pipeline acknowledged, and the file closes once one reports it
   * finalized (false until then; asked again each interval, orders repeated past the retry time).
   * Trailing blocks with neither held data no writer had acknowledged and are dropped. The file
   * is completed with what remains, its records persisted like a Complete's; dropped blocks are
   * invalidated wherever they are.
   */
  private recoverFile(path: string, holder: string, reason: 'hard-limit' | 'soft-limit' | 'by-holder', nowMs: number): boolean {
    let blocks: readonly Block[];
    try {
      blocks = this.namespace.openFileBlocks(path, holder);
    } catch {
      this.leases.close(path); // closed, deleted or taken over since: nothing to recover
      return true;
    }
    const lengths = blocks.map((b) => this.blockMap.reportedLength(b.blockId));
    let keep = blocks.length;
    while (keep > 0 && lengths[keep - 1] === undefined) keep -= 1;
    const cut = blocks[keep];
    if (cut && !this.blockMap.get(cut.blockId)?.committed) {
      const holders = this.recoveries.holders(cut.blockId, cut.generationStamp, this.usable);
      if (holders.length > 0) {
        const lengthBytes = Math.min(...holders.map((h) => h.lengthBytes));
        if (this.recoveries.order(cut.blockId, lengthBytes, nowMs)) {
          for (const h of holders) this.enqueue(h.nodeId, { kind: 'recover-block', blockId: cut.blockId, generationStamp: cut.generationStamp, lengthBytes });
          this.event('warn', 'block recovery: replicas being written finalized at their shortest length', 'block-recovery', nowMs, 'both', {
            path, holder, reason, blockId: cut.blockId, lengthBytes, holders: holders.map((h) => ({ nodeId: h.nodeId, lengthBytes: h.lengthBytes })),
          });
        }
        return false;
      }
    }
    const dropped = blocks.slice(keep).map((b) => b.blockId);
    for (const id of [...dropped].reverse()) this.persist(this.namespace.abandonBlock(path, holder, id));
    const kept = blocks.slice(0, keep).map((b, i) => ({ blockId: b.blockId, lengthBytes: lengths[i] ?? 0 }));
    this.persist(this.namespace.complete(path, holder, kept, nowMs));
    this.leases.close(path);
    for (const b of kept) this.blockMap.updateBlock(b.blockId, { lengthBytes: b.lengthBytes, complete: true });
    for (const id of dropped) this.replication.forget(id);
    this.invalidateEverywhere(dropped);
    this.dropBeingWritten(kept.map((b) => b.blockId));
    this.replication.check(kept.map((b) => b.blockId));
    this.event('warn', 'lease recovered: file closed', 'lease-recovered', nowMs, 'both', {
      path, holder, reason, blocks: kept.length, droppedBlocks: dropped.length, lengthBytes: kept.reduce((n, b) => n + b.lengthBytes, 0),
    });
    return true;
  }

  /** Blocks now complete: replicas still being written of them (on nodes without a finalized one) are deleted. */
  private dropBeingWritten(blockIds: readonly number[]): void {
    for (const id of blockIds) {
      const finalized = this.blockMap.replicas(id);
      for (const node of this.recoveries.forgetBlock(id)) if (!finalized.includes(node)) this.enqueue(node, { kind: 'invalidate', blockIds: [id] });
    }
  }

  /**
   * The file's last block when this AddBlock repeats the one that allocated it: the client names
   * as `previous` the block before it (none for the first block), and no replica of it exists yet.
   */
  private retriedAddBlock(path: string, clientName: string, previous: { blockId: number } | undefined): Block | undefined {
    const blocks = this.namespace.openFileBlocks(path, clientName);
    const last = blocks[blocks.length - 1];
    if (!last || last.blockId === previous?.blockId) return undefined;
    const before = blocks[blocks.length - 2];
    if ((before?.blockId) !== previous?.blockId) return undefined;
    return this.blockMap.replicas(last.blockId).length === 0 && this.blockMap.get(last.blockId)?.committed !== true ? last : undefined;
  }

  abandonBlock(path: string, clientName: string, blockId: number, _nowMs: number): Ready<undefined> {
    return this.guard(() => {
      this.leases.renew(clientName, this.lastNowMs);
      const removed = this.persist(this.namespace.abandonBlock(path, clientName, validateBlockId(blockId)));
      if (removed) {
        this.replication.forget(blockId);
        this.invalidateEverywhere([blockId]);
      }
      return undefined;
    });
  }

  /**
   * true when the file is now complete (or already was, by this client with this block list);
   * false when some block still lacks its minimum replicas on LIVE nodes. A STALE node's replica
   * does not count: its heartbeats stopped, and acknowledging on it could leave the write with one
   * real copy. The named lengths are committed at once (final; the blocks' replicas are finalized),
   * so a block that lost a replica is repaired while the file is still open and a retried Complete
   * can succeed.
   */
  complete(path: string, clientName: string, blocks: Array<{ blockId: number; lengthBytes: number }>, nowMs: number): Ready<boolean> {
    return this.guard(() => {
      this.checkNotSafeMode('complete');
      const { status, alreadyComplete } = this.namespace.completionStatus(path, clientName, blocks);
      if (alreadyComplete) return true;
      this.leases.renew(clientName, this.lastNowMs);
      this.commit(path, blocks);
      const needed = this.minReplicasFor(status.replication);
      for (const b of blocks) {
        if (this.blockMap.liveReplicaCount(b.blockId, this.live) < needed) return false;
      }
      this.persist(this.namespace.complete(path, clientName, blocks, nowMs));
      this.leases.close(status.path);
      for (const b of blocks) this.blockMap.updateBlock(b.blockId, { lengthBytes: b.lengthBytes, complete: true });
      this.dropBeingWritten(blocks.map((b) => b.blockId));
      this.replication.check(blocks.map((b) => b.blockId));
      this.event('info', 'file completed', 'file-completed', nowMs, 'event-log', { path, blocks: blocks.length });
      return true;
    });
  }

  /**
   * `hdfs dfs -setrep` for one file: persists the new factor, then every block of the file is
   * re-planned (copies made, or the excess trimmed by the ReplicationMonitor's usual rules: never
   * the last good copy, rack spread kept). A factor above the registered DataNodes is refused.
   */
  setReplication(path: string, replication: number, nowMs: number): Ready<FileStatus> {
    return this.guard(() => {
      this.checkNotSafeMode('setReplication');
      this.checkReplicationFits(path, replication);
      const { status, blockIds } = this.persist(this.namespace.setReplication(path, replication, nowMs));
      for (const id of blockIds) this.blockMap.updateBlock(id, { expectedReplication: replication });
      this.replication.check(blockIds);
      this.event('info', 'replication set', 'replication-set', nowMs, 'event-log', { path: status.path, replication, blocks: blockIds.length });
      return status;
    });
  }

  /**
   * Deletes `path`. With `writer` (a failed write's cleanup) only the file that writer still holds:
   * open, by that client, and the file it created (fileId); else FILE_NOT_OPEN, nothing changed.
   */
  delete(path: string, recursive: boolean, writer: WriterDeleteCondition | undefined, nowMs: number): Ready<boolean> {
    return this.guard(() => {
      this.checkNotSafeMode('delete');
      const { deleted, removedBlockIds } = this.persist(this.namespace.delete(path, recursive, nowMs, writer));
      if (deleted) this.leases.close(normalizePath(path)); // files under a deleted directory: dropped when their lease expires
      for (const id of removedBlockIds) this.replication.forget(id);
      this.invalidateEverywhere(removedBlockIds);
      if (deleted) this.event('info', 'deleted', 'deleted', nowMs, 'event-log', { path, blocks: removedBlockIds.length });
      return deleted;
    });
  }

  /**
   * `admin decommission|recommission|maintenance`: the node must be registered (or have an admin
   * state on record); bad input is refused and changes nothing. The new state is a record to
   * persist before the answer. Asking for the state a node is already in changes nothing; a
   * maintenance request for a node already in maintenance sets a new end for its window.
   */
  setAdminState(nodeId: string, action: AdminAction, maintenanceDurationMs: number, nowMs: number): Ready<AdminView> {
    return this.guard(() => {
      validateNodeId(nodeId);
      if (!this.manager.get(nodeId) && this.admin.state(nodeId) === 'NORMAL') {
        throw new DfsError('UNKNOWN_NODE', `no DataNode ${nodeId} is registered`);
      }
      let t: AdminTransition | undefined;
      const before = this.admin.record(nodeId);
      switch (action) {
        case 'decommission': t = this.admin.decommission(nodeId, nowMs); break;
        case 'recommission': t = this.admin.recommission(nodeId, nowMs); break;
        case 'start-maintenance': t = this.admin.startMaintenance(nodeId, maintenanceDurationMs, nowMs); break;
        case 'end-maintenance': t = this.admin.endMaintenance(nodeId, nowMs); break;
        default: throw new InvalidArgumentError(`unknown admin action ${JSON.stringify(action)}`);
      }
      const after = this.admin.record(nodeId);
      if (t) this.afterAdminTransitions([t], nowMs);
      else if (after.maintenanceExpiresAtMs !== before.maintenanceExpiresAtMs) {
        this.event('info', `datanode ${nodeId} maintenance window moved`, 'admin-maintenance-extended', nowMs, 'both', {
          nodeId, maintenanceExpiresAtMs: after.maintenanceExpiresAtMs,
        });
      }
      this.adminRecord(nodeId);
      return this.adminView(nodeId, nowMs);
    });
  }

  /**
   * A client says `nodeId`'s replica of `blockId` is bad. Its word alone changes nothing: the
   * replica must be one the NameNode knows of on a registered node (else UNKNOWN_NODE /
   * BLOCK_NOT_FOUND), and then the NameNode checks it itself (adapters/replica-verifier.ts reads it
   * and calls finishReplicaVerification). Replies what to read when a new check must run; undefined
   * when one is already running for that replica or it is already known corrupt. At most
   * Limits.maxPendingReplicaVerifications checks at once (RESOURCE_EXHAUSTED beyond).
   */
  clientReportsBadReplica(blockId: number, nodeId: string, _nowMs: number): Ready<ReplicaToVerify | undefined> {
    return this.guard(() => {
      validateBlockId(blockId);
      validateNodeId(nodeId);
      const node = this.location(nodeId);
      if (!node) throw new DfsError('UNKNOWN_NODE', `no DataNode ${nodeId} is registered`);
      const block = this.blockMap.get(blockId);
      if (!block) throw new DfsError('BLOCK_NOT_FOUND', `block ${blockId} is not known to the NameNode`);
      if (this.blockMap.corruptReplicas(blockId).includes(nodeId)) return undefined;
      if (!this.blockMap.replicas(blockId).includes(nodeId)) throw new DfsError('BLOCK_NOT_FOUND', `DataNode ${nodeId} holds no replica of block ${blockId}`);
      if (this.verifications.request(blockId, nodeId) === 'joined') return undefined;
      return { blockId, generationStamp: block.generationStamp, lengthBytes: block.lengthBytes, complete: block.complete, location: node };
    });
  }

  /**
   * The NameNode's own check of a client-reported replica ended: only 'corrupt' (the read failed
   * its checksums or came up short) marks the replica corrupt, as a DataNode's own report does.
   */
  finishReplicaVerification(
    blockId: number, nodeId: string, generationStamp: number, verdict: 'corrupt' | 'healthy' | 'inconclusive', detail: string, nowMs: number,
  ): Ready<undefined> {
    return this.guard(() => {
      this.verifications.finish(blockId, nodeId);
      this.event('info', 'client bad-replica report verified', 'replica-verified', nowMs, 'log', { blockId, nodeId, verdict, detail });
      if (verdict !== 'corrupt') return undefined;
      // The replica read must still be the one recorded (not deleted or superseded during the read).
      if (this.blockMap.get(blockId)?.generationStamp !== generationStamp || !this.blockMap.replicas(blockId).includes(nodeId)) return undefined;
      this.reportBadReplica(blockId, nodeId, `confirmed by the NameNode's read: ${detail}`, nowMs);
      return undefined;
    });
  }

  /** Client bad-replica reports being checked now. */
  get pendingReplicaVerifications(): number {
    return this.verifications.size;
  }

  // ---- queries (no state change, no Ready) ----

  getBlockLocations(path: string): { status: FileStatus; blocks: LocatedBlockInfo[] } {
    const status = this.namespace.getFileInfo(path);
    if (status.isDirectory) throw new DfsError('IS_A_DIRECTORY', `${path} is a directory`);
    let offsetBytes = 0;
    const blocks = this.namespace.getBlocks(path).map((block) => {
      const replicas = this.blockMap.replicas(block.blockId).filter(this.usable);
      const live = shuffle(replicas.filter((n) => this.manager.state(n) === 'LIVE'), this.random);
      const stale = replicas.filter((n) => this.manager.state(n) === 'STALE');
      const located = { block, offsetBytes, locations: [...live, ...stale].map((id) => this.location(id)!).filter(Boolean) };
      offsetBytes += block.lengthBytes;
      return located;
    });
    const empty = blocks.find((b) => b.locations.length === 0 && status.complete);
    if (empty) {
      if (this.inSafeMode) throw new SafeModeError(`NameNode is in safe mode (block ${empty.block.blockId} of ${path} not reported yet); retry shortly`);
      throw new NoLiveReplicaError(`block ${empty.block.blockId} of ${path} has no live replica`);
    }
    return { status, blocks };
  }

  getFileInfo(path: string): FileStatus {
    return this.namespace.getFileInfo(path);
  }

  listStatus(path: string): FileStatus[] {
    return this.namespace.listStatus(path);
  }

  /** One page of a listing: at most Limits.listingPageSize entries after `startAfter` and about Limits.listingPageBytes of paths. */
  listStatusPage(path: string, startAfter = '', limit: number = Limits.listingPageSize): { entries: FileStatus[]; remaining: number } {
    return this.namespace.listStatusPage(path, startAfter, Math.min(limit, Limits.listingPageSize), Limits.listingPageBytes);
  }

  adminView(nodeId: string, nowMs: number): AdminView {
    const r = this.admin.record(nodeId);
    return r.maintenanceExpiresAtMs === undefined
      ? { adminState: r.state }
      : { adminState: r.state, maintenanceExpiresInMs: Math.max(0, Math.round(r.maintenanceExpiresAtMs - nowMs)) };
  }

  location(nodeId: string) {
    const n = this.manager.get(nodeId);
    return n && { nodeId: n.id, host: n.host, dataPort: n.dataPort, transferPort: n.transferPort ?? 0, rack: n.rack };
  }

  /** `hdfs fsck`-like summary of the files under `path` (blocks classified as counts() does). */
  fsck(path = '/'): FsckReport {
    const root = path === '/' ? '/' : this.namespace.getFileInfo(path).path;
    const prefix = root === '/' ? '/' : `${root}/`;
    let files = 0, blocks = 0, underReplicated = 0, overReplicated = 0, missing = 0, corrupt = 0, pendingReplications = 0, waitingOnUnreachable = 0, noTarget = 0;
    let misReplicated = 0;
    const liveNodes = this.manager.all().filter((n) => this.manager.state(n.id) === 'LIVE').map((n) => n.id);
    // The rack rule's racks: those with a LIVE DataNode whose block report is in (as the planner's).
    const liveRacks = new Set(liveNodes.filter((id) => this.fullyReported.has(id)).map((id) => this.manager.get(id)!.rack));
    const openFiles: string[] = [];
    for (const { path: p, file } of this.namespace.allFiles()) {
      if (p !== root && !p.startsWith(prefix)) continue;
      files += 1;
      if (!file.complete) {
        openFiles.push(p);
        continue;
      }
      for (const b of file.blocks) {
        blocks += 1;
        if (this.blockMap.corruptReplicas(b.blockId).length) corrupt += 1;
        const c = this.classify(b.blockId, file.replication);
        if (c.kind === 'missing') missing += 1;
        else if (c.kind === 'under') {
          underReplicated += 1;
          if (c.live + c.held >= file.replication) waitingOnUnreachable += 1;
          else {
            const holders = new Set(this.blockMap.replicas(b.blockId));
            if (liveNodes.every((id) => holders.has(id))) noTarget += 1;
          }
        } else if (c.kind === 'over') overReplicated += 1;
        if (c.live > 0 && file.replication >= 2 && liveRacks.size >= 2) {
          const racks = new Set(this.blockMap.replicas(b.blockId).filter(this.counted).map((id) => this.manager.get(id)?.rack ?? ''));
          if (!rackSpreadSatisfied(racks, file.replication, liveRacks.size)) misReplicated += 1;
        }
        if (this.replication.isPending(b.blockId)) pendingReplications += 1;
      }
    }
    const healthy = underReplicated + overReplicated + missing + corrupt + pendingReplications + misReplicated === 0;
    return {
      path: root, files, blocks, underReplicated, overReplicated, missing, corrupt, pendingReplications, waitingOnUnreachable, noTarget, misReplicated, healthy,
      openForWrite: openFiles.length, openFiles: openFiles.sort().slice(0, Limits.maxFsckOpenFilesListed),
      openFileLeases: openFiles.slice(0, Limits.maxFsckOpenFilesListed).map((p) => {
        const l = this.leases.holder(p);
        return { path: p, holder: l?.holder ?? this.namespace.openFileHolder(p), leaseAgeMs: l?.ageMs ?? 0 };
      }),
    };
  }

  /**
   * Files and the block map's summary, every complete block classified as fsck classifies it
   * (BlockMap.classify: counted replicas live, UNREACHABLE_FROM_NAMENODE ones held). O(blocks + replicas).
   */
  counts(): { files: number } & BlockCounts {
    return { files: this.namespace.fileCount(), ...this.blockMap.counts(this.counted, this.unreachable) };
  }

  /** fsck's classification of a complete block: the one counts() uses. */
  private classify(blockId: number, expected: number): BlockClassification {
    // Replicas on decommissioning nodes are not counted (they are going away; see core/admin-states.ts).
    return this.blockMap.classify(blockId, this.counted, this.unreachable, expected);
  }

  // ---- reactions ----

  /**
   * Liveness transitions: DEAD drops the node's replicas and re-plans its blocks (not while it is
   * IN_MAINTENANCE: its silence is expected, its replicas stay until the window ends).
   */
  private onTransitions(ts: readonly Transition[], nowMs: number): void {
    for (const t of ts) {
      this.replication.nodeChanged(t.nodeId);
      let affected: number[] = NONE as unknown as number[];
      if (t.to === 'DEAD') {
        affected = this.nodeDead(t.nodeId, nowMs);
        if (affected.length) this.event('info', 'replicas of dead node dropped', 'replicas-dropped', nowMs, 'log', { nodeId: t.nodeId, blocks: affected.length });
      }
      const fields = {
        nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason, missedBeats: t.missedBeats, msSinceLastHeartbeat: t.msSinceLastHeartbeat,
        ...(t.reporters ? { reporters: t.reporters.map((r) => r.nodeId), reporterHosts: t.reporters.map((r) => r.host) } : {}),
      };
      this.event('info', `datanode ${t.nodeId} ${t.from} -> ${t.to}`, 'transition', t.atMs, 'both', fields);
      this.transitions.push({ transition: t, affectedBlockIds: affected });
      this.observer.transition?.(t, affected);
    }
  }

  private nodeDead(nodeId: string, nowMs: number): number[] {
    this.fullyReported.delete(nodeId);
    if (this.admin.state(nodeId) === 'IN_MAINTENANCE') {
      this.replicationEvents(this.replication.nodeDead(nodeId), nowMs);
      this.event('info', 'datanode in maintenance is silent: replicas kept until the window ends', 'maintenance-node-silent', nowMs, 'log', {
        nodeId, blocks: this.blockMap.nodeBlockCount(nodeId),
      });
      return [];
    }
    const affected = this.blockMap.removeNode(nodeId);
    this.replicationEvents(this.replication.nodeDead(nodeId), nowMs);
    this.replication.check(affected);
    return affected;
  }

  private onDisagreements(ds: readonly PeerDisagreement[], nowMs: number): void {
    for (const d of ds) {
      this.disagreements.push(d);
      this.event('warn', `peer ${d.reporterId} cannot reach ${d.targetId}, which the NameNode hears`, 'peer-disagrees', nowMs, 'both', { ...d });
    }
  }

  /** Once per heartbeat interval: safe mode, admin states, then the planner (its orders become commands). */
  private intervalTick(nowMs: number): void {
    this.safeModeTick(nowMs);
    if (this.standby) return; // the active plans and orders; a standby only keeps its view current
    this.adminTick(nowMs);
    if (this.inSafeMode) return; // locations are incomplete: planning now would copy blocks that exist
    for (const { path, holder } of this.leases.hardExpired(nowMs)) {
      try {
        this.recoverFile(path, holder, 'hard-limit', nowMs);
      } catch (err) {
        if (!(err instanceof DfsError)) throw err;
        this.leases.close(path); // refused (e.g. a block longer than the block size): left open, said once
        this.event('warn', 'lease recovery refused; file left open', 'lease-recovery-failed', nowMs, 'both', { path, holder, error: err.message });
      }
    }
    const { orders, events } = this.replication.tick(nowMs);
    // A scheduled copy's targets may report the block (block-map mayAdd).
    for (const o of orders) if (o.kind === 'replicate') for (const t of o.targetIds) this.blockMap.expectReplica(o.blockId, t);
    for (const nodeId of this.manager.enqueueOrders(orders)) this.touched.add(nodeId);
    this.replicationEvents(events, nowMs);
  }

  private adminTick(nowMs: number): void {
    const ts = this.admin.tick(nowMs, {
      ready: (id) => this.fullyReported.has(id) || this.manager.state(id) === 'DEAD',
      blocksOn: (id) => this.blockMap.nodeBlocks(id),
      replicatedWithout: (b, id) => this.replication.replicatedWithout(b, id),
      maintainableWithout: (b, id) => this.replication.maintainableWithout(b, id),
    });
    if (ts.length === 0) return;
    this.afterAdminTransitions(ts, nowMs);
    for (const t of ts) this.adminRecord(t.nodeId);
  }

  /** Records each transition, and re-plans the node's blocks under the new rules. */
  private afterAdminTransitions(ts: readonly AdminTransition[], nowMs: number): void {
    for (const t of ts) {
      this.replication.nodeChanged(t.nodeId);
      const fields = {
        nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason,
        ...(t.maintenanceExpiresAtMs !== undefined ? { maintenanceExpiresAtMs: t.maintenanceExpiresAtMs } : {}),
        blocks: this.blockMap.nodeBlockCount(t.nodeId),
      };
      this.event('info', `datanode ${t.nodeId} admin ${t.from} -> ${t.to}`, 'admin-transition', nowMs, 'both', fields);
      const s = this.manager.state(t.nodeId);
      if (t.to === 'NORMAL' && isMaintenanceState(t.from) && s !== 'LIVE' && s !== 'STALE') {
        // The window ended while the node is silent: from now on it is a dead node like any other.
        const affected = this.blockMap.removeNode(t.nodeId);
        if (affected.length) this.event('info', 'replicas of dead node dropped', 'replicas-dropped', nowMs, 'log', { nodeId: t.nodeId, blocks: affected.length });
        this.replication.check(affected);
      } else {
        this.replication.check(this.blockMap.nodeBlocks(t.nodeId));
      }
    }
  }

  /** The node's admin state as a record to persist (deleted when NORMAL). */
  private adminRecord(nodeId: string): void {
    const r = this.admin.record(nodeId);
    const key = `${ADMIN_KEY_PREFIX}${nodeId}`;
    this.records.push(r.state === 'NORMAL' ? { key, deleted: true } : { key, value: r });
  }

  /**
   * Marks the replica corrupt. Only for reports the NameNode trusts: a DataNode's report of its
   * own replica (DatanodeProtocol.ReportBadBlocks, session-authenticated) or a verified client report.
   */
  private reportBadReplica(blockId: number, nodeId: string, reason: string, nowMs: number): void {
    if (this.blockMap.markCorrupt(validateBlockId(blockId), nodeId)) {
      this.replication.check([blockId]);
      this.event('warn', 'corrupt replica reported', 'corrupt-replica', nowMs, 'both', { blockId, nodeId, reason });
    }
  }

  /**
   * The writer named these blocks' final lengths (validated by the namespace): they are committed
   * in the block map, so the ReplicationMonitor repairs them while the file is still open.
   * Idempotent; a different length for a block already committed is INVALID_ARGUMENT, and then
   * nothing is committed.
   */
  private commit(path: string, blocks: ReadonlyArray<{ blockId: number; lengthBytes: number }>): void {
    const newlyCommitted: Array<{ blockId: number; lengthBytes: number }> = [];
    for (const b of blocks) { // all checked before any is committed
      const record = this.blockMap.get(validateBlockId(b.blockId));
      if (!record) throw new DfsError('INTERNAL', `block ${b.blockId} of ${path} is not in the block map`);
      if (record.committed && record.lengthBytes !== b.lengthBytes) {
        throw new InvalidArgumentError(`block ${b.blockId} of ${path} was committed with length ${record.lengthBytes}, not ${b.lengthBytes}`);
      }
      if (!record.committed && !record.complete) newlyCommitted.push(b);
    }
    for (const b of newlyCommitted) this.blockMap.updateBlock(b.blockId, { lengthBytes: b.lengthBytes, committed: true });
    if (newlyCommitted.length) this.replication.check(newlyCommitted.map((b) => b.blockId));
  }

  private invalidateEverywhere(blockIds: number[]): void {
    const perNode = new Map<string, number[]>();
    for (const id of blockIds) {
      const nodes = new Set([...this.blockMap.removeBlock(id), ...this.recoveries.forgetBlock(id)]);
      for (const node of nodes) perNode.set(node, [...(perNode.get(node) ?? []), id]);
    }
    for (const [node, ids] of perNode) this.enqueue(node, { kind: 'invalidate', blockIds: ids });
  }

  private enqueue(nodeId: string, command: Command): void {
    if (this.standby) return;
    if (this.manager.enqueueCommand(nodeId, command)) this.touched.add(nodeId);
  }

  private replicationEvents(events: readonly ReplicationEvent[], nowMs: number): void {
    for (const e of events) {
      const { type, ...fields } = e;
      this.event('info', `replication ${type}`, `replication-${type}`, nowMs, 'both', fields);
    }
  }

  private event(level: CoreEvent['level'], message: string, event: string, atMs: number, sink: CoreEvent['sink'], fields: Record<string, unknown>): void {
    this.events.push({ level, message, event, fields, atMs, sink });
  }

  // ---- helpers ----

  /**
   * Nodes whose replicas serve reads: LIVE and STALE (acknowledging a write counts LIVE only, see
   * `live`). Not UNREACHABLE_FROM_NAMENODE (clients are not routed there); the ReplicationMonitor
   * counts those replicas for planning during the grace, without using them.
   */
  readonly usable = (nodeId: string): boolean => {
    const s = this.manager.state(nodeId);
    return s === 'LIVE' || s === 'STALE';
  };

  /**
   * fsck's live replicas, as the planner counts them: usable and not on a DECOMMISSIONING or
   * DECOMMISSIONED node, plus those on an IN_MAINTENANCE node while it is silent (expected silence:
   * a planned maintenance leaves fsck healthy).
   */
  private readonly counted = (nodeId: string): boolean => {
    const a = this.admin.state(nodeId);
    return a === 'IN_MAINTENANCE' || (this.usable(nodeId) && !isDecommissionState(a));
  };

  private readonly unreachable = (nodeId: string): boolean => this.manager.state(nodeId) === 'UNREACHABLE_FROM_NAMENODE';

  /** Nodes whose replicas count toward min-replication at Complete: LIVE only (see complete()). */
  private readonly live = (nodeId: string): boolean => this.manager.state(nodeId) === 'LIVE';

  /** While on: no namespace change, no re-replication, and no deletion ordered from a block report. */
  private get inSafeMode(): boolean {
    return this.safe.on;
  }

  private minReplicasFor(replication: number): number {
    return Math.max(1, Math.min(this.settings.minReplication, replication));
  }

  /** Placement candidates (pipelines and copy targets): NORMAL nodes only, never decommissioning or in maintenance. */
  private candidates(): PlacementCandidate[] {
    return this.manager.all().filter((n) => this.admin.state(n.id) === 'NORMAL').map((n) => ({
      id: n.id, state: this.manager.state(n.id)!, remainingBytes: n.stats.remainingBytes, activeTransfers: n.stats.activeTransfers, rack: n.rack,
    }));
  }

  /**
   * A replication no set of the registered DataNodes could hold would stay under-replicated for
   * good: NOT_ENOUGH_DATANODES. An out-of-range value is left to the namespace (INVALID_ARGUMENT).
   */
  private checkReplicationFits(path: string, replication: number): void {
    const registered = this.manager.all().length;
    if (replication > registered && replication <= NamespaceLimits.maxReplication) {
      throw new NotEnoughDatanodesError(`replication ${replication} for ${path} needs ${replication} DataNodes; ${registered} are registered`);
    }
  }

  private checkNotSafeMode(op: string): void {
    if (this.standby) throw new NotActiveError(`${op}: this NameNode is a standby`);
    if (this.inSafeMode) {
      const s = this.safe.state();
      if (s.manual) throw new SafeModeError(`cannot ${op}: NameNode is in safe mode, entered by an operator (minidfs admin safemode leave ends it)`);
      throw new SafeModeError(`cannot ${op}: NameNode is in safe mode (${s.reportedBlocks}/${s.totalBlocks} blocks reported, need ${s.threshold * 100}%)`);
    }
  }

  /**
   * Counts for the SafeMode core: reported blocks, and which LIVE/STALE nodes have sent a full
   * report. Block counts are O(1); the node counts are O(DataNodes), so a report (thousands of
   * them at a start) reuses the last counts (`countNodes` false) and only the timer and status calls recount.
   */
  private safeModeProgress(countNodes = true): SafeModeProgress {
    const b = this.blockMap.safeModeStatus(this.settings.safeModeThreshold);
    if (countNodes) {
      let liveNodes = 0;
      let reportedNodes = 0;
      for (const n of this.manager.all()) {
        if (!this.usable(n.id)) continue;
        liveNodes += 1;
        if (this.fullyReported.has(n.id)) reportedNodes += 1;
      }
      this.nodeCounts = { liveNodes, reportedNodes };
    }
    return { reportedBlocks: b.reportedBlocks, totalBlocks: b.totalBlocks, ...this.nodeCounts, fullReports: this.fullReports };
  }

  /** After a report: the threshold rule (no time, no node recount). */
  private checkSafeModeExit(nowMs: number): void {
    this.lastNowMs = nowMs;
    if (this.safe.isStartup) this.evaluateSafeMode(undefined, false);
  }

  /** On the interval tick: the threshold and quiet-time rules. */
  private safeModeTick(nowMs: number): void {
    if (this.safe.isStartup) this.evaluateSafeMode(nowMs);
  }

  /** Feeds fresh counts to the SafeMode core and records the end of startup safe mode. */
  private evaluateSafeMode(nowMs?: number, countNodes = true): void {
    const reason = this.safe.update(this.safeModeProgress(countNodes), nowMs);
    if (!reason) return;
    const atMs = nowMs ?? this.lastNowMs;
    if (!this.safe.on) this.safeModeOff(reason, atMs);
    else this.event('info', 'startup safe mode over; the operator\'s safe mode holds until leave', 'safe-mode-startup-over', atMs, 'log', { reason });
  }

  private safeModeOff(reason: SafeModeExitReason, nowMs: number): void {
    const s = this.safe.state();
    const missing = s.totalBlocks - s.reportedBlocks;
    const fields = { reason, reportedBlocks: s.reportedBlocks, totalBlocks: s.totalBlocks, missingBlocks: missing, liveNodes: s.liveNodes };
    if (missing > 0) this.event('warn', 'safe mode off with blocks missing (see fsck)', 'safe-mode-off', nowMs, 'both', fields);
    else this.event('info', 'safe mode off', 'safe-mode-off', nowMs, 'both', fields);
  }

  private persist<T>(m: { result: T; records: readonly StoredRecord[] }): T {
    // The adapters refuse mutations on a standby before they reach the core; this is the backstop.
    if (this.standby && m.records.length) throw new NotActiveError('this NameNode is a standby');
    for (const r of m.records) this.records.push(r);
    return m.result;
  }

  /** Runs an operation; a DfsError it throws is its reply (what it changed before throwing stays, with its records). */
  private guard<T>(body: () => T): Ready<T> {
    let reply: Reply<T>;
    try {
      reply = { ok: true, value: body() };
    } catch (err) {
      if (!(err instanceof DfsError)) throw err;
      reply = { ok: false, error: err };
    }
    return this.finish(reply);
  }

  private quiet(): boolean {
    for (const id of this.manager.drainTouched()) this.touched.add(id);
    return this.records.length === 0 && this.events.length === 0 && this.transitions.length === 0 && this.disagreements.length === 0
      && this.touched.size === 0;
  }

  /** Moves what this input produced into its Ready; drains the queues of touched nodes that have a session. */
  private finish<T>(reply: Reply<T> | undefined): Ready<T> {
    let commands: PushCommands[] | undefined;
    const pending = this.manager.drainTouched();
    for (const id of pending) this.touched.add(id);
    if (this.touched.size) {
      for (const nodeId of this.touched) {
        const streamId = this.sessions.get(nodeId);
        if (streamId === undefined) {
          if (this.manager.get(nodeId)) this.waiting.add(nodeId);
          continue;
        }
        const cs = this.manager.drainCommands(nodeId);
        if (this.waiting.size !== 0) this.waiting.delete(nodeId);
        if (cs.length) (commands ??= []).push({ nodeId, streamId, commands: cs });
      }
      this.touched.clear();
    }
    if (reply === undefined && !commands && this.records.length === 0 && this.events.length === 0 && this.transitions.length === 0
      && this.disagreements.length === 0) {
      return EMPTY_READY;
    }
    const ready: Ready<T> = {
      records: this.records.length ? this.records : NONE,
      reply,
      commands: commands ?? NONE,
      transitions: this.transitions.length ? this.transitions : NONE,
      events: this.events.length ? this.events : NONE,
      disagreements: this.disagreements.length ? this.disagreements : NONE,
    };
    if (this.records.length) this.records = [];
    if (this.events.length) this.events = [];
    if (this.transitions.length) this.transitions = [];
    if (this.disagreements.length) this.disagreements = [];
    return ready;
  }
}
