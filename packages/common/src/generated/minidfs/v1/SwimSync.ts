// Original file: proto/minidfs/v1/membership.proto

import type { MemberUpdate as _minidfs_v1_MemberUpdate, MemberUpdate__Output as _minidfs_v1_MemberUpdate__Output } from '../../minidfs/v1/MemberUpdate';

export interface SwimSync {
  'reply'?: (boolean);
  'members'?: (_minidfs_v1_MemberUpdate)[];
}

export interface SwimSync__Output {
  'reply': (boolean);
  'members': (_minidfs_v1_MemberUpdate__Output)[];
}
