// Original file: proto/minidfs/v1/datanode_protocol.proto

export const HaRole = {
  HA_ROLE_UNSPECIFIED: 'HA_ROLE_UNSPECIFIED',
  ACTIVE: 'ACTIVE',
  STANDBY: 'STANDBY',
} as const;

export type HaRole =
  | 'HA_ROLE_UNSPECIFIED'
  | 0
  | 'ACTIVE'
  | 1
  | 'STANDBY'
  | 2

export type HaRole__Output = typeof HaRole[keyof typeof HaRole]
