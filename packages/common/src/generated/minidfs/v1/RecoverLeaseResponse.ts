// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface RecoverLeaseResponse {
  'closed'?: (boolean);
  'holder'?: (string);
  'softLimitRemainingMs'?: (number | string | Long);
}

export interface RecoverLeaseResponse__Output {
  'closed': (boolean);
  'holder': (string);
  'softLimitRemainingMs': (number);
}
