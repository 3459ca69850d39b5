/**
 * Namesystem: the NameNode's file-system half, joining the pure cores (Namespace, BlockMap,
 * DatanodeManager, placement) with the metadata store. Every namespace mutation is persisted
 * (one atomic, fsynced batch) before its RPC is answered; block locations are never persisted and
 * come back from block reports, so the NameNode starts in safe mode until enough blocks are
 * reported. Commands for DataNodes (INVALIDATE) are queued on the DatanodeManager and pushed.
 */
import {
  DfsError, type Logger, NotEnoughDatanodesError, NoLiveReplicaError, SafeModeError,
} from '@minidfs/common';
import { BlockMap, type ReportedReplica, validateBlockId } from '../core/block-map';
import type { DatanodeManager } from '../core/datanode-manager';
import type { EventLog } from '../core/event-log';
import { type Block, type FileStatus, Namespace, type NamespaceRecord } from '../core/namespace';
import {
  type ReplicationConfig, type ReplicationEvent, ReplicationMonitor, defaultReplicationConfig,
} from '../core/replication-monitor';
import { choosePipeline, type PlacementCandidate, shuffle } from '../core/placement';
import type { MetadataStore } from './metadata-store';

export interface NamesystemSettings {
  defaultReplication: number;
  defaultBlockSizeBytes: number;
  /** Replicas every block needs reported before a file can be completed: min(this, file replication). */
  minReplication: number;
  safeModeThreshold: number;
}

export interface LocatedBlockInfo {
  block: Block;
  offsetBytes: number;
  locations: Array<{ nodeId: string; host: string; dataPort: number; rack: string }>;
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
   * Of the under-replicated blocks, those whose missing replicas sit on UNREACHABLE_FROM_NAMENODE
   * nodes (peers hear them, the NameNode does not): not repaired during the grace. Such replicas
   * are not "live" for fsck (no client is routed to them), but a block held only there is counted
   * under-replicated, not missing.
   */
  waitingOnUnreachable: number;
  healthy: boolean;
}

