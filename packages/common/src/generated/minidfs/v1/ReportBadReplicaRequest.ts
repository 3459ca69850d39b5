// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportBadReplicaRequest {
  'blockId'?: (number | string | Long);
  'nodeId'?: (string);
  'reason'?: (string);
}

export interface ReportBadReplicaRequest__Output {
  'blockId': (number);
  'nodeId': (string);
  'reason': (string);
}
