// Original file: proto/minidfs/v1/membership.proto

import type { MemberStatus as _minidfs_v1_MemberStatus, MemberStatus__Output as _minidfs_v1_MemberStatus__Output } from '../../minidfs/v1/MemberStatus';
import type { Long } from '@grpc/proto-loader';

export interface GetMembershipResponse {
  'selfId'?: (string);
  'selfAddress'?: (string);
  'selfIncarnation'?: (number | string | Long);
  'members'?: (_minidfs_v1_MemberStatus)[];
  'protocolPeriodMs'?: (number);
  'suspicionTimeoutMinMs'?: (number);
  'suspicionTimeoutMaxMs'?: (number);
}

export interface GetMembershipResponse__Output {
  'selfId': (string);
  'selfAddress': (string);
  'selfIncarnation': (number);
  'members': (_minidfs_v1_MemberStatus__Output)[];
  'protocolPeriodMs': (number);
  'suspicionTimeoutMinMs': (number);
  'suspicionTimeoutMaxMs': (number);
}
