// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { HaRole as _minidfs_v1_HaRole, HaRole__Output as _minidfs_v1_HaRole__Output } from '../../minidfs/v1/HaRole';
import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'nodeId'?: (string);
  'registrationId'?: (string);
  'heartbeatIntervalMs'?: (number);
  'staleAfterMissed'?: (number);
  'deadAfterMissed'?: (number);
  'blockSizeBytes'?: (number | string | Long);
  'blockReportIntervalMs'?: (number);
  'clusterId'?: (string);
  'sessionToken'?: (string);
  'membershipSeeds'?: (string)[];
  'haRole'?: (_minidfs_v1_HaRole);
  'epoch'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'nodeId': (string);
  'registrationId': (string);
  'heartbeatIntervalMs': (number);
  'staleAfterMissed': (number);
  'deadAfterMissed': (number);
  'blockSizeBytes': (number);
  'blockReportIntervalMs': (number);
  'clusterId': (string);
  'sessionToken': (string);
  'membershipSeeds': (string)[];
  'haRole': (_minidfs_v1_HaRole__Output);
  'epoch': (number);
}
