/** @minidfs/common: what every package shares (clock, config, limits, errors, logger, protocol). */
export * from './clock';
export * from './config';
export * from './errors';
export * from './limits';
export * from './logger';
export * from './proto';
export type { HeartbeatRequest, HeartbeatRequest__Output } from './generated/minidfs/v1/HeartbeatRequest';
export type { HeartbeatResponse, HeartbeatResponse__Output } from './generated/minidfs/v1/HeartbeatResponse';
export type { DatanodeCommand, DatanodeCommand__Output } from './generated/minidfs/v1/DatanodeCommand';
export type { DatanodeInfo, DatanodeInfo__Output } from './generated/minidfs/v1/DatanodeInfo';
export type { RegisterRequest__Output } from './generated/minidfs/v1/RegisterRequest';
export type { RegisterResponse, RegisterResponse__Output } from './generated/minidfs/v1/RegisterResponse';
export type { DatanodeProtocolClient, DatanodeProtocolHandlers } from './generated/minidfs/v1/DatanodeProtocol';
export type { ClientProtocolClient, ClientProtocolHandlers } from './generated/minidfs/v1/ClientProtocol';
export type { DataTransferClient, DataTransferHandlers } from './generated/minidfs/v1/DataTransfer';
export type { DatanodeReport } from './generated/minidfs/v1/DatanodeReport';
export type { GetDatanodeReportResponse__Output } from './generated/minidfs/v1/GetDatanodeReportResponse';
export type { FsckResponse__Output } from './generated/minidfs/v1/FsckResponse';
