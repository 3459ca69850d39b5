// Original file: proto/minidfs/v1/membership.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeliverResponse as _minidfs_v1_DeliverResponse, DeliverResponse__Output as _minidfs_v1_DeliverResponse__Output } from '../../minidfs/v1/DeliverResponse';
import type { GetMembershipRequest as _minidfs_v1_GetMembershipRequest, GetMembershipRequest__Output as _minidfs_v1_GetMembershipRequest__Output } from '../../minidfs/v1/GetMembershipRequest';
import type { GetMembershipResponse as _minidfs_v1_GetMembershipResponse, GetMembershipResponse__Output as _minidfs_v1_GetMembershipResponse__Output } from '../../minidfs/v1/GetMembershipResponse';
import type { SwimEnvelope as _minidfs_v1_SwimEnvelope, SwimEnvelope__Output as _minidfs_v1_SwimEnvelope__Output } from '../../minidfs/v1/SwimEnvelope';

export interface MembershipClient extends grpc.Client {
  Deliver(argument: _minidfs_v1_SwimEnvelope, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _minidfs_v1_SwimEnvelope, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _minidfs_v1_SwimEnvelope, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _minidfs_v1_SwimEnvelope, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _minidfs_v1_SwimEnvelope, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _minidfs_v1_SwimEnvelope, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _minidfs_v1_SwimEnvelope, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _minidfs_v1_SwimEnvelope, callback: grpc.requestCallback<_minidfs_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  
  GetMembership(argument: _minidfs_v1_GetMembershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  GetMembership(argument: _minidfs_v1_GetMembershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  GetMembership(argument: _minidfs_v1_GetMembershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  GetMembership(argument: _minidfs_v1_GetMembershipRequest, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  getMembership(argument: _minidfs_v1_GetMembershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  getMembership(argument: _minidfs_v1_GetMembershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  getMembership(argument: _minidfs_v1_GetMembershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  getMembership(argument: _minidfs_v1_GetMembershipRequest, callback: grpc.requestCallback<_minidfs_v1_GetMembershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface MembershipHandlers extends grpc.UntypedServiceImplementation {
  Deliver: grpc.handleUnaryCall<_minidfs_v1_SwimEnvelope__Output, _minidfs_v1_DeliverResponse>;
  
  GetMembership: grpc.handleUnaryCall<_minidfs_v1_GetMembershipRequest__Output, _minidfs_v1_GetMembershipResponse>;
  
}

export interface MembershipDefinition extends grpc.ServiceDefinition {
  Deliver: MethodDefinition<_minidfs_v1_SwimEnvelope, _minidfs_v1_DeliverResponse, _minidfs_v1_SwimEnvelope__Output, _minidfs_v1_DeliverResponse__Output>
  GetMembership: MethodDefinition<_minidfs_v1_GetMembershipRequest, _minidfs_v1_GetMembershipResponse, _minidfs_v1_GetMembershipRequest__Output, _minidfs_v1_GetMembershipResponse__Output>
}
