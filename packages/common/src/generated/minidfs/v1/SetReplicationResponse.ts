// Original file: proto/minidfs/v1/client_protocol.proto

import type { FileStatus as _minidfs_v1_FileStatus, FileStatus__Output as _minidfs_v1_FileStatus__Output } from '../../minidfs/v1/FileStatus';

export interface SetReplicationResponse {
  'status'?: (_minidfs_v1_FileStatus | null);
}

export interface SetReplicationResponse__Output {
  'status': (_minidfs_v1_FileStatus__Output | null);
}
