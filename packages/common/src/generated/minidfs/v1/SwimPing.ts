// Original file: proto/minidfs/v1/membership.proto

import type { Long } from '@grpc/proto-loader';

export interface SwimPing {
  'seq'?: (number | string | Long);
  'target'?: (string);
}

export interface SwimPing__Output {
  'seq': (number);
  'target': (string);
}
