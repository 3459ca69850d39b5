// Original file: proto/minidfs/v1/datanode_protocol.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BlockReceivedAndDeletedRequest as _minidfs_v1_BlockReceivedAndDeletedRequest, BlockReceivedAndDeletedRequest__Output as _minidfs_v1_BlockReceivedAndDeletedRequest__Output } from '../../minidfs/v1/BlockReceivedAndDeletedRequest';
import type { BlockReceivedAndDeletedResponse as _minidfs_v1_BlockReceivedAndDeletedResponse, BlockReceivedAndDeletedResponse__Output as _minidfs_v1_BlockReceivedAndDeletedResponse__Output } from '../../minidfs/v1/BlockReceivedAndDeletedResponse';
import type { BlockReportRequest as _minidfs_v1_BlockReportRequest, BlockReportRequest__Output as _minidfs_v1_BlockReportRequest__Output } from '../../minidfs/v1/BlockReportRequest';
import type { BlockReportResponse as _minidfs_v1_BlockReportResponse, BlockReportResponse__Output as _minidfs_v1_BlockReportResponse__Output } from '../../minidfs/v1/BlockReportResponse';
import type { HeartbeatRequest as _minidfs_v1_HeartbeatRequest, HeartbeatRequest__Output as _minidfs_v1_HeartbeatRequest__Output } from '../../minidfs/v1/HeartbeatRequest';
import type { HeartbeatResponse as _minidfs_v1_HeartbeatResponse, HeartbeatResponse__Output as _minidfs_v1_HeartbeatResponse__Output } from '../../minidfs/v1/HeartbeatResponse';
import type { RegisterRequest as _minidfs_v1_RegisterRequest, RegisterRequest__Output as _minidfs_v1_RegisterRequest__Output } from '../../minidfs/v1/RegisterRequest';
import type { RegisterResponse as _minidfs_v1_RegisterResponse, RegisterResponse__Output as _minidfs_v1_RegisterResponse__Output } from '../../minidfs/v1/RegisterResponse';
import type { ReportBadBlocksRequest as _minidfs_v1_ReportBadBlocksRequest, ReportBadBlocksRequest__Output as _minidfs_v1_ReportBadBlocksRequest__Output } from '../../minidfs/v1/ReportBadBlocksRequest';
import type { ReportBadBlocksResponse as _minidfs_v1_ReportBadBlocksResponse, ReportBadBlocksResponse__Output as _minidfs_v1_ReportBadBlocksResponse__Output } from '../../minidfs/v1/ReportBadBlocksResponse';

export interface DatanodeProtocolClient extends grpc.Client {
  BlockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  BlockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  BlockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  BlockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  blockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  blockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  blockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  blockReceivedAndDeleted(argument: _minidfs_v1_BlockReceivedAndDeletedRequest, callback: grpc.requestCallback<_minidfs_v1_BlockReceivedAndDeletedResponse__Output>): grpc.ClientUnaryCall;
  
  BlockReport(argument: _minidfs_v1_BlockReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  BlockReport(argument: _minidfs_v1_BlockReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  BlockReport(argument: _minidfs_v1_BlockReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  BlockReport(argument: _minidfs_v1_BlockReportRequest, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  blockReport(argument: _minidfs_v1_BlockReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  blockReport(argument: _minidfs_v1_BlockReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  blockReport(argument: _minidfs_v1_BlockReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  blockReport(argument: _minidfs_v1_BlockReportRequest, callback: grpc.requestCallback<_minidfs_v1_BlockReportResponse__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatResponse__Output>;
  Heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatResponse__Output>;
  heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatResponse__Output>;
  heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatResponse__Output>;
  
  Register(argument: _minidfs_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _minidfs_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _minidfs_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _minidfs_v1_RegisterRequest, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _minidfs_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _minidfs_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _minidfs_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _minidfs_v1_RegisterRequest, callback: grpc.requestCallback<_minidfs_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  ReportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  ReportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  ReportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  ReportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  reportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  reportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  reportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  reportBadBlocks(argument: _minidfs_v1_ReportBadBlocksRequest, callback: grpc.requestCallback<_minidfs_v1_ReportBadBlocksResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface DatanodeProtocolHandlers extends grpc.UntypedServiceImplementation {
  BlockReceivedAndDeleted: grpc.handleUnaryCall<_minidfs_v1_BlockReceivedAndDeletedRequest__Output, _minidfs_v1_BlockReceivedAndDeletedResponse>;
  
  BlockReport: grpc.handleUnaryCall<_minidfs_v1_BlockReportRequest__Output, _minidfs_v1_BlockReportResponse>;
  
  Heartbeat: grpc.handleBidiStreamingCall<_minidfs_v1_HeartbeatRequest__Output, _minidfs_v1_HeartbeatResponse>;
  
  Register: grpc.handleUnaryCall<_minidfs_v1_RegisterRequest__Output, _minidfs_v1_RegisterResponse>;
  
  ReportBadBlocks: grpc.handleUnaryCall<_minidfs_v1_ReportBadBlocksRequest__Output, _minidfs_v1_ReportBadBlocksResponse>;
  
}

export interface DatanodeProtocolDefinition extends grpc.ServiceDefinition {
  BlockReceivedAndDeleted: MethodDefinition<_minidfs_v1_BlockReceivedAndDeletedRequest, _minidfs_v1_BlockReceivedAndDeletedResponse, _minidfs_v1_BlockReceivedAndDeletedRequest__Output, _minidfs_v1_BlockReceivedAndDeletedResponse__Output>
  BlockReport: MethodDefinition<_minidfs_v1_BlockReportRequest, _minidfs_v1_BlockReportResponse, _minidfs_v1_BlockReportRequest__Output, _minidfs_v1_BlockReportResponse__Output>
  Heartbeat: MethodDefinition<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatResponse, _minidfs_v1_HeartbeatRequest__Output, _minidfs_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_minidfs_v1_RegisterRequest, _minidfs_v1_RegisterResponse, _minidfs_v1_RegisterRequest__Output, _minidfs_v1_RegisterResponse__Output>
  ReportBadBlocks: MethodDefinition<_minidfs_v1_ReportBadBlocksRequest, _minidfs_v1_ReportBadBlocksResponse, _minidfs_v1_ReportBadBlocksRequest__Output, _minidfs_v1_ReportBadBlocksResponse__Output>
}
