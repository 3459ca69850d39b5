// Original file: proto/minidfs/v1/data_transfer.proto

import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from '../../minidfs/v1/DatanodeLocation';
import type { Long } from '@grpc/proto-loader';

export interface WriteBlockHeader {
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'downstream'?: (_minidfs_v1_DatanodeLocation)[];
  'accessToken'?: (string);
  'purpose'?: (string);
}

export interface WriteBlockHeader__Output {
  'blockId': (number);
  'generationStamp': (number);
  'downstream': (_minidfs_v1_DatanodeLocation__Output)[];
  'accessToken': (string);
  'purpose': (string);
}
