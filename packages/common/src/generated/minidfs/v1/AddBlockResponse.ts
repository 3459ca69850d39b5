// Original file: proto/minidfs/v1/client_protocol.proto

import type { LocatedBlock as _minidfs_v1_LocatedBlock, LocatedBlock__Output as _minidfs_v1_LocatedBlock__Output } from '../../minidfs/v1/LocatedBlock';

export interface AddBlockResponse {
  'block'?: (_minidfs_v1_LocatedBlock | null);
}

export interface AddBlockResponse__Output {
  'block': (_minidfs_v1_LocatedBlock__Output | null);
}
