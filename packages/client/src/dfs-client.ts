/**
 * DfsClient: the library face of minidfs (HDFS DistributedFileSystem). Namespace calls go to the
 * NameNode (or, with several NameNodes configured, the active one of an HA group: NameNodeRpc fails
 * over between them); file bytes go straight to DataNodes through DfsWriteStream (pipelines, resend on
 * failure) and DfsReadStream (verified reads with replica failover). One client owns one channel per
 * configured NameNode and one channel per DataNode it talks to, and a unique client name (the NameNode's
 * lease holder for files it writes); close() releases them all. `lastWriteStats` and `readStats`
 * describe the most recent write and read (pipelines abandoned, nodes excluded, nodes contacted,
 * failovers) so tests can check what happened on the wire.
 */
import { LeaseRenewer } from './lease-renewer';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import {
  FileNotFoundError, DfsError, FileAlreadyExistsError, InvalidArgumentError, type Logger, type TlsMaterial, channelCredentials, fromGrpcError,
  silentLogger,
} from '@minidfs/common';
import type { ClientContext } from './context';
import { DatanodePool } from './datanode-pool';
import type { NameNodeFailoverPolicy } from './failover';
import { DEFAULT_NAMENODE_PORT, DEFAULT_SAFE_MODE_WAIT_MS, NameNodeRpc, parseNameNodeAddresses } from './namenode-rpc';
import { checkPath, parentOf } from './paths';
import { DfsReadStream, type ReadStats, newReadStats, readFileBytes } from './read-stream';
import {
  type FileStatus, type LocatedBlock, type NameNodeHaStatus, type SafeModeAction, type SafeModeStatus, fileStatusFromWire, haStatusFromWire,
  locatedBlockFromWire, safeModeStatusFromWire,
} from './wire';
import { DfsWriteStream, type WriteOptions, type WriteStats } from './write-stream';

export { DEFAULT_NAMENODE_PORT };

/** Deadline of each NameNode's GetHaStatus in haStatus(): one slow NameNode must not hold up the answer. */
export const HA_STATUS_DEADLINE_MS = 2_000;

export interface DfsClientOptions {
  /**
   * NameNode RPC address, HOST:PORT (port defaults to 8020); for an HA group several,
   * comma-separated (`a:8020,b:8020`) or as a list: calls go to the active one and fail over.
   */
  namenode: string | readonly string[];
  /** Lease holder name for files this client writes. Default: `DFSClient_<random>`. */
  clientName?: string;
  /** Default: silent. */
  logger?: Logger;
  /**
   * How long a call keeps retrying while the NameNode is in safe mode (after a restart, until
   * enough blocks are reported). Default 30 000; 0 = throw SafeModeError at once.
   */
  safeModeWaitMs?: number;
  /** TLS towards the NameNode and DataNodes (common/tls.ts loadTls); default plaintext. */
  tls?: TlsMaterial;
  /** Failover between several NameNodes (failover.ts): delays and deadline; default DEFAULT_NAMENODE_FAILOVER. */
  failover?: Partial<NameNodeFailoverPolicy>;
}

export interface MkdirOptions {
  /** mkdir -p: create missing ancestors, succeed if the directory exists. Default true. */
  parents?: boolean;
}

export interface DeleteOptions {
  /** Delete a non-empty directory and everything below it. Default false. */
  recursive?: boolean;
}

/** GetHaStatus on each of the rpc's NameNodes in parallel (DfsClient.haStatus; for callers holding a NameNodeRpc). */
export function haStatusOfEach(rpc: NameNodeRpc, deadlineMs = HA_STATUS_DEADLINE_MS): Promise<NameNodeHaStatus[]> {
  return Promise.all(rpc.addresses.map(async (address): Promise<NameNodeHaStatus> => {
    try {
      return haStatusFromWire(address, await rpc.callAt(address, 'GetHaStatus', {}, deadlineMs));
    } catch (err) {
      const e = fromGrpcError(err);
      return { address, role: 'UNREACHABLE', epoch: 0, namenodeId: '', activeAddress: '', error: `${e.code}: ${e.message}` };
    }
  }));
}

export class DfsClient {
  readonly clientName: string;
  /** Stats of the write stream created last (live while it runs). */
  lastWriteStats: WriteStats | undefined;
  /** Stats of the read started last (live while it runs). */
  readStats: ReadStats | undefined;
  private readonly ctx: ClientContext;
  private closed = false;

  constructor(options: DfsClientOptions) {
    const addresses = parseNameNodeAddresses(options.namenode);
    this.clientName = options.clientName ?? `DFSClient_${randomBytes(8).toString('hex')}`;
    const logger = options.logger ?? silentLogger();
    const credentials = channelCredentials(options.tls);
    const rpc = new NameNodeRpc({
      addresses, logger, safeModeWaitMs: options.safeModeWaitMs ?? DEFAULT_SAFE_MODE_WAIT_MS, credentials, failover: options.failover,
    });
    this.ctx = {
      rpc, datanodes: new DatanodePool(options.tls), clientName: this.clientName, logger, leases: new LeaseRenewer(rpc, this.clientName, logger),
    };
  }

