// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface OpenFile {
  'path'?: (string);
  'holder'?: (string);
  'leaseAgeMs'?: (number | string | Long);
}

export interface OpenFile__Output {
  'path': (string);
  'holder': (string);
  'leaseAgeMs': (number);
}
