// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateRequest {
  'path'?: (string);
  'replication'?: (number);
  'blockSizeBytes'?: (number | string | Long);
  'createParent'?: (boolean);
  'clientName'?: (string);
}

export interface CreateRequest__Output {
  'path': (string);
  'replication': (number);
  'blockSizeBytes': (number);
  'createParent': (boolean);
  'clientName': (string);
}
