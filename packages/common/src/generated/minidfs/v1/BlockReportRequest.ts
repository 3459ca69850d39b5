// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { ReportedBlock as _minidfs_v1_ReportedBlock, ReportedBlock__Output as _minidfs_v1_ReportedBlock__Output } from '../../minidfs/v1/ReportedBlock';

export interface BlockReportRequest {
  'nodeId'?: (string);
  'registrationId'?: (string);
  'blocks'?: (_minidfs_v1_ReportedBlock)[];
  'beingWritten'?: (_minidfs_v1_ReportedBlock)[];
}

export interface BlockReportRequest__Output {
  'nodeId': (string);
  'registrationId': (string);
  'blocks': (_minidfs_v1_ReportedBlock__Output)[];
  'beingWritten': (_minidfs_v1_ReportedBlock__Output)[];
}
