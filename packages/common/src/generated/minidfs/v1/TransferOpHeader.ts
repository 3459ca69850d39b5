// Original file: proto/minidfs/v1/data_transfer.proto

import type { TransferOp as _minidfs_v1_TransferOp, TransferOp__Output as _minidfs_v1_TransferOp__Output } from '../../minidfs/v1/TransferOp';
import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from '../../minidfs/v1/DatanodeLocation';
import type { Long } from '@grpc/proto-loader';

export interface TransferOpHeader {
  'op'?: (_minidfs_v1_TransferOp);
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'offsetBytes'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
  'targets'?: (_minidfs_v1_DatanodeLocation)[];
  'accessToken'?: (string);
  'clientName'?: (string);
}

export interface TransferOpHeader__Output {
  'op': (_minidfs_v1_TransferOp__Output);
  'blockId': (number);
  'generationStamp': (number);
  'offsetBytes': (number);
  'lengthBytes': (number);
  'targets': (_minidfs_v1_DatanodeLocation__Output)[];
  'accessToken': (string);
  'clientName': (string);
}
