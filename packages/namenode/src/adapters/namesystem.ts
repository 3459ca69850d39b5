/**
 * Namesystem: the adapter between NameNodeCore (core/namenode-core.ts, where every decision is
 * made) and the process's I/O. It loads the core from the metadata store and carries out each
 * Ready the core returns, in this order: persist its records (MetadataStore.apply, one atomic,
 * fsynced batch), then log its events and append them to the EventLog, push its commands, and
 * only then let its reply go. A Ready with commands (or an answer carrying commands) but no
 * records waits for an empty apply, which resolves after every earlier one: no command leaves
 * before the record of the mutation that ordered it. A failed store write exits the process (70):
 * memory is then ahead of disk and the only safe move is to reload from disk.
 */
import { DfsError, type Logger } from '@minidfs/common';
import { type AdminRecord, parseAdminRecord } from '../core/admin-states';
import { type DatanodeManager, validateNodeId } from '../core/datanode-manager';
import type { EventLog } from '../core/event-log';
import { Namespace, type FileStatus, type StoredRecord, type WriterDeleteCondition } from '../core/namespace';
import {
  ADMIN_KEY_PREFIX, type AdminAction, type AdminView, type CoreEvent, type FsckReport, type LocatedBlockInfo, NameNodeCore,
  type NameNodeCoreSettings, type PushCommands, type Ready, type ReplicaToVerify, type SafeModeAction, replyValue,
} from '../core/namenode-core';
import type { SafeModeState } from '../core/safe-mode';
import type { RecordStore } from './metadata-store';

export {
  ADMIN_KEY_PREFIX, DEFAULT_SAFE_MODE_EXTENSION_BEATS, type AdminAction, type AdminView, type FsckReport, type LocatedBlockInfo,
  type ReplicaToVerify, type SafeModeAction,
} from '../core/namenode-core';

export type NamesystemSettings = NameNodeCoreSettings;

/** Exit code of an HA NameNode that lost its leadership (EX_TEMPFAIL): restart it, it comes back as a standby. */
export const EXIT_FENCED = 75;

export interface NamesystemDeps {
  store: RecordStore;
  events: EventLog;
  logger: Logger;
  /** Wall-clock time for the namespace's modification times. Default Date.now. */
  wallClockMs?: () => number;
  /** Writes commands on a DataNode's heartbeat stream (adapters/datanode-protocol-service.ts). */
  push(p: PushCommands): void;
}

export class Namesystem {
  private readonly wallClockMs: () => number;

  constructor(readonly core: NameNodeCore, private readonly deps: NamesystemDeps) {
    this.wallClockMs = deps.wallClockMs ?? Date.now;
  }

  static async open(
    store: RecordStore, manager: DatanodeManager, settings: NamesystemSettings, deps: Omit<NamesystemDeps, 'store'>, options: { standby?: boolean } = {},
  ): Promise<Namesystem> {
    const records = await store.loadRecords();
    const namespace = Namespace.fromRecords(records);
    const adminRecords: Array<[string, AdminRecord]> = records.filter((r) => r.key.startsWith(ADMIN_KEY_PREFIX))
      .map((r) => [validateNodeId(r.key.slice(ADMIN_KEY_PREFIX.length)), parseAdminRecord(r.key, r.value)]);
    deps.logger.info('namespace loaded', {
      event: 'namespace-loaded', files: namespace.fileCount(), blocks: namespace.blockCount(), adminStates: adminRecords.length,
    });
    const core = new NameNodeCore({ manager, settings, namespace, adminRecords });
    if (options.standby) core.becomeStandby();
    const ns = new Namesystem(core, { ...deps, store });
    ns.emit(core.startupEvents(0));
    return ns;
  }

  /**
   * Carries out a Ready: undefined when it was done at once (no records, no commands: its events
   * are logged now); else a promise that resolves once its records (or every earlier record) are
   * durable and its events logged and commands pushed. `answerCarriesCommands`: the reply itself
   * holds commands (a heartbeat answer, a block report answer), so it must wait for durability too.
   */
  handle(ready: Ready, answerCarriesCommands = false): Promise<void> | undefined {
    if (ready.records.length === 0 && ready.commands.length === 0 && !answerCarriesCommands) {
      if (ready.events.length) this.emit(ready.events);
      return undefined;
    }
    const { records, events, commands } = ready;
    return this.durable(records).then(() => {
      this.emit(events);
      for (const p of commands) this.deps.push(p);
    });
  }

  /** handle(), then the reply's value (or its DfsError thrown). */
  async deliver<T>(ready: Ready<T>): Promise<T> {
    // A mutation that changed nothing (a retry of one already done) still answers only once every
    // earlier record is durable: its answer may describe a change whose write is in flight.
    await (this.handle(ready) ?? this.durable([]));
    return replyValue(ready);
  }

  /** For inputs that never produce records or commands (safe mode get/enter/leave, replica checks): carried out at once. */
  private now<T>(ready: Ready<T>): T {
    const pending = this.handle(ready);
    if (pending) void pending;
    return replyValue(ready);
  }

