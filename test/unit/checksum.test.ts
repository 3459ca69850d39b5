/** packages/common checksum: CRC combination and whole-packet chunk checking against the native per-chunk CRCs. */
import crypto from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { chunkCrcs, crc32cCombine, firstBadChunk } from '@minidfs/common';

describe('crc32cCombine', () => {
  it('equals the CRC of the concatenation for any split', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), (bytes, cutSeed) => {
      const data = Buffer.from(bytes);
      const cut = data.length === 0 ? 0 : cutSeed % (data.length + 1);
      const a = data.subarray(0, cut);
      const b = data.subarray(cut);
      expect(crc32cCombine(crc32c(a), crc32c(b), b.length)).toBe(crc32c(data));
    }), { numRuns: 300 });
  });

  it('known answer: CRC-32C of "123456789" is e3069283', () => {
    const data = Buffer.from('123456789');
    expect(crc32cCombine(crc32c(data.subarray(0, 4)), crc32c(data.subarray(4)), 5).toString(16)).toBe('e3069283');
  });
});

describe('firstBadChunk', () => {
  it('accepts correct chunk CRCs of any length, including a short last chunk', () => {
    for (const length of [0, 1, 511, 512, 513, 4096, 65536, 65537, 100_000]) {
      const data = crypto.randomBytes(length);
      expect(firstBadChunk(data, chunkCrcs(data, 512), 512)).toBe(-1);
    }
  });

  it('names the chunk a flipped bit is in', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70_000 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (length, at, bit) => {
      const data = crypto.randomBytes(length);
      const crcs = chunkCrcs(data, 512);
      const position = at % length;
      data[position]! ^= 1 << bit;
      expect(firstBadChunk(data, crcs, 512)).toBe(Math.floor(position / 512));
    }), { numRuns: 200 });
  });

  it('names a wrong CRC even when the data is intact', () => {
    const data = crypto.randomBytes(65536);
    const crcs = chunkCrcs(data, 512);
    crcs[77] = (crcs[77]! ^ 0x10) >>> 0;
    expect(firstBadChunk(data, crcs, 512)).toBe(77);
  });

  it('checks data in pieces (views of socket chunks) the same as in one buffer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 70_000 }), fc.array(fc.nat(), { maxLength: 5 }), fc.option(fc.nat(), { nil: undefined }), (length, cutSeeds, flipSeed) => {
      const data = crypto.randomBytes(length);
      const crcs = chunkCrcs(data, 512);
      if (flipSeed !== undefined && length > 0) data[flipSeed % length]! ^= 0x20;
      const cuts = [...new Set(cutSeeds.map((c) => c % (length + 1)))].sort((a, b) => a - b);
      const pieces = [0, ...cuts].map((from, i) => data.subarray(from, [...cuts, length][i]));
      expect(firstBadChunk(pieces, crcs, 512)).toBe(firstBadChunk(data, crcs, 512));
    }), { numRuns: 200 });
  });

  it('rejects a CRC count that does not fit the data', () => {
    const data = crypto.randomBytes(1024);
    expect(() => firstBadChunk(data, [1], 512)).toThrow(RangeError);
  });
});
