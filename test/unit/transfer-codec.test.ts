/**
 * Block transfer framing (common/transfer-codec.ts): preamble, packet and status frames round-trip
 * in any split of the byte stream; a packet keeps its received bytes (`raw`) for cut-through
 * forwarding; every malformed input (magic, lengths past limits, unknown kinds, flags, reserved
 * bytes, undecodable protobuf, unknown op) throws TransferProtocolError before buffering for it.
 */
import {
  FrameDecoder, Limits, PACKET_HEADER_BYTES, TransferProtocolError, chunkCrcs, encodePacket, encodePacketHead, encodePreamble, encodeStatus,
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
});
