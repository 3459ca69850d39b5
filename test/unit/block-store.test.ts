/**
 * BlockStore scenarios on a real disk (a fresh temp dir per test): blocks round-trip with per-512-byte
 * CRC32C meta files whatever the write sizes, ranged reads return whole verified chunks, a restart
 * after a crash reports only complete blocks (orphans quarantined), corruption is caught on read and
 * by verify(), and block ids are validated before they touch a path.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChecksumMismatchError, DfsError, FileAlreadyExistsError, InvalidArgumentError, Limits } from '@minidfs/common';
import {
  BlockStore,
  chunkCrcs,
  validateBlockId,
  validateGenerationStamp,
  type BlockPiece,
} from '@minidfs/datanode';
import { bytes } from '../support/bytes';

const KiB = 1024;
const PACKET = Limits.packetDataBytes;
const GS = 1001;

/** Deterministic bytes (xorshift32), so a failure replays exactly. */

async function collect(pieces: AsyncIterable<BlockPiece>): Promise<BlockPiece[]> {
  const out: BlockPiece[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
}

/** Writes `data` as one block, split into writes of the given sizes (cycled), then finalizes. */
async function writeBlock(store: BlockStore, blockId: number, data: Buffer, writeSizes: number[] = [PACKET]): Promise<void> {
  const writer = store.createWriter(blockId, GS);
  let position = 0;
  for (let i = 0; position < data.length; i += 1) {
    const size = writeSizes[i % writeSizes.length];
    await writer.write(data.subarray(position, position + size));
    position += size;
  }
  expect(writer.bytesWritten).toBe(data.length);
  await writer.finalize();
}

let dir: string;
let store: BlockStore;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-block-store-'));
  store = new BlockStore(dir);
  await store.init();
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('chunkCrcs', () => {
  it('is CRC32C per 512-byte chunk, the last chunk shorter', () => {
    expect(chunkCrcs(Buffer.from('123456789'))).toEqual([0xe3069283]); // the CRC32C check value
    expect(chunkCrcs(Buffer.alloc(0))).toEqual([]);
    const data = bytes(1025);
    const crcs = chunkCrcs(data);
    expect(crcs).toHaveLength(3);
    expect(crcs[2]).toBe(chunkCrcs(data.subarray(1024))[0]);
    expect(chunkCrcs(data, 1024)).toHaveLength(2);
  });
});

describe('validateBlockId / validateGenerationStamp', () => {
  it.each([['../x'], ['1e3'], [-1], [0], [1.5], [2 ** 53], ['abc'], [''], ['-1'], [' 1'], ['0x10'], [NaN], [Infinity], [null], [undefined], [{}], [BigInt(1)], ['9'.repeat(100)]])(
    'rejects block id %p',
    (value) => {
      expect(() => validateBlockId(value)).toThrow(InvalidArgumentError);
    },
  );

  it('accepts positive safe integers as numbers or digit strings', () => {
    expect(validateBlockId(1)).toBe(1);
    expect(validateBlockId('42')).toBe(42);
    expect(validateBlockId(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('accepts generation stamp 0 but not negatives or fractions', () => {
    expect(validateGenerationStamp(0)).toBe(0);
    expect(validateGenerationStamp('7')).toBe(7);
    for (const bad of [-1, 1.5, '../1', '', 2 ** 53]) expect(() => validateGenerationStamp(bad)).toThrow(InvalidArgumentError);
  });

  it('guards every path-building entry point', async () => {
    expect(() => store.blockFilePath('../x')).toThrow(InvalidArgumentError);
    expect(() => store.createWriter('../x', GS)).toThrow(InvalidArgumentError);
    expect(() => store.createWriter(1, '../x')).toThrow(InvalidArgumentError);
    await expect(store.delete('1/../../x')).rejects.toThrow(InvalidArgumentError);
    await expect(collect(store.read('../x'))).rejects.toThrow(InvalidArgumentError);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('write and read round trip', () => {
  it.each([0, 1, 511, 512, 513, 3 * PACKET + 777])('%d bytes', async (length) => {
    const data = bytes(length, length + 1);
    await writeBlock(store, 7, data, [PACKET]);

    expect(store.get(7)).toEqual({ blockId: 7, generationStamp: GS, lengthBytes: length });
    expect(store.has('7')).toBe(true);
    expect(store.blockCount()).toBe(1);
    expect(store.usedBytes()).toBe(length);
    expect(fs.statSync(store.blockFilePath(7)).size).toBe(length);
    const metaPath = store.metaFilePath(7)!;
    expect(path.basename(metaPath)).toBe(`blk_7_${GS}.meta`);
    const meta = fs.readFileSync(metaPath);
    expect(meta.subarray(0, 4).toString('ascii')).toBe('MDFM');
    expect(meta.readUInt32BE(8)).toBe(512);
    const stored = Array.from({ length: (meta.length - 12) / 4 }, (_, i) => meta.readUInt32BE(12 + 4 * i));
    expect(stored).toEqual(chunkCrcs(data));

    const pieces = await collect(store.read(7));
    expect(Buffer.concat(pieces.map((p) => p.data)).equals(data)).toBe(true);
    let expectedOffset = 0;
    for (const piece of pieces) {
      expect(piece.offsetBytes).toBe(expectedOffset);
      expect(piece.data.length).toBeLessThanOrEqual(PACKET);
      expect(piece.chunkCrcs).toEqual(chunkCrcs(piece.data));
      expectedOffset += piece.data.length;
    }
    expect(pieces).toHaveLength(Math.ceil(length / PACKET));
    expect(await store.verify(7)).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('keeps CRCs per 512 bytes of the block across odd-sized writes', async () => {
    const data = bytes(5 * PACKET + 12345, 99);
    await writeBlock(store, 11, data, [1, 700, PACKET, 3, 511, 513, 100_000, 4095, 1]);
    const meta = fs.readFileSync(store.metaFilePath(11)!);
    const stored = Array.from({ length: (meta.length - 12) / 4 }, (_, i) => meta.readUInt32BE(12 + 4 * i));
    expect(stored).toEqual(chunkCrcs(data));
    expect(Buffer.concat((await collect(store.read(11))).map((p) => p.data)).equals(data)).toBe(true);
  });

  it('accepts sender CRCs for aligned packets and a short last packet, also after an unaligned write', async () => {
    const data = bytes(3 * PACKET + 1000, 5);
    const writer = store.createWriter(12, GS);
    for (let position = 0; position < data.length; position += PACKET) {
      const packet = data.subarray(position, position + PACKET);
      await writer.write(packet, chunkCrcs(packet));
    }
    const tail = bytes(2000, 6); // starts 1000 bytes into a chunk: still checked per packet
    await writer.write(tail, chunkCrcs(tail));
    await writer.finalize();
    const all = Buffer.concat([data, tail]);
    expect(Buffer.concat((await collect(store.read(12))).map((p) => p.data)).equals(all)).toBe(true);
    expect(await store.verify(12)).toBe(true);
  });

  it('writes packets given in pieces, with and without CRCs, verified or checked here, aligned or after a partial chunk', async () => {
    const cut = (b: Buffer, at: number[]) => [0, ...at].map((from, i) => b.subarray(from, [...at, b.length][i]));
    const p1 = bytes(PACKET, 21);
    const p2 = bytes(PACKET, 22);
    const odd = bytes(1000, 23); // leaves a partial chunk: the next packet's bytes are hashed here
    const p3 = bytes(PACKET, 24);
    const p4 = bytes(777, 25);
    const writer = store.createWriter(14, GS);
    const done = Promise.all([
      writer.write(cut(p1, [100, 65_000]), chunkCrcs(p1), true),
      writer.write(cut(p2, [512]), chunkCrcs(p2)),
      writer.write(cut(odd, [1]), chunkCrcs(odd), true),
      writer.write(cut(p3, [3000, 3001]), chunkCrcs(p3)),
      writer.write(cut(p4, [700])),
    ]);
    await done;
    await writer.finalize();
    const all = Buffer.concat([p1, p2, odd, p3, p4]);
    expect(Buffer.concat((await collect(store.read(14))).map((p) => p.data)).equals(all)).toBe(true);
    const meta = fs.readFileSync(store.metaFilePath(14)!);
    expect(Array.from({ length: (meta.length - 12) / 4 }, (_, i) => meta.readUInt32BE(12 + 4 * i))).toEqual(chunkCrcs(all));
  });

  it('checks unverified sender CRCs of a packet in pieces', async () => {
    const packet = bytes(PACKET, 26);
    const crcs = chunkCrcs(packet);
    crcs[40] = (crcs[40]! ^ 1) >>> 0;
    const writer = store.createWriter(15, GS);
    await expect(writer.write([packet.subarray(0, 30_000), packet.subarray(30_000)], crcs)).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(store.has(15)).toBe(false);
  });

  it('serializes writes that the caller did not await', async () => {
    const data = bytes(10 * KiB + 3, 8);
    const writer = store.createWriter(13, GS);
    const parts = [data.subarray(0, 1000), data.subarray(1000, 5000), data.subarray(5000)];
    const done = Promise.all([...parts.map((p) => writer.write(p)), writer.finalize()]);
    await done;
    expect(Buffer.concat((await collect(store.read(13))).map((p) => p.data)).equals(data)).toBe(true);
  });

  it('survives a restart: a new store on the same dir reports and reads the blocks', async () => {
    const a = bytes(1000, 1);
    const b = bytes(PACKET + 1, 2);
    await writeBlock(store, 1, a);
    await writeBlock(store, 2, b, [333]);
    const reopened = new BlockStore(dir);
    expect(await reopened.init()).toEqual([
      { blockId: 1, generationStamp: GS, lengthBytes: 1000 },
      { blockId: 2, generationStamp: GS, lengthBytes: PACKET + 1 },
    ]);
    expect(reopened.usedBytes()).toBe(1000 + PACKET + 1);
    expect(Buffer.concat((await collect(reopened.read(2))).map((p) => p.data)).equals(b)).toBe(true);
  });

  it('honours a bytesPerChecksum option and rejects one that does not divide a packet', async () => {
    const big = new BlockStore(fs.mkdtempSync(path.join(dir, 'bpc-')), { bytesPerChecksum: 4096 });
    await big.init();
    const data = bytes(10_000, 3);
    await writeBlock(big, 3, data, [777]);
    const pieces = await collect(big.read(3, 5000, 10));
    expect(pieces).toEqual([{ offsetBytes: 4096, data: data.subarray(4096, 8192), chunkCrcs: chunkCrcs(data.subarray(4096, 8192), 4096) }]);
    expect(() => new BlockStore(dir, { bytesPerChecksum: 1000 })).toThrow(RangeError);
  });
});

describe('ranged reads', () => {
  const length = 3 * PACKET + 777;
  const data = bytes(length, 42);

  beforeEach(async () => {
    await writeBlock(store, 5, data, [10_000]);
  });

  /**
   * read() yields whole 512-byte chunks: the first piece starts at floor(offset / 512) * 512 and the
   * last ends at the end of the chunk holding the last requested byte (or the block end). The caller
   * trims to the requested range.
   */
  it.each([
    [0, 1],
    [1, 1],
    [511, 2],
    [512, 512],
    [1000, 70_000],
    [PACKET - 1, 2],
    [2 * PACKET - 5, 10],
    [length - 1, 0],
    [12_345, 0],
    [0, length],
  ])('offset %d length %d', async (offset, requested) => {
    const end = requested === 0 ? length : offset + requested;
    const pieces = await collect(store.read(5, offset, requested));
    const alignedStart = Math.floor(offset / 512) * 512;
    const alignedEnd = Math.min(Math.ceil(end / 512) * 512, length);
    expect(pieces[0].offsetBytes).toBe(alignedStart);
    let position = alignedStart;
    for (const piece of pieces) {
      expect(piece.offsetBytes).toBe(position);
      expect(piece.offsetBytes % 512).toBe(0);
      expect(piece.data.length).toBeLessThanOrEqual(PACKET);
      expect(piece.chunkCrcs).toEqual(chunkCrcs(piece.data));
      position += piece.data.length;
    }
    expect(position).toBe(alignedEnd);
    const joined = Buffer.concat(pieces.map((p) => p.data));
    expect(joined.equals(data.subarray(alignedStart, alignedEnd))).toBe(true);
    const trimmed = joined.subarray(offset - alignedStart, end - alignedStart);
    expect(trimmed.equals(data.subarray(offset, end))).toBe(true);
  });

  it('yields nothing for an empty range at the block end', async () => {
    expect(await collect(store.read(5, length, 0))).toEqual([]);
  });

  it('rejects ranges past the block end and bad offsets', async () => {
    await expect(collect(store.read(5, length + 1))).rejects.toThrow(InvalidArgumentError);
    await expect(collect(store.read(5, length - 10, 11))).rejects.toThrow(InvalidArgumentError);
    await expect(collect(store.read(5, -1))).rejects.toThrow(InvalidArgumentError);
    await expect(collect(store.read(5, 0.5))).rejects.toThrow(InvalidArgumentError);
  });

  it('throws BLOCK_NOT_FOUND for an unknown block', async () => {
    await expect(collect(store.read(6))).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
    await expect(collect(store.read(6))).rejects.toBeInstanceOf(DfsError);
    await expect(store.verify(6)).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
  });
});

describe('corruption', () => {
  it('a flipped byte fails read with ChecksumMismatchError naming block and chunk, and verify() is false', async () => {
    const data = bytes(4 * KiB, 9);
    await writeBlock(store, 21, data);
    await writeBlock(store, 22, data);
    const file = store.blockFilePath(21);
    const raw = fs.readFileSync(file);
    raw[1000] ^= 0x01; // chunk 1
    fs.writeFileSync(file, raw);

    const failure = collect(store.read(21));
    await expect(failure).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(collect(store.read(21))).rejects.toThrow(/block 21\b.*chunk 1\b/);
    expect(await store.verify(21)).toBe(false);
    // Chunks that are intact still read; the other replica is untouched.
    const chunk0 = await collect(store.read(21, 0, 512));
    expect(chunk0[0].data.equals(data.subarray(0, 512))).toBe(true);
    expect(await store.verify(22)).toBe(true);
  });

  it('a truncated or grown data file fails verify()', async () => {
    await writeBlock(store, 23, bytes(2000, 1));
    await writeBlock(store, 24, bytes(2000, 2));
    fs.truncateSync(store.blockFilePath(23), 1500);
    fs.appendFileSync(store.blockFilePath(24), Buffer.from('x'));
    expect(await store.verify(23)).toBe(false);
    await expect(collect(store.read(23))).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(await store.verify(24)).toBe(false);
  });

  it('a flipped CRC in the meta file fails read', async () => {
    await writeBlock(store, 25, bytes(2000, 3));
    const metaPath = store.metaFilePath(25)!;
    const meta = fs.readFileSync(metaPath);
    meta[12 + 4 * 3] ^= 0xff; // CRC of chunk 3
    fs.writeFileSync(metaPath, meta);
    await expect(collect(store.read(25))).rejects.toThrow(/block 25\b.*chunk 3\b/);
    expect(await store.verify(25)).toBe(false);
  });
});

describe('writers', () => {
  it('wrong sender CRCs: ChecksumMismatchError, nothing finalized, tmp cleaned, id free again', async () => {
    const packet = bytes(PACKET, 4);
    const crcs = chunkCrcs(packet);
    crcs[17] ^= 1;
    const writer = store.createWriter(31, GS);
    await writer.write(bytes(PACKET, 3), chunkCrcs(bytes(PACKET, 3)));
    await expect(writer.write(packet, crcs)).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(store.has(31)).toBe(false);
    expect(store.blockCount()).toBe(0);
    expect(store.usedBytes()).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'current'))).toEqual([]);
    await expect(writer.write(packet)).rejects.toMatchObject({ code: 'FILE_NOT_OPEN' });
    await expect(writer.finalize()).rejects.toMatchObject({ code: 'FILE_NOT_OPEN' });
    await writer.abort(); // idempotent

    await writeBlock(store, 31, packet);
    expect(store.get(31)?.lengthBytes).toBe(PACKET);
  });

  it('a wrong number of sender CRCs is an InvalidArgumentError', async () => {
    const writer = store.createWriter(32, GS);
    await expect(writer.write(bytes(1024), [1])).rejects.toThrow(InvalidArgumentError);
    expect(store.has(32)).toBe(false);
  });

  it('refuses a second writer for a finalized block or one being written', async () => {
    await writeBlock(store, 33, bytes(10));
    expect(() => store.createWriter(33, GS)).toThrow(FileAlreadyExistsError);
    expect(() => store.createWriter(33, GS + 1)).toThrow(expect.objectContaining({ code: 'FILE_ALREADY_EXISTS' }));

    const open = store.createWriter(34, GS);
    await open.write(bytes(100));
    expect(() => store.createWriter(34, GS)).toThrow(FileAlreadyExistsError);
    await open.abort();
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(store.has(34)).toBe(false);
    const again = store.createWriter(34, GS);
    await again.finalize();
    expect(store.get(34)).toEqual({ blockId: 34, generationStamp: GS, lengthBytes: 0 });
  });

  it('abort after finalize leaves the block in place', async () => {
    const writer = store.createWriter(35, GS);
    await writer.write(bytes(600));
    await writer.finalize();
    await writer.abort();
    expect(await store.verify(35)).toBe(true);
  });

  it('in-progress writes live in tmp/ only', async () => {
    const writer = store.createWriter(36, GS);
    await writer.write(bytes(1000));
    expect(fs.readdirSync(path.join(dir, 'current'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'tmp')).sort()).toEqual(['blk_36', `blk_36_${GS}.meta`]);
    expect(store.has(36)).toBe(false);
    await writer.abort();
  });
});

describe('init after a crash', () => {
  it('reports only complete blocks, empties tmp/ and quarantines orphans', async () => {
    await writeBlock(store, 1, bytes(1000, 1));
    await writeBlock(store, 2, bytes(PACKET + 5, 2));
    await writeBlock(store, 6, bytes(1024, 6));
    // A writer killed mid-block (never finalized) plus stray tmp junk.
    const killed = store.createWriter(3, GS);
    await killed.write(bytes(5000, 3));
    fs.writeFileSync(path.join(dir, 'tmp', 'blk_9'), 'half');
    const current = path.join(dir, 'current');
    fs.writeFileSync(path.join(current, 'blk_4'), bytes(700)); // data without meta
    fs.writeFileSync(path.join(current, `blk_5_${GS}.meta`), Buffer.alloc(16)); // meta without data
    fs.appendFileSync(store.blockFilePath(6), bytes(600)); // meta no longer fits: 1624 bytes need 4 CRCs, meta has 2
    fs.writeFileSync(path.join(current, 'README'), 'not ours');

    const restarted = new BlockStore(dir);
    const reported = await restarted.init();
    expect(reported).toEqual([
      { blockId: 1, generationStamp: GS, lengthBytes: 1000 },
      { blockId: 2, generationStamp: GS, lengthBytes: PACKET + 5 },
    ]);
    expect(restarted.blockCount()).toBe(2);
    expect(restarted.usedBytes()).toBe(1000 + PACKET + 5);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'quarantine')).sort()).toEqual(['blk_4', `blk_5_${GS}.meta`, 'blk_6', `blk_6_${GS}.meta`].sort());
    expect(fs.readdirSync(current).sort()).toEqual(['README', 'blk_1', `blk_1_${GS}.meta`, 'blk_2', `blk_2_${GS}.meta`]);
    expect(await restarted.verify(1)).toBe(true);
    expect(await restarted.verify(2)).toBe(true);
    // Quarantined and unfinished ids are free to be written again.
    await writeBlock(restarted, 3, bytes(10));
    await writeBlock(restarted, 4, bytes(10));
    expect(restarted.has(3) && restarted.has(4)).toBe(true);
  });

  it('a second quarantine of the same name does not overwrite the first', async () => {
    const current = path.join(dir, 'current');
    fs.writeFileSync(path.join(current, 'blk_4'), 'first');
    await new BlockStore(dir).init();
    fs.writeFileSync(path.join(current, 'blk_4'), 'second');
    await new BlockStore(dir).init();
    const quarantine = path.join(dir, 'quarantine');
    expect(fs.readdirSync(quarantine).sort()).toEqual(['blk_4', 'blk_4.1']);
    expect(fs.readFileSync(path.join(quarantine, 'blk_4'), 'utf8')).toBe('first');
  });

  it('ignores non-canonical names such as leading zeros', async () => {
    fs.writeFileSync(path.join(dir, 'current', 'blk_007'), 'x');
    const restarted = new BlockStore(dir);
    expect(await restarted.init()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'current', 'blk_007'))).toBe(true);
  });
});

describe('delete and accounting', () => {
  it('removes data and meta and updates usedBytes and blockCount', async () => {
    await writeBlock(store, 41, bytes(3000));
    await writeBlock(store, 42, bytes(5000));
    expect(store.usedBytes()).toBe(8000);
    const metaPath = store.metaFilePath(41)!;

    expect(await store.delete(41)).toBe(true);
    expect(store.blockCount()).toBe(1);
    expect(store.usedBytes()).toBe(5000);
    expect(store.get(41)).toBeUndefined();
    expect(fs.existsSync(store.blockFilePath(41))).toBe(false);
    expect(fs.existsSync(metaPath)).toBe(false);
    expect(await store.delete(41)).toBe(false);
    await expect(collect(store.read(41))).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
    expect(store.list()).toEqual([{ blockId: 42, generationStamp: GS, lengthBytes: 5000 }]);

    await writeBlock(store, 41, bytes(10)); // the id can be written again
    expect(store.usedBytes()).toBe(5010);
  });

  it('reports remaining bytes on the volume', () => {
    expect(store.remainingBytes()).toBeGreaterThan(0);
  });

  it('list() returns copies', async () => {
    await writeBlock(store, 43, bytes(10));
    store.list()[0].lengthBytes = 999;
    expect(store.get(43)?.lengthBytes).toBe(10);
  });
});
