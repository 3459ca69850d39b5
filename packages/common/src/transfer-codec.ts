/**
 * Framing of the block transfer protocol (proto/minidfs/v1/data_transfer.proto, bottom half, has the
 * byte layout): the opener's preamble ("MDT1" + uint32 length + TransferOpHeader protobuf), then
 * PACKET frames (24-byte fixed header, one CRC32C per 512-byte chunk, data) and MESSAGE frames
 * (8-byte header + TransferStatus protobuf). Pure: no I/O.
 *
 * `FrameDecoder` takes socket chunks in any split and returns whole frames. Each packet frame keeps
 * `raw`, the exact bytes received (header, CRCs, data), so a pipeline node forwards it downstream
 * without re-encoding; `data` is a view into `raw`. Every length is checked against its limit
 * before anything is buffered for it, so a peer cannot make the decoder hold more than one frame
 * (at most 24 + 4·128 + packetDataBytes bytes) plus one socket chunk. Any malformed input throws
 * TransferProtocolError; after a throw the decoder must not be used again.
 */
import path from 'node:path';
import * as protobuf from 'protobufjs';
import { TransferProtocolError } from './errors';
import { Limits } from './limits';
import type { TransferOpHeader__Output } from './generated/minidfs/v1/TransferOpHeader';
import type { TransferStatus__Output } from './generated/minidfs/v1/TransferStatus';

export type { TransferOpHeader__Output, TransferStatus__Output };

/** "MDT" + protocol version 1. */
export const TRANSFER_MAGIC = Buffer.from([0x4d, 0x44, 0x54, 0x01]);
export const PREAMBLE_FIXED_BYTES = 8;
export const PACKET_HEADER_BYTES = 24;
export const MESSAGE_HEADER_BYTES = 8;
export const FRAME_PACKET = 1;
export const FRAME_MESSAGE = 2;
const FLAG_LAST = 0x01;
const TWO_32 = 2 ** 32;
/** Largest value of a 64-bit field we accept: 2^53 - 1 (exact in a JS number). */
const MAX_U64_HI = 2 ** 21;

export type TransferOpName = 'TRANSFER_OP_WRITE' | 'TRANSFER_OP_READ' | 'TRANSFER_OP_REPLICATE';

/** A TransferOpHeader as code builds it (numbers, enum by name). */
export interface TransferOpHeaderIn {
  op: TransferOpName;
  blockId: number;
  generationStamp: number;
  offsetBytes?: number;
  lengthBytes?: number;
  targets?: Array<{ nodeId: string; host: string; dataPort: number; rack: string; transferPort: number }>;
  accessToken: string;
  clientName?: string;
}

/** A TransferStatus as code builds it. */
export interface TransferStatusIn {
  seqno?: number;
  ackedBy?: string[];
  finalized?: boolean;
  lengthBytes?: number;
  errorCode?: string;
  errorMessage?: string;
  badNode?: string;
}

export interface PacketFrame {
  kind: 'packet';
  seqno: number;
  offsetBytes: number;
  last: boolean;
  /** One CRC32C per bytesPerChecksum chunk of data. */
  chunkCrcs: number[];
  data: Buffer;
  /** The whole frame as received (forward this downstream). */
  raw: Buffer;
}

export interface MessageFrame {
  kind: 'message';
  status: TransferStatus__Output;
}

export type TransferFrame = PacketFrame | MessageFrame;

let types: { header: protobuf.Type; status: protobuf.Type } | undefined;
function protoTypes(): { header: protobuf.Type; status: protobuf.Type } {
  if (!types) {
    // packages/common/{src,dist}/ -> repo root proto/ (as proto.ts PROTO_ROOT; not imported to keep this file free of grpc-js)
    const protoRoot = path.resolve(__dirname, '../../../proto');
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(protoRoot, target);
    root.loadSync('minidfs/v1/data_transfer.proto');
    types = { header: root.lookupType('minidfs.v1.TransferOpHeader'), status: root.lookupType('minidfs.v1.TransferStatus') };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true };

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_32), at);
  buf.writeUInt32BE(value % TWO_32, at + 4);
}

function readU64(buf: Buffer, at: number, what: string): number {
  const hi = buf.readUInt32BE(at);
  if (hi >= MAX_U64_HI) throw new TransferProtocolError(`${what} exceeds 2^53`);
  return hi * TWO_32 + buf.readUInt32BE(at + 4);
}

function checkSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
}

/** The opener's preamble: magic, header length, TransferOpHeader. */
export function encodePreamble(header: TransferOpHeaderIn): Buffer {
  const { header: type } = protoTypes();
  const body = type.encode(type.fromObject(header)).finish();
  if (body.length > Limits.maxTransferHeaderBytes) throw new RangeError(`transfer header of ${body.length} bytes exceeds ${Limits.maxTransferHeaderBytes}`);
  const out = Buffer.allocUnsafe(PREAMBLE_FIXED_BYTES + body.length);
  TRANSFER_MAGIC.copy(out, 0);
  out.writeUInt32BE(body.length, 4);
  out.set(body, PREAMBLE_FIXED_BYTES);
  return out;
}

