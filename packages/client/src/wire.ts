/**
 * Proto <-> domain conversion for the client, in one place (wire types stay at the edge). The
 * generated request/response types are not all re-exported by @minidfs/common, so they are
 * derived here from the generated `ClientProtocolClient` signatures; nothing else in the client
 * names a generated message type.
 */
import type { ClientProtocolClient } from '@minidfs/common';

/** ClientProtocol unary methods, by their proto names. */
export type UnaryMethod =
  | 'Mkdirs' | 'Create' | 'AddBlock' | 'AbandonBlock' | 'Complete' | 'GetBlockLocations'
  | 'GetFileInfo' | 'ListStatus' | 'Delete' | 'ReportBadReplica' | 'GetDatanodeReport' | 'SetSafeMode' | 'Fsck' | 'SetReplication'
  | 'SetDatanodeAdminState' | 'GetHaStatus' | 'HaFailover' | 'RenewLease' | 'RecoverLease';

/** The last overload of each generated method is `(argument, callback)`. */
type LastOverload<K extends UnaryMethod> = Parameters<ClientProtocolClient[K]>;
export type RequestOf<K extends UnaryMethod> = LastOverload<K>[0];
export type ResponseOf<K extends UnaryMethod> = NonNullable<Parameters<LastOverload<K>[1]>[1]>;

export type WireFileStatus = NonNullable<ResponseOf<'GetFileInfo'>['status']>;
export type WireLocatedBlock = NonNullable<ResponseOf<'AddBlock'>['block']>;
export type WireLocation = WireLocatedBlock['locations'][number];

/** A file or directory as the NameNode describes it. */
export interface FileStatus {
  path: string;
  isDirectory: boolean;
  lengthBytes: number;
  /** Replication factor (files); 0 for directories. */
  replication: number;
  blockSizeBytes: number;
  modificationTimeMs: number;
  /** False while the file is open for write (created, not yet completed). */
  complete: boolean;
  blockCount: number;
  /** Unique, never reused file id (0 for directories and files from before ids were kept). */
  fileId: number;
}

/** The NameNode's safe mode (`admin safemode`, HDFS `dfsadmin -safemode`). */
export interface SafeModeStatus {
  on: boolean;
  /** Entered by an operator: held until `leave`. */
  manual: boolean;
  /** Waiting for block reports after the NameNode started. */
  startup: boolean;
  reportedBlocks: number;
  totalBlocks: number;
  threshold: number;
  liveDatanodes: number;
  reportedDatanodes: number;
  extensionMs: number;
  /** ms until startup safe mode ends on its own if nothing changes; -1 when not counting down. */
  autoExitInMs: number;
}

export type SafeModeAction = 'get' | 'enter' | 'leave';

export function safeModeStatusFromWire(s: ResponseOf<'SetSafeMode'>['status'], method: string): SafeModeStatus {
  if (!s) throw new Error(`NameNode answered ${method} without a safe mode status`);
  return {
    on: s.on, manual: s.manual, startup: s.startup, reportedBlocks: Number(s.reportedBlocks), totalBlocks: Number(s.totalBlocks),
    threshold: s.threshold, liveDatanodes: s.liveDatanodes, reportedDatanodes: s.reportedDatanodes, extensionMs: Number(s.extensionMs),
    autoExitInMs: Number(s.autoExitInMs),
  };
}

/** A DataNode that holds (or will hold) a replica. */
export interface DatanodeLocation {
  nodeId: string;
  host: string;
  dataPort: number;
  /** Block transfer (TCP) port: block bytes go here (0: the node has none). */
  transferPort: number;
  rack: string;
}

/** A block of a file and where its replicas are: LIVE nodes first, STALE last, never DEAD. */
export interface LocatedBlock {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
  /** Offset of the block's first byte in the file. */
  offsetBytes: number;
  locations: DatanodeLocation[];
  accessToken: string;
}

/** Final identity and length of a written block, as Complete wants it. */
export interface BlockRef {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
}

export function fileStatusFromWire(s: WireFileStatus | null | undefined, what: string): FileStatus {
  if (!s) throw new Error(`NameNode answered ${what} without a status`);
  return {
    path: s.path, isDirectory: s.isDirectory, lengthBytes: Number(s.lengthBytes), replication: s.replication,
    blockSizeBytes: Number(s.blockSizeBytes), modificationTimeMs: Number(s.modificationTimeMs), complete: s.complete,
    blockCount: s.blockCount, fileId: Number(s.fileId),
  };
}

export function locatedBlockFromWire(b: WireLocatedBlock | null | undefined, what: string): LocatedBlock {
  if (!b || !b.block) throw new Error(`NameNode answered ${what} without a block`);
  return {
    blockId: Number(b.block.blockId),
    generationStamp: Number(b.block.generationStamp),
    lengthBytes: Number(b.block.lengthBytes),
    offsetBytes: Number(b.offsetBytes),
    locations: b.locations.map((l) => ({ nodeId: l.nodeId, host: l.host, dataPort: l.dataPort, transferPort: l.transferPort ?? 0, rack: l.rack })),
    accessToken: b.accessToken,
  };
}

export function locationAddress(l: DatanodeLocation): string {
  return l.host.includes(':') ? `[${l.host}]:${l.dataPort}` : `${l.host}:${l.dataPort}`;
}

/**
 * One configured NameNode's high-availability role, as `ha status` and `report` print it: ACTIVE or
 * STANDBY; NONE for a NameNode without HA (it answers role HA_ROLE_UNSPECIFIED, epoch 0);
 * UNREACHABLE when GetHaStatus failed (`error` says why).
 */
export interface NameNodeHaStatus {
  /** The address as configured (--namenode), not as the NameNode names itself. */
  address: string;
  role: 'ACTIVE' | 'STANDBY' | 'NONE' | 'UNREACHABLE';
  /** The leadership epoch it holds (ACTIVE) or last saw (STANDBY); 0 without HA or when unreachable. */
  epoch: number;
  /** Its --ha-id ('' without HA or when unreachable). */
  namenodeId: string;
  /** The active's address as this NameNode knows it ('' if none, or unknown). */
  activeAddress: string;
  /** UNREACHABLE only: the error, as `CODE: message`. */
  error?: string;
}

export function haStatusFromWire(address: string, r: ResponseOf<'GetHaStatus'>): NameNodeHaStatus {
  const role = r.role === 'ACTIVE' || r.role === 'STANDBY' ? r.role : 'NONE';
  return { address, role, epoch: Number(r.epoch ?? 0), namenodeId: r.namenodeId ?? '', activeAddress: r.activeAddress ?? '' };
}
