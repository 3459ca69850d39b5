import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AbandonBlockRequest as _minidfs_v1_AbandonBlockRequest, AbandonBlockRequest__Output as _minidfs_v1_AbandonBlockRequest__Output } from './minidfs/v1/AbandonBlockRequest';
import type { AbandonBlockResponse as _minidfs_v1_AbandonBlockResponse, AbandonBlockResponse__Output as _minidfs_v1_AbandonBlockResponse__Output } from './minidfs/v1/AbandonBlockResponse';
import type { AddBlockRequest as _minidfs_v1_AddBlockRequest, AddBlockRequest__Output as _minidfs_v1_AddBlockRequest__Output } from './minidfs/v1/AddBlockRequest';
import type { AddBlockResponse as _minidfs_v1_AddBlockResponse, AddBlockResponse__Output as _minidfs_v1_AddBlockResponse__Output } from './minidfs/v1/AddBlockResponse';
import type { BlockReceivedAndDeletedRequest as _minidfs_v1_BlockReceivedAndDeletedRequest, BlockReceivedAndDeletedRequest__Output as _minidfs_v1_BlockReceivedAndDeletedRequest__Output } from './minidfs/v1/BlockReceivedAndDeletedRequest';
import type { BlockReceivedAndDeletedResponse as _minidfs_v1_BlockReceivedAndDeletedResponse, BlockReceivedAndDeletedResponse__Output as _minidfs_v1_BlockReceivedAndDeletedResponse__Output } from './minidfs/v1/BlockReceivedAndDeletedResponse';
import type { BlockRef as _minidfs_v1_BlockRef, BlockRef__Output as _minidfs_v1_BlockRef__Output } from './minidfs/v1/BlockRef';
import type { BlockReportRequest as _minidfs_v1_BlockReportRequest, BlockReportRequest__Output as _minidfs_v1_BlockReportRequest__Output } from './minidfs/v1/BlockReportRequest';
import type { BlockReportResponse as _minidfs_v1_BlockReportResponse, BlockReportResponse__Output as _minidfs_v1_BlockReportResponse__Output } from './minidfs/v1/BlockReportResponse';
import type { ClientProtocolClient as _minidfs_v1_ClientProtocolClient, ClientProtocolDefinition as _minidfs_v1_ClientProtocolDefinition } from './minidfs/v1/ClientProtocol';
import type { CompleteRequest as _minidfs_v1_CompleteRequest, CompleteRequest__Output as _minidfs_v1_CompleteRequest__Output } from './minidfs/v1/CompleteRequest';
import type { CompleteResponse as _minidfs_v1_CompleteResponse, CompleteResponse__Output as _minidfs_v1_CompleteResponse__Output } from './minidfs/v1/CompleteResponse';
import type { CreateRequest as _minidfs_v1_CreateRequest, CreateRequest__Output as _minidfs_v1_CreateRequest__Output } from './minidfs/v1/CreateRequest';
import type { CreateResponse as _minidfs_v1_CreateResponse, CreateResponse__Output as _minidfs_v1_CreateResponse__Output } from './minidfs/v1/CreateResponse';
import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from './minidfs/v1/DatanodeCommand';
import type { DatanodeInfo as _minidfs_v1_DatanodeInfo, DatanodeInfo__Output as _minidfs_v1_DatanodeInfo__Output } from './minidfs/v1/DatanodeInfo';
import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from './minidfs/v1/DatanodeLocation';
import type { DatanodeProtocolClient as _minidfs_v1_DatanodeProtocolClient, DatanodeProtocolDefinition as _minidfs_v1_DatanodeProtocolDefinition } from './minidfs/v1/DatanodeProtocol';
import type { DatanodeReport as _minidfs_v1_DatanodeReport, DatanodeReport__Output as _minidfs_v1_DatanodeReport__Output } from './minidfs/v1/DatanodeReport';
import type { DeleteRequest as _minidfs_v1_DeleteRequest, DeleteRequest__Output as _minidfs_v1_DeleteRequest__Output } from './minidfs/v1/DeleteRequest';
import type { DeleteResponse as _minidfs_v1_DeleteResponse, DeleteResponse__Output as _minidfs_v1_DeleteResponse__Output } from './minidfs/v1/DeleteResponse';
import type { DeliverResponse as _minidfs_v1_DeliverResponse, DeliverResponse__Output as _minidfs_v1_DeliverResponse__Output } from './minidfs/v1/DeliverResponse';
import type { FileStatus as _minidfs_v1_FileStatus, FileStatus__Output as _minidfs_v1_FileStatus__Output } from './minidfs/v1/FileStatus';
import type { FsckRequest as _minidfs_v1_FsckRequest, FsckRequest__Output as _minidfs_v1_FsckRequest__Output } from './minidfs/v1/FsckRequest';
import type { FsckResponse as _minidfs_v1_FsckResponse, FsckResponse__Output as _minidfs_v1_FsckResponse__Output } from './minidfs/v1/FsckResponse';
import type { GetBlockLocationsRequest as _minidfs_v1_GetBlockLocationsRequest, GetBlockLocationsRequest__Output as _minidfs_v1_GetBlockLocationsRequest__Output } from './minidfs/v1/GetBlockLocationsRequest';
import type { GetBlockLocationsResponse as _minidfs_v1_GetBlockLocationsResponse, GetBlockLocationsResponse__Output as _minidfs_v1_GetBlockLocationsResponse__Output } from './minidfs/v1/GetBlockLocationsResponse';
import type { GetDatanodeReportRequest as _minidfs_v1_GetDatanodeReportRequest, GetDatanodeReportRequest__Output as _minidfs_v1_GetDatanodeReportRequest__Output } from './minidfs/v1/GetDatanodeReportRequest';
import type { GetDatanodeReportResponse as _minidfs_v1_GetDatanodeReportResponse, GetDatanodeReportResponse__Output as _minidfs_v1_GetDatanodeReportResponse__Output } from './minidfs/v1/GetDatanodeReportResponse';
import type { GetFileInfoRequest as _minidfs_v1_GetFileInfoRequest, GetFileInfoRequest__Output as _minidfs_v1_GetFileInfoRequest__Output } from './minidfs/v1/GetFileInfoRequest';
import type { GetFileInfoResponse as _minidfs_v1_GetFileInfoResponse, GetFileInfoResponse__Output as _minidfs_v1_GetFileInfoResponse__Output } from './minidfs/v1/GetFileInfoResponse';
import type { GetHaStatusRequest as _minidfs_v1_GetHaStatusRequest, GetHaStatusRequest__Output as _minidfs_v1_GetHaStatusRequest__Output } from './minidfs/v1/GetHaStatusRequest';
import type { GetHaStatusResponse as _minidfs_v1_GetHaStatusResponse, GetHaStatusResponse__Output as _minidfs_v1_GetHaStatusResponse__Output } from './minidfs/v1/GetHaStatusResponse';
import type { GetMembershipRequest as _minidfs_v1_GetMembershipRequest, GetMembershipRequest__Output as _minidfs_v1_GetMembershipRequest__Output } from './minidfs/v1/GetMembershipRequest';
import type { GetMembershipResponse as _minidfs_v1_GetMembershipResponse, GetMembershipResponse__Output as _minidfs_v1_GetMembershipResponse__Output } from './minidfs/v1/GetMembershipResponse';
import type { HaFailoverRequest as _minidfs_v1_HaFailoverRequest, HaFailoverRequest__Output as _minidfs_v1_HaFailoverRequest__Output } from './minidfs/v1/HaFailoverRequest';
import type { HaFailoverResponse as _minidfs_v1_HaFailoverResponse, HaFailoverResponse__Output as _minidfs_v1_HaFailoverResponse__Output } from './minidfs/v1/HaFailoverResponse';
import type { HeartbeatRequest as _minidfs_v1_HeartbeatRequest, HeartbeatRequest__Output as _minidfs_v1_HeartbeatRequest__Output } from './minidfs/v1/HeartbeatRequest';
import type { HeartbeatResponse as _minidfs_v1_HeartbeatResponse, HeartbeatResponse__Output as _minidfs_v1_HeartbeatResponse__Output } from './minidfs/v1/HeartbeatResponse';
import type { InvalidateCommand as _minidfs_v1_InvalidateCommand, InvalidateCommand__Output as _minidfs_v1_InvalidateCommand__Output } from './minidfs/v1/InvalidateCommand';
import type { ListStatusRequest as _minidfs_v1_ListStatusRequest, ListStatusRequest__Output as _minidfs_v1_ListStatusRequest__Output } from './minidfs/v1/ListStatusRequest';
import type { ListStatusResponse as _minidfs_v1_ListStatusResponse, ListStatusResponse__Output as _minidfs_v1_ListStatusResponse__Output } from './minidfs/v1/ListStatusResponse';
import type { LocatedBlock as _minidfs_v1_LocatedBlock, LocatedBlock__Output as _minidfs_v1_LocatedBlock__Output } from './minidfs/v1/LocatedBlock';
import type { MemberStatus as _minidfs_v1_MemberStatus, MemberStatus__Output as _minidfs_v1_MemberStatus__Output } from './minidfs/v1/MemberStatus';
import type { MemberUpdate as _minidfs_v1_MemberUpdate, MemberUpdate__Output as _minidfs_v1_MemberUpdate__Output } from './minidfs/v1/MemberUpdate';
import type { MembershipClient as _minidfs_v1_MembershipClient, MembershipDefinition as _minidfs_v1_MembershipDefinition } from './minidfs/v1/Membership';
import type { MkdirsRequest as _minidfs_v1_MkdirsRequest, MkdirsRequest__Output as _minidfs_v1_MkdirsRequest__Output } from './minidfs/v1/MkdirsRequest';
import type { MkdirsResponse as _minidfs_v1_MkdirsResponse, MkdirsResponse__Output as _minidfs_v1_MkdirsResponse__Output } from './minidfs/v1/MkdirsResponse';
import type { OpenFile as _minidfs_v1_OpenFile, OpenFile__Output as _minidfs_v1_OpenFile__Output } from './minidfs/v1/OpenFile';
import type { PeerProbeResult as _minidfs_v1_PeerProbeResult, PeerProbeResult__Output as _minidfs_v1_PeerProbeResult__Output } from './minidfs/v1/PeerProbeResult';
import type { PeerTarget as _minidfs_v1_PeerTarget, PeerTarget__Output as _minidfs_v1_PeerTarget__Output } from './minidfs/v1/PeerTarget';
import type { ProbePeersCommand as _minidfs_v1_ProbePeersCommand, ProbePeersCommand__Output as _minidfs_v1_ProbePeersCommand__Output } from './minidfs/v1/ProbePeersCommand';
import type { RecoverBlockCommand as _minidfs_v1_RecoverBlockCommand, RecoverBlockCommand__Output as _minidfs_v1_RecoverBlockCommand__Output } from './minidfs/v1/RecoverBlockCommand';
import type { RecoverLeaseRequest as _minidfs_v1_RecoverLeaseRequest, RecoverLeaseRequest__Output as _minidfs_v1_RecoverLeaseRequest__Output } from './minidfs/v1/RecoverLeaseRequest';
import type { RecoverLeaseResponse as _minidfs_v1_RecoverLeaseResponse, RecoverLeaseResponse__Output as _minidfs_v1_RecoverLeaseResponse__Output } from './minidfs/v1/RecoverLeaseResponse';
import type { RegisterRequest as _minidfs_v1_RegisterRequest, RegisterRequest__Output as _minidfs_v1_RegisterRequest__Output } from './minidfs/v1/RegisterRequest';
import type { RegisterResponse as _minidfs_v1_RegisterResponse, RegisterResponse__Output as _minidfs_v1_RegisterResponse__Output } from './minidfs/v1/RegisterResponse';
import type { RenewLeaseRequest as _minidfs_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _minidfs_v1_RenewLeaseRequest__Output } from './minidfs/v1/RenewLeaseRequest';
import type { RenewLeaseResponse as _minidfs_v1_RenewLeaseResponse, RenewLeaseResponse__Output as _minidfs_v1_RenewLeaseResponse__Output } from './minidfs/v1/RenewLeaseResponse';
import type { ReplicateCommand as _minidfs_v1_ReplicateCommand, ReplicateCommand__Output as _minidfs_v1_ReplicateCommand__Output } from './minidfs/v1/ReplicateCommand';
import type { ReportBadBlocksRequest as _minidfs_v1_ReportBadBlocksRequest, ReportBadBlocksRequest__Output as _minidfs_v1_ReportBadBlocksRequest__Output } from './minidfs/v1/ReportBadBlocksRequest';
import type { ReportBadBlocksResponse as _minidfs_v1_ReportBadBlocksResponse, ReportBadBlocksResponse__Output as _minidfs_v1_ReportBadBlocksResponse__Output } from './minidfs/v1/ReportBadBlocksResponse';
import type { ReportBadReplicaRequest as _minidfs_v1_ReportBadReplicaRequest, ReportBadReplicaRequest__Output as _minidfs_v1_ReportBadReplicaRequest__Output } from './minidfs/v1/ReportBadReplicaRequest';
import type { ReportBadReplicaResponse as _minidfs_v1_ReportBadReplicaResponse, ReportBadReplicaResponse__Output as _minidfs_v1_ReportBadReplicaResponse__Output } from './minidfs/v1/ReportBadReplicaResponse';
import type { ReportedBlock as _minidfs_v1_ReportedBlock, ReportedBlock__Output as _minidfs_v1_ReportedBlock__Output } from './minidfs/v1/ReportedBlock';
import type { ReregisterCommand as _minidfs_v1_ReregisterCommand, ReregisterCommand__Output as _minidfs_v1_ReregisterCommand__Output } from './minidfs/v1/ReregisterCommand';
import type { SafeModeStatus as _minidfs_v1_SafeModeStatus, SafeModeStatus__Output as _minidfs_v1_SafeModeStatus__Output } from './minidfs/v1/SafeModeStatus';
import type { SetDatanodeAdminStateRequest as _minidfs_v1_SetDatanodeAdminStateRequest, SetDatanodeAdminStateRequest__Output as _minidfs_v1_SetDatanodeAdminStateRequest__Output } from './minidfs/v1/SetDatanodeAdminStateRequest';
import type { SetDatanodeAdminStateResponse as _minidfs_v1_SetDatanodeAdminStateResponse, SetDatanodeAdminStateResponse__Output as _minidfs_v1_SetDatanodeAdminStateResponse__Output } from './minidfs/v1/SetDatanodeAdminStateResponse';
import type { SetReplicationRequest as _minidfs_v1_SetReplicationRequest, SetReplicationRequest__Output as _minidfs_v1_SetReplicationRequest__Output } from './minidfs/v1/SetReplicationRequest';
import type { SetReplicationResponse as _minidfs_v1_SetReplicationResponse, SetReplicationResponse__Output as _minidfs_v1_SetReplicationResponse__Output } from './minidfs/v1/SetReplicationResponse';
import type { SetSafeModeRequest as _minidfs_v1_SetSafeModeRequest, SetSafeModeRequest__Output as _minidfs_v1_SetSafeModeRequest__Output } from './minidfs/v1/SetSafeModeRequest';
import type { SetSafeModeResponse as _minidfs_v1_SetSafeModeResponse, SetSafeModeResponse__Output as _minidfs_v1_SetSafeModeResponse__Output } from './minidfs/v1/SetSafeModeResponse';
import type { ShutdownCommand as _minidfs_v1_ShutdownCommand, ShutdownCommand__Output as _minidfs_v1_ShutdownCommand__Output } from './minidfs/v1/ShutdownCommand';
import type { SwimAck as _minidfs_v1_SwimAck, SwimAck__Output as _minidfs_v1_SwimAck__Output } from './minidfs/v1/SwimAck';
import type { SwimEnvelope as _minidfs_v1_SwimEnvelope, SwimEnvelope__Output as _minidfs_v1_SwimEnvelope__Output } from './minidfs/v1/SwimEnvelope';
import type { SwimGossip as _minidfs_v1_SwimGossip, SwimGossip__Output as _minidfs_v1_SwimGossip__Output } from './minidfs/v1/SwimGossip';
import type { SwimMessage as _minidfs_v1_SwimMessage, SwimMessage__Output as _minidfs_v1_SwimMessage__Output } from './minidfs/v1/SwimMessage';
import type { SwimPing as _minidfs_v1_SwimPing, SwimPing__Output as _minidfs_v1_SwimPing__Output } from './minidfs/v1/SwimPing';
import type { SwimPingReq as _minidfs_v1_SwimPingReq, SwimPingReq__Output as _minidfs_v1_SwimPingReq__Output } from './minidfs/v1/SwimPingReq';
import type { SwimSync as _minidfs_v1_SwimSync, SwimSync__Output as _minidfs_v1_SwimSync__Output } from './minidfs/v1/SwimSync';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  minidfs: {
    v1: {
      AbandonBlockRequest: MessageTypeDefinition<_minidfs_v1_AbandonBlockRequest, _minidfs_v1_AbandonBlockRequest__Output>
      AbandonBlockResponse: MessageTypeDefinition<_minidfs_v1_AbandonBlockResponse, _minidfs_v1_AbandonBlockResponse__Output>
      AddBlockRequest: MessageTypeDefinition<_minidfs_v1_AddBlockRequest, _minidfs_v1_AddBlockRequest__Output>
      AddBlockResponse: MessageTypeDefinition<_minidfs_v1_AddBlockResponse, _minidfs_v1_AddBlockResponse__Output>
      BlockReceivedAndDeletedRequest: MessageTypeDefinition<_minidfs_v1_BlockReceivedAndDeletedRequest, _minidfs_v1_BlockReceivedAndDeletedRequest__Output>
      BlockReceivedAndDeletedResponse: MessageTypeDefinition<_minidfs_v1_BlockReceivedAndDeletedResponse, _minidfs_v1_BlockReceivedAndDeletedResponse__Output>
      BlockRef: MessageTypeDefinition<_minidfs_v1_BlockRef, _minidfs_v1_BlockRef__Output>
      BlockReportRequest: MessageTypeDefinition<_minidfs_v1_BlockReportRequest, _minidfs_v1_BlockReportRequest__Output>
      BlockReportResponse: MessageTypeDefinition<_minidfs_v1_BlockReportResponse, _minidfs_v1_BlockReportResponse__Output>
      ClientProtocol: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_ClientProtocolClient> & { service: _minidfs_v1_ClientProtocolDefinition }
      CompleteRequest: MessageTypeDefinition<_minidfs_v1_CompleteRequest, _minidfs_v1_CompleteRequest__Output>
      CompleteResponse: MessageTypeDefinition<_minidfs_v1_CompleteResponse, _minidfs_v1_CompleteResponse__Output>
      CreateRequest: MessageTypeDefinition<_minidfs_v1_CreateRequest, _minidfs_v1_CreateRequest__Output>
      CreateResponse: MessageTypeDefinition<_minidfs_v1_CreateResponse, _minidfs_v1_CreateResponse__Output>
      DatanodeAdminAction: EnumTypeDefinition
      DatanodeCommand: MessageTypeDefinition<_minidfs_v1_DatanodeCommand, _minidfs_v1_DatanodeCommand__Output>
      DatanodeInfo: MessageTypeDefinition<_minidfs_v1_DatanodeInfo, _minidfs_v1_DatanodeInfo__Output>
      DatanodeLocation: MessageTypeDefinition<_minidfs_v1_DatanodeLocation, _minidfs_v1_DatanodeLocation__Output>
      DatanodeProtocol: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_DatanodeProtocolClient> & { service: _minidfs_v1_DatanodeProtocolDefinition }
      DatanodeReport: MessageTypeDefinition<_minidfs_v1_DatanodeReport, _minidfs_v1_DatanodeReport__Output>
      DeleteRequest: MessageTypeDefinition<_minidfs_v1_DeleteRequest, _minidfs_v1_DeleteRequest__Output>
      DeleteResponse: MessageTypeDefinition<_minidfs_v1_DeleteResponse, _minidfs_v1_DeleteResponse__Output>
      DeliverResponse: MessageTypeDefinition<_minidfs_v1_DeliverResponse, _minidfs_v1_DeliverResponse__Output>
      FileStatus: MessageTypeDefinition<_minidfs_v1_FileStatus, _minidfs_v1_FileStatus__Output>
      FsckRequest: MessageTypeDefinition<_minidfs_v1_FsckRequest, _minidfs_v1_FsckRequest__Output>
      FsckResponse: MessageTypeDefinition<_minidfs_v1_FsckResponse, _minidfs_v1_FsckResponse__Output>
      GetBlockLocationsRequest: MessageTypeDefinition<_minidfs_v1_GetBlockLocationsRequest, _minidfs_v1_GetBlockLocationsRequest__Output>
      GetBlockLocationsResponse: MessageTypeDefinition<_minidfs_v1_GetBlockLocationsResponse, _minidfs_v1_GetBlockLocationsResponse__Output>
      GetDatanodeReportRequest: MessageTypeDefinition<_minidfs_v1_GetDatanodeReportRequest, _minidfs_v1_GetDatanodeReportRequest__Output>
      GetDatanodeReportResponse: MessageTypeDefinition<_minidfs_v1_GetDatanodeReportResponse, _minidfs_v1_GetDatanodeReportResponse__Output>
      GetFileInfoRequest: MessageTypeDefinition<_minidfs_v1_GetFileInfoRequest, _minidfs_v1_GetFileInfoRequest__Output>
      GetFileInfoResponse: MessageTypeDefinition<_minidfs_v1_GetFileInfoResponse, _minidfs_v1_GetFileInfoResponse__Output>
      GetHaStatusRequest: MessageTypeDefinition<_minidfs_v1_GetHaStatusRequest, _minidfs_v1_GetHaStatusRequest__Output>
      GetHaStatusResponse: MessageTypeDefinition<_minidfs_v1_GetHaStatusResponse, _minidfs_v1_GetHaStatusResponse__Output>
      GetMembershipRequest: MessageTypeDefinition<_minidfs_v1_GetMembershipRequest, _minidfs_v1_GetMembershipRequest__Output>
      GetMembershipResponse: MessageTypeDefinition<_minidfs_v1_GetMembershipResponse, _minidfs_v1_GetMembershipResponse__Output>
      HaFailoverRequest: MessageTypeDefinition<_minidfs_v1_HaFailoverRequest, _minidfs_v1_HaFailoverRequest__Output>
      HaFailoverResponse: MessageTypeDefinition<_minidfs_v1_HaFailoverResponse, _minidfs_v1_HaFailoverResponse__Output>
      HaRole: EnumTypeDefinition
      HeartbeatRequest: MessageTypeDefinition<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_minidfs_v1_HeartbeatResponse, _minidfs_v1_HeartbeatResponse__Output>
      InvalidateCommand: MessageTypeDefinition<_minidfs_v1_InvalidateCommand, _minidfs_v1_InvalidateCommand__Output>
      ListStatusRequest: MessageTypeDefinition<_minidfs_v1_ListStatusRequest, _minidfs_v1_ListStatusRequest__Output>
      ListStatusResponse: MessageTypeDefinition<_minidfs_v1_ListStatusResponse, _minidfs_v1_ListStatusResponse__Output>
      LocatedBlock: MessageTypeDefinition<_minidfs_v1_LocatedBlock, _minidfs_v1_LocatedBlock__Output>
      MemberState: EnumTypeDefinition
      MemberStatus: MessageTypeDefinition<_minidfs_v1_MemberStatus, _minidfs_v1_MemberStatus__Output>
      MemberUpdate: MessageTypeDefinition<_minidfs_v1_MemberUpdate, _minidfs_v1_MemberUpdate__Output>
      Membership: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_MembershipClient> & { service: _minidfs_v1_MembershipDefinition }
      MkdirsRequest: MessageTypeDefinition<_minidfs_v1_MkdirsRequest, _minidfs_v1_MkdirsRequest__Output>
      MkdirsResponse: MessageTypeDefinition<_minidfs_v1_MkdirsResponse, _minidfs_v1_MkdirsResponse__Output>
      OpenFile: MessageTypeDefinition<_minidfs_v1_OpenFile, _minidfs_v1_OpenFile__Output>
      PeerProbeResult: MessageTypeDefinition<_minidfs_v1_PeerProbeResult, _minidfs_v1_PeerProbeResult__Output>
      PeerTarget: MessageTypeDefinition<_minidfs_v1_PeerTarget, _minidfs_v1_PeerTarget__Output>
      ProbePeersCommand: MessageTypeDefinition<_minidfs_v1_ProbePeersCommand, _minidfs_v1_ProbePeersCommand__Output>
      RecoverBlockCommand: MessageTypeDefinition<_minidfs_v1_RecoverBlockCommand, _minidfs_v1_RecoverBlockCommand__Output>
      RecoverLeaseRequest: MessageTypeDefinition<_minidfs_v1_RecoverLeaseRequest, _minidfs_v1_RecoverLeaseRequest__Output>
      RecoverLeaseResponse: MessageTypeDefinition<_minidfs_v1_RecoverLeaseResponse, _minidfs_v1_RecoverLeaseResponse__Output>
      RegisterRequest: MessageTypeDefinition<_minidfs_v1_RegisterRequest, _minidfs_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_minidfs_v1_RegisterResponse, _minidfs_v1_RegisterResponse__Output>
      RenewLeaseRequest: MessageTypeDefinition<_minidfs_v1_RenewLeaseRequest, _minidfs_v1_RenewLeaseRequest__Output>
      RenewLeaseResponse: MessageTypeDefinition<_minidfs_v1_RenewLeaseResponse, _minidfs_v1_RenewLeaseResponse__Output>
      ReplicateCommand: MessageTypeDefinition<_minidfs_v1_ReplicateCommand, _minidfs_v1_ReplicateCommand__Output>
      ReportBadBlocksRequest: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksRequest, _minidfs_v1_ReportBadBlocksRequest__Output>
      ReportBadBlocksResponse: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksResponse, _minidfs_v1_ReportBadBlocksResponse__Output>
      ReportBadReplicaRequest: MessageTypeDefinition<_minidfs_v1_ReportBadReplicaRequest, _minidfs_v1_ReportBadReplicaRequest__Output>
      ReportBadReplicaResponse: MessageTypeDefinition<_minidfs_v1_ReportBadReplicaResponse, _minidfs_v1_ReportBadReplicaResponse__Output>
      ReportedBlock: MessageTypeDefinition<_minidfs_v1_ReportedBlock, _minidfs_v1_ReportedBlock__Output>
      ReregisterCommand: MessageTypeDefinition<_minidfs_v1_ReregisterCommand, _minidfs_v1_ReregisterCommand__Output>
      SafeModeAction: EnumTypeDefinition
      SafeModeStatus: MessageTypeDefinition<_minidfs_v1_SafeModeStatus, _minidfs_v1_SafeModeStatus__Output>
      SetDatanodeAdminStateRequest: MessageTypeDefinition<_minidfs_v1_SetDatanodeAdminStateRequest, _minidfs_v1_SetDatanodeAdminStateRequest__Output>
      SetDatanodeAdminStateResponse: MessageTypeDefinition<_minidfs_v1_SetDatanodeAdminStateResponse, _minidfs_v1_SetDatanodeAdminStateResponse__Output>
      SetReplicationRequest: MessageTypeDefinition<_minidfs_v1_SetReplicationRequest, _minidfs_v1_SetReplicationRequest__Output>
      SetReplicationResponse: MessageTypeDefinition<_minidfs_v1_SetReplicationResponse, _minidfs_v1_SetReplicationResponse__Output>
      SetSafeModeRequest: MessageTypeDefinition<_minidfs_v1_SetSafeModeRequest, _minidfs_v1_SetSafeModeRequest__Output>
      SetSafeModeResponse: MessageTypeDefinition<_minidfs_v1_SetSafeModeResponse, _minidfs_v1_SetSafeModeResponse__Output>
      ShutdownCommand: MessageTypeDefinition<_minidfs_v1_ShutdownCommand, _minidfs_v1_ShutdownCommand__Output>
      SwimAck: MessageTypeDefinition<_minidfs_v1_SwimAck, _minidfs_v1_SwimAck__Output>
      SwimEnvelope: MessageTypeDefinition<_minidfs_v1_SwimEnvelope, _minidfs_v1_SwimEnvelope__Output>
      SwimGossip: MessageTypeDefinition<_minidfs_v1_SwimGossip, _minidfs_v1_SwimGossip__Output>
      SwimMessage: MessageTypeDefinition<_minidfs_v1_SwimMessage, _minidfs_v1_SwimMessage__Output>
      SwimPing: MessageTypeDefinition<_minidfs_v1_SwimPing, _minidfs_v1_SwimPing__Output>
      SwimPingReq: MessageTypeDefinition<_minidfs_v1_SwimPingReq, _minidfs_v1_SwimPingReq__Output>
      SwimSync: MessageTypeDefinition<_minidfs_v1_SwimSync, _minidfs_v1_SwimSync__Output>
    }
  }
}

