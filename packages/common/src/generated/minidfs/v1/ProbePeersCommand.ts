// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { PeerTarget as _minidfs_v1_PeerTarget, PeerTarget__Output as _minidfs_v1_PeerTarget__Output } from '../../minidfs/v1/PeerTarget';

export interface ProbePeersCommand {
  'targets'?: (_minidfs_v1_PeerTarget)[];
}

export interface ProbePeersCommand__Output {
  'targets': (_minidfs_v1_PeerTarget__Output)[];
}