  /** The configured NameNode addresses, normalized, in the order they are tried. */
  get namenodes(): readonly string[] {
    return this.ctx.rpc.addresses;
  }

  /**
   * Every configured NameNode's HA role and epoch (GetHaStatus), asked in parallel, each within
   * `deadlineMs`; one that does not answer is UNREACHABLE with its error. Never throws for a
   * NameNode's failure.
   */
  async haStatus(deadlineMs = HA_STATUS_DEADLINE_MS): Promise<NameNodeHaStatus[]> {
    this.assertOpen();
    return haStatusOfEach(this.ctx.rpc, deadlineMs);
  }

  /**
   * Graceful hand-over (HaFailover) on the NameNode at `address`, which must be the active one
   * (NotActiveError otherwise; INVALID_ARGUMENT from a NameNode without HA). Resolves with the
   * epoch it resigned; a standby then takes over with a higher epoch (haStatus shows it). Not resent
   * on another NameNode if the answer is lost.
   */
  async haFailover(address: string): Promise<{ address: string; resignedEpoch: number }> {
    this.assertOpen();
    if (!this.ctx.rpc.addresses.includes(address)) throw new InvalidArgumentError(`${address} is not one of the configured NameNodes (${this.ctx.rpc.addresses.join(', ')})`);
    const res = await this.ctx.rpc.callAt(address, 'HaFailover', {});
    return { address, resignedEpoch: Number(res.resignedEpoch) };
  }

  /** Creates a directory (by default with missing ancestors, like mkdir -p) and returns its status. */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<FileStatus> {
    checkPath(path);
    if (options.parents === false) {
      const parent = await this.stat(parentOf(path));
      if (!parent.isDirectory) throw new DfsError('NOT_A_DIRECTORY', `${parent.path} is not a directory`);
      if (await this.exists(path)) throw new FileAlreadyExistsError(`${path} already exists`);
    }
    const res = await this.ctx.rpc.call('Mkdirs', { path });
    return fileStatusFromWire(res.status, 'Mkdirs');
  }

  /** Writes a new file (write-once: FileAlreadyExistsError if anything is at `path`). Resolves once it is complete. */
  async writeFile(path: string, data: Buffer | string, options: WriteOptions = {}): Promise<void> {
    const stream = this.createWriteStream(path, options);
    stream.end(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await finished(stream);
  }

  /** The whole file, every byte CRC-verified. */
  async readFile(path: string): Promise<Buffer> {
    checkPath(path);
    this.assertOpen();
    const stats = newReadStats(path);
    this.readStats = stats;
    const pieces: Buffer[] = [];
    for await (const piece of readFileBytes(this.ctx, path, stats)) pieces.push(piece);
    return Buffer.concat(pieces, stats.bytesRead);
  }

  /** A directory's entries sorted by name, all of them (fetched page by page); a file lists itself. */
  async list(path: string): Promise<FileStatus[]> {
    const all: FileStatus[] = [];
    for await (const page of this.listPages(path)) all.push(...page.entries);
    return all;
  }

  /**
   * A directory's entries sorted by name, one NameNode page at a time (at most 1,000 entries,
   * Limits.listingPageSize), with how many entries follow the page; a file lists itself. Entries
   * created or deleted between two pages may or may not appear (like HDFS).
   */
  async *listPages(path: string): AsyncGenerator<{ entries: FileStatus[]; remaining: number }> {
    checkPath(path);
    let startAfter = '';
    for (;;) {
      const res = await this.ctx.rpc.call('ListStatus', { path, startAfter });
      const entries = res.entries.map((e) => fileStatusFromWire(e, 'ListStatus'));
      const remaining = Number(res.remaining ?? 0);
      yield { entries, remaining };
      if (remaining === 0) return;
      const last = entries[entries.length - 1];
      if (!last) throw new DfsError('INTERNAL', `ListStatus of ${path}: an empty page with ${remaining} entries remaining`);
      startAfter = last.path.slice(last.path.lastIndexOf('/') + 1);
    }
  }

  async stat(path: string): Promise<FileStatus> {
    checkPath(path);
    const res = await this.ctx.rpc.call('GetFileInfo', { path });
    return fileStatusFromWire(res.status, 'GetFileInfo');
  }

  /** The file's status and its blocks with replica locations (LIVE first, STALE last, never DEAD). */
  async getBlockLocations(path: string): Promise<{ status: FileStatus; blocks: LocatedBlock[] }> {
    checkPath(path);
    const res = await this.ctx.rpc.call('GetBlockLocations', { path });
    return { status: fileStatusFromWire(res.status, 'GetBlockLocations'), blocks: res.blocks.map((b) => locatedBlockFromWire(b, 'GetBlockLocations')) };
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if (err instanceof FileNotFoundError) return false;
      throw err;
    }
  }

