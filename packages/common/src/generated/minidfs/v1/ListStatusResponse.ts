// Original file: proto/minidfs/v1/client_protocol.proto

import type { FileStatus as _minidfs_v1_FileStatus, FileStatus__Output as _minidfs_v1_FileStatus__Output } from '../../minidfs/v1/FileStatus';

export interface ListStatusResponse {
  'entries'?: (_minidfs_v1_FileStatus)[];
  'remaining'?: (number);
}

export interface ListStatusResponse__Output {
  'entries': (_minidfs_v1_FileStatus__Output)[];
  'remaining': (number);
}
