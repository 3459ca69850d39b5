// Original file: proto/minidfs/v1/client_protocol.proto

import type { DatanodeAdminAction as _minidfs_v1_DatanodeAdminAction, DatanodeAdminAction__Output as _minidfs_v1_DatanodeAdminAction__Output } from '../../minidfs/v1/DatanodeAdminAction';
import type { Long } from '@grpc/proto-loader';

export interface SetDatanodeAdminStateRequest {
  'nodeId'?: (string);
  'action'?: (_minidfs_v1_DatanodeAdminAction);
  'maintenanceDurationMs'?: (number | string | Long);
}

export interface SetDatanodeAdminStateRequest__Output {
  'nodeId': (string);
  'action': (_minidfs_v1_DatanodeAdminAction__Output);
  'maintenanceDurationMs': (number);
}