  /** Deletes a file or directory; false if nothing was there. A non-empty directory needs `recursive`. */
  /**
   * Changes a file's replication factor (HDFS setReplication; files only). The NameNode then
   * copies or trims replicas in the background: `fsck(path)` shows when it is done.
   */
  /**
   * HDFS recoverLease: closes a file whose writer is gone. Allowed for the holder at any time, for
   * any other client once the holder's soft limit has passed (`closed: false` before then, with
   * the time left). The file keeps the bytes its replicas reported; a last block cut mid-write is
   * recovered first (`closed: false`, `softLimitRemainingMs` 0 while that runs: ask again).
   */
  async recoverLease(path: string): Promise<{ closed: boolean; holder: string; softLimitRemainingMs: number }> {
    checkPath(path);
    this.assertOpen();
    const r = await this.ctx.rpc.call('RecoverLease', { path, clientName: this.clientName });
    return { closed: r.closed, holder: r.holder, softLimitRemainingMs: Number(r.softLimitRemainingMs) };
  }

  async setReplication(path: string, replication: number): Promise<FileStatus> {
    checkPath(path);
    const res = await this.ctx.rpc.call('SetReplication', { path, replication });
    return fileStatusFromWire(res.status, 'SetReplication');
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    checkPath(path);
    const res = await this.ctx.rpc.call('Delete', { path, recursive: options.recursive ?? false });
    return res.deleted;
  }

  /**
   * The NameNode's safe mode (HDFS `dfsadmin -safemode`): `get` reads it, `enter` turns it on until
   * `leave` (the startup rules never end it), `leave` ends it whatever kept it on.
   */
  async safeMode(action: SafeModeAction = 'get'): Promise<SafeModeStatus> {
    const wire = { get: 'SAFE_MODE_GET', enter: 'SAFE_MODE_ENTER', leave: 'SAFE_MODE_LEAVE' } as const;
    if (!Object.hasOwn(wire, action)) throw new DfsError('INVALID_ARGUMENT', `safe mode action must be get, enter or leave, got ${String(action)}`);
    const res = await this.ctx.rpc.call('SetSafeMode', { action: wire[action] });
    return safeModeStatusFromWire(res.status, 'SetSafeMode');
  }

  /**
   * A DataNode's admin state (HDFS decommission / maintenance): `decommission` drains it (its blocks
   * get their replication elsewhere, then DECOMMISSIONED), `recommission` undoes it,
   * `start-maintenance` (with maintenanceDurationMs) lets it go silent without re-replication until
   * the window ends, `end-maintenance` ends the window now. Returns the node's admin state after.
   */
  async setDatanodeAdminState(
    nodeId: string, action: 'decommission' | 'recommission' | 'start-maintenance' | 'end-maintenance', maintenanceDurationMs = 0,
  ): Promise<{ nodeId: string; adminState: string; maintenanceExpiresInMs: number }> {
    const wire = { decommission: 'DECOMMISSION', recommission: 'RECOMMISSION', 'start-maintenance': 'START_MAINTENANCE', 'end-maintenance': 'END_MAINTENANCE' } as const;
    if (!Object.hasOwn(wire, action)) throw new DfsError('INVALID_ARGUMENT', `admin action must be decommission, recommission, start-maintenance or end-maintenance, got ${String(action)}`);
    const res = await this.ctx.rpc.call('SetDatanodeAdminState', { nodeId, action: wire[action], maintenanceDurationMs });
    return { nodeId: res.nodeId, adminState: res.adminState, maintenanceExpiresInMs: Number(res.maintenanceExpiresInMs) };
  }

  /** A Writable for a new file; 'finish' fires only after the NameNode completed the file. */
  createWriteStream(path: string, options: WriteOptions = {}): DfsWriteStream {
    checkPath(path);
    this.assertOpen();
    const stream = new DfsWriteStream(this.ctx, path, options);
    this.lastWriteStats = stream.stats;
    return stream;
  }

  /** A Readable of the file's verified bytes, fetching one block at a time with replica failover. */
  createReadStream(path: string): DfsReadStream {
    checkPath(path);
    this.assertOpen();
    const stream = new DfsReadStream(this.ctx, path);
    this.readStats = stream.stats;
    return stream;
  }

  /** Closes the NameNode channels and every DataNode channel; calls in flight are cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.leases?.stop();
    this.ctx.rpc.close();
    this.ctx.datanodes.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new DfsError('INTERNAL', 'DfsClient is closed');
  }
}
