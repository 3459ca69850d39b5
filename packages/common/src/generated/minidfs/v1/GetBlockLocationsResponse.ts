// Original file: proto/minidfs/v1/client_protocol.proto

import type { FileStatus as _minidfs_v1_FileStatus, FileStatus__Output as _minidfs_v1_FileStatus__Output } from '../../minidfs/v1/FileStatus';
import type { LocatedBlock as _minidfs_v1_LocatedBlock, LocatedBlock__Output as _minidfs_v1_LocatedBlock__Output } from '../../minidfs/v1/LocatedBlock';

export interface GetBlockLocationsResponse {
  'status'?: (_minidfs_v1_FileStatus | null);
  'blocks'?: (_minidfs_v1_LocatedBlock)[];
}

export interface GetBlockLocationsResponse__Output {
  'status': (_minidfs_v1_FileStatus__Output | null);
  'blocks': (_minidfs_v1_LocatedBlock__Output)[];
}
