// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { Long } from '@grpc/proto-loader';

export interface DatanodeInfo {
  'id'?: (string);
  'uuid'?: (string);
  'host'?: (string);
  'dataPort'?: (number);
  'httpPort'?: (number);
  'rack'?: (string);
  'capacityBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'remainingBytes'?: (number | string | Long);
  'softwareVersion'?: (string);
  'membershipAddress'?: (string);
  'filesystemId'?: (string);
  'transferPort'?: (number);
}

export interface DatanodeInfo__Output {
  'id': (string);
  'uuid': (string);
  'host': (string);
  'dataPort': (number);
  'httpPort': (number);
  'rack': (string);
  'capacityBytes': (number);
  'usedBytes': (number);
  'remainingBytes': (number);
  'softwareVersion': (string);
  'membershipAddress': (string);
  'filesystemId': (string);
  'transferPort': (number);
}
