// Original file: proto/minidfs/v1/membership.proto

export const MemberState = {
  MEMBER_STATE_UNSPECIFIED: 'MEMBER_STATE_UNSPECIFIED',
  ALIVE: 'ALIVE',
  SUSPECT: 'SUSPECT',
  DEAD: 'DEAD',
  LEFT: 'LEFT',
} as const;

export type MemberState =
  | 'MEMBER_STATE_UNSPECIFIED'
  | 0
  | 'ALIVE'
  | 1
  | 'SUSPECT'
  | 2
  | 'DEAD'
  | 3
  | 'LEFT'
  | 4

export type MemberState__Output = typeof MemberState[keyof typeof MemberState]
