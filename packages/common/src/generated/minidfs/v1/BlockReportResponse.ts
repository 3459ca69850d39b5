// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from '../../minidfs/v1/DatanodeCommand';

export interface BlockReportResponse {
  'commands'?: (_minidfs_v1_DatanodeCommand)[];
}

export interface BlockReportResponse__Output {
  'commands': (_minidfs_v1_DatanodeCommand__Output)[];
}
