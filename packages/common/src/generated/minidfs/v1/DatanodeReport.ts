// Original file: proto/minidfs/v1/client_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface DatanodeReport {
  'id'?: (string);
  'address'?: (string);
  'state'?: (string);
  'lastHeartbeatMsAgo'?: (number | string | Long);
  'missedBeats'?: (number);
  'blocks'?: (number);
  'capacityBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'remainingBytes'?: (number | string | Long);
  'rack'?: (string);
  'filesystemId'?: (string);
  'adminState'?: (string);
  'maintenanceExpiresInMs'?: (number | string | Long);
}

export interface DatanodeReport__Output {
  'id': (string);
  'address': (string);
  'state': (string);
  'lastHeartbeatMsAgo': (number);
  'missedBeats': (number);
  'blocks': (number);
  'capacityBytes': (number);
  'usedBytes': (number);
  'remainingBytes': (number);
  'rack': (string);
  'filesystemId': (string);
  'adminState': (string);
  'maintenanceExpiresInMs': (number);
}
