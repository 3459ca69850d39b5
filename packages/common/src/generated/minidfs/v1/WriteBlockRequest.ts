// Original file: proto/minidfs/v1/data_transfer.proto

import type { WriteBlockHeader as _minidfs_v1_WriteBlockHeader, WriteBlockHeader__Output as _minidfs_v1_WriteBlockHeader__Output } from '../../minidfs/v1/WriteBlockHeader';
import type { WritePacket as _minidfs_v1_WritePacket, WritePacket__Output as _minidfs_v1_WritePacket__Output } from '../../minidfs/v1/WritePacket';

export interface WriteBlockRequest {
  'header'?: (_minidfs_v1_WriteBlockHeader | null);
  'packet'?: (_minidfs_v1_WritePacket | null);
  'kind'?: "header"|"packet";
}

export interface WriteBlockRequest__Output {
  'header'?: (_minidfs_v1_WriteBlockHeader__Output | null);
  'packet'?: (_minidfs_v1_WritePacket__Output | null);
  'kind'?: "header"|"packet";
}
