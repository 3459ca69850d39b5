/**
 * Namesystem: the NameNode's file-system half, joining the pure cores (Namespace, BlockMap,
 * DatanodeManager, placement) with the metadata store. Every namespace mutation is persisted
 * (one atomic, fsynced batch) before its RPC is answered; block locations are never persisted and
 * come back from block reports, so the NameNode starts in safe mode until enough blocks are
 * reported. Commands for DataNodes (INVALIDATE) are queued on the DatanodeManager and pushed.
 */
import {
  DfsError, InvalidArgumentError, Limits, type Logger, NotEnoughDatanodesError, NoLiveReplicaError, SafeModeError,
} from '@minidfs/common';
import { BlockMap, type ReportedReplica, validateBlockId } from '../core/block-map';
import {
  type AdminRecord, type AdminState, type AdminTransition, AdminStates, isDecommissionState, isMaintenanceState, parseAdminRecord,
} from '../core/admin-states';
import { type DatanodeManager, validateNodeId } from '../core/datanode-manager';
import { ReplicaVerifications } from '../core/replica-verifications';
import type { EventLog } from '../core/event-log';
import { SafeMode, type SafeModeExitReason, type SafeModeProgress, type SafeModeState } from '../core/safe-mode';
import { type Block, type FileStatus, Namespace, NamespaceLimits, type NamespaceRecord, type WriterDeleteCondition } from '../core/namespace';
import {
  type ReplicationConfig, type ReplicationEvent, ReplicationMonitor, defaultReplicationConfig,
} from '../core/replication-monitor';
import { choosePipeline, type PlacementCandidate, rackSpreadSatisfied, shuffle } from '../core/placement';
import type { MetadataStore } from './metadata-store';

export interface NamesystemSettings {
  defaultReplication: number;
  defaultBlockSizeBytes: number;
  /** Replicas every block needs reported before a file can be completed: min(this, file replication). */
  minReplication: number;
  safeModeThreshold: number;
  /**
   * Startup safe mode below the threshold ends once every LIVE/STALE DataNode has sent a full block
   * report and nothing changed for this long (core/safe-mode.ts). Default: 30 heartbeat intervals (30 s at the default beat, HDFS's extension).
   */
  safeModeExtensionMs?: number;
  /**
   * A block with a replica on a node in maintenance needs min(its replication, this) replicas on
   * NORMAL live nodes; ENTERING_MAINTENANCE waits for it (HDFS dfs.namenode.maintenance.replication.min). Default 1.
   */
  maintenanceMinReplicas?: number;
}

/** Store key prefix of the admin state records (one per node not NORMAL; the namespace ignores them). */
export const ADMIN_KEY_PREFIX = 'admin:';

/** `admin decommission|recommission|maintenance` (ClientProtocol.SetDatanodeAdminState). */
export type AdminAction = 'decommission' | 'recommission' | 'start-maintenance' | 'end-maintenance';

/** A node's admin state as reports show it. */
export interface AdminView {
  adminState: AdminState;
  /** Maintenance states only: ms until the window ends (0 once due). */
  maintenanceExpiresInMs?: number;
}

/** Default safe mode extension, in heartbeat intervals (NamesystemSettings.safeModeExtensionMs). */
export const DEFAULT_SAFE_MODE_EXTENSION_BEATS = 30;

/** `admin safemode get|enter|leave` (HDFS `dfsadmin -safemode`). */
export type SafeModeAction = 'get' | 'enter' | 'leave';

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
   * under-replicated, not missing.
   */
  waitingOnUnreachable: number;
  /**
   * Files under the path still open for write (created, not completed: a writer is running, or
   * died without completing; HDFS fsck -openforwrite). Counted and listed, their blocks not counted,
   * and they do not make the result unhealthy (as HDFS, which still says HEALTHY).
   */
  openForWrite: number;
  /** Their paths, sorted, at most Limits.maxFsckOpenFilesListed. */
  openFiles: string[];
  healthy: boolean;
}

/** A client-reported replica the NameNode must read to check (Namesystem.clientReportsBadReplica). */
export interface ReplicaToVerify {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
  /** False while the file is being written: its length is not final. */
  complete: boolean;
  location: { nodeId: string; host: string; dataPort: number; transferPort?: number; rack: string };
}