  private durable(records: readonly StoredRecord[]): Promise<void> {
    return this.deps.store.apply(records).catch((err: Error) => {
      // Memory is ahead of the store: the only safe move is to stop and reload from it. A fenced
      // HA active (another NameNode leads) exits with EXIT_FENCED: its supervisor restarts it as a standby.
      const fenced = err instanceof DfsError && err.code === 'NOT_ACTIVE';
      this.deps.logger.error(fenced ? 'edit refused: no longer the active NameNode; exiting' : 'metadata store write failed; exiting',
        { event: fenced ? 'ha-fenced-exit' : 'store-failed', error: err.message });
      process.exit(fenced ? EXIT_FENCED : 70);
    });
  }

  /** Logs each event and appends those for the EventLog. */
  emit(events: readonly CoreEvent[]): void {
    for (const e of events) {
      if (e.sink !== 'event-log') this.deps.logger.log(e.level, e.message, { event: e.event, ...e.fields });
      if (e.sink !== 'log') this.deps.events.append(e.atMs, e.event, e.fields);
    }
  }

  // ---- client operations (ClientProtocol, the HTTP API, the replica verifier) ----

  get blockMap() { return this.core.blockMap; }
  get replication() { return this.core.replication; }
  get admin() { return this.core.admin; }
  get settings(): NamesystemSettings { return this.core.settings; }
  get safeMode(): boolean { return this.core.safeMode; }
  get pendingReplicaVerifications(): number { return this.core.pendingReplicaVerifications; }

  safeModeStatus(nowMs?: number): SafeModeState {
    return this.core.safeModeStatus(nowMs);
  }

  setSafeMode(action: SafeModeAction, nowMs?: number): SafeModeState {
    return this.now(this.core.setSafeMode(action, nowMs));
  }

  mkdirs(path: string): Promise<FileStatus> {
    return this.deliver(this.core.mkdirs(path, this.wallClockMs()));
  }

  create(path: string, replication: number, blockSizeBytes: number, createParent: boolean, clientName: string): Promise<FileStatus> {
    return this.deliver(this.core.create(path, replication, blockSizeBytes, createParent, clientName, this.wallClockMs()));
  }

  addBlock(path: string, clientName: string, excludeNodeIds: string[], previous?: { blockId: number; lengthBytes: number }): Promise<LocatedBlockInfo> {
    return this.deliver(this.core.addBlock(path, clientName, excludeNodeIds, previous, this.wallClockMs()));
  }

  abandonBlock(path: string, clientName: string, blockId: number): Promise<void> {
    return this.deliver(this.core.abandonBlock(path, clientName, blockId, this.wallClockMs()));
  }

  complete(path: string, clientName: string, blocks: Array<{ blockId: number; lengthBytes: number }>): Promise<boolean> {
    return this.deliver(this.core.complete(path, clientName, blocks, this.wallClockMs()));
  }

  renewLease(clientName: string): Promise<number> {
    return this.deliver(this.core.renewLease(clientName, this.core.lastTickMs));
  }

  recoverLease(path: string, clientName: string): Promise<{ closed: boolean; holder: string; softLimitRemainingMs: number }> {
    return this.deliver(this.core.recoverLease(path, clientName, this.core.lastTickMs));
  }

  setReplication(path: string, replication: number): Promise<FileStatus> {
    return this.deliver(this.core.setReplication(path, replication, this.wallClockMs()));
  }

  delete(path: string, recursive: boolean, writer?: WriterDeleteCondition): Promise<boolean> {
    return this.deliver(this.core.delete(path, recursive, writer, this.wallClockMs()));
  }

  setAdminState(nodeId: string, action: AdminAction, maintenanceDurationMs: number, nowMs: number): Promise<AdminView> {
    return this.deliver(this.core.setAdminState(nodeId, action, maintenanceDurationMs, nowMs));
  }

  clientReportsBadReplica(blockId: number, nodeId: string): ReplicaToVerify | undefined {
    return this.now(this.core.clientReportsBadReplica(blockId, nodeId, this.wallClockMs()));
  }

  finishReplicaVerification(
    blockId: number, nodeId: string, generationStamp: number, verdict: 'corrupt' | 'healthy' | 'inconclusive', detail: string,
  ): void {
    this.now(this.core.finishReplicaVerification(blockId, nodeId, generationStamp, verdict, detail, this.wallClockMs()));
  }

  getBlockLocations(path: string): { status: FileStatus; blocks: LocatedBlockInfo[] } {
    return this.core.getBlockLocations(path);
  }

  getFileInfo(path: string): FileStatus {
    return this.core.getFileInfo(path);
  }

  listStatus(path: string): FileStatus[] {
    return this.core.listStatus(path);
  }

  listStatusPage(path: string, startAfter = '', limit?: number): { entries: FileStatus[]; remaining: number } {
    return this.core.listStatusPage(path, startAfter, limit);
  }

  adminView(nodeId: string, nowMs: number): AdminView {
    return this.core.adminView(nodeId, nowMs);
  }

  fsck(path = '/'): FsckReport {
    return this.core.fsck(path);
  }

  counts() {
    return this.core.counts();
  }

  location(nodeId: string) {
    return this.core.location(nodeId);
  }
}
