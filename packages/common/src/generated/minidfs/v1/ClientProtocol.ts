// Original file: proto/minidfs/v1/client_protocol.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AbandonBlockRequest as _minidfs_v1_AbandonBlockRequest, AbandonBlockRequest__Output as _minidfs_v1_AbandonBlockRequest__Output } from '../../minidfs/v1/AbandonBlockRequest';
import type { AbandonBlockResponse as _minidfs_v1_AbandonBlockResponse, AbandonBlockResponse__Output as _minidfs_v1_AbandonBlockResponse__Output } from '../../minidfs/v1/AbandonBlockResponse';
import type { AddBlockRequest as _minidfs_v1_AddBlockRequest, AddBlockRequest__Output as _minidfs_v1_AddBlockRequest__Output } from '../../minidfs/v1/AddBlockRequest';
import type { AddBlockResponse as _minidfs_v1_AddBlockResponse, AddBlockResponse__Output as _minidfs_v1_AddBlockResponse__Output } from '../../minidfs/v1/AddBlockResponse';
import type { CompleteRequest as _minidfs_v1_CompleteRequest, CompleteRequest__Output as _minidfs_v1_CompleteRequest__Output } from '../../minidfs/v1/CompleteRequest';
import type { CompleteResponse as _minidfs_v1_CompleteResponse, CompleteResponse__Output as _minidfs_v1_CompleteResponse__Output } from '../../minidfs/v1/CompleteResponse';
import type { CreateRequest as _minidfs_v1_CreateRequest, CreateRequest__Output as _minidfs_v1_CreateRequest__Output } from '../../minidfs/v1/CreateRequest';
import type { CreateResponse as _minidfs_v1_CreateResponse, CreateResponse__Output as _minidfs_v1_CreateResponse__Output } from '../../minidfs/v1/CreateResponse';
import type { DeleteRequest as _minidfs_v1_DeleteRequest, DeleteRequest__Output as _minidfs_v1_DeleteRequest__Output } from '../../minidfs/v1/DeleteRequest';
import type { DeleteResponse as _minidfs_v1_DeleteResponse, DeleteResponse__Output as _minidfs_v1_DeleteResponse__Output } from '../../minidfs/v1/DeleteResponse';
import type { FsckRequest as _minidfs_v1_FsckRequest, FsckRequest__Output as _minidfs_v1_FsckRequest__Output } from '../../minidfs/v1/FsckRequest';
import type { FsckResponse as _minidfs_v1_FsckResponse, FsckResponse__Output as _minidfs_v1_FsckResponse__Output } from '../../minidfs/v1/FsckResponse';
import type { GetBlockLocationsRequest as _minidfs_v1_GetBlockLocationsRequest, GetBlockLocationsRequest__Output as _minidfs_v1_GetBlockLocationsRequest__Output } from '../../minidfs/v1/GetBlockLocationsRequest';
import type { GetBlockLocationsResponse as _minidfs_v1_GetBlockLocationsResponse, GetBlockLocationsResponse__Output as _minidfs_v1_GetBlockLocationsResponse__Output } from '../../minidfs/v1/GetBlockLocationsResponse';
import type { GetDatanodeReportRequest as _minidfs_v1_GetDatanodeReportRequest, GetDatanodeReportRequest__Output as _minidfs_v1_GetDatanodeReportRequest__Output } from '../../minidfs/v1/GetDatanodeReportRequest';
import type { GetDatanodeReportResponse as _minidfs_v1_GetDatanodeReportResponse, GetDatanodeReportResponse__Output as _minidfs_v1_GetDatanodeReportResponse__Output } from '../../minidfs/v1/GetDatanodeReportResponse';
import type { GetFileInfoRequest as _minidfs_v1_GetFileInfoRequest, GetFileInfoRequest__Output as _minidfs_v1_GetFileInfoRequest__Output } from '../../minidfs/v1/GetFileInfoRequest';
import type { GetFileInfoResponse as _minidfs_v1_GetFileInfoResponse, GetFileInfoResponse__Output as _minidfs_v1_GetFileInfoResponse__Output } from '../../minidfs/v1/GetFileInfoResponse';
import type { GetHaStatusRequest as _minidfs_v1_GetHaStatusRequest, GetHaStatusRequest__Output as _minidfs_v1_GetHaStatusRequest__Output } from '../../minidfs/v1/GetHaStatusRequest';
import type { GetHaStatusResponse as _minidfs_v1_GetHaStatusResponse, GetHaStatusResponse__Output as _minidfs_v1_GetHaStatusResponse__Output } from '../../minidfs/v1/GetHaStatusResponse';
import type { HaFailoverRequest as _minidfs_v1_HaFailoverRequest, HaFailoverRequest__Output as _minidfs_v1_HaFailoverRequest__Output } from '../../minidfs/v1/HaFailoverRequest';
import type { HaFailoverResponse as _minidfs_v1_HaFailoverResponse, HaFailoverResponse__Output as _minidfs_v1_HaFailoverResponse__Output } from '../../minidfs/v1/HaFailoverResponse';
import type { ListStatusRequest as _minidfs_v1_ListStatusRequest, ListStatusRequest__Output as _minidfs_v1_ListStatusRequest__Output } from '../../minidfs/v1/ListStatusRequest';
import type { ListStatusResponse as _minidfs_v1_ListStatusResponse, ListStatusResponse__Output as _minidfs_v1_ListStatusResponse__Output } from '../../minidfs/v1/ListStatusResponse';
import type { MkdirsRequest as _minidfs_v1_MkdirsRequest, MkdirsRequest__Output as _minidfs_v1_MkdirsRequest__Output } from '../../minidfs/v1/MkdirsRequest';
import type { MkdirsResponse as _minidfs_v1_MkdirsResponse, MkdirsResponse__Output as _minidfs_v1_MkdirsResponse__Output } from '../../minidfs/v1/MkdirsResponse';
import type { RecoverLeaseRequest as _minidfs_v1_RecoverLeaseRequest, RecoverLeaseRequest__Output as _minidfs_v1_RecoverLeaseRequest__Output } from '../../minidfs/v1/RecoverLeaseRequest';
import type { RecoverLeaseResponse as _minidfs_v1_RecoverLeaseResponse, RecoverLeaseResponse__Output as _minidfs_v1_RecoverLeaseResponse__Output } from '../../minidfs/v1/RecoverLeaseResponse';
import type { RenewLeaseRequest as _minidfs_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _minidfs_v1_RenewLeaseRequest__Output } from '../../minidfs/v1/RenewLeaseRequest';
import type { RenewLeaseResponse as _minidfs_v1_RenewLeaseResponse, RenewLeaseResponse__Output as _minidfs_v1_RenewLeaseResponse__Output } from '../../minidfs/v1/RenewLeaseResponse';
import type { ReportBadReplicaRequest as _minidfs_v1_ReportBadReplicaRequest, ReportBadReplicaRequest__Output as _minidfs_v1_ReportBadReplicaRequest__Output } from '../../minidfs/v1/ReportBadReplicaRequest';
import type { ReportBadReplicaResponse as _minidfs_v1_ReportBadReplicaResponse, ReportBadReplicaResponse__Output as _minidfs_v1_ReportBadReplicaResponse__Output } from '../../minidfs/v1/ReportBadReplicaResponse';
import type { SetDatanodeAdminStateRequest as _minidfs_v1_SetDatanodeAdminStateRequest, SetDatanodeAdminStateRequest__Output as _minidfs_v1_SetDatanodeAdminStateRequest__Output } from '../../minidfs/v1/SetDatanodeAdminStateRequest';
import type { SetDatanodeAdminStateResponse as _minidfs_v1_SetDatanodeAdminStateResponse, SetDatanodeAdminStateResponse__Output as _minidfs_v1_SetDatanodeAdminStateResponse__Output } from '../../minidfs/v1/SetDatanodeAdminStateResponse';
import type { SetReplicationRequest as _minidfs_v1_SetReplicationRequest, SetReplicationRequest__Output as _minidfs_v1_SetReplicationRequest__Output } from '../../minidfs/v1/SetReplicationRequest';
import type { SetReplicationResponse as _minidfs_v1_SetReplicationResponse, SetReplicationResponse__Output as _minidfs_v1_SetReplicationResponse__Output } from '../../minidfs/v1/SetReplicationResponse';
import type { SetSafeModeRequest as _minidfs_v1_SetSafeModeRequest, SetSafeModeRequest__Output as _minidfs_v1_SetSafeModeRequest__Output } from '../../minidfs/v1/SetSafeModeRequest';
import type { SetSafeModeResponse as _minidfs_v1_SetSafeModeResponse, SetSafeModeResponse__Output as _minidfs_v1_SetSafeModeResponse__Output } from '../../minidfs/v1/SetSafeModeResponse';

