/**
 * Framing of the block transfer protocol (proto/minidfs/v1/data_transfer.proto, bottom half, has the
 * byte layout): the opener's preamble ("MDT1" + uint32 length + TransferOpHeader protobuf), then
 * PACKET frames (24-byte fixed header, one CRC32C per 512-byte chunk, data) and MESSAGE frames
 * (8-byte header + TransferStatus protobuf). Pure: no I/O.
 *
 * `FrameDecoder` takes socket chunks in any split and returns whole frames. A packet frame is parsed
 * in place: it keeps the exact bytes received (header, CRCs, data) as views of the socket chunks
 * they arrived in (`rawPieces`, `dataPieces`), so a pipeline node checks, forwards and writes it
 * without copying or re-encoding; `raw` and `data` join the pieces into one buffer only when asked
 * for. Every length is checked against its limit before anything is buffered for it, so a peer
 * cannot make the decoder hold more than one frame (at most 24 + 4·128 + packetDataBytes bytes)
 * plus one socket chunk. Any malformed input throws TransferProtocolError; after a throw the
 * decoder must not be used again. Acks and errors (TransferStatus) are encoded and decoded by hand.
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
/**
 * Socket chunks one frame may span and still be handed out as views (PacketFrame.rawPieces). A
 * packet of 64 KiB + CRCs read in the usual 64 KiB socket chunks spans two or three; a frame cut
 * into more (a peer sending tiny segments, TLS records) is copied into one buffer instead, so
 * checking, forwarding and writing a packet never walks more than this many pieces.
 */
export const MAX_PACKET_PIECES = 16;
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
  /** Bytes of data (without joining the pieces). */
  readonly dataBytes: number;
  /**
   * The data in one buffer: a view into the frame when it arrived in one socket chunk, else copied
   * once, on first access. Code that can take pieces (`dataPieces`) never pays that copy.
   */
  readonly data: Buffer;
  /** The whole frame as received in one buffer (copied on first access if it spanned socket chunks). */
  readonly raw: Buffer;
  /**
   * The whole frame as received, as views into the socket chunks it arrived in (at most
   * MAX_PACKET_PIECES): forward these downstream, no copy, no re-encoding.
   */
  readonly rawPieces: readonly Buffer[];
  /** The data as views into the socket chunks (check and write these: no copy). */
  readonly dataPieces: readonly Buffer[];
}

export interface MessageFrame {
  kind: 'message';
  status: TransferStatus__Output;
}

export type TransferFrame = PacketFrame | MessageFrame;

