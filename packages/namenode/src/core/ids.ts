/**
 * Validation of the identifiers the NameNode core receives from outside: DataNode ids and block
 * ids. Its own module, depending on nothing but common, so that any core module can check an id
 * without importing the module that owns the thing named (block-map.ts importing
 * datanode-manager.ts would close the cycle block-map -> datanode-manager -> replication-monitor
 * -> block-map).
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';

/** 1 to Limits.maxNodeIdLength characters of [A-Za-z0-9._-], starting with a letter or digit. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `id` if it is a valid DataNode id; otherwise throws InvalidArgumentError. */
export function validateNodeId(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > Limits.maxNodeIdLength || !NODE_ID_PATTERN.test(id)) {
    throw new InvalidArgumentError(
      `invalid DataNode id ${JSON.stringify(id)}: 1-${Limits.maxNodeIdLength} characters of [A-Za-z0-9._-], starting with a letter or digit`,
    );
  }
  return id;
}

/** `blockId` if it is a positive safe integer; otherwise throws InvalidArgumentError. */
export function validateBlockId(blockId: number): number {
  if (typeof blockId !== 'number' || !Number.isSafeInteger(blockId) || blockId <= 0) {
    throw new InvalidArgumentError(`invalid block id ${String(blockId)}: must be a positive safe integer`);
  }
  return blockId;
}
