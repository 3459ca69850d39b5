// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteRequest {
  'path'?: (string);
  'recursive'?: (boolean);
  'clientName'?: (string);
  'fileId'?: (number | string | Long);
}

export interface DeleteRequest__Output {
  'path': (string);
  'recursive': (boolean);
  'clientName': (string);
  'fileId': (number);
}