let types: { header: protobuf.Type; status: protobuf.Type } | undefined;
/** The protobufjs types (the op header is decoded with them; statuses are hand-coded, protobufjs only checks them in tests). */
export function transferProtoTypes(): { header: protobuf.Type; status: protobuf.Type } {
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
  const { header: type } = transferProtoTypes();
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

/*
 * TransferStatus (acks, one per packet, and errors) is encoded and decoded by hand: protobuf wire
 * format, fields in field-number order and defaults left out, exactly as protobufjs writes them
 * (transfer-codec tests compare both), without building a protobufjs message per ack.
 * Field numbers: proto/minidfs/v1/data_transfer.proto, message TransferStatus.
 */
const STATUS_SEQNO = 1;
const STATUS_ACKED_BY = 2;
const STATUS_FINALIZED = 3;
const STATUS_LENGTH_BYTES = 4;
const STATUS_ERROR_CODE = 5;
const STATUS_ERROR_MESSAGE = 6;
const STATUS_BAD_NODE = 7;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
/** Longest varint (64 bits). */
const MAX_VARINT_BYTES = 10;

/** Bytes of `value` (a non-negative safe integer) as a protobuf varint. */
export function varintBytes(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n += 1;
  return n;
}

/** Writes `value` (a non-negative safe integer) as a protobuf varint at `at`; returns the offset after it. */
export function writeVarint(buf: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

/** A MESSAGE frame carrying a TransferStatus (ack or error). */
export function encodeStatus(status: TransferStatusIn): Buffer {
  const seqno = status.seqno ?? 0;
  const lengthBytes = status.lengthBytes ?? 0;
  checkSafe(seqno, 'seqno');
  checkSafe(lengthBytes, 'lengthBytes');
  const strings: Array<[number, string]> = [];
  for (const node of status.ackedBy ?? []) strings.push([STATUS_ACKED_BY, node]);
  let size = 0;
  if (seqno > 0) size += 1 + varintBytes(seqno);
  const stringBytes: number[] = [];
  for (const [, value] of strings) {
    const n = Buffer.byteLength(value);
    stringBytes.push(n);
    size += 1 + varintBytes(n) + n;
  }
  if (status.finalized) size += 2;
  if (lengthBytes > 0) size += 1 + varintBytes(lengthBytes);
  const tail: Array<[number, string, number]> = [];
  for (const [field, value] of [[STATUS_ERROR_CODE, status.errorCode], [STATUS_ERROR_MESSAGE, status.errorMessage], [STATUS_BAD_NODE, status.badNode]] as const) {
    if (!value) continue;
    const n = Buffer.byteLength(value);
    tail.push([field, value, n]);
    size += 1 + varintBytes(n) + n;
  }
  if (size > Limits.maxTransferMessageBytes) throw new RangeError(`transfer status of ${size} bytes exceeds ${Limits.maxTransferMessageBytes}`);
  const out = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES + size);
  out[0] = FRAME_MESSAGE;
  out.writeUIntBE(0, 1, 3);
  out.writeUInt32BE(size, 4);
  let at = MESSAGE_HEADER_BYTES;
  const tag = (field: number, wire: number) => { out[at++] = (field << 3) | wire; };
  if (seqno > 0) {
    tag(STATUS_SEQNO, WIRE_VARINT);
    at = writeVarint(out, at, seqno);
  }
  strings.forEach(([field, value], i) => {
    tag(field, WIRE_LENGTH_DELIMITED);
    at = writeVarint(out, at, stringBytes[i]!);
    at += out.write(value, at, 'utf8');
  });
  if (status.finalized) {
    tag(STATUS_FINALIZED, WIRE_VARINT);
    out[at++] = 1;
  }
  if (lengthBytes > 0) {
    tag(STATUS_LENGTH_BYTES, WIRE_VARINT);
    at = writeVarint(out, at, lengthBytes);
  }
  for (const [field, value, n] of tail) {
    tag(field, WIRE_LENGTH_DELIMITED);
    at = writeVarint(out, at, n);
    at += out.write(value, at, 'utf8');
  }
  return out;
}

/** Reads protobuf wire format from one buffer; every overrun or unsupported encoding throws TransferProtocolError. */
class WireReader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  /** A varint as a number; past 2^53 - 1 throws `what` (a 64-bit value we cannot hold exactly). */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i += 1) {
      if (this.at >= this.buf.length) throw new TransferProtocolError(`truncated varint in ${what}`);
      const byte = this.buf[this.at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new TransferProtocolError(`${what} past 2^53`);
        return value;
      }
      scale *= 0x80;
    }
    throw new TransferProtocolError(`varint of more than ${MAX_VARINT_BYTES} bytes in ${what}`);
  }

  /** Consumes a varint of any size (an unknown field's, or a bool); true if its value is not 0. */
  nonZeroVarint(): boolean {
    let nonZero = false;
    for (let i = 0; i < MAX_VARINT_BYTES; i += 1) {
      if (this.at >= this.buf.length) throw new TransferProtocolError('truncated varint');
      const byte = this.buf[this.at++]!;
      if ((byte & 0x7f) !== 0) nonZero = true;
      if (byte < 0x80) return nonZero;
    }
    throw new TransferProtocolError(`varint of more than ${MAX_VARINT_BYTES} bytes`);
  }

  /** The bytes of a length-delimited field. */
  bytes(what: string): Buffer {
    const length = this.varint(`${what} length`);
    if (length > this.buf.length - this.at) throw new TransferProtocolError(`${what} of ${length} bytes overruns its message`);
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  skip(bytes: number): void {
    if (bytes > this.buf.length - this.at) throw new TransferProtocolError('field overruns its message');
    this.at += bytes;
  }
}

