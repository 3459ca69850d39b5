// Original file: proto/minidfs/v1/data_transfer.proto

import type { Long } from '@grpc/proto-loader';

export interface WriteBlockAck {
  'seqno'?: (number | string | Long);
  'ackedBy'?: (string)[];
  'finalized'?: (boolean);
  'lengthBytes'?: (number | string | Long);
}

export interface WriteBlockAck__Output {
  'seqno': (number);
  'ackedBy': (string)[];
  'finalized': (boolean);
  'lengthBytes': (number);
}
