// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface HaFailoverResponse {
  'resignedEpoch'?: (number | string | Long);
}

export interface HaFailoverResponse__Output {
  'resignedEpoch': (number);
}
