// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportBadBlocksRequest {
  'nodeId'?: (string);
  'registrationId'?: (string);
  'blockIds'?: (number | string | Long)[];
}

export interface ReportBadBlocksRequest__Output {
  'nodeId': (string);
  'registrationId': (string);
  'blockIds': (number)[];
}
