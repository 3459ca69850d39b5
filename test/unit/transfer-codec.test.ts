/**
 * Block transfer framing (common/transfer-codec.ts): preamble, packet and status frames round-trip
 * in any split of the byte stream; a packet keeps its received bytes (`raw`) for cut-through
 * forwarding; every malformed input (magic, lengths past limits, unknown kinds, flags, reserved
 * bytes, undecodable protobuf, unknown op) throws TransferProtocolError before buffering for it.
 * Packets are parsed in place: their pieces are views of the socket chunks, never copies (up to
 * MAX_PACKET_PIECES chunks). The hand-written TransferStatus codec writes exactly protobufjs's bytes
 * and reads them back.
 */
import fc from 'fast-check';
import {
  FrameDecoder, Limits, MAX_PACKET_PIECES, MESSAGE_HEADER_BYTES, PACKET_HEADER_BYTES, type PacketFrame, TransferProtocolError, type TransferStatusIn, chunkCrcs,
  encodePacket, encodePacketHead, encodePreamble, encodeStatus, firstBadChunk, transferProtoTypes,
} from '@minidfs/common';
import { bytes } from '../support/bytes';

const header = {
  op: 'TRANSFER_OP_WRITE' as const, blockId: 2 ** 40 + 7, generationStamp: 1001, accessToken: 'v2.token', clientName: 'c1',
  targets: [{ nodeId: 'dn2', host: '127.0.0.1', dataPort: 9001, rack: '/r', transferPort: 9002 }],
};

function packet(seqno: number, offset: number, data: Buffer, last = false): Buffer {
  return encodePacket(seqno, offset, last, data, chunkCrcs(data));
}

/** Feeds `stream` to a decoder in pieces of the given sizes (cycled); returns every frame. */
function decodeSplit(stream: Buffer, sizes: number[], expectPreamble: boolean) {
  const decoder = new FrameDecoder(expectPreamble);
  const out = [];
  for (let at = 0, i = 0; at < stream.length; i += 1) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(...decoder.push(stream.subarray(at, at + n)));
    at += n;
  }
  expect(decoder.pendingBytes).toBe(0);
  return out;
}

