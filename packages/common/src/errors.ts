/**
 * One error class per failure kind. On the wire an error is a gRPC status plus the metadata entry
 * `minidfs-error` = the code below; receivers rebuild the typed error from that entry and never
 * branch on message text.
 */
import * as grpc from '@grpc/grpc-js';

export const ERROR_METADATA_KEY = 'minidfs-error';

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_PATH'
  | 'FILE_NOT_FOUND'
  | 'FILE_ALREADY_EXISTS'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'DIRECTORY_NOT_EMPTY'
  | 'FILE_NOT_OPEN'
  | 'SAFE_MODE'
  | 'NOT_ENOUGH_DATANODES'
  | 'NO_LIVE_REPLICA'
  | 'CHECKSUM_MISMATCH'
  | 'BLOCK_NOT_FOUND'
  | 'NODE_ID_IN_USE'
  | 'UNKNOWN_NODE'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
  | 'CLUSTER_ID_MISMATCH'
  /** This NameNode is a standby (or was deposed): try another one (docs/HA.md). */
  | 'NOT_ACTIVE'
  | 'INTERNAL';

const grpcCodeOf: Record<ErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  INVALID_PATH: grpc.status.INVALID_ARGUMENT,
  FILE_NOT_FOUND: grpc.status.NOT_FOUND,
  FILE_ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  NOT_A_DIRECTORY: grpc.status.FAILED_PRECONDITION,
  IS_A_DIRECTORY: grpc.status.FAILED_PRECONDITION,
  DIRECTORY_NOT_EMPTY: grpc.status.FAILED_PRECONDITION,
  FILE_NOT_OPEN: grpc.status.FAILED_PRECONDITION,
  SAFE_MODE: grpc.status.UNAVAILABLE,
  NOT_ENOUGH_DATANODES: grpc.status.RESOURCE_EXHAUSTED,
  NO_LIVE_REPLICA: grpc.status.UNAVAILABLE,
  CHECKSUM_MISMATCH: grpc.status.DATA_LOSS,
  BLOCK_NOT_FOUND: grpc.status.NOT_FOUND,
  NODE_ID_IN_USE: grpc.status.ALREADY_EXISTS,
  UNKNOWN_NODE: grpc.status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  CLUSTER_ID_MISMATCH: grpc.status.FAILED_PRECONDITION,
  NOT_ACTIVE: grpc.status.FAILED_PRECONDITION,
  INTERNAL: grpc.status.INTERNAL,
};

export class DfsError extends Error {
  override readonly name: string = 'DfsError';
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}
export class InvalidArgumentError extends DfsError { override readonly name = 'InvalidArgumentError'; constructor(m: string) { super('INVALID_ARGUMENT', m); } }
export class InvalidPathError extends DfsError { override readonly name = 'InvalidPathError'; constructor(m: string) { super('INVALID_PATH', m); } }
export class FileNotFoundError extends DfsError { override readonly name = 'FileNotFoundError'; constructor(m: string) { super('FILE_NOT_FOUND', m); } }
export class FileAlreadyExistsError extends DfsError { override readonly name = 'FileAlreadyExistsError'; constructor(m: string) { super('FILE_ALREADY_EXISTS', m); } }
export class SafeModeError extends DfsError { override readonly name = 'SafeModeError'; constructor(m: string) { super('SAFE_MODE', m); } }
export class NotEnoughDatanodesError extends DfsError { override readonly name = 'NotEnoughDatanodesError'; constructor(m: string) { super('NOT_ENOUGH_DATANODES', m); } }
export class NoLiveReplicaError extends DfsError { override readonly name = 'NoLiveReplicaError'; constructor(m: string) { super('NO_LIVE_REPLICA', m); } }
export class ChecksumMismatchError extends DfsError { override readonly name = 'ChecksumMismatchError'; constructor(m: string) { super('CHECKSUM_MISMATCH', m); } }
export class NodeIdInUseError extends DfsError { override readonly name = 'NodeIdInUseError'; constructor(m: string) { super('NODE_ID_IN_USE', m); } }
/** A DataNode without a valid proof of the cluster secret (registration proof or session token). */
export class UnauthenticatedError extends DfsError { override readonly name = 'UnauthenticatedError'; constructor(m: string) { super('UNAUTHENTICATED', m); } }
/** A peer (the NameNode, a DataNode) could not be reached; the message names its address. */
export class UnavailableError extends DfsError { override readonly name = 'UnavailableError'; constructor(m: string) { super('UNAVAILABLE', m); } }
/**
 * Malformed block transfer input (common/transfer-codec.ts): bad magic, oversized or undecodable
 * header, a length past its limit, unknown frame kind. The connection that sent it is closed.
 */
export class TransferProtocolError extends DfsError { override readonly name = 'TransferProtocolError'; constructor(m: string) { super('INVALID_ARGUMENT', m); } }
/** A data transfer without a valid block access token for that block and mode. */
export class PermissionDeniedError extends DfsError { override readonly name = 'PermissionDeniedError'; constructor(m: string) { super('PERMISSION_DENIED', m); } }

/**
 * A DataNode's data dir belongs to another cluster than the NameNode it reached (another cluster
 * id): it refuses the NameNode and exits without reporting or deleting anything.
 */
export class ClusterIdMismatchError extends DfsError { override readonly name = 'ClusterIdMismatchError'; constructor(m: string) { super('CLUSTER_ID_MISMATCH', m); } }

/**
 * This NameNode is not the active one (a standby, or an active that lost its leadership): the
 * caller tries another configured NameNode (docs/HA.md). Nothing was changed.
 */
export class NotActiveError extends DfsError { override readonly name = 'NotActiveError'; constructor(m: string) { super('NOT_ACTIVE', m); } }

const classOf: Partial<Record<ErrorCode, new (m: string) => DfsError>> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  INVALID_PATH: InvalidPathError,
  FILE_NOT_FOUND: FileNotFoundError,
  FILE_ALREADY_EXISTS: FileAlreadyExistsError,
  SAFE_MODE: SafeModeError,
  NOT_ENOUGH_DATANODES: NotEnoughDatanodesError,
  NO_LIVE_REPLICA: NoLiveReplicaError,
  CHECKSUM_MISMATCH: ChecksumMismatchError,
  NODE_ID_IN_USE: NodeIdInUseError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  UNAVAILABLE: UnavailableError,
  CLUSTER_ID_MISMATCH: ClusterIdMismatchError,
  NOT_ACTIVE: NotActiveError,
};

function isErrorCode(value: string): value is ErrorCode {
  return value in grpcCodeOf;
}

/** Turns any thrown value into the status object a grpc-js handler passes to its callback. */
export function toGrpcError(err: unknown): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (err instanceof DfsError) {
    metadata.set(ERROR_METADATA_KEY, err.code);
    return { code: grpcCodeOf[err.code], details: err.message, metadata };
  }
  metadata.set(ERROR_METADATA_KEY, 'INTERNAL');
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err), metadata };
}

/** Rebuilds the typed error from a grpc-js client error. Transport failures become UNAVAILABLE. */
export function fromGrpcError(err: unknown): DfsError {
  if (err instanceof DfsError) return err;
  const e = err as Partial<grpc.ServiceError>;
  const raw = e.metadata?.get(ERROR_METADATA_KEY)[0];
  const code = typeof raw === 'string' && isErrorCode(raw) ? raw : e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED ? 'UNAVAILABLE' : 'INTERNAL';
  const message = e.details ?? (err instanceof Error ? err.message : String(err));
  const Cls = classOf[code];
  return Cls ? new Cls(message) : new DfsError(code, message);
}