/**
 * The fixed header and CRCs of one packet frame; send `data` right after it (two writes, or one
 * writev: the data is not copied).
 */
export function encodePacketHead(seqno: number, offsetBytes: number, last: boolean, data: Buffer, chunkCrcs: readonly number[]): Buffer {
  checkSafe(seqno, 'seqno');
  checkSafe(offsetBytes, 'offset');
  if (data.length > Limits.packetDataBytes) throw new RangeError(`packet of ${data.length} bytes exceeds ${Limits.packetDataBytes}`);
  const crcCount = Math.ceil(data.length / Limits.bytesPerChecksum);
  if (chunkCrcs.length !== crcCount) throw new RangeError(`${data.length} bytes need ${crcCount} chunk CRCs, got ${chunkCrcs.length}`);
  const out = Buffer.allocUnsafe(PACKET_HEADER_BYTES + 4 * crcCount);
  out[0] = FRAME_PACKET;
  out[1] = last ? FLAG_LAST : 0;
  out.writeUInt16BE(0, 2);
  out.writeUInt32BE(data.length, 4);
  writeU64(out, seqno, 8);
  writeU64(out, offsetBytes, 16);
  for (let i = 0; i < crcCount; i += 1) out.writeUInt32BE(chunkCrcs[i]! >>> 0, PACKET_HEADER_BYTES + 4 * i);
  return out;
}

/** A whole packet frame in one buffer (tests, small packets). */
export function encodePacket(seqno: number, offsetBytes: number, last: boolean, data: Buffer, chunkCrcs: readonly number[]): Buffer {
  return Buffer.concat([encodePacketHead(seqno, offsetBytes, last, data, chunkCrcs), data]);
}

/** A MESSAGE frame carrying a TransferStatus (ack or error). */
export function encodeStatus(status: TransferStatusIn): Buffer {
  const { status: type } = protoTypes();
  const body = type.encode(type.fromObject(status)).finish();
  if (body.length > Limits.maxTransferMessageBytes) throw new RangeError(`transfer status of ${body.length} bytes exceeds ${Limits.maxTransferMessageBytes}`);
  const out = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES + body.length);
  out[0] = FRAME_MESSAGE;
  out.writeUIntBE(0, 1, 3);
  out.writeUInt32BE(body.length, 4);
  out.set(body, MESSAGE_HEADER_BYTES);
  return out;
}

