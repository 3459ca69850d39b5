// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface SetDatanodeAdminStateResponse {
  'nodeId'?: (string);
  'adminState'?: (string);
  'maintenanceExpiresInMs'?: (number | string | Long);
}

export interface SetDatanodeAdminStateResponse__Output {
  'nodeId': (string);
  'adminState': (string);
  'maintenanceExpiresInMs': (number);
}