export class Namesystem {
  readonly blockMap = new BlockMap();
  readonly replication: ReplicationMonitor;
  private inSafeMode: boolean;

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
  ) {
    this.replication = new ReplicationMonitor(replicationConfig, this.blockMap, {
      state: (id) => manager.state(id),
      candidates: () => this.candidates(),
      rack: (id) => manager.get(id)?.rack,
    });
    for (const { file } of namespace.allFiles()) {
      for (const b of file.blocks) {
        this.blockMap.addBlock({
          blockId: b.blockId, generationStamp: b.generationStamp, lengthBytes: b.lengthBytes,
          expectedReplication: file.replication, complete: file.complete,
        });
      }
    }
    this.inSafeMode = this.blockMap.safeModeStatus(settings.safeModeThreshold).safe;
    if (this.inSafeMode) {
      const s = this.blockMap.safeModeStatus(settings.safeModeThreshold);
      logger.info('safe mode on: waiting for block reports', { event: 'safe-mode-on', totalBlocks: s.totalBlocks, threshold: s.threshold });
    }
  }

  static async open(
    store: MetadataStore, manager: DatanodeManager, events: EventLog, logger: Logger, settings: NamesystemSettings,
    pushCommands: (nodeId: string) => void,
  ): Promise<Namesystem> {
    const namespace = Namespace.fromRecords(await store.loadRecords());
    logger.info('namespace loaded', { event: 'namespace-loaded', files: namespace.fileCount(), blocks: namespace.blockCount() });
    return new Namesystem(namespace, store, manager, events, logger, settings, pushCommands);
  }

  get safeMode(): boolean {
    return this.inSafeMode;
  }

  safeModeStatus() {
    return { ...this.blockMap.safeModeStatus(this.settings.safeModeThreshold), safe: this.inSafeMode };
  }

  // ---- client operations ----

  async mkdirs(path: string): Promise<FileStatus> {
    this.checkNotSafeMode('mkdirs');
    return this.persist(this.namespace.mkdirs(path, Date.now()));
  }

  async create(path: string, replication: number, blockSizeBytes: number, createParent: boolean, clientName: string): Promise<FileStatus> {
    this.checkNotSafeMode('create');
    return this.persist(this.namespace.create(path, {
      replication: replication || this.settings.defaultReplication,
      blockSizeBytes: blockSizeBytes || this.settings.defaultBlockSizeBytes,
      createParent, clientName,
    }, Date.now()));
  }

  async addBlock(path: string, clientName: string, excludeNodeIds: string[]): Promise<LocatedBlockInfo> {
    this.checkNotSafeMode('addBlock');
    const status = this.namespace.checkOpenForWrite(path, clientName);
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

  /** true when the file is now complete; false when some block still lacks its minimum replicas. */
  async complete(path: string, clientName: string, blocks: Array<{ blockId: number; lengthBytes: number }>): Promise<boolean> {
    this.checkNotSafeMode('complete');
    const status = this.namespace.checkOpenForWrite(path, clientName);
    const needed = this.minReplicasFor(status.replication);
    for (const b of blocks) {
      const have = this.blockMap.liveReplicaCount(validateBlockId(b.blockId), this.usable);
      if (have < needed) return false;
    }
    await this.persist(this.namespace.complete(path, clientName, blocks, Date.now()));
    for (const b of blocks) this.blockMap.updateBlock(b.blockId, { lengthBytes: b.lengthBytes, complete: true });
    this.replication.check(blocks.map((b) => b.blockId));
    this.events.append(Date.now(), 'file-completed', { path, blocks: blocks.length });
    return true;
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

  async delete(path: string, recursive: boolean): Promise<boolean> {
    this.checkNotSafeMode('delete');
    const { deleted, removedBlockIds } = await this.persist(this.namespace.delete(path, recursive, Date.now()));
    for (const id of removedBlockIds) this.replication.forget(id);
    this.invalidateEverywhere(removedBlockIds);
    if (deleted) this.events.append(Date.now(), 'deleted', { path, blocks: removedBlockIds.length });
    return deleted;
  }

  reportBadReplica(blockId: number, nodeId: string, reason: string): void {
    if (this.blockMap.markCorrupt(validateBlockId(blockId), nodeId)) {
      this.replication.check([blockId]);
      this.logger.warn('corrupt replica reported', { event: 'corrupt-replica', blockId, nodeId, reason });
      this.events.append(Date.now(), 'corrupt-replica', { blockId, nodeId, reason });
    }
  }

  // ---- DataNode reports ----

  fullBlockReport(nodeId: string, blocks: ReportedReplica[]): number[] {
    const r = this.blockMap.processFullReport(nodeId, blocks);
    this.logger.info('full block report', {
      event: 'block-report', nodeId, blocks: blocks.length, added: r.added.length, removed: r.removed.length, invalidate: r.toInvalidate.length,
    });
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
    }
    if (invalid.length) {
      this.manager.enqueueCommand(nodeId, { kind: 'invalidate', blockIds: invalid });
      this.pushCommands(nodeId);
    }
    this.checkSafeModeExit();
  }

  /** A node was declared DEAD: its replicas leave the block map. */
  nodeDead(nodeId: string): number[] {
    const affected = this.blockMap.removeNode(nodeId);
    this.recordReplicationEvents(this.replication.nodeDead(nodeId));
    this.replication.check(affected);
    return affected;
  }

  /** The planner pass, once per heartbeat interval: turns the queues into commands on heartbeat streams. */
  replicationTick(nowMs: number): void {
    if (this.inSafeMode) return; // locations are incomplete: planning now would copy blocks that exist
    const { orders, events } = this.replication.tick(nowMs);
    // A scheduled copy's targets may report the block (block-map mayAdd).
    for (const o of orders) if (o.kind === 'replicate') for (const t of o.targetIds) this.blockMap.expectReplica(o.blockId, t);
    const touched = this.manager.enqueueOrders(orders);
    for (const nodeId of touched) this.pushCommands(nodeId);
    this.recordReplicationEvents(events);
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
    let files = 0, blocks = 0, underReplicated = 0, overReplicated = 0, missing = 0, corrupt = 0, pendingReplications = 0, waitingOnUnreachable = 0;
    for (const { path: p, file } of this.namespace.allFiles()) {
      if (p !== root && !p.startsWith(prefix)) continue;
      files += 1;
      if (!file.complete) continue;
      for (const b of file.blocks) {
        blocks += 1;
        const live = this.blockMap.liveReplicaCount(b.blockId, this.usable);
        const unreachable = this.blockMap.liveReplicaCount(b.blockId, this.unreachable);
        if (this.blockMap.corruptReplicas(b.blockId).length) corrupt += 1;
        if (live + unreachable === 0) missing += 1;
        else if (live < file.replication) {
          underReplicated += 1;
          if (live + unreachable >= file.replication) waitingOnUnreachable += 1;
        }
        else if (live > file.replication) overReplicated += 1;
        if (this.replication.isPending(b.blockId)) pendingReplications += 1;
      }
    }
    const healthy = underReplicated + overReplicated + missing + corrupt + pendingReplications === 0;
    return { path: root, files, blocks, underReplicated, overReplicated, missing, corrupt, pendingReplications, waitingOnUnreachable, healthy };
  }

  counts() {
    return { files: this.namespace.fileCount(), ...this.blockMap.counts(this.usable) };
  }

  // ---- helpers ----

  /**
   * Nodes whose replicas serve reads and count toward acknowledging a write: LIVE and STALE. Not
   * UNREACHABLE_FROM_NAMENODE (clients are not routed there); the ReplicationMonitor counts those
   * replicas for planning during the grace, without using them.
   */
  readonly usable = (nodeId: string): boolean => {
    const s = this.manager.state(nodeId);
    return s === 'LIVE' || s === 'STALE';
  };

  private readonly unreachable = (nodeId: string): boolean => this.manager.state(nodeId) === 'UNREACHABLE_FROM_NAMENODE';

  private minReplicasFor(replication: number): number {
    return Math.max(1, Math.min(this.settings.minReplication, replication));
  }

  private candidates(): PlacementCandidate[] {
    return this.manager.all().map((n) => ({
      id: n.id, state: this.manager.state(n.id)!, remainingBytes: n.stats.remainingBytes, activeTransfers: n.stats.activeTransfers, rack: n.rack,
    }));
  }

  location(nodeId: string) {
    const n = this.manager.get(nodeId);
    return n && { nodeId: n.id, host: n.host, dataPort: n.dataPort, rack: n.rack };
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

  private checkNotSafeMode(op: string): void {
    if (this.inSafeMode) {
      const s = this.blockMap.safeModeStatus(this.settings.safeModeThreshold);
      throw new SafeModeError(`cannot ${op}: NameNode is in safe mode (${s.reportedBlocks}/${s.totalBlocks} blocks reported, need ${s.threshold * 100}%)`);
    }
  }

  private checkSafeModeExit(): void {
    if (!this.inSafeMode) return;
    const s = this.blockMap.safeModeStatus(this.settings.safeModeThreshold);
    if (s.safe) return;
    this.inSafeMode = false;
    this.logger.info('safe mode off', { event: 'safe-mode-off', reportedBlocks: s.reportedBlocks, totalBlocks: s.totalBlocks });
    this.events.append(Date.now(), 'safe-mode-off', { reportedBlocks: s.reportedBlocks, totalBlocks: s.totalBlocks });
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
