/**
 * The loadgen's Heartbeat streams on node:http2 directly instead of through grpc-js: the same gRPC
 * wire (HTTP/2 POST to /minidfs.v1.DatanodeProtocol/Heartbeat, 5-byte length-prefixed protobuf
 * messages, grpc-status in trailers) without grpc-js's per-message client layers (retrying,
 * resolving, load-balancing and subchannel calls, filters, an object-mode stream), which cost the
 * loadgen more CPU per beat than the NameNode spent on it. One HTTP/2 connection per channel, as
 * with grpc-js; the beat messages are encoded by hand, the node id and registration id part once
 * per stream. The HeartbeatLink (registration, timers, watchdog, REREGISTER, reconnect) is the
 * DataNode's own; only the object its `client().Heartbeat(metadata)` returns differs.
 */
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { type DatanodeProtocolClient, type HeartbeatRequest, Limits, loadProtos, varintBytes, writeVarint } from '@minidfs/common';

const HEARTBEAT_PATH = '/minidfs.v1.DatanodeProtocol/Heartbeat';
const PREFIX_BYTES = 5;

/** Field tags of HeartbeatRequest's scalar fields 3..11 (varint wire type). */
const SCALAR_TAGS: ReadonlyArray<[number, keyof HeartbeatRequest]> = [
  [0x18, 'sequence'], [0x20, 'capacityBytes'], [0x28, 'usedBytes'], [0x30, 'remainingBytes'], [0x38, 'activeTransfers'],
  [0x40, 'failedVolumes'], [0x48, 'goodbye'], [0x50, 'blockCount'], [0x58, 'sendLagMs'],
];

/**
 * Encodes HeartbeatRequests of one stream: its node id and registration id (fields 1, 2) once,
 * then the numbers per beat, the whole gRPC frame in one buffer. Beats with peer probe answers or
 * other ids go to proto-loader's serializer.
 */
export class BeatEncoder {
  private ids: Buffer | undefined;
  private idsFor: { nodeId?: string; registrationId?: string } = {};

  constructor(private readonly generic: (m: HeartbeatRequest) => Buffer) {}

  frame(m: HeartbeatRequest): Buffer {
    if (m.peerProbes && m.peerProbes.length > 0) return frameOf(this.generic(m));
    if (!this.ids || this.idsFor.nodeId !== m.nodeId || this.idsFor.registrationId !== m.registrationId) {
      const parts: Buffer[] = [];
      for (const [tag, s] of [[0x0a, m.nodeId], [0x12, m.registrationId]] as const) {
        if (!s) continue;
        const bytes = Buffer.from(s, 'utf8');
        const head = Buffer.allocUnsafe(1 + varintBytes(bytes.length));
        head[0] = tag;
        writeVarint(head, 1, bytes.length);
        parts.push(head, bytes);
      }
      this.ids = Buffer.concat(parts);
      this.idsFor = { nodeId: m.nodeId, registrationId: m.registrationId };
    }
    let length = this.ids.length;
    for (const [, key] of SCALAR_TAGS) {
      const v = Number(m[key] ?? 0);
      if (!Number.isSafeInteger(v) || v < 0) return frameOf(this.generic(m)); // odd values: protobufjs decides
      if (v !== 0) length += 1 + varintBytes(v);
    }
    const out = Buffer.allocUnsafe(PREFIX_BYTES + length);
    out[0] = 0;
    out.writeUInt32BE(length, 1);
    this.ids.copy(out, PREFIX_BYTES);
    let at = PREFIX_BYTES + this.ids.length;
    for (const [tag, key] of SCALAR_TAGS) {
      const v = Number(m[key] ?? 0);
      if (v === 0) continue;
      out[at++] = tag;
      at = writeVarint(out, at, v);
    }
    return out;
  }
}

function frameOf(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  body.copy(out, PREFIX_BYTES);
  return out;
}

/** Why a connection failed, for the status of its streams. */
const sessionErrors = new WeakMap<http2.ClientHttp2Session, string>();

/** One HTTP/2 connection carrying the Heartbeat streams of the nodes of one channel. */
export class DirectHeartbeatChannel {
  private session: http2.ClientHttp2Session | undefined;
  private readonly hb = loadProtos().DatanodeProtocol.service.Heartbeat;

  constructor(private readonly address: string) {}

