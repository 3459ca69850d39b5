/**
 * The client's pure data-path helpers: a block becomes 64 KiB packets (all but the last exactly
 * 64 KiB) with one CRC32C per 512-byte chunk; read pieces are verified chunk by chunk and trimmed to
 * the requested range, and nothing unverified ever comes out; replicas are tried in NameNode order
 * with this read's failed nodes last; the bad pipeline node is the reported one, else the first;
 * Complete retries back off 50 ms doubling within a 30 s budget; the block buffer never grows past
 * one block; paths are checked before any RPC.
 */
import { crc32c } from '@node-rs/crc32';
import { ChecksumMismatchError, InvalidPathError, Limits } from '@minidfs/common';
import {
  BlockBuffer, COMPLETE_BACKOFF, RangeVerifier, ReadProtocolError, backoffDelays, checkPath, chunkCrcs, orderReplicas,
  packetCount, packetsOf, pickBadNode, type ReadPiece,
} from '@minidfs/client';
import { bytes } from '../support/bytes';

const KiB = 1024;
const PACKET = Limits.packetDataBytes;
const CHUNK = Limits.bytesPerChecksum;

/** Deterministic bytes (xorshift32), so a failure replays exactly. */

/** What a well-behaved DataNode streams for [offset, end): 512-aligned pieces of `pieceBytes`. */
function piecesOf(block: Buffer, offset: number, end: number, pieceBytes = PACKET): ReadPiece[] {
  const out: ReadPiece[] = [];
  for (let at = Math.floor(offset / CHUNK) * CHUNK; at < end; at += pieceBytes) {
    const data = Buffer.from(block.subarray(at, Math.min(at + pieceBytes, block.length)));
    out.push({ offsetBytes: at, data, chunkCrcs: chunkCrcs(data) });
  }
  return out;
}

describe('chunkCrcs', () => {
  test('one CRC32C per 512-byte chunk, the last chunk may be shorter', () => {
    const data = bytes(2 * CHUNK + 7);
    expect(chunkCrcs(data)).toEqual([
      crc32c(data.subarray(0, 512)), crc32c(data.subarray(512, 1024)), crc32c(data.subarray(1024)),
    ]);
    expect(chunkCrcs(Buffer.alloc(0))).toEqual([]);
    expect(chunkCrcs(bytes(CHUNK))).toHaveLength(1);
  });
});

describe('packetsOf', () => {
  test.each([0, 1, 511, 512, 513, PACKET - 1, PACKET, PACKET + 1, 3 * PACKET, 3 * PACKET + 100, 1024 * KiB])('%d-byte block', (n) => {
    const block = bytes(n, n + 1);
    const packets = [...packetsOf(block)];
    expect(packets).toHaveLength(packetCount(n));
    expect(packets.map((p) => p.seqno)).toEqual(packets.map((_, i) => i + 1));
    expect(packets.map((p) => p.last)).toEqual(packets.map((_, i) => i === packets.length - 1));
    for (const p of packets.slice(0, -1)) expect(p.data.length).toBe(PACKET);
    expect(packets.at(-1)!.data.length).toBe(n === 0 ? 0 : n - (packets.length - 1) * PACKET);
    for (const p of packets) {
      expect(p.chunkCrcs).toHaveLength(Math.ceil(p.data.length / CHUNK));
      expect(p.chunkCrcs).toEqual(chunkCrcs(p.data));
    }
    expect(Buffer.concat(packets.map((p) => p.data)).equals(block)).toBe(true);
  });

  test('packets are views into the block, not copies', () => {
    const block = bytes(PACKET + 10);
    const [first] = packetsOf(block);
    expect(first!.data.buffer).toBe(block.buffer);
  });

  test('an empty block is one empty last packet', () => {
    expect([...packetsOf(Buffer.alloc(0))]).toEqual([{ seqno: 1, data: Buffer.alloc(0), chunkCrcs: [], last: true }]);
  });
});

