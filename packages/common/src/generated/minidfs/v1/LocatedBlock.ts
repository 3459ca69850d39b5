// Original file: proto/minidfs/v1/client_protocol.proto

import type { BlockRef as _minidfs_v1_BlockRef, BlockRef__Output as _minidfs_v1_BlockRef__Output } from '../../minidfs/v1/BlockRef';
import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from '../../minidfs/v1/DatanodeLocation';
import type { Long } from '@grpc/proto-loader';

export interface LocatedBlock {
  'block'?: (_minidfs_v1_BlockRef | null);
  'offsetBytes'?: (number | string | Long);
  'locations'?: (_minidfs_v1_DatanodeLocation)[];
  'accessToken'?: (string);
}

export interface LocatedBlock__Output {
  'block': (_minidfs_v1_BlockRef__Output | null);
  'offsetBytes': (number);
  'locations': (_minidfs_v1_DatanodeLocation__Output)[];
  'accessToken': (string);
}
