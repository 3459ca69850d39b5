// Original file: proto/minidfs/v1/data_transfer.proto

import type { Long } from '@grpc/proto-loader';

export interface WritePacket {
  'seqno'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'chunkCrcs'?: (number)[];
  'last'?: (boolean);
}

export interface WritePacket__Output {
  'seqno': (number);
  'data': (Buffer);
  'chunkCrcs': (number)[];
  'last': (boolean);
}
