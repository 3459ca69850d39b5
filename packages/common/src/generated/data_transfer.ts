import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlockReceivedAndDeletedRequest as _minidfs_v1_BlockReceivedAndDeletedRequest, BlockReceivedAndDeletedRequest__Output as _minidfs_v1_BlockReceivedAndDeletedRequest__Output } from './minidfs/v1/BlockReceivedAndDeletedRequest';
import type { BlockReceivedAndDeletedResponse as _minidfs_v1_BlockReceivedAndDeletedResponse, BlockReceivedAndDeletedResponse__Output as _minidfs_v1_BlockReceivedAndDeletedResponse__Output } from './minidfs/v1/BlockReceivedAndDeletedResponse';
import type { BlockReportRequest as _minidfs_v1_BlockReportRequest, BlockReportRequest__Output as _minidfs_v1_BlockReportRequest__Output } from './minidfs/v1/BlockReportRequest';
import type { BlockReportResponse as _minidfs_v1_BlockReportResponse, BlockReportResponse__Output as _minidfs_v1_BlockReportResponse__Output } from './minidfs/v1/BlockReportResponse';
import type { DataTransferClient as _minidfs_v1_DataTransferClient, DataTransferDefinition as _minidfs_v1_DataTransferDefinition } from './minidfs/v1/DataTransfer';
import type { DatanodeCommand as _minidfs_v1_DatanodeCommand, DatanodeCommand__Output as _minidfs_v1_DatanodeCommand__Output } from './minidfs/v1/DatanodeCommand';
import type { DatanodeInfo as _minidfs_v1_DatanodeInfo, DatanodeInfo__Output as _minidfs_v1_DatanodeInfo__Output } from './minidfs/v1/DatanodeInfo';
import type { DatanodeLocation as _minidfs_v1_DatanodeLocation, DatanodeLocation__Output as _minidfs_v1_DatanodeLocation__Output } from './minidfs/v1/DatanodeLocation';
import type { DatanodeProtocolClient as _minidfs_v1_DatanodeProtocolClient, DatanodeProtocolDefinition as _minidfs_v1_DatanodeProtocolDefinition } from './minidfs/v1/DatanodeProtocol';
import type { HeartbeatRequest as _minidfs_v1_HeartbeatRequest, HeartbeatRequest__Output as _minidfs_v1_HeartbeatRequest__Output } from './minidfs/v1/HeartbeatRequest';
import type { HeartbeatResponse as _minidfs_v1_HeartbeatResponse, HeartbeatResponse__Output as _minidfs_v1_HeartbeatResponse__Output } from './minidfs/v1/HeartbeatResponse';
import type { InvalidateCommand as _minidfs_v1_InvalidateCommand, InvalidateCommand__Output as _minidfs_v1_InvalidateCommand__Output } from './minidfs/v1/InvalidateCommand';
import type { ReadBlockChunk as _minidfs_v1_ReadBlockChunk, ReadBlockChunk__Output as _minidfs_v1_ReadBlockChunk__Output } from './minidfs/v1/ReadBlockChunk';
import type { ReadBlockRequest as _minidfs_v1_ReadBlockRequest, ReadBlockRequest__Output as _minidfs_v1_ReadBlockRequest__Output } from './minidfs/v1/ReadBlockRequest';
import type { RegisterRequest as _minidfs_v1_RegisterRequest, RegisterRequest__Output as _minidfs_v1_RegisterRequest__Output } from './minidfs/v1/RegisterRequest';
import type { RegisterResponse as _minidfs_v1_RegisterResponse, RegisterResponse__Output as _minidfs_v1_RegisterResponse__Output } from './minidfs/v1/RegisterResponse';
import type { ReplicateCommand as _minidfs_v1_ReplicateCommand, ReplicateCommand__Output as _minidfs_v1_ReplicateCommand__Output } from './minidfs/v1/ReplicateCommand';
import type { ReportBadBlocksRequest as _minidfs_v1_ReportBadBlocksRequest, ReportBadBlocksRequest__Output as _minidfs_v1_ReportBadBlocksRequest__Output } from './minidfs/v1/ReportBadBlocksRequest';
import type { ReportBadBlocksResponse as _minidfs_v1_ReportBadBlocksResponse, ReportBadBlocksResponse__Output as _minidfs_v1_ReportBadBlocksResponse__Output } from './minidfs/v1/ReportBadBlocksResponse';
import type { ReportedBlock as _minidfs_v1_ReportedBlock, ReportedBlock__Output as _minidfs_v1_ReportedBlock__Output } from './minidfs/v1/ReportedBlock';
import type { ReregisterCommand as _minidfs_v1_ReregisterCommand, ReregisterCommand__Output as _minidfs_v1_ReregisterCommand__Output } from './minidfs/v1/ReregisterCommand';
import type { ShutdownCommand as _minidfs_v1_ShutdownCommand, ShutdownCommand__Output as _minidfs_v1_ShutdownCommand__Output } from './minidfs/v1/ShutdownCommand';
import type { WriteBlockAck as _minidfs_v1_WriteBlockAck, WriteBlockAck__Output as _minidfs_v1_WriteBlockAck__Output } from './minidfs/v1/WriteBlockAck';
import type { WriteBlockHeader as _minidfs_v1_WriteBlockHeader, WriteBlockHeader__Output as _minidfs_v1_WriteBlockHeader__Output } from './minidfs/v1/WriteBlockHeader';
import type { WriteBlockRequest as _minidfs_v1_WriteBlockRequest, WriteBlockRequest__Output as _minidfs_v1_WriteBlockRequest__Output } from './minidfs/v1/WriteBlockRequest';
import type { WritePacket as _minidfs_v1_WritePacket, WritePacket__Output as _minidfs_v1_WritePacket__Output } from './minidfs/v1/WritePacket';

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
      DataTransfer: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_DataTransferClient> & { service: _minidfs_v1_DataTransferDefinition }
      DatanodeCommand: MessageTypeDefinition<_minidfs_v1_DatanodeCommand, _minidfs_v1_DatanodeCommand__Output>
      DatanodeInfo: MessageTypeDefinition<_minidfs_v1_DatanodeInfo, _minidfs_v1_DatanodeInfo__Output>
      DatanodeLocation: MessageTypeDefinition<_minidfs_v1_DatanodeLocation, _minidfs_v1_DatanodeLocation__Output>
      DatanodeProtocol: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_DatanodeProtocolClient> & { service: _minidfs_v1_DatanodeProtocolDefinition }
      HeartbeatRequest: MessageTypeDefinition<_minidfs_v1_HeartbeatRequest, _minidfs_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_minidfs_v1_HeartbeatResponse, _minidfs_v1_HeartbeatResponse__Output>
      InvalidateCommand: MessageTypeDefinition<_minidfs_v1_InvalidateCommand, _minidfs_v1_InvalidateCommand__Output>
      ReadBlockChunk: MessageTypeDefinition<_minidfs_v1_ReadBlockChunk, _minidfs_v1_ReadBlockChunk__Output>
      ReadBlockRequest: MessageTypeDefinition<_minidfs_v1_ReadBlockRequest, _minidfs_v1_ReadBlockRequest__Output>
      RegisterRequest: MessageTypeDefinition<_minidfs_v1_RegisterRequest, _minidfs_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_minidfs_v1_RegisterResponse, _minidfs_v1_RegisterResponse__Output>
      ReplicateCommand: MessageTypeDefinition<_minidfs_v1_ReplicateCommand, _minidfs_v1_ReplicateCommand__Output>
      ReportBadBlocksRequest: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksRequest, _minidfs_v1_ReportBadBlocksRequest__Output>
      ReportBadBlocksResponse: MessageTypeDefinition<_minidfs_v1_ReportBadBlocksResponse, _minidfs_v1_ReportBadBlocksResponse__Output>
      ReportedBlock: MessageTypeDefinition<_minidfs_v1_ReportedBlock, _minidfs_v1_ReportedBlock__Output>
      ReregisterCommand: MessageTypeDefinition<_minidfs_v1_ReregisterCommand, _minidfs_v1_ReregisterCommand__Output>
      ShutdownCommand: MessageTypeDefinition<_minidfs_v1_ShutdownCommand, _minidfs_v1_ShutdownCommand__Output>
      WriteBlockAck: MessageTypeDefinition<_minidfs_v1_WriteBlockAck, _minidfs_v1_WriteBlockAck__Output>
      WriteBlockHeader: MessageTypeDefinition<_minidfs_v1_WriteBlockHeader, _minidfs_v1_WriteBlockHeader__Output>
      WriteBlockRequest: MessageTypeDefinition<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockRequest__Output>
      WritePacket: MessageTypeDefinition<_minidfs_v1_WritePacket, _minidfs_v1_WritePacket__Output>
    }
  }
}

