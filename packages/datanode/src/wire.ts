/**
 * The DataNode's view of the wire types, derived from the generated service signatures that
 * @minidfs/common exports (its front door), plus the few constants every transfer file shares.
 * Nothing here does I/O.
 */
import type * as grpc from '@grpc/grpc-js';
import type { DatanodeCommand__Output, DatanodeProtocolClient } from '@minidfs/common';

export type ReplicateCommandIn = NonNullable<DatanodeCommand__Output['replicate']>;
/** A REPLICATE target (host, gRPC data port, transfer port). */
export type DatanodeLocationIn = ReplicateCommandIn['targets'][number];
export type InvalidateCommandIn = NonNullable<DatanodeCommand__Output['invalidate']>;

/** Response type of a unary DatanodeProtocol method (its last overload is `(argument, callback)`). */
type UnaryResponse<F> = F extends (argument: never, callback: grpc.requestCallback<infer Res>) => grpc.ClientUnaryCall ? Res : never;
export type BlockReportRequestOut = Parameters<DatanodeProtocolClient['BlockReport']>[0];
export type BlockReportResponseIn = UnaryResponse<DatanodeProtocolClient['BlockReport']>;
export type BlockReceivedAndDeletedRequestOut = Parameters<DatanodeProtocolClient['BlockReceivedAndDeleted']>[0];
export type ReportBadBlocksRequestOut = Parameters<DatanodeProtocolClient['ReportBadBlocks']>[0];

/** Nodes a transfer header may list after the receiving one (HDFS pipelines are 3 long). */
export const MAX_PIPELINE_DOWNSTREAM = 16;

