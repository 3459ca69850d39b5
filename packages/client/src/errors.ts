/**
 * Failure kinds only the client can observe. Each is a DfsError with an existing wire code, so the
 * CLI prints `minidfs: CODE: message` and callers can branch on the class or on `code`.
 */
import { DfsError } from '@minidfs/common';

/** Every write pipeline attempt for one block failed; the block was abandoned each time. */
export class PipelineFailedError extends DfsError {
  override readonly name = 'PipelineFailedError';
  constructor(message: string, readonly blockIndex: number, readonly attempts: number, readonly excludedNodeIds: readonly string[]) {
    super('UNAVAILABLE', message);
  }
}

/** Complete kept answering `complete: false` (too few replicas reported) for longer than allowed. */
export class CompleteTimeoutError extends DfsError {
  override readonly name = 'CompleteTimeoutError';
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}

/** A DataNode's read stream broke the ReadBlock contract (gap, misaligned offset, wrong CRC count, short block). */
export class ReadProtocolError extends DfsError {
  override readonly name = 'ReadProtocolError';
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

/** The path names a directory where a file is needed (or `rm` without -r on a directory). */
export class IsADirectoryError extends DfsError {
  override readonly name = 'IsADirectoryError';
  constructor(message: string) {
    super('IS_A_DIRECTORY', message);
  }
}

/** A DataNode stopped answering (no ack / no data) for longer than the idle limit. */
export class DatanodeTimeoutError extends DfsError {
  override readonly name = 'DatanodeTimeoutError';
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}

/**
 * No configured NameNode took a call before the failover deadline: each answered NOT_ACTIVE (a
 * standby) or could not be reached. Code NOT_ACTIVE when every NameNode's last answer was
 * NOT_ACTIVE (none is elected yet), UNAVAILABLE when one could not be reached. `lastErrors` holds
 * each NameNode's last error by address.
 */
export class NoActiveNameNodeError extends DfsError {
  override readonly name = 'NoActiveNameNodeError';
  constructor(message: string, code: 'NOT_ACTIVE' | 'UNAVAILABLE', readonly attempts: number, readonly lastErrors: ReadonlyMap<string, DfsError>) {
    super(code, message);
  }
}