function decodeHeader(body: Buffer): TransferOpHeader__Output {
  const { header: type } = protoTypes();
  let object: TransferOpHeader__Output;
  try {
    object = type.toObject(type.decode(body), TO_OBJECT) as TransferOpHeader__Output;
  } catch (err) {
    throw new TransferProtocolError(`undecodable transfer header: ${(err as Error).message}`);
  }
  if (!['TRANSFER_OP_WRITE', 'TRANSFER_OP_READ', 'TRANSFER_OP_REPLICATE'].includes(object.op)) {
    throw new TransferProtocolError(`unknown transfer op ${JSON.stringify(String(object.op)).slice(0, 40)}`);
  }
  for (const [name, value] of [['block_id', object.blockId], ['generation_stamp', object.generationStamp], ['offset_bytes', object.offsetBytes], ['length_bytes', object.lengthBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TransferProtocolError(`transfer header ${name} ${value} is not an integer in 0..2^53`);
  }
  return object;
}

function decodeStatus(body: Buffer): TransferStatus__Output {
  const { status: type } = protoTypes();
  try {
    const status = type.toObject(type.decode(body), TO_OBJECT) as TransferStatus__Output;
    if (!Number.isSafeInteger(status.seqno) || !Number.isSafeInteger(status.lengthBytes)) throw new Error('seqno or length past 2^53');
    return status;
  } catch (err) {
    throw new TransferProtocolError(`undecodable transfer status: ${(err as Error).message}`);
  }
}

/**
 * Incremental decoder of one direction of a transfer connection. `expectPreamble`: this side reads
 * the opener's preamble first (the DataNode). push() returns the frames completed by the chunk;
 * the preamble is returned once by push() as `{ kind: 'header' }`.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needPreamble: boolean;
  /** Bytes the frame being read needs in total, once its fixed header is known. */
  private frameBytes = 0;

  constructor(expectPreamble: boolean, private readonly bytesPerChecksum: number = Limits.bytesPerChecksum) {
    this.needPreamble = expectPreamble;
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Array<TransferFrame | { kind: 'header'; header: TransferOpHeader__Output }> {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: Array<TransferFrame | { kind: 'header'; header: TransferOpHeader__Output }> = [];
    for (;;) {
      if (this.frameBytes === 0) {
        const fixed = this.needPreamble ? PREAMBLE_FIXED_BYTES : this.peekKindFixedBytes();
        if (fixed === 0 || this.buffered < fixed) return out;
        this.frameBytes = this.sizeFromFixedHeader(this.peek(fixed));
      }
      if (this.buffered < this.frameBytes) return out;
      const frame = this.take(this.frameBytes);
      this.frameBytes = 0;
      if (this.needPreamble) {
        this.needPreamble = false;
        out.push({ kind: 'header', header: decodeHeader(frame.subarray(PREAMBLE_FIXED_BYTES)) });
      } else if (frame[0] === FRAME_PACKET) {
        out.push(this.packetOf(frame));
      } else {
        out.push({ kind: 'message', status: decodeStatus(frame.subarray(MESSAGE_HEADER_BYTES)) });
      }
    }
  }

  /** Fixed header size of the next frame by its kind byte; 0 if no byte is buffered yet. */
  private peekKindFixedBytes(): number {
    if (this.buffered === 0) return 0;
    const kind = this.chunks[0]![0];
    if (kind === FRAME_PACKET) return PACKET_HEADER_BYTES;
    if (kind === FRAME_MESSAGE) return MESSAGE_HEADER_BYTES;
    throw new TransferProtocolError(`unknown transfer frame kind ${kind}`);
  }

  /** Checks a fixed header; returns the whole frame's size. */
  private sizeFromFixedHeader(fixed: Buffer): number {
    if (this.needPreamble) {
      if (!fixed.subarray(0, 4).equals(TRANSFER_MAGIC)) {
        throw new TransferProtocolError(`not a minidfs transfer connection (magic ${fixed.subarray(0, 4).toString('hex')}, expected ${TRANSFER_MAGIC.toString('hex')})`);
      }
      const length = fixed.readUInt32BE(4);
      if (length > Limits.maxTransferHeaderBytes) throw new TransferProtocolError(`transfer header of ${length} bytes exceeds ${Limits.maxTransferHeaderBytes}`);
      return PREAMBLE_FIXED_BYTES + length;
    }
    if (fixed[0] === FRAME_MESSAGE) {
      if (fixed.readUIntBE(1, 3) !== 0) throw new TransferProtocolError('reserved bytes of a message frame are not zero');
      const length = fixed.readUInt32BE(4);
      if (length > Limits.maxTransferMessageBytes) throw new TransferProtocolError(`transfer message of ${length} bytes exceeds ${Limits.maxTransferMessageBytes}`);
      return MESSAGE_HEADER_BYTES + length;
    }
    if ((fixed[1]! & ~FLAG_LAST) !== 0 || fixed.readUInt16BE(2) !== 0) throw new TransferProtocolError('unknown packet flags or reserved bytes not zero');
    const dataLength = fixed.readUInt32BE(4);
    if (dataLength > Limits.packetDataBytes) throw new TransferProtocolError(`packet of ${dataLength} bytes exceeds ${Limits.packetDataBytes}`);
    readU64(fixed, 8, 'packet seqno');
    readU64(fixed, 16, 'packet offset');
    return PACKET_HEADER_BYTES + 4 * Math.ceil(dataLength / this.bytesPerChecksum) + dataLength;
  }

  private packetOf(raw: Buffer): PacketFrame {
    const dataLength = raw.readUInt32BE(4);
    const crcCount = Math.ceil(dataLength / this.bytesPerChecksum);
    const chunkCrcs = new Array<number>(crcCount);
    for (let i = 0; i < crcCount; i += 1) chunkCrcs[i] = raw.readUInt32BE(PACKET_HEADER_BYTES + 4 * i);
    return {
      kind: 'packet', seqno: readU64(raw, 8, 'packet seqno'), offsetBytes: readU64(raw, 16, 'packet offset'), last: (raw[1]! & FLAG_LAST) !== 0,
      chunkCrcs, data: raw.subarray(PACKET_HEADER_BYTES + 4 * crcCount), raw,
    };
  }

  /** The first `n` buffered bytes without consuming them (copies only when they span chunks). */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, Math.min(this.buffered, Math.max(n, 0))).subarray(0, n);
  }

  /** Consumes the first `n` buffered bytes as one buffer (a view when they lie in one chunk). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // Spans chunks: copy once, and drop the consumed chunks in one splice (no shift per chunk).
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    let i = 0;
    for (; at < n; i += 1) {
      const chunk = this.chunks[i]!;
      const want = n - at;
      if (chunk.length <= want) {
        out.set(chunk, at);
        at += chunk.length;
      } else {
        out.set(chunk.subarray(0, want), at);
        this.chunks[i] = chunk.subarray(want);
        at += want;
        break;
      }
    }
    this.chunks.splice(0, i);
    return out;
  }
}
