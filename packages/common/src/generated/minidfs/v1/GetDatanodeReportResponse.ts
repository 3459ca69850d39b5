// Original file: proto/minidfs/v1/client_protocol.proto

import type { DatanodeReport as _minidfs_v1_DatanodeReport, DatanodeReport__Output as _minidfs_v1_DatanodeReport__Output } from '../../minidfs/v1/DatanodeReport';

export interface GetDatanodeReportResponse {
  'datanodes'?: (_minidfs_v1_DatanodeReport)[];
  'safeMode'?: (boolean);
}

export interface GetDatanodeReportResponse__Output {
  'datanodes': (_minidfs_v1_DatanodeReport__Output)[];
  'safeMode': (boolean);
}