describe('transfer codec', () => {
  const data1 = bytes(Limits.packetDataBytes, 3);
  const data2 = bytes(1000, 4);
  const stream = Buffer.concat([
    encodePreamble(header), packet(1, 0, data1), packet(2, data1.length, data2, true), encodeStatus({ seqno: 2, ackedBy: ['dn1', 'dn2'], finalized: true, lengthBytes: 66536 }),
  ]);

  it.each([[[stream.length]], [[1]], [[7, 3, 65536]], [[24]], [[100_000, 1]]])('round-trips a stream split as %j', (sizes) => {
    const frames = decodeSplit(stream, sizes, true);
    expect(frames.map((f) => f.kind)).toEqual(['header', 'packet', 'packet', 'message']);
    const h = frames[0] as unknown as { header: Record<string, unknown> };
    expect(h.header).toMatchObject({ op: 'TRANSFER_OP_WRITE', blockId: 2 ** 40 + 7, generationStamp: 1001, accessToken: 'v2.token', clientName: 'c1' });
    expect((h.header.targets as unknown[])[0]).toMatchObject({ nodeId: 'dn2', transferPort: 9002 });
    const p1 = frames[1] as Extract<(typeof frames)[number], { kind: 'packet' }>;
    const p2 = frames[2] as typeof p1;
    expect([p1.seqno, p1.offsetBytes, p1.last, p1.data.equals(data1)]).toEqual([1, 0, false, true]);
    expect([p2.seqno, p2.offsetBytes, p2.last, p2.data.equals(data2)]).toEqual([2, data1.length, true, true]);
    expect(p2.chunkCrcs).toEqual(chunkCrcs(data2));
    // raw is exactly the frame as sent: forwarding it downstream re-encodes nothing.
    expect(p2.raw.equals(packet(2, data1.length, data2, true))).toBe(true);
    const m = frames[3] as unknown as { status: Record<string, unknown> };
    expect(m.status).toMatchObject({ seqno: 2, ackedBy: ['dn1', 'dn2'], finalized: true, lengthBytes: 66536, errorCode: '' });
  });

  it('encodes an empty last packet and error statuses', () => {
    const frames = decodeSplit(Buffer.concat([packet(1, 0, Buffer.alloc(0), true), encodeStatus({ errorCode: 'CHECKSUM_MISMATCH', errorMessage: 'bad', badNode: 'dn3' })]), [5], false);
    expect(frames[0]).toMatchObject({ kind: 'packet', seqno: 1, last: true, chunkCrcs: [] });
    expect((frames[0] as { data: Buffer }).data.length).toBe(0);
    expect(frames[1]).toMatchObject({ kind: 'message', status: { errorCode: 'CHECKSUM_MISMATCH', errorMessage: 'bad', badNode: 'dn3' } });
  });

  it('refuses to encode what the decoder would refuse', () => {
    expect(() => encodePacketHead(1, 0, false, Buffer.alloc(Limits.packetDataBytes + 1), [])).toThrow(RangeError);
    expect(() => encodePacketHead(1, 0, false, Buffer.alloc(600), [1])).toThrow(RangeError);
    expect(() => encodePacketHead(-1, 0, false, Buffer.alloc(0), [])).toThrow(RangeError);
  });

  const malformed: Array<[string, Buffer, boolean]> = [
    ['bad magic', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), true],
    ['oversized header length', Buffer.from([0x4d, 0x44, 0x54, 0x01, 0xff, 0xff, 0xff, 0xff]), true],
    ['undecodable header', Buffer.concat([Buffer.from([0x4d, 0x44, 0x54, 0x01, 0, 0, 0, 3]), Buffer.from([0xff, 0xff, 0xff])]), true],
    ['unknown op', Buffer.concat([Buffer.from([0x4d, 0x44, 0x54, 0x01, 0, 0, 0, 2]), Buffer.from([0x08, 0x09])]), true],
    ['no op', Buffer.from([0x4d, 0x44, 0x54, 0x01, 0, 0, 0, 0]), true],
    ['unknown frame kind', Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]), false],
    ['oversized packet', (() => { const b = encodePacketHead(1, 0, false, Buffer.alloc(0), []); b.writeUInt32BE(Limits.packetDataBytes + 1, 4); return b; })(), false],
    ['unknown packet flags', (() => { const b = encodePacketHead(1, 0, false, Buffer.alloc(0), []); b[1] = 0x80; return b; })(), false],
    ['seqno past 2^53', (() => { const b = encodePacketHead(1, 0, false, Buffer.alloc(0), []); b.writeUInt32BE(0xffffffff, 8); return b; })(), false],
    ['oversized message', Buffer.from([2, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]), false],
    ['message reserved bytes', Buffer.from([2, 0, 1, 0, 0, 0, 0, 0]), false],
    ['undecodable status', Buffer.from([2, 0, 0, 0, 0, 0, 0, 2, 0x0a, 0xff]), false],
  ];
  it.each(malformed)('%s throws TransferProtocolError', (_name, input, expectPreamble) => {
    const decoder = new FrameDecoder(expectPreamble);
    expect(() => decoder.push(input)).toThrow(TransferProtocolError);
  });

  it('never buffers more than one frame beyond a chunk', () => {
    const decoder = new FrameDecoder(false);
    const frame = packet(1, 0, bytes(Limits.packetDataBytes, 9));
    decoder.push(frame.subarray(0, PACKET_HEADER_BYTES));
    expect(decoder.pendingBytes).toBe(PACKET_HEADER_BYTES);
    expect(decoder.push(frame.subarray(PACKET_HEADER_BYTES))).toHaveLength(1);
    expect(decoder.pendingBytes).toBe(0);
  });
  it('parses a packet spanning socket chunks in place: its pieces are views of the chunks, joined only on request', () => {
    const data = bytes(Limits.packetDataBytes, 11);
    const frame = packet(1, 0, data);
    const chunks = [frame.subarray(0, 65536), frame.subarray(65536)];
    const decoder = new FrameDecoder(false);
    expect(decoder.push(chunks[0]!)).toEqual([]);
    const [p] = decoder.push(chunks[1]!) as PacketFrame[];
    expect(p!.rawPieces).toHaveLength(2);
    expect(p!.rawPieces.map((piece) => piece.buffer)).toEqual([chunks[0]!.buffer, chunks[1]!.buffer]);
    expect(p!.rawPieces[0]!.byteOffset).toBe(chunks[0]!.byteOffset);
    expect(Buffer.concat(p!.dataPieces as Buffer[]).equals(data)).toBe(true);
    expect(p!.dataBytes).toBe(data.length);
    expect(p!.dataPieces.every((piece) => piece.buffer === chunks[0]!.buffer || piece.buffer === chunks[1]!.buffer)).toBe(true);
    expect(firstBadChunk(p!.dataPieces, p!.chunkCrcs, Limits.bytesPerChecksum)).toBe(-1);
    expect(p!.data.equals(data)).toBe(true);
    expect(p!.raw.equals(frame)).toBe(true);
  });

  it('hands out the header and CRCs of a packet split inside them', () => {
    const data = bytes(5000, 12);
    const frame = packet(3, 1024, data, true);
    for (const cut of [1, PACKET_HEADER_BYTES - 1, PACKET_HEADER_BYTES + 5, PACKET_HEADER_BYTES + 4 * 10 - 2]) {
      const [p] = decodeSplit(frame, [cut, frame.length], false) as PacketFrame[];
      expect([p!.seqno, p!.offsetBytes, p!.last, p!.chunkCrcs]).toEqual([3, 1024, true, chunkCrcs(data)]);
      expect(Buffer.concat(p!.dataPieces as Buffer[]).equals(data)).toBe(true);
    }
  });

  it(`copies a frame cut into more than ${MAX_PACKET_PIECES} chunks into one buffer`, () => {
    const data = bytes(4096, 13);
    const frame = packet(1, 0, data);
    const [p] = decodeSplit(frame, [100], false) as PacketFrame[];
    expect(p!.rawPieces).toHaveLength(1);
    expect(p!.raw.equals(frame)).toBe(true);
    const [q] = decodeSplit(frame, [Math.ceil(frame.length / MAX_PACKET_PIECES)], false) as PacketFrame[];
    expect(q!.rawPieces.length).toBeLessThanOrEqual(MAX_PACKET_PIECES);
    expect(q!.data.equals(data)).toBe(true);
  });

  it('gives an empty packet one empty data piece', () => {
    const [p] = decodeSplit(packet(1, 0, Buffer.alloc(0), true), [7], false) as PacketFrame[];
    expect(p!.dataPieces.map((piece) => piece.length)).toEqual([0]);
    expect(firstBadChunk(p!.dataPieces, p!.chunkCrcs, Limits.bytesPerChecksum)).toBe(-1);
  });

  describe('TransferStatus codec', () => {
    const { status: type } = transferProtoTypes();
    const protobufjsBody = (status: TransferStatusIn) => Buffer.from(type.encode(type.fromObject(status)).finish());
    const decodeOne = (frame: Buffer) => (new FrameDecoder(false).push(frame)[0] as unknown as { status: Record<string, unknown> }).status;
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const statusArb = fc.record({
      seqno: fc.option(fc.maxSafeNat(), { nil: undefined }),
      ackedBy: fc.option(fc.array(text, { maxLength: 4 }), { nil: undefined }),
      finalized: fc.option(fc.boolean(), { nil: undefined }),
      lengthBytes: fc.option(fc.maxSafeNat(), { nil: undefined }),
      errorCode: fc.option(text, { nil: undefined }),
      errorMessage: fc.option(text, { nil: undefined }),
      badNode: fc.option(text, { nil: undefined }),
    }, { requiredKeys: [] });

    it('agrees with protobufjs both ways, and writes its bytes when no field is set to its default', () => {
      const TO_OBJECT = { longs: Number, enums: String, defaults: true, arrays: true };
      fc.assert(fc.property(statusArb, (status) => {
        const expected = {
          seqno: status.seqno ?? 0, ackedBy: status.ackedBy ?? [], finalized: status.finalized ?? false, lengthBytes: status.lengthBytes ?? 0,
          errorCode: status.errorCode ?? '', errorMessage: status.errorMessage ?? '', badNode: status.badNode ?? '',
        };
        const frame = encodeStatus(status);
        const body = frame.subarray(MESSAGE_HEADER_BYTES);
        expect(frame.readUInt32BE(4)).toBe(body.length);
        expect(decodeOne(frame)).toEqual(expected);
        expect(type.toObject(type.decode(body), TO_OBJECT)).toEqual(expected);
        const theirs = protobufjsBody(status);
        const head = Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]);
        head.writeUInt32BE(theirs.length, 4);
        expect(decodeOne(Buffer.concat([head, theirs]))).toEqual(expected);
        // protobufjs also writes a field explicitly set to its default; otherwise the bytes are the same.
        const noDefaults = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined && v !== 0 && v !== '' && v !== false));
        expect(encodeStatus(noDefaults).subarray(MESSAGE_HEADER_BYTES).equals(protobufjsBody(noDefaults))).toBe(true);
      }), { numRuns: 300 });
    });

    it('skips unknown fields of every wire type and takes the last of a repeated scalar', () => {
      const known = protobufjsBody({ seqno: 9, ackedBy: ['dn1'], lengthBytes: 70000 });
      const unknown = Buffer.from([
        0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, // field 8 varint, 2^64 - 1
        0x49, 1, 2, 3, 4, 5, 6, 7, 8, // field 9 fixed64
        0x52, 2, 0x61, 0x62, // field 10 bytes
        0x5d, 1, 2, 3, 4, // field 11 fixed32
        0x08, 0x0a, // seqno again: 10
      ]);
      const body = Buffer.concat([known, unknown]);
      const head = Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]);
      head.writeUInt32BE(body.length, 4);
      expect(decodeOne(Buffer.concat([head, body]))).toMatchObject({ seqno: 10, ackedBy: ['dn1'], lengthBytes: 70000, finalized: false });
    });

    const bodies: Array<[string, number[]]> = [
      ['truncated varint', [0x08, 0x80]],
      ['seqno past 2^53', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
      ['varint over 10 bytes', [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
      ['string overrunning the message', [0x12, 0x05, 0x61]],
      ['known field in the wrong wire type', [0x0a, 0x01, 0x61]],
      ['group wire type', [0x43]],
      ['field number 0', [0x00, 0x01]],
    ];
    it.each(bodies)('%s throws TransferProtocolError', (_name, body) => {
      const frame = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, body.length]), Buffer.from(body)]);
      expect(() => new FrameDecoder(false).push(frame)).toThrow(TransferProtocolError);
    });

    it('refuses to encode a status over its limit or with a length past 2^53', () => {
      expect(() => encodeStatus({ errorMessage: 'x'.repeat(Limits.maxTransferMessageBytes) })).toThrow(RangeError);
      expect(() => encodeStatus({ seqno: 2 ** 53 })).toThrow(RangeError);
    });
  });
});
