// Original file: proto/minidfs/v1/client_protocol.proto

import type { BlockRef as _minidfs_v1_BlockRef, BlockRef__Output as _minidfs_v1_BlockRef__Output } from '../../minidfs/v1/BlockRef';

export interface CompleteRequest {
  'path'?: (string);
  'clientName'?: (string);
  'blocks'?: (_minidfs_v1_BlockRef)[];
}

export interface CompleteRequest__Output {
  'path': (string);
  'clientName': (string);
  'blocks': (_minidfs_v1_BlockRef__Output)[];
}
