// Original file: proto/minidfs/v1/client_protocol.proto

export const SafeModeAction = {
  SAFE_MODE_ACTION_UNSPECIFIED: 'SAFE_MODE_ACTION_UNSPECIFIED',
  SAFE_MODE_GET: 'SAFE_MODE_GET',
  SAFE_MODE_ENTER: 'SAFE_MODE_ENTER',
  SAFE_MODE_LEAVE: 'SAFE_MODE_LEAVE',
} as const;

export type SafeModeAction =
  | 'SAFE_MODE_ACTION_UNSPECIFIED'
  | 0
  | 'SAFE_MODE_GET'
  | 1
  | 'SAFE_MODE_ENTER'
  | 2
  | 'SAFE_MODE_LEAVE'
  | 3

export type SafeModeAction__Output = typeof SafeModeAction[keyof typeof SafeModeAction]
