/**
 * Pure data-path helpers, no I/O. Writes: a block is cut into packets of exactly
 * Limits.packetDataBytes (64 KiB) except the last, each carrying the CRC32C of every
 * Limits.bytesPerChecksum (512-byte) chunk of its own data, so chunk boundaries stay aligned
 * across packets. Reads: `RangeVerifier` accepts the pieces a DataNode streams (512-aligned
 * offsets, possibly starting before the requested offset), checks every chunk's CRC32C and hands
 * out only verified bytes inside the requested range. Invariant: no byte leaves `accept()` unless
 * every chunk it came from matched its CRC.
 */
import { crc32c } from '@node-rs/crc32';
import { ChecksumMismatchError, Limits, chunkCrcs, firstBadChunk } from '@minidfs/common';
import { ReadProtocolError } from './errors';

export { chunkCrcs };

/** One WritePacket as the client sends it. `data` is a view into the block buffer, not a copy. */
export interface OutgoingPacket {
  seqno: number;
  data: Buffer;
  chunkCrcs: number[];
  last: boolean;
}

/** Packets needed for a block of `lengthBytes` (at least one: an empty block sends one empty last packet). */
export function packetCount(lengthBytes: number, packetDataBytes: number = Limits.packetDataBytes): number {
  return Math.max(1, Math.ceil(lengthBytes / packetDataBytes));
}

/**
 * The packets of one block, seqno 1, 2, ...; every packet but the last holds exactly
 * `packetDataBytes`; the last one has `last: true`. CRCs are computed lazily, one packet at a time.
 */
export function* packetsOf(block: Buffer, packetDataBytes: number = Limits.packetDataBytes, bytesPerChecksum: number = Limits.bytesPerChecksum): Generator<OutgoingPacket> {
  if (packetDataBytes % bytesPerChecksum !== 0) throw new RangeError('packetDataBytes must be a multiple of bytesPerChecksum');
  const count = packetCount(block.length, packetDataBytes);
  for (let i = 0; i < count; i++) {
    const data = block.subarray(i * packetDataBytes, Math.min((i + 1) * packetDataBytes, block.length));
    yield { seqno: i + 1, data, chunkCrcs: chunkCrcs(data, bytesPerChecksum), last: i === count - 1 };
  }
}

/** One piece of a ReadBlock stream. */
export interface ReadPiece {
  offsetBytes: number;
  data: Buffer;
  chunkCrcs: readonly number[];
}

/**
 * Verifies and trims the pieces of one ReadBlock stream for the byte range [startBytes, endBytes)
 * of a block. Pieces must be 512-aligned and must not leave a gap; overlap with bytes already
 * delivered is skipped. Throws ChecksumMismatchError on a CRC mismatch and ReadProtocolError on a
 * malformed piece; after a throw the verifier must not be used again.
 */
export class RangeVerifier {
  /** Next block offset to deliver; starts at startBytes, ends at endBytes. */
  private position: number;

  constructor(readonly blockId: number, readonly startBytes: number, readonly endBytes: number, readonly bytesPerChecksum: number = Limits.bytesPerChecksum) {
    if (!Number.isInteger(startBytes) || !Number.isInteger(endBytes) || startBytes < 0 || endBytes < startBytes) {
      throw new RangeError(`bad range [${startBytes}, ${endBytes})`);
    }
    this.position = startBytes;
  }

  /** Bytes of the range delivered so far (the block offset to resume a failed-over read at). */
  get deliveredUpTo(): number {
    return this.position;
  }

  get done(): boolean {
    return this.position >= this.endBytes;
  }

  /** Returns the verified bytes of `piece` inside the range not delivered before (may be empty). */
  accept(piece: ReadPiece): Buffer {
    const { offsetBytes, data, chunkCrcs: crcs } = piece;
    const bpc = this.bytesPerChecksum;
    if (!Number.isInteger(offsetBytes) || offsetBytes < 0 || offsetBytes % bpc !== 0) {
      throw new ReadProtocolError(`block ${this.blockId}: piece offset ${offsetBytes} is not a multiple of ${bpc}`);
    }
    if (offsetBytes > this.position) {
      throw new ReadProtocolError(`block ${this.blockId}: gap in read stream: expected offset <= ${this.position}, got ${offsetBytes}`);
    }
    const expectedCrcs = Math.ceil(data.length / bpc);
    if (crcs.length !== expectedCrcs) {
      throw new ReadProtocolError(`block ${this.blockId}: piece at ${offsetBytes} has ${data.length} bytes and ${crcs.length} CRCs, expected ${expectedCrcs}`);
    }
    const bad = firstBadChunk(data, crcs, bpc);
    if (bad >= 0) {
      const off = bad * bpc;
      const actual = crc32c(data.subarray(off, Math.min(off + bpc, data.length)));
      throw new ChecksumMismatchError(
        `block ${this.blockId}: CRC32C mismatch in chunk at offset ${offsetBytes + off} (expected ${crcs[bad]!.toString(16)}, got ${actual.toString(16)})`,
      );
    }
    const from = Math.max(this.position, offsetBytes);
    const to = Math.min(this.endBytes, offsetBytes + data.length);
    if (to <= from) return data.subarray(0, 0);
    this.position = to;
    return data.subarray(from - offsetBytes, to - offsetBytes);
  }
}
