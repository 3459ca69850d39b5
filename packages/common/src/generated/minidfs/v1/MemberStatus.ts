// Original file: proto/minidfs/v1/membership.proto

import type { MemberState as _minidfs_v1_MemberState, MemberState__Output as _minidfs_v1_MemberState__Output } from '../../minidfs/v1/MemberState';
import type { Long } from '@grpc/proto-loader';

export interface MemberStatus {
  'id'?: (string);
  'address'?: (string);
  'state'?: (_minidfs_v1_MemberState);
  'incarnation'?: (number | string | Long);
  'msInState'?: (number | string | Long);
  'msSinceHeard'?: (number | string | Long);
  'neverHeard'?: (boolean);
}

export interface MemberStatus__Output {
  'id': (string);
  'address': (string);
  'state': (_minidfs_v1_MemberState__Output);
  'incarnation': (number);
  'msInState': (number);
  'msSinceHeard': (number);
  'neverHeard': (boolean);
}
