// Original file: proto/minidfs/v1/membership.proto

import type { Long } from '@grpc/proto-loader';

export interface SwimAck {
  'seq'?: (number | string | Long);
  'target'?: (string);
  'nack'?: (boolean);
}

export interface SwimAck__Output {
  'seq': (number);
  'target': (string);
  'nack': (boolean);
}