describe('RangeVerifier', () => {
  const block = bytes(5 * PACKET + 1234, 7);

  function readRange(start: number, end: number, pieces = piecesOf(block, start, end)): Buffer {
    const v = new RangeVerifier(42, start, end);
    const out = pieces.map((p) => v.accept(p));
    expect(v.done).toBe(true);
    expect(v.deliveredUpTo).toBe(end);
    return Buffer.concat(out);
  }

  test.each([
    [0, block.length], [0, 1], [1, 2], [511, 513], [512, 1024], [1000, 3 * PACKET + 17], [block.length - 1, block.length], [PACKET, 2 * PACKET],
  ])('range [%d, %d) is trimmed from aligned pieces', (start, end) => {
    expect(readRange(start, end).equals(block.subarray(start, end))).toBe(true);
  });

  test('pieces of any 512-multiple size, starting before the requested offset', () => {
    const pieces = piecesOf(block, 700, block.length, 3 * CHUNK);
    expect(pieces[0]!.offsetBytes).toBe(512);
    expect(readRange(700, block.length, pieces).equals(block.subarray(700))).toBe(true);
  });

  test('bytes past the end of the range are verified but not returned', () => {
    const v = new RangeVerifier(42, 0, 100);
    const [piece] = piecesOf(block, 0, PACKET);
    expect(v.accept(piece!).equals(block.subarray(0, 100))).toBe(true);
    expect(v.done).toBe(true);
  });

  test('a flipped bit anywhere in a piece is a ChecksumMismatchError and nothing of that piece comes out', () => {
    const v = new RangeVerifier(42, 0, block.length);
    const [first, second] = piecesOf(block, 0, block.length);
    expect(v.accept(first!)).toHaveLength(PACKET);
    const corrupt = Buffer.from(second!.data);
    corrupt[PACKET - 1]! ^= 0x01; // last chunk of the piece: earlier chunks verify fine
    expect(() => v.accept({ ...second!, data: corrupt })).toThrow(ChecksumMismatchError);
    expect(v.deliveredUpTo).toBe(PACKET);
  });

  test('a wrong CRC (not the data) is a mismatch too', () => {
    const v = new RangeVerifier(42, 0, 1024);
    const [piece] = piecesOf(block, 0, 1024, 1024);
    expect(() => v.accept({ ...piece!, chunkCrcs: [piece!.chunkCrcs[0]!, (piece!.chunkCrcs[1]! + 1) >>> 0] })).toThrow(ChecksumMismatchError);
  });

  test('malformed streams are ReadProtocolErrors: misaligned offset, gap, wrong CRC count', () => {
    const [p0, , p2] = piecesOf(block, 0, block.length);
    expect(() => new RangeVerifier(1, 0, block.length).accept({ ...p0!, offsetBytes: 100 })).toThrow(ReadProtocolError);
    const gap = new RangeVerifier(1, 0, block.length);
    gap.accept(p0!);
    expect(() => gap.accept(p2!)).toThrow(ReadProtocolError);
    expect(() => new RangeVerifier(1, 0, block.length).accept({ ...p0!, chunkCrcs: p0!.chunkCrcs.slice(1) })).toThrow(ReadProtocolError);
    expect(() => new RangeVerifier(1, PACKET, block.length).accept(p2!)).toThrow(ReadProtocolError);
  });

  test('a piece repeating bytes already delivered (failover overlap) only yields the new bytes', () => {
    const v = new RangeVerifier(42, 0, 2 * PACKET);
    const [p0] = piecesOf(block, 0, 2 * PACKET);
    v.accept(p0!);
    expect(v.accept(p0!)).toHaveLength(0);
    const overlapping = piecesOf(block, PACKET - CHUNK, 2 * PACKET, PACKET + CHUNK)[0]!;
    expect(v.accept(overlapping).equals(block.subarray(PACKET, 2 * PACKET))).toBe(true);
    expect(v.done).toBe(true);
  });

  test('bad ranges are refused', () => {
    expect(() => new RangeVerifier(1, 10, 5)).toThrow(RangeError);
    expect(() => new RangeVerifier(1, -1, 5)).toThrow(RangeError);
  });
});

