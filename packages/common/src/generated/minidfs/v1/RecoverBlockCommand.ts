// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface RecoverBlockCommand {
  'blockId'?: (number | string | Long);
  'generationStamp'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
}

export interface RecoverBlockCommand__Output {
  'blockId': (number);
  'generationStamp': (number);
  'lengthBytes': (number);
}
