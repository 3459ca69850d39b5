// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { PeerProbeResult as _minidfs_v1_PeerProbeResult, PeerProbeResult__Output as _minidfs_v1_PeerProbeResult__Output } from '../../minidfs/v1/PeerProbeResult';
import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  'nodeId'?: (string);
  'registrationId'?: (string);
  'sequence'?: (number | string | Long);
  'capacityBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'remainingBytes'?: (number | string | Long);
  'activeTransfers'?: (number);
  'failedVolumes'?: (number);
  'goodbye'?: (boolean);
  'blockCount'?: (number);
  'sendLagMs'?: (number);
  'peerProbes'?: (_minidfs_v1_PeerProbeResult)[];
}

export interface HeartbeatRequest__Output {
  'nodeId': (string);
  'registrationId': (string);
  'sequence': (number);
  'capacityBytes': (number);
  'usedBytes': (number);
  'remainingBytes': (number);
  'activeTransfers': (number);
  'failedVolumes': (number);
  'goodbye': (boolean);
  'blockCount': (number);
  'sendLagMs': (number);
  'peerProbes': (_minidfs_v1_PeerProbeResult__Output)[];
}
