// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { MemberState as _minidfs_v1_MemberState, MemberState__Output as _minidfs_v1_MemberState__Output } from '../../minidfs/v1/MemberState';

export interface PeerProbeResult {
  'nodeId'?: (string);
  'reachable'?: (boolean);
  'msSinceHeard'?: (number);
  'neverHeard'?: (boolean);
  'memberState'?: (_minidfs_v1_MemberState);
}

export interface PeerProbeResult__Output {
  'nodeId': (string);
  'reachable': (boolean);
  'msSinceHeard': (number);
  'neverHeard': (boolean);
  'memberState': (_minidfs_v1_MemberState__Output);
}
