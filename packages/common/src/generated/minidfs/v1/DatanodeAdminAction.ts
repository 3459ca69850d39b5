// Original file: proto/minidfs/v1/client_protocol.proto

export const DatanodeAdminAction = {
  DATANODE_ADMIN_ACTION_UNSPECIFIED: 'DATANODE_ADMIN_ACTION_UNSPECIFIED',
  DECOMMISSION: 'DECOMMISSION',
  RECOMMISSION: 'RECOMMISSION',
  START_MAINTENANCE: 'START_MAINTENANCE',
  END_MAINTENANCE: 'END_MAINTENANCE',
} as const;

export type DatanodeAdminAction =
  | 'DATANODE_ADMIN_ACTION_UNSPECIFIED'
  | 0
  | 'DECOMMISSION'
  | 1
  | 'RECOMMISSION'
  | 2
  | 'START_MAINTENANCE'
  | 3
  | 'END_MAINTENANCE'
  | 4

export type DatanodeAdminAction__Output = typeof DatanodeAdminAction[keyof typeof DatanodeAdminAction]
