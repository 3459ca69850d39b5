// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { DatanodeInfo as _minidfs_v1_DatanodeInfo, DatanodeInfo__Output as _minidfs_v1_DatanodeInfo__Output } from '../../minidfs/v1/DatanodeInfo';

export interface RegisterRequest {
  'info'?: (_minidfs_v1_DatanodeInfo | null);
}

export interface RegisterRequest__Output {
  'info': (_minidfs_v1_DatanodeInfo__Output | null);
}
