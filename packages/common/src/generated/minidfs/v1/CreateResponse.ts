// Original file: proto/minidfs/v1/client_protocol.proto

import type { FileStatus as _minidfs_v1_FileStatus, FileStatus__Output as _minidfs_v1_FileStatus__Output } from '../../minidfs/v1/FileStatus';

export interface CreateResponse {
  'status'?: (_minidfs_v1_FileStatus | null);
  'pipelineAckTimeoutMs'?: (number);
  'leaseSoftLimitMs'?: (number);
}

export interface CreateResponse__Output {
  'status': (_minidfs_v1_FileStatus__Output | null);
  'pipelineAckTimeoutMs': (number);
  'leaseSoftLimitMs': (number);
}