/** Decodes a TransferStatus body; unknown fields are skipped (proto3), a known field in the wrong wire type is an error. */
function decodeStatus(body: Buffer): TransferStatus__Output {
  const status: TransferStatus__Output = { seqno: 0, ackedBy: [], finalized: false, lengthBytes: 0, errorCode: '', errorMessage: '', badNode: '' };
  const r = new WireReader(body);
  try {
    while (!r.done) {
      const key = r.varint('field key');
      const field = Math.floor(key / 8);
      const wire = key % 8;
      const expect = (type: number) => {
        if (wire !== type) throw new TransferProtocolError(`transfer status field ${field} has wire type ${wire}, expected ${type}`);
      };
      switch (field) {
        case STATUS_SEQNO: expect(WIRE_VARINT); status.seqno = r.varint('seqno'); break;
        case STATUS_ACKED_BY: expect(WIRE_LENGTH_DELIMITED); status.ackedBy.push(r.bytes('acked_by').toString('utf8')); break;
        case STATUS_FINALIZED: expect(WIRE_VARINT); status.finalized = r.nonZeroVarint(); break;
        case STATUS_LENGTH_BYTES: expect(WIRE_VARINT); status.lengthBytes = r.varint('length_bytes'); break;
        case STATUS_ERROR_CODE: expect(WIRE_LENGTH_DELIMITED); status.errorCode = r.bytes('error_code').toString('utf8'); break;
        case STATUS_ERROR_MESSAGE: expect(WIRE_LENGTH_DELIMITED); status.errorMessage = r.bytes('error_message').toString('utf8'); break;
        case STATUS_BAD_NODE: expect(WIRE_LENGTH_DELIMITED); status.badNode = r.bytes('bad_node').toString('utf8'); break;
        default:
          if (field === 0) throw new TransferProtocolError('field number 0');
          if (wire === WIRE_VARINT) r.nonZeroVarint();
          else if (wire === WIRE_FIXED64) r.skip(8);
          else if (wire === WIRE_LENGTH_DELIMITED) r.bytes(`field ${field}`);
          else if (wire === WIRE_FIXED32) r.skip(4);
          else throw new TransferProtocolError(`unsupported wire type ${wire} (field ${field})`);
      }
    }
  } catch (err) {
    throw new TransferProtocolError(`undecodable transfer status: ${(err as Error).message}`);
  }
  return status;
}

