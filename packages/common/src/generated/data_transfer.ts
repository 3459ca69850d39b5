import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlockReceivedAndDeletedRequest as _minidfs_v1_BlockReceivedAndDeletedRequest, BlockReceivedAndDeletedRequest__Output as _minidfs_v1_BlockReceivedAndDeletedRequest__Output } from './minidfs/v1/BlockReceivedAndDeletedRequest';
import type { BlockReceivedAndDeletedResponse as _minidfs_v1_BlockReceivedAndDeletedResponse, BlockReceivedAndDeletedResponse__Output as _minidfs_v1_BlockReceivedAndDeletedResponse__Output } from './minidfs/v1/BlockReceivedAndDeletedResponse';
import type { BlockReportRequest as _minidfs_v1_BlockReportRequest, BlockReportRequest__Output as _minidfs_v1_BlockReportRequest__Output } from './minidfs/v1/BlockReportRequest';
import type { BlockReportResponse as _minidfs_v1_BlockReportResponse, BlockReportResponse__Output as _minidfs_v1_BlockReportResponse__Output } from './minidfs/v1/BlockReportResponse';
import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from './minidfs/v1/DatanodeCommand';
import type { DatanodeInfo as _minidfs_v1_DatanodeInfo, DatanodeInfo__Output as _minidfs_v1_DatanodeInfo__Output } from './minidfs/v1/DatanodeInfo';
import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from './minidfs/v1/DatanodeLocation';
import type { DatanodeProtocolClient as _minidfs_v1_DatanodeProtocolClient, DatanodeProtocolDefinition as _minidfs_v1_DatanodeProtocolDefinition } from './minidfs/v1/DatanodeProtocol';
import type { DeliverResponse as _minidfs_v1_DeliverResponse, DeliverResponse__Output as _minidfs_v1_DeliverResponse__Output } from './minidfs/v1/DeliverResponse';
import type { GetMembershipRequest as _minidfs_v1_GetMembershipRequest, GetMembershipRequest__Output as _minidfs_v1_GetMembershipRequest__Output } from './minidfs/v1/GetMembershipRequest';
import type { GetMembershipResponse as _minidfs_v1_GetMembershipResponse, GetMembershipResponse__Output as _minidfs_v1_GetMembershipResponse__Output } from './minidfs/v1/GetMembershipResponse';
import type { HeartbeatRequest as _minidfs_v1_HeartbeatRequest, HeartbeatRequest__Output as _minidfs_v1_HeartbeatRequest__Output } from './minidfs/v1/HeartbeatRequest';
import type { HeartbeatResponse as _minidfs_v1_HeartbeatResponse, HeartbeatResponse__Output as _minidfs_v1_HeartbeatResponse__Output } from './minidfs/v1/HeartbeatResponse';
import type { InvalidateCommand as _minidfs_v1_InvalidateCommand, InvalidateCommand__Output as _minidfs_v1_InvalidateCommand__Output } from './minidfs/v1/InvalidateCommand';
import type { MemberStatus as _minidfs_v1_MemberStatus, MemberStatus__Output as _minidfs_v1_MemberStatus__Output } from './minidfs/v1/MemberStatus';
import type { MemberUpdate as _minidfs_v1_MemberUpdate, MemberUpdate__Output as _minidfs_v1_MemberUpdate__Output } from './minidfs/v1/MemberUpdate';
import type { MembershipClient as _minidfs_v1_MembershipClient, MembershipDefinition as _minidfs_v1_MembershipDefinition } from './minidfs/v1/Membership';
import type { PeerProbeResult as _minidfs_v1_PeerProbeResult, PeerProbeResult__Output as _minidfs_v1_PeerProbeResult__Output } from './minidfs/v1/PeerProbeResult';
import type { PeerTarget as _minidfs_v1_PeerTarget, PeerTarget__Output as _minidfs_v1_PeerTarget__Output } from './minidfs/v1/PeerTarget';
import type { ProbePeersCommand as _minidfs_v1_ProbePeersCommand, ProbePeersCommand__Output as _minidfs_v1_ProbePeersCommand__Output } from './minidfs/v1/ProbePeersCommand';
import type { RecoverBlockCommand as _minidfs_v1_RecoverBlockCommand, RecoverBlockCommand__Output as _minidfs_v1_RecoverBlockCommand__Output } from './minidfs/v1/RecoverBlockCommand';
import type { RegisterRequest as _minidfs_v1_RegisterRequest, RegisterRequest__Output as _minidfs_v1_RegisterRequest__Output } from './minidfs/v1/RegisterRequest';
import type { RegisterResponse as _minidfs_v1_RegisterResponse, RegisterResponse__Output as _minidfs_v1_RegisterResponse__Output } from './minidfs/v1/RegisterResponse';
import type { ReplicateCommand as _minidfs_v1_ReplicateCommand, ReplicateCommand__Output as _minidfs_v1_ReplicateCommand__Output } from './minidfs/v1/ReplicateCommand';
import type { ReportBadBlocksRequest as _minidfs_v1_ReportBadBlocksRequest, ReportBadBlocksRequest__Output as _minidfs_v1_ReportBadBlocksRequest__Output } from './minidfs/v1/ReportBadBlocksRequest';
import type { ReportBadBlocksResponse as _minidfs_v1_ReportBadBlocksResponse, ReportBadBlocksResponse__Output as _minidfs_v1_ReportBadBlocksResponse__Output } from './minidfs/v1/ReportBadBlocksResponse';
import type { ReportedBlock as _minidfs_v1_ReportedBlock, ReportedBlock__Output as _minidfs_v1_ReportedBlock__Output } from './minidfs/v1/ReportedBlock';
import type { ReregisterCommand as _minidfs_v1_ReregisterCommand, ReregisterCommand__Output as _minidfs_v1_ReregisterCommand__Output } from './minidfs/v1/ReregisterCommand';
import type { ShutdownCommand as _minidfs_v1_ShutdownCommand, ShutdownCommand__Output as _minidfs_v1_ShutdownCommand__Output } from './minidfs/v1/ShutdownCommand';
import type { SwimAck as _minidfs_v1_SwimAck, SwimAck__Output as _minidfs_v1_SwimAck__Output } from './minidfs/v1/SwimAck';
import type { SwimEnvelope as _minidfs_v1_SwimEnvelope, SwimEnvelope__Output as _minidfs_v1_SwimEnvelope__Output } from './minidfs/v1/SwimEnvelope';
import type { SwimGossip as _minidfs_v1_SwimGossip, SwimGossip__Output as _minidfs_v1_SwimGossip__Output } from './minidfs/v1/SwimGossip';
import type { SwimMessage as _minidfs_v1_SwimMessage, SwimMessage__Output as _minidfs_v1_SwimMessage__Output } from './minidfs/v1/SwimMessage';
import type { SwimPing as _minidfs_v1_SwimPing, SwimPing__Output as _minidfs_v1_SwimPing__Output } from './minidfs/v1/SwimPing';
import type { SwimPingReq as _minidfs_v1_SwimPingReq, SwimPingReq__Output as _minidfs_v1_SwimPingReq__Output } from './minidfs/v1/SwimPingReq';
import type { SwimSync as _minidfs_v1_SwimSync, SwimSync__Output as _minidfs_v1_SwimSync__Output } from './minidfs/v1/SwimSync';
import type { TransferOpHeader as _minidfs_v1_TransferOpHeader, TransferOpHeader__Output as _minidfs_v1_TransferOpHeader__Output } from './minidfs/v1/TransferOpHeader';
import type { TransferStatus as _minidfs_v1_TransferStatus, TransferStatus__Output as _minidfs_v1_TransferStatus__Output } from './minidfs/v1/TransferStatus';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  minidfs: {
    v1: {
      BlockReceivedAndDeletedRequest: MessageTypeDefinition<_minidfs_v1_BlockReceivedAndDeletedRequest, _minidfs_v1_BlockReceivedAndDeletedRequest__Output>
      BlockReceivedAndDeletedResponse: MessageTypeDefinition<_minidfs_v1_BlockReceivedAndDeletedResponse, _minidfs_v1_BlockReceivedAndDeletedResponse__Output>
      BlockReportRequest: MessageTypeDefinition<_minidfs_v1_BlockReportRequest, _minidfs_v1_BlockReportRequest__Output>
      BlockReportResponse: MessageTypeDefinition<_minidfs_v1_BlockReportResponse, _minidfs_v1_BlockReportResponse__Output>
      DatanodeCommand: MessageTypeDefinition<_minidfs_v1_DatanodeCommand, _minidfs_v1_DatanodeCommand__Output>
      DatanodeInfo: MessageTypeDefinition<_minidfs_v1_DatanodeInfo, _minidfs_v1_DatanodeInfo__Output>
      DatanodeLocation: MessageTypeDefinition<_minidfs_v1_DatanodeLocation, _minidfs_v1_DatanodeLocation__Output>
      DatanodeProtocol: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_DatanodeProtocolClient> & { service: _minidfs_v1_DatanodeProtocolDefinition }
      DeliverResponse: MessageTypeDefinition<_minidfs_v1_DeliverResponse, _minidfs_v1_DeliverResponse__Output>
      GetMembershipRequest: MessageTypeDefinition<_minidfs_v1_GetMembershipRequest, _minidfs_v1_GetMembershipRequest__Output>
      GetMembershipResponse: MessageTypeDefinition<_minidfs_v1_GetMembershipResponse, _minidfs_v1_GetMembershipResponse__Output>
      HaRole: EnumTypeDefinition
      HeartbeatRequest: MessageTypeDefinition<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_minidfs_v1_HeartbeatResponse, _minidfs_v1_HeartbeatResponse__Output>
      InvalidateCommand: MessageTypeDefinition<_minidfs_v1_InvalidateCommand, _minidfs_v1_InvalidateCommand__Output>
      MemberState: EnumTypeDefinition
      MemberStatus: MessageTypeDefinition<_minidfs_v1_MemberStatus, _minidfs_v1_MemberStatus__Output>
      MemberUpdate: MessageTypeDefinition<_minidfs_v1_MemberUpdate, _minidfs_v1_MemberUpdate__Output>
      Membership: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_MembershipClient> & { service: _minidfs_v1_MembershipDefinition }
      PeerProbeResult: MessageTypeDefinition<_minidfs_v1_PeerProbeResult, _minidfs_v1_PeerProbeResult__Output>
      PeerTarget: MessageTypeDefinition<_minidfs_v1_PeerTarget, _minidfs_v1_PeerTarget__Output>
      ProbePeersCommand: MessageTypeDefinition<_minidfs_v1_ProbePeersCommand, _minidfs_v1_ProbePeersCommand__Output>
      RecoverBlockCommand: MessageTypeDefinition<_minidfs_v1_RecoverBlockCommand, _minidfs_v1_RecoverBlockCommand__Output>
      RegisterRequest: MessageTypeDefinition<_minidfs_v1_RegisterRequest, _minidfs_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_minidfs_v1_RegisterResponse, _minidfs_v1_RegisterResponse__Output>
      ReplicateCommand: MessageTypeDefinition<_minidfs_v1_ReplicateCommand, _minidfs_v1_ReplicateCommand__Output>
      ReportBadBlocksRequest: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksRequest, _minidfs_v1_ReportBadBlocksRequest__Output>
      ReportBadBlocksResponse: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksResponse, _minidfs_v1_ReportBadBlocksResponse__Output>
      ReportedBlock: MessageTypeDefinition<_minidfs_v1_ReportedBlock, _minidfs_v1_ReportedBlock__Output>
      ReregisterCommand: MessageTypeDefinition<_minidfs_v1_ReregisterCommand, _minidfs_v1_ReregisterCommand__Output>
      ShutdownCommand: MessageTypeDefinition<_minidfs_v1_ShutdownCommand, _minidfs_v1_ShutdownCommand__Output>
      SwimAck: MessageTypeDefinition<_minidfs_v1_SwimAck, _minidfs_v1_SwimAck__Output>
      SwimEnvelope: MessageTypeDefinition<_minidfs_v1_SwimEnvelope, _minidfs_v1_SwimEnvelope__Output>
      SwimGossip: MessageTypeDefinition<_minidfs_v1_SwimGossip, _minidfs_v1_SwimGossip__Output>
      SwimMessage: MessageTypeDefinition<_minidfs_v1_SwimMessage, _minidfs_v1_SwimMessage__Output>
      SwimPing: MessageTypeDefinition<_minidfs_v1_SwimPing, _minidfs_v1_SwimPing__Output>
      SwimPingReq: MessageTypeDefinition<_minidfs_v1_SwimPingReq, _minidfs_v1_SwimPingReq__Output>
      SwimSync: MessageTypeDefinition<_minidfs_v1_SwimSync, _minidfs_v1_SwimSync__Output>
      TransferOp: EnumTypeDefinition
      TransferOpHeader: MessageTypeDefinition<_minidfs_v1_TransferOpHeader, _minidfs_v1_TransferOpHeader__Output>
      TransferStatus: MessageTypeDefinition<_minidfs_v1_TransferStatus, _minidfs_v1_TransferStatus__Output>
    }
  }
}