export class Namesystem {
  readonly blockMap = new BlockMap();
  private readonly verifications = new ReplicaVerifications(Limits.maxPendingReplicaVerifications);
  readonly replication: ReplicationMonitor;
  /** Decommission and maintenance (core/admin-states.ts); persisted under ADMIN_KEY_PREFIX. */
  readonly admin: AdminStates;
  private readonly safe: SafeMode;
  /**
   * Nodes whose full block report was processed since this NameNode started (bounded by the
   * DataNodes the manager accepts, Limits.maxDatanodes; a DEAD node leaves it).
   */
  private readonly fullyReported = new Set<string>();
  private fullReports = 0;
  /** LIVE/STALE DataNodes and those of them in fullyReported, as last counted (safeModeProgress). */
  private nodeCounts = { liveNodes: 0, reportedNodes: 0 };

  constructor(
    private readonly namespace: Namespace,
    private readonly store: MetadataStore,
    private readonly manager: DatanodeManager,
    private readonly events: EventLog,
    private readonly logger: Logger,
    readonly settings: NamesystemSettings,
    private readonly pushCommands: (nodeId: string) => void,
    private readonly random: () => number = Math.random,
    replicationConfig: ReplicationConfig = defaultReplicationConfig(manager.liveness.heartbeatIntervalMs),
    adminRecords: Iterable<[string, AdminRecord]> = [],
  ) {
    this.admin = new AdminStates(adminRecords);
    this.replication = new ReplicationMonitor({
      ...replicationConfig, maintenanceMinReplicas: settings.maintenanceMinReplicas ?? replicationConfig.maintenanceMinReplicas ?? 1,
    }, this.blockMap, {
      state: (id) => manager.state(id),
      candidates: () => this.candidates(),
      rack: (id) => manager.get(id)?.rack,
      reported: (id) => this.fullyReported.has(id),
      adminState: (id) => this.admin.state(id),
    });
    for (const { file } of namespace.allFiles()) {
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
    if (this.safe.on) {
      const s = this.safe.state();
      logger.info('safe mode on: waiting for block reports', {
        event: 'safe-mode-on', reason: 'startup', totalBlocks: s.totalBlocks, threshold: s.threshold, extensionMs: s.extensionMs,
      });
    }
  }

  static async open(
    store: MetadataStore, manager: DatanodeManager, events: EventLog, logger: Logger, settings: NamesystemSettings,
    pushCommands: (nodeId: string) => void,
  ): Promise<Namesystem> {
    const records = await store.loadRecords();
    const namespace = Namespace.fromRecords(records);
    const admin: Array<[string, AdminRecord]> = records.filter((r) => r.key.startsWith(ADMIN_KEY_PREFIX))
      .map((r) => [validateNodeId(r.key.slice(ADMIN_KEY_PREFIX.length)), parseAdminRecord(r.key, r.value)]);
    logger.info('namespace loaded', {
      event: 'namespace-loaded', files: namespace.fileCount(), blocks: namespace.blockCount(), adminStates: admin.length,
    });
    return new Namesystem(namespace, store, manager, events, logger, settings, pushCommands, Math.random, undefined, admin);
  }

  get safeMode(): boolean {
    return this.safe.on;
  }

  /** While on: no namespace change, no re-replication, and no deletion ordered from a block report. */
  private get inSafeMode(): boolean {
    return this.safe.on;
  }

  /** The state with fresh counts; `nowMs` on the NameNode's clock (the one replicationTick gets). */
  safeModeStatus(nowMs?: number): SafeModeState {
    this.evaluateSafeMode(nowMs);
    return this.safe.state(nowMs);
  }

  /**
   * `admin safemode`: get the state, enter (held until leave; the startup rules never end it), or
   * leave (ends startup and manual safe mode; blocks still unreported are then missing).
   */
  setSafeMode(action: SafeModeAction, nowMs?: number): SafeModeState {
    if (action === 'enter') {
      if (this.safe.enter()) {
        this.logger.warn('safe mode entered by an operator', { event: 'safe-mode-on', reason: 'manual' });
        this.events.append(Date.now(), 'safe-mode-on', { reason: 'manual' });
      }
    } else if (action === 'leave') {
      if (this.safe.leave()) this.safeModeOff('manual-leave');
    } else if (action !== 'get') {
      throw new DfsError('INVALID_ARGUMENT', `unknown safe mode action ${JSON.stringify(action)}: get, enter or leave`);
    }
    return this.safeModeStatus(nowMs);
  }

  // ---- client operations ----

  async mkdirs(path: string): Promise<FileStatus> {
    this.checkNotSafeMode('mkdirs');
    return this.persist(this.namespace.mkdirs(path, Date.now()));
  }

  async create(path: string, replication: number, blockSizeBytes: number, createParent: boolean, clientName: string): Promise<FileStatus> {
    this.checkNotSafeMode('create');
    // The NameNode's default replication (replication 0) is the operator's choice and not checked.
    this.checkReplicationFits(path, replication);
    return this.persist(this.namespace.create(path, {
      replication: replication || this.settings.defaultReplication,
      blockSizeBytes: blockSizeBytes || this.settings.defaultBlockSizeBytes,
      createParent, clientName,
    }, Date.now()));
  }

  /**
   * A new block and its pipeline. `previous` (the block the client finalized last) is committed
   * first: its length is final and it is repaired if it loses a replica while the file is open.
   */
  async addBlock(
    path: string, clientName: string, excludeNodeIds: string[], previous?: { blockId: number; lengthBytes: number },
  ): Promise<LocatedBlockInfo> {
    this.checkNotSafeMode('addBlock');
    const status = this.namespace.checkOpenForWrite(path, clientName);
    if (previous) {
      this.namespace.checkCommit(path, clientName, previous);
      this.commit(path, [previous]);
    }
    const targets = choosePipeline(this.candidates(), {
      count: status.replication, blockSizeBytes: status.blockSizeBytes, exclude: new Set(excludeNodeIds), random: this.random,
    });
    const needed = this.minReplicasFor(status.replication);
    if (targets.length < needed) {
      throw new NotEnoughDatanodesError(
        `need ${needed} LIVE DataNodes with ${status.blockSizeBytes} bytes free for a block of ${path}, have ${targets.length}` +
          (excludeNodeIds.length ? ` (excluding ${excludeNodeIds.join(', ')})` : ''),
      );
    }
    const block = await this.persist(this.namespace.allocateBlock(path, clientName));
    // The pipeline is the block's placement: only these nodes may report a replica of it (block-map mayAdd).
    this.blockMap.addBlock({
      blockId: block.blockId, generationStamp: block.generationStamp, lengthBytes: 0, expectedReplication: status.replication, complete: false,
      blockSizeBytes: status.blockSizeBytes,
    }, targets);
    return { block, offsetBytes: status.lengthBytes, locations: targets.map((id) => this.location(id)!) };
  }

  async abandonBlock(path: string, clientName: string, blockId: number): Promise<void> {
    const removed = await this.persist(this.namespace.abandonBlock(path, clientName, validateBlockId(blockId)));
    if (removed) {
      this.replication.forget(blockId);
      this.invalidateEverywhere([blockId]);
    }
  }

  /**
   * true when the file is now complete (or already was, by this client with this block list);
   * false when some block still lacks its minimum replicas on LIVE nodes. A STALE node's replica
   * does not count: its heartbeats stopped, and acknowledging on it could leave the write with one
   * real copy. The named lengths are committed at once (final; the blocks' replicas are finalized),
   * so a block that lost a replica is repaired while the file is still open and a retried Complete
   * can succeed.
   */
  async complete(path: string, clientName: string, blocks: Array<{ blockId: number; lengthBytes: number }>): Promise<boolean> {
    this.checkNotSafeMode('complete');
    const { status, alreadyComplete } = this.namespace.completionStatus(path, clientName, blocks);
    if (alreadyComplete) return true;
    this.commit(path, blocks);
    const needed = this.minReplicasFor(status.replication);
    for (const b of blocks) {
      if (this.blockMap.liveReplicaCount(b.blockId, this.live) < needed) return false;
    }
    await this.persist(this.namespace.complete(path, clientName, blocks, Date.now()));
    for (const b of blocks) this.blockMap.updateBlock(b.blockId, { lengthBytes: b.lengthBytes, complete: true });
    this.replication.check(blocks.map((b) => b.blockId));
    this.events.append(Date.now(), 'file-completed', { path, blocks: blocks.length });
    return true;
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

  /**
   * Deletes `path`. With `writer` (a failed write's cleanup) only the file that writer still holds:
   * open, by that client, and the file it created (fileId); else FILE_NOT_OPEN, nothing changed.
   */
  /**
   * `hdfs dfs -setrep` for one file: persists the new factor, then every block of the file is
   * re-planned (copies made, or the excess trimmed by the ReplicationMonitor's usual rules: never
   * the last good copy, rack spread kept). A factor above the registered DataNodes is refused.
   */
  async setReplication(path: string, replication: number): Promise<FileStatus> {
    this.checkNotSafeMode('setReplication');
    this.checkReplicationFits(path, replication);
    const { status, blockIds } = await this.persist(this.namespace.setReplication(path, replication, Date.now()));
    for (const id of blockIds) this.blockMap.updateBlock(id, { expectedReplication: replication });
    this.replication.check(blockIds);
    this.events.append(Date.now(), 'replication-set', { path: status.path, replication, blocks: blockIds.length });
    return status;
  }

  async delete(path: string, recursive: boolean, writer?: WriterDeleteCondition): Promise<boolean> {
    this.checkNotSafeMode('delete');
    const { deleted, removedBlockIds } = await this.persist(this.namespace.delete(path, recursive, Date.now(), writer));
    for (const id of removedBlockIds) this.replication.forget(id);
    this.invalidateEverywhere(removedBlockIds);
    if (deleted) this.events.append(Date.now(), 'deleted', { path, blocks: removedBlockIds.length });
    return deleted;
  }

  /**
   * A client says `nodeId`'s replica of `blockId` is bad. Its word alone changes nothing: the
   * replica must be one the NameNode knows of on a registered node (else UNKNOWN_NODE /
   * BLOCK_NOT_FOUND), and then the NameNode checks it itself (adapters/replica-verifier.ts reads it
   * and calls finishReplicaVerification). Returns what to read when a new check must run; undefined
   * when one is already running for that replica or it is already known corrupt. At most
   * Limits.maxPendingReplicaVerifications checks at once (RESOURCE_EXHAUSTED beyond).
   */
  clientReportsBadReplica(blockId: number, nodeId: string): ReplicaToVerify | undefined {
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
  }

  /**
   * The NameNode's own check of a client-reported replica ended: only 'corrupt' (the read failed
   * its checksums or came up short) marks the replica corrupt, as a DataNode's own report does.
   */
  finishReplicaVerification(
    blockId: number, nodeId: string, generationStamp: number, verdict: 'corrupt' | 'healthy' | 'inconclusive', detail: string,
  ): void {
    this.verifications.finish(blockId, nodeId);
    this.logger.info('client bad-replica report verified', { event: 'replica-verified', blockId, nodeId, verdict, detail });
    if (verdict !== 'corrupt') return;
    // The replica read must still be the one recorded (not deleted or superseded during the read).
    if (this.blockMap.get(blockId)?.generationStamp !== generationStamp || !this.blockMap.replicas(blockId).includes(nodeId)) return;
    this.reportBadReplica(blockId, nodeId, `confirmed by the NameNode's read: ${detail}`);
  }

  /** Client bad-replica reports being checked now. */
  get pendingReplicaVerifications(): number {
    return this.verifications.size;
  }

  /**
   * Marks the replica corrupt. Only for reports the NameNode trusts: a DataNode's report of its
   * own replica (DatanodeProtocol.ReportBadBlocks, session-authenticated) or a verified client report.
   */
  reportBadReplica(blockId: number, nodeId: string, reason: string): void {
    if (this.blockMap.markCorrupt(validateBlockId(blockId), nodeId)) {
      this.replication.check([blockId]);
      this.logger.warn('corrupt replica reported', { event: 'corrupt-replica', blockId, nodeId, reason });
      this.events.append(Date.now(), 'corrupt-replica', { blockId, nodeId, reason });
    }
  }

  // ---- DataNode reports ----

  /**
   * In safe mode nothing is deleted from a report (HDFS judges the first report after a start the
   * same way): unknown blocks are postponed to the node's next full report, bad replicas of known
   * blocks are kept as corrupt until the repair path has good copies.
   */
  fullBlockReport(nodeId: string, blocks: ReportedReplica[]): number[] {
    const holdDeletions = this.inSafeMode;
    const r = this.blockMap.processFullReport(nodeId, blocks, { holdDeletions });
    this.fullyReported.add(nodeId);
    this.fullReports += 1;
    this.logger.info('full block report', {
      event: 'block-report', nodeId, blocks: blocks.length, added: r.added.length, removed: r.removed.length, invalidate: r.toInvalidate.length,
      ...(holdDeletions ? { safeMode: true, postponed: r.postponed.length, corrupt: r.corrupt.length } : {}),
    });
    if (r.postponed.length) {
      this.logger.warn('unknown blocks reported in safe mode: kept, judged again at the next full report', {
        event: 'block-report-postponed', nodeId, blocks: r.postponed.length, firstBlockIds: r.postponed.slice(0, 10),
      });
    }
    this.replication.check([...r.added, ...r.removed, ...r.corrupt]);
    this.checkSafeModeExit();
    return r.toInvalidate;
  }

  blockReceivedAndDeleted(nodeId: string, received: ReportedReplica[], deleted: number[]): void {
    const invalid: number[] = [];
    for (const r of received) {
      const verdict = this.blockMap.blockReceived(nodeId, r);
      if (verdict.invalidate) invalid.push(r.blockId);
      if (verdict.accepted) this.recordReplicationEvents(this.replication.replicaAdded(r.blockId, nodeId));
    }
    for (const id of deleted) {
      if (this.blockMap.blockDeleted(nodeId, id)) this.replication.check([id]);
      this.replication.replicaDeleted(id, nodeId); // an ordered deletion done: the node may be a target again
    }
    if (invalid.length && this.inSafeMode) {
      // No deletion from a report in safe mode: the node's next full report judges these again.
      this.logger.warn('replicas to invalidate reported in safe mode: kept for now', {
        event: 'block-report-postponed', nodeId, blocks: invalid.length, firstBlockIds: invalid.slice(0, 10),
      });
    } else if (invalid.length) {
      this.manager.enqueueCommand(nodeId, { kind: 'invalidate', blockIds: invalid });
      this.pushCommands(nodeId);
    }
    this.checkSafeModeExit();
  }

  /**
   * A node was declared DEAD: its replicas leave the block map. Not while it is IN_MAINTENANCE:
   * its silence is expected, its replicas stay (counted, never handed out) until the window ends.
   */
  nodeDead(nodeId: string): number[] {
    this.fullyReported.delete(nodeId);
    if (this.admin.state(nodeId) === 'IN_MAINTENANCE') {
      this.recordReplicationEvents(this.replication.nodeDead(nodeId));
      this.logger.info('datanode in maintenance is silent: replicas kept until the window ends', {
        event: 'maintenance-node-silent', nodeId, blocks: this.blockMap.nodeBlockCount(nodeId),
      });
      return [];
    }
    const affected = this.blockMap.removeNode(nodeId);
    this.recordReplicationEvents(this.replication.nodeDead(nodeId));
    this.replication.check(affected);
    return affected;
  }

  /** The planner pass, once per heartbeat interval: turns the queues into commands on heartbeat streams. */
  replicationTick(nowMs: number): void {
    this.safeModeTick(nowMs);
    this.adminTick(nowMs);
    if (this.inSafeMode) return; // locations are incomplete: planning now would copy blocks that exist
    const { orders, events } = this.replication.tick(nowMs);
    // A scheduled copy's targets may report the block (block-map mayAdd).
    for (const o of orders) if (o.kind === 'replicate') for (const t of o.targetIds) this.blockMap.expectReplica(o.blockId, t);
    const touched = this.manager.enqueueOrders(orders);
    for (const nodeId of touched) this.pushCommands(nodeId);
    this.recordReplicationEvents(events);
  }

  // ---- decommission and maintenance ----

  /**
   * `admin decommission|recommission|maintenance`: the node must be registered (or have an admin
   * state on record); bad input is refused and changes nothing. The new state is persisted before
   * the answer. Asking for the state a node is already in changes nothing; a maintenance request
   * for a node already in maintenance sets a new end for its window.
   */
  async setAdminState(nodeId: string, action: AdminAction, maintenanceDurationMs: number, nowMs: number): Promise<AdminView> {
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
    if (t) this.afterAdminTransitions([t]);
    else if (after.maintenanceExpiresAtMs !== before.maintenanceExpiresAtMs) {
      this.logger.info(`datanode ${nodeId} maintenance window moved`, { event: 'admin-maintenance-extended', nodeId, maintenanceExpiresAtMs: after.maintenanceExpiresAtMs });
      this.events.append(Date.now(), 'admin-maintenance-extended', { nodeId, maintenanceExpiresAtMs: after.maintenanceExpiresAtMs });
    }
    await this.storeAdmin(nodeId);
    return this.adminView(nodeId, nowMs);
  }

  adminView(nodeId: string, nowMs: number): AdminView {
    const r = this.admin.record(nodeId);
    return r.maintenanceExpiresAtMs === undefined
      ? { adminState: r.state }
      : { adminState: r.state, maintenanceExpiresInMs: Math.max(0, Math.round(r.maintenanceExpiresAtMs - nowMs)) };
  }

  private adminTick(nowMs: number): void {
    const ts = this.admin.tick(nowMs, {
      ready: (id) => this.fullyReported.has(id) || this.manager.state(id) === 'DEAD',
      blocksOn: (id) => this.blockMap.nodeBlocks(id),
      replicatedWithout: (b, id) => this.replication.replicatedWithout(b, id),
      maintainableWithout: (b, id) => this.replication.maintainableWithout(b, id),
    });
    if (ts.length === 0) return;
    this.afterAdminTransitions(ts);
    for (const t of ts) void this.storeAdmin(t.nodeId);
  }

  /** Logs and records each transition, and re-plans the node's blocks under the new rules. */
  private afterAdminTransitions(ts: readonly AdminTransition[]): void {
    for (const t of ts) {
      const fields = {
        nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason,
        ...(t.maintenanceExpiresAtMs !== undefined ? { maintenanceExpiresAtMs: t.maintenanceExpiresAtMs } : {}),
        blocks: this.blockMap.nodeBlockCount(t.nodeId),
      };
      this.logger.info(`datanode ${t.nodeId} admin ${t.from} -> ${t.to}`, { event: 'admin-transition', ...fields });
      this.events.append(Date.now(), 'admin-transition', fields);
      const s = this.manager.state(t.nodeId);
      if (t.to === 'NORMAL' && isMaintenanceState(t.from) && s !== 'LIVE' && s !== 'STALE') {
        // The window ended while the node is silent: from now on it is a dead node like any other.
        const affected = this.blockMap.removeNode(t.nodeId);
        if (affected.length) this.logger.info('replicas of dead node dropped', { event: 'replicas-dropped', nodeId: t.nodeId, blocks: affected.length });
        this.replication.check(affected);
      } else {
        this.replication.check(this.blockMap.nodeBlocks(t.nodeId));
      }
    }
  }

  private async storeAdmin(nodeId: string): Promise<void> {
    const r = this.admin.record(nodeId);
    const key = `${ADMIN_KEY_PREFIX}${nodeId}`;
    try {
      await this.store.apply([r.state === 'NORMAL' ? { key, deleted: true } : { key, value: r }]);
    } catch (err) {
      this.logger.error('metadata store write failed; exiting', { event: 'store-failed', error: (err as Error).message });
      process.exit(70);
    }
  }

  private recordReplicationEvents(events: ReplicationEvent[]): void {
    for (const e of events) {
      const { type, ...fields } = e;
      this.logger.info(`replication ${type}`, { event: `replication-${type}`, ...fields });
      this.events.append(Date.now(), `replication-${type}`, fields);
    }
  }

  /** `hdfs fsck`-like summary of the files under `path`. */
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
        // Replicas on decommissioning nodes are not counted (they are going away; see core/admin-states.ts).
        const live = this.blockMap.liveReplicaCount(b.blockId, this.counted);
        const unreachable = this.blockMap.liveReplicaCount(b.blockId, this.unreachable);
        if (this.blockMap.corruptReplicas(b.blockId).length) corrupt += 1;
        if (live + unreachable === 0) missing += 1;
        else if (live < file.replication) {
          underReplicated += 1;
          if (live + unreachable >= file.replication) waitingOnUnreachable += 1;
          else {
            const holders = new Set(this.blockMap.replicas(b.blockId));
            if (liveNodes.every((id) => holders.has(id))) noTarget += 1;
          }
        }
        else if (live > file.replication) overReplicated += 1;
        if (live > 0 && file.replication >= 2 && liveRacks.size >= 2) {
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
    };
  }

  counts() {
    return { files: this.namespace.fileCount(), ...this.blockMap.counts(this.usable) };
  }

  // ---- helpers ----

  /**
   * Nodes whose replicas serve reads and count for fsck: LIVE and STALE (acknowledging a write
   * counts LIVE only, see `live`). Not UNREACHABLE_FROM_NAMENODE (clients are not routed there);
   * the ReplicationMonitor counts those replicas for planning during the grace, without using them.
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

  private minReplicasFor(replication: number): number {
    return Math.max(1, Math.min(this.settings.minReplication, replication));
  }

  /** Placement candidates (pipelines and copy targets): NORMAL nodes only, never decommissioning or in maintenance. */
  private candidates(): PlacementCandidate[] {
    return this.manager.all().filter((n) => this.admin.state(n.id) === 'NORMAL').map((n) => ({
      id: n.id, state: this.manager.state(n.id)!, remainingBytes: n.stats.remainingBytes, activeTransfers: n.stats.activeTransfers, rack: n.rack,
    }));
  }

  location(nodeId: string) {
    const n = this.manager.get(nodeId);
    return n && { nodeId: n.id, host: n.host, dataPort: n.dataPort, transferPort: n.transferPort ?? 0, rack: n.rack };
  }

  private invalidateEverywhere(blockIds: number[]): void {
    const perNode = new Map<string, number[]>();
    for (const id of blockIds) {
      for (const node of this.blockMap.removeBlock(id)) perNode.set(node, [...(perNode.get(node) ?? []), id]);
    }
    for (const [node, ids] of perNode) {
      this.manager.enqueueCommand(node, { kind: 'invalidate', blockIds: ids });
      this.pushCommands(node);
    }
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
    if (this.inSafeMode) {
      const s = this.safe.state();
      if (s.manual) throw new SafeModeError(`cannot ${op}: NameNode is in safe mode, entered by an operator (minidfs admin safemode leave ends it)`);
      throw new SafeModeError(`cannot ${op}: NameNode is in safe mode (${s.reportedBlocks}/${s.totalBlocks} blocks reported, need ${s.threshold * 100}%)`);
    }
  }

  /** Counts for the SafeMode core: reported blocks, and which LIVE/STALE nodes have sent a full report. */
  /**
   * Block counts are O(1); the node counts are O(DataNodes), so a report (thousands of them at a
   * start) reuses the last counts (`countNodes` false) and only the timer and status calls recount.
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
  private checkSafeModeExit(): void {
    if (this.safe.isStartup) this.evaluateSafeMode(undefined, false);
  }

  /** On the timer: the threshold and quiet-time rules. */
  private safeModeTick(nowMs: number): void {
    if (this.safe.isStartup) this.evaluateSafeMode(nowMs);
  }

  /** Feeds fresh counts to the SafeMode core and logs the end of startup safe mode. */
  private evaluateSafeMode(nowMs?: number, countNodes = true): void {
    const reason = this.safe.update(this.safeModeProgress(countNodes), nowMs);
    if (!reason) return;
    if (!this.safe.on) this.safeModeOff(reason);
    else this.logger.info('startup safe mode over; the operator\'s safe mode holds until leave', { event: 'safe-mode-startup-over', reason });
  }

  private safeModeOff(reason: SafeModeExitReason): void {
    const s = this.safe.state();
    const missing = s.totalBlocks - s.reportedBlocks;
    const fields = { reason, reportedBlocks: s.reportedBlocks, totalBlocks: s.totalBlocks, missingBlocks: missing, liveNodes: s.liveNodes };
    if (missing > 0) this.logger.warn('safe mode off with blocks missing (see fsck)', { event: 'safe-mode-off', ...fields });
    else this.logger.info('safe mode off', { event: 'safe-mode-off', ...fields });
    this.events.append(Date.now(), 'safe-mode-off', fields);
  }

  private async persist<T>(m: { result: T; records: NamespaceRecord[] }): Promise<T> {
    if (m.records.length) {
      try {
        await this.store.apply(m.records);
      } catch (err) {
        // Memory is ahead of disk: the only safe move is to stop and reload from disk.
        this.logger.error('metadata store write failed; exiting', { event: 'store-failed', error: (err as Error).message });
        process.exit(70);
      }
    }
    return m.result;
  }
}
