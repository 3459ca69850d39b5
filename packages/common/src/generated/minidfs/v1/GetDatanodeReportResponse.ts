// Original file: proto/minidfs/v1/client_protocol.proto

import type { DatanodeReport as _minidfs_v1_DatanodeReport, DatanodeReport__Output as _minidfs_v1_DatanodeReport__Output } from '../../minidfs/v1/DatanodeReport';
import type { SafeModeStatus as _minidfs_v1_SafeModeStatus, SafeModeStatus__Output as _minidfs_v1_SafeModeStatus__Output } from '../../minidfs/v1/SafeModeStatus';

export interface GetDatanodeReportResponse {
  'datanodes'?: (_minidfs_v1_DatanodeReport)[];
  'safeMode'?: (boolean);
  'safeModeStatus'?: (_minidfs_v1_SafeModeStatus | null);
}

export interface GetDatanodeReportResponse__Output {
  'datanodes': (_minidfs_v1_DatanodeReport__Output)[];
  'safeMode': (boolean);
  'safeModeStatus': (_minidfs_v1_SafeModeStatus__Output | null);
}
