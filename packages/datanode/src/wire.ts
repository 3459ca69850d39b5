/**
 * The DataNode's view of the wire types, derived from the generated service signatures that
 * @minidfs/common exports (its front door), plus the few constants every transfer file shares.
 * Nothing here does I/O.
 */
import type * as grpc from '@grpc/grpc-js';
import type { DataTransferClient, DataTransferHandlers, DatanodeCommand__Output, DatanodeProtocolClient } from '@minidfs/common';

/** Server side of one WriteBlock stream (requests in, acks out). */
export type WriteBlockServerCall = Parameters<DataTransferHandlers['WriteBlock']>[0];
/** Server side of one ReadBlock stream. */
export type ReadBlockServerCall = Parameters<DataTransferHandlers['ReadBlock']>[0];
/** Client side of one WriteBlock stream (towards a downstream node or a replication target). */
export type WriteBlockClientCall = ReturnType<DataTransferClient['WriteBlock']>;

export type WriteBlockRequestIn = WriteBlockServerCall extends grpc.ServerDuplexStream<infer Req, unknown> ? Req : never;
export type WriteBlockHeaderIn = NonNullable<WriteBlockRequestIn['header']>;
export type WritePacketIn = NonNullable<WriteBlockRequestIn['packet']>;
export type WriteBlockAckOut = WriteBlockServerCall extends grpc.ServerDuplexStream<unknown, infer Ack> ? Ack : never;
export type WriteBlockAckIn = WriteBlockClientCall extends grpc.ClientDuplexStream<infer _Req, infer Ack> ? Ack : never;
export type ReadBlockRequestIn = ReadBlockServerCall['request'];
export type ReadBlockChunkOut = ReadBlockServerCall extends grpc.ServerWritableStream<unknown, infer Chunk> ? Chunk : never;

export type DatanodeLocationIn = WriteBlockHeaderIn['downstream'][number];
export type ReplicateCommandIn = NonNullable<DatanodeCommand__Output['replicate']>;
export type InvalidateCommandIn = NonNullable<DatanodeCommand__Output['invalidate']>;

/** Response type of a unary DatanodeProtocol method (its last overload is `(argument, callback)`). */
type UnaryResponse<F> = F extends (argument: never, callback: grpc.requestCallback<infer Res>) => grpc.ClientUnaryCall ? Res : never;
export type BlockReportRequestOut = Parameters<DatanodeProtocolClient['BlockReport']>[0];
export type BlockReportResponseIn = UnaryResponse<DatanodeProtocolClient['BlockReport']>;
export type BlockReceivedAndDeletedRequestOut = Parameters<DatanodeProtocolClient['BlockReceivedAndDeleted']>[0];
export type ReportBadBlocksRequestOut = Parameters<DatanodeProtocolClient['ReportBadBlocks']>[0];

/**
 * Trailing-metadata key naming the node at fault when a write pipeline fails: this node for a
 * local failure, else the downstream node (or whatever node the downstream itself named).
 */
export const BAD_NODE_METADATA_KEY = 'minidfs-bad-node';

/** Nodes a WriteBlock header may list after the receiving one (HDFS pipelines are 3 long). */
export const MAX_PIPELINE_DOWNSTREAM = 16;

/**
 * A data-transfer stream that makes no progress for this long is aborted: a stalled client or a
 * hung downstream cannot hold a transfer slot (and a tmp block) forever.
 */
export const TRANSFER_IDLE_TIMEOUT_MS = 30_000;

/** `purpose` values a WriteBlock header may carry. */
export const WRITE_PURPOSES: readonly string[] = ['WRITE', 'REPLICATE'];

/** "host:port" of a location, as a channel target. */
export function locationAddress(location: DatanodeLocationIn): string {
  return location.host.includes(':') ? `[${location.host}]:${location.dataPort}` : `${location.host}:${location.dataPort}`;
}
