// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface InvalidateCommand {
  'blockIds'?: (number | string | Long)[];
}

export interface InvalidateCommand__Output {
  'blockIds': (number)[];
}
