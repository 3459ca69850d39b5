// Original file: proto/minidfs/v1/client_protocol.proto

import type { SafeModeStatus as _minidfs_v1_SafeModeStatus, SafeModeStatus__Output as _minidfs_v1_SafeModeStatus__Output } from '../../minidfs/v1/SafeModeStatus';

export interface SetSafeModeResponse {
  'status'?: (_minidfs_v1_SafeModeStatus | null);
}

export interface SetSafeModeResponse__Output {
  'status': (_minidfs_v1_SafeModeStatus__Output | null);
}
