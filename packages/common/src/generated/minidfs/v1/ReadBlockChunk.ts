// Original file: proto/minidfs/v1/data_transfer.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadBlockChunk {
  'offsetBytes'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'chunkCrcs'?: (number)[];
}

export interface ReadBlockChunk__Output {
  'offsetBytes': (number);
  'data': (Buffer);
  'chunkCrcs': (number)[];
}
