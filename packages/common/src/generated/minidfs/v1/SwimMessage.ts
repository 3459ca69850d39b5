// Original file: proto/minidfs/v1/membership.proto

import type { MemberUpdate as _minidfs_v1_MemberUpdate, MemberUpdate__Output as _minidfs_v1_MemberUpdate__Output } from '../../minidfs/v1/MemberUpdate';
import type { SwimPing as _minidfs_v1_SwimPing, SwimPing__Output as _minidfs_v1_SwimPing__Output } from '../../minidfs/v1/SwimPing';
import type { SwimPingReq as _minidfs_v1_SwimPingReq, SwimPingReq__Output as _minidfs_v1_SwimPingReq__Output } from '../../minidfs/v1/SwimPingReq';
import type { SwimAck as _minidfs_v1_SwimAck, SwimAck__Output as _minidfs_v1_SwimAck__Output } from '../../minidfs/v1/SwimAck';
import type { SwimSync as _minidfs_v1_SwimSync, SwimSync__Output as _minidfs_v1_SwimSync__Output } from '../../minidfs/v1/SwimSync';
import type { SwimGossip as _minidfs_v1_SwimGossip, SwimGossip__Output as _minidfs_v1_SwimGossip__Output } from '../../minidfs/v1/SwimGossip';
import type { Long } from '@grpc/proto-loader';

export interface SwimMessage {
  'from'?: (string);
  'fromAddress'?: (string);
  'fromIncarnation'?: (number | string | Long);
  'updates'?: (_minidfs_v1_MemberUpdate)[];
  'ping'?: (_minidfs_v1_SwimPing | null);
  'pingReq'?: (_minidfs_v1_SwimPingReq | null);
  'ack'?: (_minidfs_v1_SwimAck | null);
  'sync'?: (_minidfs_v1_SwimSync | null);
  'gossip'?: (_minidfs_v1_SwimGossip | null);
  'body'?: "ping"|"pingReq"|"ack"|"sync"|"gossip";
}

export interface SwimMessage__Output {
  'from': (string);
  'fromAddress': (string);
  'fromIncarnation': (number);
  'updates': (_minidfs_v1_MemberUpdate__Output)[];
  'ping'?: (_minidfs_v1_SwimPing__Output | null);
  'pingReq'?: (_minidfs_v1_SwimPingReq__Output | null);
  'ack'?: (_minidfs_v1_SwimAck__Output | null);
  'sync'?: (_minidfs_v1_SwimSync__Output | null);
  'gossip'?: (_minidfs_v1_SwimGossip__Output | null);
  'body'?: "ping"|"pingReq"|"ack"|"sync"|"gossip";
}
