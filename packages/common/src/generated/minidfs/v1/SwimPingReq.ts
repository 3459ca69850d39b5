// Original file: proto/minidfs/v1/membership.proto

import type { Long } from '@grpc/proto-loader';

export interface SwimPingReq {
  'seq'?: (number | string | Long);
  'target'?: (string);
  'targetAddress'?: (string);
}

export interface SwimPingReq__Output {
  'seq': (number);
  'target': (string);
  'targetAddress': (string);
}
