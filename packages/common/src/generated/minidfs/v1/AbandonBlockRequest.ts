// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface AbandonBlockRequest {
  'path'?: (string);
  'clientName'?: (string);
  'blockId'?: (number | string | Long);
}

export interface AbandonBlockRequest__Output {
  'path': (string);
  'clientName': (string);
  'blockId': (number);
}