function decodeHeader(body: Buffer): TransferOpHeader__Output {
  const { header: type } = transferProtoTypes();
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
      const frameBytes = this.frameBytes;
      const pieces = this.take(frameBytes);
      this.frameBytes = 0;
      if (this.needPreamble) {
        this.needPreamble = false;
        out.push({ kind: 'header', header: decodeHeader(joined(pieces, frameBytes).subarray(PREAMBLE_FIXED_BYTES)) });
      } else if (pieces[0]![0] === FRAME_PACKET) {
        out.push(this.packetOf(pieces));
      } else {
        out.push({ kind: 'message', status: decodeStatus(joined(pieces, frameBytes).subarray(MESSAGE_HEADER_BYTES)) });
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

  private packetOf(rawPieces: Buffer[]): PacketFrame {
    const first = rawPieces[0]!;
    const dataLength = (first.length >= PACKET_HEADER_BYTES ? first : Buffer.concat(rawPieces, PACKET_HEADER_BYTES)).readUInt32BE(4);
    const crcCount = Math.ceil(dataLength / this.bytesPerChecksum);
    const headBytes = PACKET_HEADER_BYTES + 4 * crcCount;
    // Header and CRCs (at most 24 + 4·128 bytes) in one buffer: a view, or a small copy when they span pieces.
    const head = first.length >= headBytes ? first : Buffer.concat(rawPieces, headBytes);
    const chunkCrcs = new Array<number>(crcCount);
    for (let i = 0; i < crcCount; i += 1) chunkCrcs[i] = head.readUInt32BE(PACKET_HEADER_BYTES + 4 * i);
    return new ReceivedPacket(readU64(head, 8, 'packet seqno'), readU64(head, 16, 'packet offset'), (head[1]! & FLAG_LAST) !== 0, chunkCrcs, rawPieces, headBytes, dataLength);
  }

  /** The first `n` buffered bytes without consuming them (copies only when they span chunks). */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, Math.min(this.buffered, Math.max(n, 0))).subarray(0, n);
  }

  /**
   * Consumes the first `n` buffered bytes as views of the chunks they lie in (no copy), or as one
   * copied buffer if they span more than MAX_PACKET_PIECES chunks.
   */
  private take(n: number): Buffer[] {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return [first.subarray(0, n)];
    }
    // Spans chunks: views of each, the consumed chunks dropped in one splice (no shift per chunk).
    const pieces: Buffer[] = [];
    let at = 0;
    let i = 0;
    for (; at < n; i += 1) {
      const chunk = this.chunks[i]!;
      const want = n - at;
      if (chunk.length <= want) {
        pieces.push(chunk);
        at += chunk.length;
      } else {
        pieces.push(chunk.subarray(0, want));
        this.chunks[i] = chunk.subarray(want);
        at += want;
        break;
      }
    }
    this.chunks.splice(0, i);
    return pieces.length <= MAX_PACKET_PIECES ? pieces : [Buffer.concat(pieces, n)];
  }
}

/** `pieces` (`length` bytes in all) as one buffer: the piece itself if there is one, else a copy. */
function joined(pieces: readonly Buffer[], length: number): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
}

/** Views of `pieces` from byte `from` on. */
function piecesFrom(pieces: readonly Buffer[], from: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = from;
  for (const piece of pieces) {
    if (skip >= piece.length) {
      skip -= piece.length;
      continue;
    }
    out.push(skip > 0 ? piece.subarray(skip) : piece);
    skip = 0;
  }
  return out;
}

/** A decoded packet frame: views of the bytes as received; one buffer only when asked for (`data`, `raw`). */
class ReceivedPacket implements PacketFrame {
  readonly kind = 'packet' as const;
  private rawJoined: Buffer | undefined;
  private dataJoined: Buffer | undefined;
  private dataViews: Buffer[] | undefined;

  constructor(
    readonly seqno: number,
    readonly offsetBytes: number,
    readonly last: boolean,
    readonly chunkCrcs: number[],
    readonly rawPieces: readonly Buffer[],
    private readonly headBytes: number,
    readonly dataBytes: number,
  ) {}

  get raw(): Buffer {
    return (this.rawJoined ??= joined(this.rawPieces, this.headBytes + this.dataBytes));
  }

  get dataPieces(): readonly Buffer[] {
    if (this.dataViews === undefined) {
      const views = piecesFrom(this.rawPieces, this.headBytes);
      this.dataViews = views.length > 0 ? views : [this.rawPieces[0]!.subarray(0, 0)];
    }
    return this.dataViews;
  }

  get data(): Buffer {
    if (this.dataJoined === undefined) {
      this.dataJoined = this.rawJoined !== undefined || this.rawPieces.length === 1
        ? this.raw.subarray(this.headBytes)
        : joined(this.dataPieces, this.dataBytes);
    }
    return this.dataJoined;
  }
}
