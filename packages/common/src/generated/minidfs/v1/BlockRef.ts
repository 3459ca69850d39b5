// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface BlockRef {
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
}

export interface BlockRef__Output {
  'blockId': (number);
  'generationStamp': (number);
  'lengthBytes': (number);
}
