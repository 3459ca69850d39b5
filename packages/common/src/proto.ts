/**
 * Loads proto/minidfs/v1 with @grpc/proto-loader. The options here must match the flags in
 * scripts/proto-gen.js, which generates the TypeScript types in ./generated.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import net from 'node:net';
import path from 'node:path';
import { InvalidArgumentError } from './errors';
import { Limits } from './limits';
import type { ProtoGrpcType as DatanodeProtocolGrpc } from './generated/datanode_protocol';
import type { ProtoGrpcType as ClientProtocolGrpc } from './generated/client_protocol';
import type { ProtoGrpcType as DataTransferGrpc } from './generated/data_transfer';
import type { ProtoGrpcType as MembershipGrpc } from './generated/membership';

/** packages/common/{src,dist}/ -> repo root proto/ */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

type Minidfs = DatanodeProtocolGrpc['minidfs']['v1'] & ClientProtocolGrpc['minidfs']['v1'] & DataTransferGrpc['minidfs']['v1']
  & MembershipGrpc['minidfs']['v1'];

let cached: Minidfs | undefined;

export function loadProtos(): Minidfs {
  if (cached) return cached;
  const definition = protoLoader.loadSync(
    ['minidfs/v1/datanode_protocol.proto', 'minidfs/v1/client_protocol.proto', 'minidfs/v1/data_transfer.proto', 'minidfs/v1/membership.proto'],
    PROTO_LOADER_OPTIONS,
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { minidfs: { v1: Minidfs } };
  cached = loaded.minidfs.v1;
  return cached;
}

/**
 * Channel options for every client. `per_rpc_retry_buffer_size: 0` gives streams real transport
 * backpressure (measured: ~4k -> ~134k msg/s with many streams, shared/DESIGN.md).
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': Limits.maxGrpcMessageBytes,
  'grpc.max_send_message_length': Limits.maxGrpcMessageBytes,
  'grpc.per_rpc_retry_buffer_size': 0,
  'grpc.enable_retries': 0,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
};

export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': Limits.maxGrpcMessageBytes,
  'grpc.max_send_message_length': Limits.maxGrpcMessageBytes,
  'grpc.max_concurrent_streams': Limits.maxStreamsPerConnection,
};

/**
 * Parses `HOST:PORT` (`[IPV6]:PORT` for IPv6; the port may be left out when a default is given).
 * Refuses anything else with InvalidArgumentError naming the value: a host with a colon that is
 * not a bracketed IPv6 address, a port that is not an integer in 1..65535, an empty host.
 */
export function parseHostPort(value: string, defaultPort?: number): { host: string; port: number } {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(text);
  const plain = /^([^:[\]]+)(?::([^:]*))?$/.exec(text);
  const m = bracketed ?? plain;
  const usage = `expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got ${JSON.stringify(value)}`;
  if (!m || !m[1]) throw new InvalidArgumentError(usage);
  if (bracketed && !net.isIPv6(m[1])) throw new InvalidArgumentError(`${usage}: ${m[1]} is not an IPv6 address`);
  if (m[2] === undefined && defaultPort === undefined) throw new InvalidArgumentError(`${usage}: no port`);
  const port = m[2] === undefined ? defaultPort! : /^\d+$/.test(m[2]) ? Number(m[2]) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${usage}: the port must be an integer in 1..65535`);
  return { host: m[1], port };
}

/** `host:port` for a channel target, with IPv6 hosts in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** grpc-js Server internals that widenReceiveWindow reaches into (grpc-js 1.14). */
interface GrpcServerInternals {
  commonServerOptions?: { settings?: Record<string, unknown> };
  http2Servers?: Map<{ on(event: 'session', listener: (session: { setLocalWindowSize(bytes: number): void }) => void): void }, {
    sessions: Set<{ setLocalWindowSize(bytes: number): void }>;
  }>;
}

export interface BindOptions {
  /**
   * HTTP/2 receive window for streams and connections this server accepts. grpc-js 1.14 offers
   * `grpc-node.flow_control_window` to clients only; a server keeps Node's 65,535-byte default, which
   * is smaller than one 64 KiB packet message, so every packet a DataNode receives waited for a
   * WINDOW_UPDATE round trip (measured: a 3-node write pipeline at ~20 MB/s, the DataNodes ~60% idle).
   * The stream window goes into the server's SETTINGS; the connection window is raised per session.
   */
  receiveWindowBytes?: number;
  /** Largest HTTP/2 DATA frame peers may send this server (HTTP/2 default 16 KiB); needs receiveWindowBytes. */
  maxFrameBytes?: number;
  /** TLS (tls.ts serverCredentials); default plaintext. */
  credentials?: grpc.ServerCredentials;
}

export function bindServer(server: grpc.Server, address: string, options: BindOptions = {}): Promise<number> {
  const window = options.receiveWindowBytes;
  const internals = server as unknown as GrpcServerInternals;
  if (window !== undefined) {
    if (!internals.commonServerOptions || !internals.http2Servers) {
      throw new Error('bindServer: this @grpc/grpc-js version has no commonServerOptions/http2Servers; receiveWindowBytes needs updating');
    }
    internals.commonServerOptions.settings = {
      ...internals.commonServerOptions.settings, initialWindowSize: window, ...(options.maxFrameBytes ? { maxFrameSize: options.maxFrameBytes } : {}),
    };
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(address, options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return reject(err);
      if (window !== undefined) {
        for (const [http2Server, info] of internals.http2Servers!) {
          for (const session of info.sessions) session.setLocalWindowSize(window);
          http2Server.on('session', (session) => session.setLocalWindowSize(window));
        }
      }
      resolve(port);
    });
  });
}

export type { DatanodeProtocolGrpc, ClientProtocolGrpc, DataTransferGrpc };
