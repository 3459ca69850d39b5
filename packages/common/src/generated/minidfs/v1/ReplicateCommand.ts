// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from '../../minidfs/v1/DatanodeLocation';
import type { Long } from '@grpc/proto-loader';

export interface ReplicateCommand {
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
  'targets'?: (_minidfs_v1_DatanodeLocation)[];
  'accessToken'?: (string);
}

export interface ReplicateCommand__Output {
  'blockId': (number);
  'generationStamp': (number);
  'lengthBytes': (number);
  'targets': (_minidfs_v1_DatanodeLocation__Output)[];
  'accessToken': (string);
}
