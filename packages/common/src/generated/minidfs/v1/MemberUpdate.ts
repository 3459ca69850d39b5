// Original file: proto/minidfs/v1/membership.proto

import type { MemberState as _minidfs_v1_MemberState, MemberState__Output as _minidfs_v1_MemberState__Output } from '../../minidfs/v1/MemberState';
import type { Long } from '@grpc/proto-loader';

export interface MemberUpdate {
  'id'?: (string);
  'address'?: (string);
  'state'?: (_minidfs_v1_MemberState);
  'incarnation'?: (number | string | Long);
  'by'?: (string);
}

export interface MemberUpdate__Output {
  'id': (string);
  'address': (string);
  'state': (_minidfs_v1_MemberState__Output);
  'incarnation': (number);
  'by': (string);
}
