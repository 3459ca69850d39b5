// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface FileStatus {
  'path'?: (string);
  'isDirectory'?: (boolean);
  'lengthBytes'?: (number | string | Long);
  'replication'?: (number);
  'blockSizeBytes'?: (number | string | Long);
  'modificationTimeMs'?: (number | string | Long);
  'complete'?: (boolean);
  'blockCount'?: (number);
  'fileId'?: (number | string | Long);
}

export interface FileStatus__Output {
  'path': (string);
  'isDirectory': (boolean);
  'lengthBytes': (number);
  'replication': (number);
  'blockSizeBytes': (number);
  'modificationTimeMs': (number);
  'complete': (boolean);
  'blockCount': (number);
  'fileId': (number);
}