describe('orderReplicas', () => {
  const locs = ['dn1', 'dn2', 'dn3'].map((nodeId) => ({ nodeId }));
  const ids = (xs: Array<{ nodeId: string }>) => xs.map((x) => x.nodeId);

  test('NameNode order (LIVE first, STALE last) is kept', () => {
    expect(ids(orderReplicas(locs, new Set(), new Set()))).toEqual(['dn1', 'dn2', 'dn3']);
  });

  test('nodes tried for this block are never tried again for it', () => {
    expect(ids(orderReplicas(locs, new Set(['dn1']), new Set(['dn1'])))).toEqual(['dn2', 'dn3']);
    expect(orderReplicas(locs, new Set(['dn1', 'dn2', 'dn3']), new Set())).toEqual([]);
  });

  test('nodes that failed earlier in the read go last, as a last resort', () => {
    expect(ids(orderReplicas(locs, new Set(), new Set(['dn1'])))).toEqual(['dn2', 'dn3', 'dn1']);
    expect(ids(orderReplicas(locs, new Set(['dn2']), new Set(['dn1', 'dn2'])))).toEqual(['dn3', 'dn1']);
  });

  test('duplicate locations collapse', () => {
    expect(ids(orderReplicas([...locs, { nodeId: 'dn1' }], new Set(), new Set()))).toEqual(['dn1', 'dn2', 'dn3']);
  });
});

describe('pickBadNode', () => {
  test('the node the DataNode reported, else the first of the pipeline', () => {
    expect(pickBadNode('dn3', ['dn1', 'dn2', 'dn3'])).toBe('dn3');
    expect(pickBadNode(undefined, ['dn1', 'dn2', 'dn3'])).toBe('dn1');
    expect(pickBadNode('', ['dn2'])).toBe('dn2');
    expect(() => pickBadNode(undefined, [])).toThrow(RangeError);
  });
});

describe('backoffDelays', () => {
  test('Complete: 50 ms doubling, capped at 2 s per step, 30 s in all', () => {
    const delays = [...backoffDelays(COMPLETE_BACKOFF)];
    expect(delays.slice(0, 6)).toEqual([50, 100, 200, 400, 800, 1600]);
    expect(Math.max(...delays)).toBe(2000);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(30_000);
  });

  test('a zero budget gives up at once', () => {
    expect([...backoffDelays({ initialDelayMs: 100, maxDelayMs: 1000, totalBudgetMs: 0 })]).toEqual([]);
  });
});

describe('BlockBuffer', () => {
  test('grows by doubling to exactly one block and no further', () => {
    const blockSize = 300 * KiB;
    const b = new BlockBuffer(blockSize);
    expect(b.allocatedBytes).toBe(PACKET);
    const src = bytes(blockSize + 1000);
    let taken = 0;
    while (!b.full) taken += b.append(src.subarray(taken, taken + 7000));
    expect(taken).toBe(blockSize);
    expect(b.allocatedBytes).toBe(blockSize);
    expect(b.append(src.subarray(taken))).toBe(0);
    expect(b.contents().equals(src.subarray(0, blockSize))).toBe(true);
  });

  test('copies the caller\'s bytes, and reset keeps the allocation', () => {
    const b = new BlockBuffer(1024);
    const src = Buffer.from('hello');
    b.append(src);
    src.fill(0);
    expect(b.contents().toString()).toBe('hello');
    b.reset();
    expect(b.lengthBytes).toBe(0);
    expect(b.append(Buffer.from('x'))).toBe(1);
    expect(b.contents().toString()).toBe('x');
  });

  test('small blocks allocate only the block', () => {
    expect(new BlockBuffer(512).allocatedBytes).toBe(512);
    expect(() => new BlockBuffer(0)).toThrow(RangeError);
  });
});

describe('checkPath', () => {
  test('absolute paths without dot components pass', () => {
    expect(checkPath('/')).toBe('/');
    expect(checkPath('/a/b.txt')).toBe('/a/b.txt');
    expect(checkPath('/a//b/')).toBe('/a//b/');
  });

  test.each(['', 'a/b', '/a/../../x', '/a/./b', '/..', '/a\u0000b'])('%j is an InvalidPathError', (p) => {
    expect(() => checkPath(p)).toThrow(InvalidPathError);
  });

  test('a path longer than Limits.maxPathLength is an InvalidPathError', () => {
    expect(() => checkPath('/' + 'x'.repeat(Limits.maxPathLength))).toThrow(InvalidPathError);
  });
});
