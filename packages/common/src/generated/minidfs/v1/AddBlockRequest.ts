// Original file: proto/minidfs/v1/client_protocol.proto

import type { BlockRef as _minidfs_v1_BlockRef, BlockRef__Output as _minidfs_v1_BlockRef__Output } from '../../minidfs/v1/BlockRef';

export interface AddBlockRequest {
  'path'?: (string);
  'clientName'?: (string);
  'excludeNodeIds'?: (string)[];
  'previous'?: (_minidfs_v1_BlockRef | null);
}

export interface AddBlockRequest__Output {
  'path': (string);
  'clientName': (string);
  'excludeNodeIds': (string)[];
  'previous': (_minidfs_v1_BlockRef__Output | null);
}
