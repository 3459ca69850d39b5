// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from '../../minidfs/v1/DatanodeCommand';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'ackedSequence'?: (number | string | Long);
  'commands'?: (_minidfs_v1_DatanodeCommand)[];
}

export interface HeartbeatResponse__Output {
  'ackedSequence': (number);
  'commands': (_minidfs_v1_DatanodeCommand__Output)[];
}
