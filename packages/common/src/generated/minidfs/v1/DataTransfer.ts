// Original file: proto/minidfs/v1/data_transfer.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ReadBlockChunk as _minidfs_v1_ReadBlockChunk, ReadBlockChunk__Output as _minidfs_v1_ReadBlockChunk__Output } from '../../minidfs/v1/ReadBlockChunk';
import type { ReadBlockRequest as _minidfs_v1_ReadBlockRequest, ReadBlockRequest__Output as _minidfs_v1_ReadBlockRequest__Output } from '../../minidfs/v1/ReadBlockRequest';
import type { WriteBlockAck as _minidfs_v1_WriteBlockAck, WriteBlockAck__Output as _minidfs_v1_WriteBlockAck__Output } from '../../minidfs/v1/WriteBlockAck';
import type { WriteBlockRequest as _minidfs_v1_WriteBlockRequest, WriteBlockRequest__Output as _minidfs_v1_WriteBlockRequest__Output } from '../../minidfs/v1/WriteBlockRequest';

export interface DataTransferClient extends grpc.Client {
  ReadBlock(argument: _minidfs_v1_ReadBlockRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_minidfs_v1_ReadBlockChunk__Output>;
  ReadBlock(argument: _minidfs_v1_ReadBlockRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_minidfs_v1_ReadBlockChunk__Output>;
  readBlock(argument: _minidfs_v1_ReadBlockRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_minidfs_v1_ReadBlockChunk__Output>;
  readBlock(argument: _minidfs_v1_ReadBlockRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_minidfs_v1_ReadBlockChunk__Output>;
  
  WriteBlock(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockAck__Output>;
  WriteBlock(options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockAck__Output>;
  writeBlock(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockAck__Output>;
  writeBlock(options?: grpc.CallOptions): grpc.ClientDuplexStream<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockAck__Output>;
  
}

export interface DataTransferHandlers extends grpc.UntypedServiceImplementation {
  ReadBlock: grpc.handleServerStreamingCall<_minidfs_v1_ReadBlockRequest__Output, _minidfs_v1_ReadBlockChunk>;
  
  WriteBlock: grpc.handleBidiStreamingCall<_minidfs_v1_WriteBlockRequest__Output, _minidfs_v1_WriteBlockAck>;
  
}

export interface DataTransferDefinition extends grpc.ServiceDefinition {
  ReadBlock: MethodDefinition<_minidfs_v1_ReadBlockRequest, _minidfs_v1_ReadBlockChunk, _minidfs_v1_ReadBlockRequest__Output, _minidfs_v1_ReadBlockChunk__Output>
  WriteBlock: MethodDefinition<_minidfs_v1_WriteBlockRequest, _minidfs_v1_WriteBlockAck, _minidfs_v1_WriteBlockRequest__Output, _minidfs_v1_WriteBlockAck__Output>
}
