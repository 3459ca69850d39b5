// Original file: proto/minidfs/v1/client_protocol.proto

import type { SafeModeAction as _minidfs_v1_SafeModeAction, SafeModeAction__Output as _minidfs_v1_SafeModeAction__Output } from '../../minidfs/v1/SafeModeAction';

export interface SetSafeModeRequest {
  'action'?: (_minidfs_v1_SafeModeAction);
}

export interface SetSafeModeRequest__Output {
  'action': (_minidfs_v1_SafeModeAction__Output);
}
