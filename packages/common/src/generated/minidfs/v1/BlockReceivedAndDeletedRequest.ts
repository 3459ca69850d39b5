// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { ReportedBlock as _minidfs_v1_ReportedBlock, ReportedBlock__Output as _minidfs_v1_ReportedBlock__Output } from '../../minidfs/v1/ReportedBlock';
import type { Long } from '@grpc/proto-loader';

export interface BlockReceivedAndDeletedRequest {
  'nodeId'?: (string);
  'registrationId'?: (string);
  'received'?: (_minidfs_v1_ReportedBlock)[];
  'deleted'?: (number | string | Long)[];
  'beingWritten'?: (_minidfs_v1_ReportedBlock)[];
}

export interface BlockReceivedAndDeletedRequest__Output {
  'nodeId': (string);
  'registrationId': (string);
  'received': (_minidfs_v1_ReportedBlock__Output)[];
  'deleted': (number)[];
  'beingWritten': (_minidfs_v1_ReportedBlock__Output)[];
}
