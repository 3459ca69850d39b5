// Original file: proto/minidfs/v1/data_transfer.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferStatus {
  'seqno'?: (number | string | Long);
  'ackedBy'?: (string)[];
  'finalized'?: (boolean);
  'lengthBytes'?: (number | string | Long);
  'errorCode'?: (string);
  'errorMessage'?: (string);
  'badNode'?: (string);
}

export interface TransferStatus__Output {
  'seqno': (number);
  'ackedBy': (string)[];
  'finalized': (boolean);
  'lengthBytes': (number);
  'errorCode': (string);
  'errorMessage': (string);
  'badNode': (string);
}