export interface ClientProtocolClient extends grpc.Client {
  AbandonBlock(argument: _minidfs_v1_AbandonBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  AbandonBlock(argument: _minidfs_v1_AbandonBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  AbandonBlock(argument: _minidfs_v1_AbandonBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  AbandonBlock(argument: _minidfs_v1_AbandonBlockRequest, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  abandonBlock(argument: _minidfs_v1_AbandonBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  abandonBlock(argument: _minidfs_v1_AbandonBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  abandonBlock(argument: _minidfs_v1_AbandonBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  abandonBlock(argument: _minidfs_v1_AbandonBlockRequest, callback: grpc.requestCallback<_minidfs_v1_AbandonBlockResponse__Output>): grpc.ClientUnaryCall;
  
  AddBlock(argument: _minidfs_v1_AddBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  AddBlock(argument: _minidfs_v1_AddBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  AddBlock(argument: _minidfs_v1_AddBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  AddBlock(argument: _minidfs_v1_AddBlockRequest, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  addBlock(argument: _minidfs_v1_AddBlockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  addBlock(argument: _minidfs_v1_AddBlockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  addBlock(argument: _minidfs_v1_AddBlockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  addBlock(argument: _minidfs_v1_AddBlockRequest, callback: grpc.requestCallback<_minidfs_v1_AddBlockResponse__Output>): grpc.ClientUnaryCall;
  
  Complete(argument: _minidfs_v1_CompleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  Complete(argument: _minidfs_v1_CompleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  Complete(argument: _minidfs_v1_CompleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  Complete(argument: _minidfs_v1_CompleteRequest, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  complete(argument: _minidfs_v1_CompleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  complete(argument: _minidfs_v1_CompleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  complete(argument: _minidfs_v1_CompleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  complete(argument: _minidfs_v1_CompleteRequest, callback: grpc.requestCallback<_minidfs_v1_CompleteResponse__Output>): grpc.ClientUnaryCall;
  
  Create(argument: _minidfs_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _minidfs_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _minidfs_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _minidfs_v1_CreateRequest, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _minidfs_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _minidfs_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _minidfs_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _minidfs_v1_CreateRequest, callback: grpc.requestCallback<_minidfs_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _minidfs_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _minidfs_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _minidfs_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _minidfs_v1_DeleteRequest, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _minidfs_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _minidfs_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _minidfs_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _minidfs_v1_DeleteRequest, callback: grpc.requestCallback<_minidfs_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  Fsck(argument: _minidfs_v1_FsckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _minidfs_v1_FsckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _minidfs_v1_FsckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _minidfs_v1_FsckRequest, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _minidfs_v1_FsckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _minidfs_v1_FsckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _minidfs_v1_FsckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _minidfs_v1_FsckRequest, callback: grpc.requestCallback<_minidfs_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  
  GetBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  GetBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  getBlockLocations(argument: _minidfs_v1_GetBlockLocationsRequest, callback: grpc.requestCallback<_minidfs_v1_GetBlockLocationsResponse__Output>): grpc.ClientUnaryCall;
  
  GetDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  GetDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  GetDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  GetDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  getDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  getDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  getDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  getDatanodeReport(argument: _minidfs_v1_GetDatanodeReportRequest, callback: grpc.requestCallback<_minidfs_v1_GetDatanodeReportResponse__Output>): grpc.ClientUnaryCall;
  
  GetFileInfo(argument: _minidfs_v1_GetFileInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  GetFileInfo(argument: _minidfs_v1_GetFileInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  GetFileInfo(argument: _minidfs_v1_GetFileInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  GetFileInfo(argument: _minidfs_v1_GetFileInfoRequest, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  getFileInfo(argument: _minidfs_v1_GetFileInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  getFileInfo(argument: _minidfs_v1_GetFileInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  getFileInfo(argument: _minidfs_v1_GetFileInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  getFileInfo(argument: _minidfs_v1_GetFileInfoRequest, callback: grpc.requestCallback<_minidfs_v1_GetFileInfoResponse__Output>): grpc.ClientUnaryCall;
  
  GetHaStatus(argument: _minidfs_v1_GetHaStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  GetHaStatus(argument: _minidfs_v1_GetHaStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  GetHaStatus(argument: _minidfs_v1_GetHaStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  GetHaStatus(argument: _minidfs_v1_GetHaStatusRequest, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  getHaStatus(argument: _minidfs_v1_GetHaStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  getHaStatus(argument: _minidfs_v1_GetHaStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  getHaStatus(argument: _minidfs_v1_GetHaStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  getHaStatus(argument: _minidfs_v1_GetHaStatusRequest, callback: grpc.requestCallback<_minidfs_v1_GetHaStatusResponse__Output>): grpc.ClientUnaryCall;
  
  HaFailover(argument: _minidfs_v1_HaFailoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  HaFailover(argument: _minidfs_v1_HaFailoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  HaFailover(argument: _minidfs_v1_HaFailoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  HaFailover(argument: _minidfs_v1_HaFailoverRequest, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  haFailover(argument: _minidfs_v1_HaFailoverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  haFailover(argument: _minidfs_v1_HaFailoverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  haFailover(argument: _minidfs_v1_HaFailoverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  haFailover(argument: _minidfs_v1_HaFailoverRequest, callback: grpc.requestCallback<_minidfs_v1_HaFailoverResponse__Output>): grpc.ClientUnaryCall;
  
  ListStatus(argument: _minidfs_v1_ListStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  ListStatus(argument: _minidfs_v1_ListStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  ListStatus(argument: _minidfs_v1_ListStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  ListStatus(argument: _minidfs_v1_ListStatusRequest, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  listStatus(argument: _minidfs_v1_ListStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  listStatus(argument: _minidfs_v1_ListStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  listStatus(argument: _minidfs_v1_ListStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  listStatus(argument: _minidfs_v1_ListStatusRequest, callback: grpc.requestCallback<_minidfs_v1_ListStatusResponse__Output>): grpc.ClientUnaryCall;
  
  Mkdirs(argument: _minidfs_v1_MkdirsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  Mkdirs(argument: _minidfs_v1_MkdirsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  Mkdirs(argument: _minidfs_v1_MkdirsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  Mkdirs(argument: _minidfs_v1_MkdirsRequest, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  mkdirs(argument: _minidfs_v1_MkdirsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  mkdirs(argument: _minidfs_v1_MkdirsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  mkdirs(argument: _minidfs_v1_MkdirsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  mkdirs(argument: _minidfs_v1_MkdirsRequest, callback: grpc.requestCallback<_minidfs_v1_MkdirsResponse__Output>): grpc.ClientUnaryCall;
  
  RecoverLease(argument: _minidfs_v1_RecoverLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  RecoverLease(argument: _minidfs_v1_RecoverLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  RecoverLease(argument: _minidfs_v1_RecoverLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  RecoverLease(argument: _minidfs_v1_RecoverLeaseRequest, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  recoverLease(argument: _minidfs_v1_RecoverLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  recoverLease(argument: _minidfs_v1_RecoverLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  recoverLease(argument: _minidfs_v1_RecoverLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  recoverLease(argument: _minidfs_v1_RecoverLeaseRequest, callback: grpc.requestCallback<_minidfs_v1_RecoverLeaseResponse__Output>): grpc.ClientUnaryCall;
  
  RenewLease(argument: _minidfs_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _minidfs_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _minidfs_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _minidfs_v1_RenewLeaseRequest, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _minidfs_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _minidfs_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _minidfs_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _minidfs_v1_RenewLeaseRequest, callback: grpc.requestCallback<_minidfs_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  
  ReportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  ReportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  reportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  reportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  reportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  reportBadReplica(argument: _minidfs_v1_ReportBadReplicaRequest, callback: grpc.requestCallback<_minidfs_v1_ReportBadReplicaResponse__Output>): grpc.ClientUnaryCall;
  
  SetDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  SetDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  SetDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  SetDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  setDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  setDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  setDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  setDatanodeAdminState(argument: _minidfs_v1_SetDatanodeAdminStateRequest, callback: grpc.requestCallback<_minidfs_v1_SetDatanodeAdminStateResponse__Output>): grpc.ClientUnaryCall;
  
  SetReplication(argument: _minidfs_v1_SetReplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  SetReplication(argument: _minidfs_v1_SetReplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  SetReplication(argument: _minidfs_v1_SetReplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  SetReplication(argument: _minidfs_v1_SetReplicationRequest, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  setReplication(argument: _minidfs_v1_SetReplicationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  setReplication(argument: _minidfs_v1_SetReplicationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  setReplication(argument: _minidfs_v1_SetReplicationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  setReplication(argument: _minidfs_v1_SetReplicationRequest, callback: grpc.requestCallback<_minidfs_v1_SetReplicationResponse__Output>): grpc.ClientUnaryCall;
  
  SetSafeMode(argument: _minidfs_v1_SetSafeModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  SetSafeMode(argument: _minidfs_v1_SetSafeModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  SetSafeMode(argument: _minidfs_v1_SetSafeModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  SetSafeMode(argument: _minidfs_v1_SetSafeModeRequest, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  setSafeMode(argument: _minidfs_v1_SetSafeModeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  setSafeMode(argument: _minidfs_v1_SetSafeModeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  setSafeMode(argument: _minidfs_v1_SetSafeModeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  setSafeMode(argument: _minidfs_v1_SetSafeModeRequest, callback: grpc.requestCallback<_minidfs_v1_SetSafeModeResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClientProtocolHandlers extends grpc.UntypedServiceImplementation {
  AbandonBlock: grpc.handleUnaryCall<_minidfs_v1_AbandonBlockRequest__Output, _minidfs_v1_AbandonBlockResponse>;
  
  AddBlock: grpc.handleUnaryCall<_minidfs_v1_AddBlockRequest__Output, _minidfs_v1_AddBlockResponse>;
  
  Complete: grpc.handleUnaryCall<_minidfs_v1_CompleteRequest__Output, _minidfs_v1_CompleteResponse>;
  
  Create: grpc.handleUnaryCall<_minidfs_v1_CreateRequest__Output, _minidfs_v1_CreateResponse>;
  
  Delete: grpc.handleUnaryCall<_minidfs_v1_DeleteRequest__Output, _minidfs_v1_DeleteResponse>;
  
  Fsck: grpc.handleUnaryCall<_minidfs_v1_FsckRequest__Output, _minidfs_v1_FsckResponse>;
  
  GetBlockLocations: grpc.handleUnaryCall<_minidfs_v1_GetBlockLocationsRequest__Output, _minidfs_v1_GetBlockLocationsResponse>;
  
  GetDatanodeReport: grpc.handleUnaryCall<_minidfs_v1_GetDatanodeReportRequest__Output, _minidfs_v1_GetDatanodeReportResponse>;
  
  GetFileInfo: grpc.handleUnaryCall<_minidfs_v1_GetFileInfoRequest__Output, _minidfs_v1_GetFileInfoResponse>;
  
  GetHaStatus: grpc.handleUnaryCall<_minidfs_v1_GetHaStatusRequest__Output, _minidfs_v1_GetHaStatusResponse>;
  
  HaFailover: grpc.handleUnaryCall<_minidfs_v1_HaFailoverRequest__Output, _minidfs_v1_HaFailoverResponse>;
  
  ListStatus: grpc.handleUnaryCall<_minidfs_v1_ListStatusRequest__Output, _minidfs_v1_ListStatusResponse>;
  
  Mkdirs: grpc.handleUnaryCall<_minidfs_v1_MkdirsRequest__Output, _minidfs_v1_MkdirsResponse>;
  
  RecoverLease: grpc.handleUnaryCall<_minidfs_v1_RecoverLeaseRequest__Output, _minidfs_v1_RecoverLeaseResponse>;
  
  RenewLease: grpc.handleUnaryCall<_minidfs_v1_RenewLeaseRequest__Output, _minidfs_v1_RenewLeaseResponse>;
  
  ReportBadReplica: grpc.handleUnaryCall<_minidfs_v1_ReportBadReplicaRequest__Output, _minidfs_v1_ReportBadReplicaResponse>;
  
  SetDatanodeAdminState: grpc.handleUnaryCall<_minidfs_v1_SetDatanodeAdminStateRequest__Output, _minidfs_v1_SetDatanodeAdminStateResponse>;
  
  SetReplication: grpc.handleUnaryCall<_minidfs_v1_SetReplicationRequest__Output, _minidfs_v1_SetReplicationResponse>;
  
  SetSafeMode: grpc.handleUnaryCall<_minidfs_v1_SetSafeModeRequest__Output, _minidfs_v1_SetSafeModeResponse>;
  
}

export interface ClientProtocolDefinition extends grpc.ServiceDefinition {
  AbandonBlock: MethodDefinition<_minidfs_v1_AbandonBlockRequest, _minidfs_v1_AbandonBlockResponse, _minidfs_v1_AbandonBlockRequest__Output, _minidfs_v1_AbandonBlockResponse__Output>
  AddBlock: MethodDefinition<_minidfs_v1_AddBlockRequest, _minidfs_v1_AddBlockResponse, _minidfs_v1_AddBlockRequest__Output, _minidfs_v1_AddBlockResponse__Output>
  Complete: MethodDefinition<_minidfs_v1_CompleteRequest, _minidfs_v1_CompleteResponse, _minidfs_v1_CompleteRequest__Output, _minidfs_v1_CompleteResponse__Output>
  Create: MethodDefinition<_minidfs_v1_CreateRequest, _minidfs_v1_CreateResponse, _minidfs_v1_CreateRequest__Output, _minidfs_v1_CreateResponse__Output>
  Delete: MethodDefinition<_minidfs_v1_DeleteRequest, _minidfs_v1_DeleteResponse, _minidfs_v1_DeleteRequest__Output, _minidfs_v1_DeleteResponse__Output>
  Fsck: MethodDefinition<_minidfs_v1_FsckRequest, _minidfs_v1_FsckResponse, _minidfs_v1_FsckRequest__Output, _minidfs_v1_FsckResponse__Output>
  GetBlockLocations: MethodDefinition<_minidfs_v1_GetBlockLocationsRequest, _minidfs_v1_GetBlockLocationsResponse, _minidfs_v1_GetBlockLocationsRequest__Output, _minidfs_v1_GetBlockLocationsResponse__Output>
  GetDatanodeReport: MethodDefinition<_minidfs_v1_GetDatanodeReportRequest, _minidfs_v1_GetDatanodeReportResponse, _minidfs_v1_GetDatanodeReportRequest__Output, _minidfs_v1_GetDatanodeReportResponse__Output>
  GetFileInfo: MethodDefinition<_minidfs_v1_GetFileInfoRequest, _minidfs_v1_GetFileInfoResponse, _minidfs_v1_GetFileInfoRequest__Output, _minidfs_v1_GetFileInfoResponse__Output>
  GetHaStatus: MethodDefinition<_minidfs_v1_GetHaStatusRequest, _minidfs_v1_GetHaStatusResponse, _minidfs_v1_GetHaStatusRequest__Output, _minidfs_v1_GetHaStatusResponse__Output>
  HaFailover: MethodDefinition<_minidfs_v1_HaFailoverRequest, _minidfs_v1_HaFailoverResponse, _minidfs_v1_HaFailoverRequest__Output, _minidfs_v1_HaFailoverResponse__Output>
  ListStatus: MethodDefinition<_minidfs_v1_ListStatusRequest, _minidfs_v1_ListStatusResponse, _minidfs_v1_ListStatusRequest__Output, _minidfs_v1_ListStatusResponse__Output>
  Mkdirs: MethodDefinition<_minidfs_v1_MkdirsRequest, _minidfs_v1_MkdirsResponse, _minidfs_v1_MkdirsRequest__Output, _minidfs_v1_MkdirsResponse__Output>
  RecoverLease: MethodDefinition<_minidfs_v1_RecoverLeaseRequest, _minidfs_v1_RecoverLeaseResponse, _minidfs_v1_RecoverLeaseRequest__Output, _minidfs_v1_RecoverLeaseResponse__Output>
  RenewLease: MethodDefinition<_minidfs_v1_RenewLeaseRequest, _minidfs_v1_RenewLeaseResponse, _minidfs_v1_RenewLeaseRequest__Output, _minidfs_v1_RenewLeaseResponse__Output>
  ReportBadReplica: MethodDefinition<_minidfs_v1_ReportBadReplicaRequest, _minidfs_v1_ReportBadReplicaResponse, _minidfs_v1_ReportBadReplicaRequest__Output, _minidfs_v1_ReportBadReplicaResponse__Output>
  SetDatanodeAdminState: MethodDefinition<_minidfs_v1_SetDatanodeAdminStateRequest, _minidfs_v1_SetDatanodeAdminStateResponse, _minidfs_v1_SetDatanodeAdminStateRequest__Output, _minidfs_v1_SetDatanodeAdminStateResponse__Output>
  SetReplication: MethodDefinition<_minidfs_v1_SetReplicationRequest, _minidfs_v1_SetReplicationResponse, _minidfs_v1_SetReplicationRequest__Output, _minidfs_v1_SetReplicationResponse__Output>
  SetSafeMode: MethodDefinition<_minidfs_v1_SetSafeModeRequest, _minidfs_v1_SetSafeModeResponse, _minidfs_v1_SetSafeModeRequest__Output, _minidfs_v1_SetSafeModeResponse__Output>
}
