// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface SafeModeStatus {
  'on'?: (boolean);
  'manual'?: (boolean);
  'startup'?: (boolean);
  'reportedBlocks'?: (number | string | Long);
  'totalBlocks'?: (number | string | Long);
  'threshold'?: (number | string);
  'liveDatanodes'?: (number);
  'reportedDatanodes'?: (number);
  'extensionMs'?: (number | string | Long);
  'autoExitInMs'?: (number | string | Long);
}

export interface SafeModeStatus__Output {
  'on': (boolean);
  'manual': (boolean);
  'startup': (boolean);
  'reportedBlocks': (number);
  'totalBlocks': (number);
  'threshold': (number);
  'liveDatanodes': (number);
  'reportedDatanodes': (number);
  'extensionMs': (number);
  'autoExitInMs': (number);
}
