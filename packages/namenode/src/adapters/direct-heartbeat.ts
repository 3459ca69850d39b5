/**
 * DatanodeProtocol.Heartbeat served on node:http2 directly, beside grpc-js on the same server,
 * port and TLS: the same gRPC wire (HTTP/2 POST, 5-byte length-prefixed protobuf messages, status
 * in trailers), without grpc-js's per-message machinery (pause/resume of the HTTP/2 stream, a
 * promise and an object-mode stream per message), which cost more than the NameNode's own work
 * per beat. Every other RPC still goes through grpc-js.
 *
 * The stream is handed to the same Heartbeat handler (authentication wrapper and
 * DatanodeProtocolService) as a DirectHeartbeatCall, which offers the part of a grpc-js
 * ServerDuplexStream they use: `metadata`, 'data' / 'end' / 'error' / 'cancelled' / 'close'
 * events, `write`, `end`, and `emit('error', status)` to end the call with that status.
 * Messages are at most `maxMessageBytes` (RESOURCE_EXHAUSTED otherwise), never compressed
 * (grpc-accept-encoding: identity; a compressed one ends the call with UNIMPLEMENTED).
 */
import { EventEmitter } from 'node:events';
import type * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';

export const HEARTBEAT_PATH = '/minidfs.v1.DatanodeProtocol/Heartbeat';

/** gRPC message prefix: 1 byte compressed flag + 4 bytes big-endian length. */
const PREFIX_BYTES = 5;

export interface HeartbeatCodec {
  decode(bytes: Buffer): unknown;
  encode(message: unknown): Buffer;
}

interface Status { code: number; details: string; metadata?: grpc.Metadata }

/** grpc-js Server internals the hook reaches into (grpc-js 1.14; bindServer in common uses them too). */
interface GrpcServerInternals {
  http2Servers?: Map<{ emit(event: string | symbol, ...args: unknown[]): boolean }, unknown>;
}

/**
 * Serves Heartbeat streams of `server` (bound already) with `handler`. Returns the number of
 * HTTP/2 servers hooked; throws if this grpc-js version has no http2Servers.
 */
export function serveHeartbeatsDirectly(
  server: grpc.Server, handler: (call: DirectHeartbeatCall) => void, codec: HeartbeatCodec, maxMessageBytes: number,
): number {
  const servers = (server as unknown as GrpcServerInternals).http2Servers;
  if (!servers) throw new Error('serveHeartbeatsDirectly: this @grpc/grpc-js version has no http2Servers');
  for (const h2 of servers.keys()) {
    const emit = h2.emit;
    h2.emit = function hooked(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'stream') {
        const stream = args[0] as http2.ServerHttp2Stream;
        const headers = args[1] as http2.IncomingHttpHeaders;
        if (headers[':path'] === HEARTBEAT_PATH && headers[':method'] === 'POST' && String(headers['content-type']).startsWith('application/grpc')) {
          handler(new DirectHeartbeatCall(stream, headers, codec, maxMessageBytes));
          return true;
        }
      }
      return emit.call(this, event, ...args);
    };
  }
  return servers.size;
}

export class DirectHeartbeatCall extends EventEmitter {
  readonly metadata: grpc.Metadata;
  /** A message split over DATA frames: its bytes so far. */
  private partial: Buffer | undefined;
  /** The status is decided (end() or an error): nothing more is read or written. */
  private finished = false;
  private status: Status = { code: grpc.status.OK, details: 'OK' };

  constructor(
    private readonly stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders,
    private readonly codec: HeartbeatCodec, private readonly maxMessageBytes: number,
  ) {
    super();
    this.metadata = grpc.Metadata.fromHttp2Headers(headers);
    stream.respond({
      ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': 'identity', 'grpc-encoding': 'identity',
    }, { waitForTrailers: true });
    stream.on('wantTrailers', () => {
      const s = this.status;
      stream.sendTrailers({ ...(s.metadata?.toHttp2Headers() ?? {}), 'grpc-status': String(s.code), 'grpc-message': encodeURI(s.details) });
    });
    stream.on('data', (chunk: Buffer) => this.read(chunk));
    // A client's RST_STREAM also ends the readable side: that end is a cancel.
    stream.on('end', () => (stream.rstCode ? this.cancelled() : this.finished || this.emit('end')));
    stream.on('aborted', () => this.cancelled());
    stream.on('close', () => {
      this.finished = true;
      this.emit('close');
    });
    stream.on('error', () => undefined); // a reset stream: 'close' follows
    // As on a grpc-js server stream: emitting 'error' ends the call with that status.
    this.on('error', (err: Partial<grpc.ServiceError>) => this.finish({
      code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? err.message ?? 'error', ...(err.metadata ? { metadata: err.metadata } : {}),
    }));
  }

  private cancelled(): void {
    if (this.finished) return;
    this.finished = true;
    this.emit('cancelled');
  }

  /** Writes one answer; false (and nothing written) once the call has ended. */
  write(message: unknown): boolean {
    if (this.finished || this.stream.destroyed) return false;
    const body = this.codec.encode(message);
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + body.length);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, PREFIX_BYTES);
    this.stream.write(frame);
    return true;
  }

  /** Ends the call with OK. */
  end(): void {
    this.finish({ code: grpc.status.OK, details: 'OK' });
  }

  private finish(status: Status): void {
    if (this.finished) return;
    this.finished = true;
    this.status = status;
    this.partial = undefined;
    if (this.stream.destroyed || this.stream.closed) return;
    try {
      this.stream.end();
    } catch {
      // reset meanwhile: 'close' follows
    }
  }

  private read(chunk: Buffer): void {
    if (this.finished) return;
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let at = 0;
    while (buf.length - at >= PREFIX_BYTES) {
      const length = buf.readUInt32BE(at + 1);
      if (length > this.maxMessageBytes) {
        this.finish({ code: grpc.status.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs. ${this.maxMessageBytes})` });
        return;
      }
      if (buf.length - at - PREFIX_BYTES < length) break;
      if (buf[at] !== 0) {
        this.finish({ code: grpc.status.UNIMPLEMENTED, details: 'compressed messages are not accepted (grpc-accept-encoding: identity)' });
        return;
      }
      let message: unknown;
      try {
        message = this.codec.decode(buf.subarray(at + PREFIX_BYTES, at + PREFIX_BYTES + length));
      } catch {
        this.finish({ code: grpc.status.INTERNAL, details: 'Error deserializing request' });
        return;
      }
      at += PREFIX_BYTES + length;
      this.emit('data', message);
      if (this.finished) return;
    }
    if (at < buf.length) this.partial = at === 0 ? buf : buf.subarray(at);
  }
}
