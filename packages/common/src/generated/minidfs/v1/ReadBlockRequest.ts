// Original file: proto/minidfs/v1/data_transfer.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadBlockRequest {
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'offsetBytes'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
  'accessToken'?: (string);
}

export interface ReadBlockRequest__Output {
  'blockId': (number);
  'generationStamp': (number);
  'offsetBytes': (number);
  'lengthBytes': (number);
  'accessToken': (string);
}
