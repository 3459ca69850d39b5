// Original file: proto/minidfs/v1/datanode_protocol.proto

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
}
