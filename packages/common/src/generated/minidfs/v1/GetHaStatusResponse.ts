// Original file: proto/minidfs/v1/client_protocol.proto

import type { HaRole as _minidfs_v1_HaRole, HaRole__Output as _minidfs_v1_HaRole__Output } from '../../minidfs/v1/HaRole';
import type { Long } from '@grpc/proto-loader';

export interface GetHaStatusResponse {
  'namenodeId'?: (string);
  'address'?: (string);
  'role'?: (_minidfs_v1_HaRole);
  'epoch'?: (number | string | Long);
  'activeAddress'?: (string);
}

export interface GetHaStatusResponse__Output {
  'namenodeId': (string);
  'address': (string);
  'role': (_minidfs_v1_HaRole__Output);
  'epoch': (number);
  'activeAddress': (string);
}
