// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from '../../minidfs/v1/DatanodeCommand';
import type { HaRole as _minidfs_v1_HaRole, HaRole__Output as _minidfs_v1_HaRole__Output } from '../../minidfs/v1/HaRole';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'ackedSequence'?: (number | string | Long);
  'commands'?: (_minidfs_v1_DatanodeCommand)[];
  'haRole'?: (_minidfs_v1_HaRole);
  'epoch'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'ackedSequence': (number);
  'commands': (_minidfs_v1_DatanodeCommand__Output)[];
  'haRole': (_minidfs_v1_HaRole__Output);
  'epoch': (number);
}