  /** A grpc-js client whose Heartbeat goes through this channel (every other method is the client's own). */
  wrap(client: DatanodeProtocolClient): DatanodeProtocolClient {
    const wrapped = Object.create(client) as DatanodeProtocolClient;
    (wrapped as unknown as { Heartbeat: (metadata?: grpc.Metadata) => DirectClientCall }).Heartbeat = (metadata?: grpc.Metadata) => this.open(metadata ?? new grpc.Metadata());
    return wrapped;
  }

  open(metadata: grpc.Metadata): DirectClientCall {
    let s = this.session;
    if (!s || s.closed || s.destroyed) {
      // As grpc-js does: Node's per-session memory limit (10 MB) refuses streams under load, and
      // its behaviour degrades badly when reached.
      s = http2.connect(`http://${this.address}`, { maxSessionMemory: Number.MAX_SAFE_INTEGER, maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER });
      const session = s;
      s.on('error', (err: Error) => { sessionErrors.set(session, err.message); }); // its streams end with UNAVAILABLE, naming it
      s.on('goaway', (code: number) => { if (!sessionErrors.has(session)) sessionErrors.set(session, `GOAWAY ${code}`); });
      this.session = s;
    }
    return new DirectClientCall(s, metadata, new BeatEncoder((m) => this.hb.requestSerialize(m)), (b) => this.hb.responseDeserialize(b));
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

/** The part of a grpc-js ClientDuplexStream the HeartbeatLink uses: write, end, cancel; data, error, end. */
export class DirectClientCall extends EventEmitter {
  private readonly stream: http2.ClientHttp2Stream;
  private partial: Buffer | undefined;
  private done = false;

  constructor(session: http2.ClientHttp2Session, metadata: grpc.Metadata, private readonly encoder: BeatEncoder, private readonly decode: (b: Buffer) => unknown) {
    super();
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({
        ...metadata.toHttp2Headers(), ':method': 'POST', ':path': HEARTBEAT_PATH, 'content-type': 'application/grpc', te: 'trailers',
        'grpc-accept-encoding': 'identity',
      });
    } catch (err) {
      stream = undefined as unknown as http2.ClientHttp2Stream;
      process.nextTick(() => this.status(grpc.status.UNAVAILABLE, (err as Error).message));
      this.stream = { write: () => false, end: () => undefined, close: () => undefined, destroyed: true } as unknown as http2.ClientHttp2Stream;
      return;
    }
    this.stream = stream;
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) this.statusFrom(headers); // trailers-only answer
    });
    stream.on('trailers', (trailers) => this.statusFrom(trailers));
    stream.on('data', (chunk: Buffer) => this.read(chunk));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      const why = sessionErrors.get(session);
      this.status(grpc.status.UNAVAILABLE, `stream closed (HTTP/2 code ${stream.rstCode ?? 0}${why ? `; connection: ${why}` : ''})`);
    });
  }

  write(message: HeartbeatRequest): boolean {
    if (this.done || this.stream.destroyed) return false;
    return this.stream.write(this.encoder.frame(message));
  }

  end(): void {
    if (!this.stream.destroyed) this.stream.end();
  }

  cancel(): void {
    if (!this.done) this.status(grpc.status.CANCELLED, 'Cancelled on client');
    if (!this.stream.destroyed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private statusFrom(headers: http2.IncomingHttpHeaders): void {
    const code = Number(headers['grpc-status']);
    const details = decodeURIComponent(String(headers['grpc-message'] ?? ''));
    this.status(Number.isInteger(code) ? code : grpc.status.UNKNOWN, details, grpc.Metadata.fromHttp2Headers(headers));
  }

  /** The call's end: OK is 'end', anything else an 'error' shaped like grpc-js's ServiceError. */
  private status(code: number, details: string, metadata = new grpc.Metadata()): void {
    if (this.done) return;
    this.done = true;
    if (code === grpc.status.OK) {
      this.emit('end');
      return;
    }
    const err = Object.assign(new Error(`${code} ${grpc.status[code] ?? ''}: ${details}`), { code, details, metadata });
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private read(chunk: Buffer): void {
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let at = 0;
    while (buf.length - at >= PREFIX_BYTES) {
      const length = buf.readUInt32BE(at + 1);
      if (length > Limits.maxGrpcMessageBytes) {
        this.cancel();
        return;
      }
      if (buf.length - at - PREFIX_BYTES < length) break;
      const message = this.decode(buf.subarray(at + PREFIX_BYTES, at + PREFIX_BYTES + length));
      at += PREFIX_BYTES + length;
      if (!this.done) this.emit('data', message);
    }
    if (at < buf.length) this.partial = at === 0 ? buf : buf.subarray(at);
  }
}
