/**
 * CRC32C of data chunks (HDFS: one CRC per dfs.bytes-per-checksum = 512 bytes) and fast checking
 * of a whole packet against its chunk CRCs.
 *
 * Checking chunk by chunk costs one native call and one Buffer view per 512 bytes, which measured
 * ~130-200 µs per 64 KiB packet here, the largest CPU item of a DataNode in a write pipeline.
 * `firstBadChunk` instead folds the chunk CRCs into the CRC of the whole packet with the CRC
 * combination rule (zlib's crc32_combine: crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B), four table
 * lookups per chunk) and compares it with one native CRC32C over the packet (@node-rs/crc32,
 * SSE4.2). Only on a mismatch does it go chunk by chunk to name the bad chunk. A packet whose chunk
 * CRCs combine to its CRC has every chunk right except with the probability of a CRC32C collision
 * (2^-32), the same assurance as comparing each chunk.
 */
import { crc32c } from '@node-rs/crc32';
import { Limits } from './limits';

/** CRC-32C (Castagnoli) polynomial, bit-reflected. */
const POLY = 0x82f63b78;

/** a·b modulo P over GF(2), reflected bit order (zlib multmodp). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P for k = 0..31 (zlib x2n_table). */
const X2N: number[] = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  for (let k = 0; k < 32; k += 1) {
    table.push(p);
    p = multModP(p, p);
  }
  return table;
})();

/** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a CRC's message. */
function shiftOperator(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8 = 2^3 bits per byte
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k += 1) {
    if (n % 2 === 1) p = multModP(X2N[k & 31]!, p);
  }
  return p;
}

const operators = new Map<number, number>();
function operatorFor(bytes: number): number {
  let op = operators.get(bytes);
  if (op === undefined) {
    op = shiftOperator(bytes);
    if (operators.size < 64) operators.set(bytes, op); // chunk sizes in use: a handful
  }
  return op;
}

/**
 * Multiplication by one fixed operator as four 256-entry tables: the product is linear in the CRC
 * over GF(2), so op·crc is the XOR of op·(each byte of crc in place). Four lookups instead of up to
 * 32 shift-and-reduce steps; used for the full chunk length, which is every chunk but a packet's last.
 */
function shiftTable(op: number): Uint32Array {
  const table = new Uint32Array(4 * 256);
  for (let k = 0; k < 4; k += 1) {
    for (let v = 0; v < 256; v += 1) table[k * 256 + v] = multModP(op, (v << (8 * k)) >>> 0);
  }
  return table;
}

const shiftTables = new Map<number, Uint32Array>();
function shiftTableFor(bytes: number): Uint32Array {
  let table = shiftTables.get(bytes);
  if (table === undefined) {
    table = shiftTable(operatorFor(bytes));
    if (shiftTables.size < 8) shiftTables.set(bytes, table); // 4 KiB each; bytesPerChecksum values in use: one or two
  }
  return table;
}

/** CRC32C of A‖B from crc(A), crc(B) and |B| (zlib crc32_combine). */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(operatorFor(lengthB), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}

/** CRC32C of the concatenation of chunks of `bytesPerChecksum` bytes (the last `lastBytes` long) from their CRCs. */
function combineChunkCrcs(crcs: readonly number[], count: number, bytesPerChecksum: number, lastBytes: number): number {
  const t = shiftTableFor(bytesPerChecksum);
  let combined = crcs[0]! >>> 0;
  const fullEnd = lastBytes === bytesPerChecksum ? count : count - 1;
  for (let i = 1; i < fullEnd; i += 1) {
    combined = (t[combined & 0xff]! ^ t[256 + ((combined >>> 8) & 0xff)]! ^ t[512 + ((combined >>> 16) & 0xff)]! ^ t[768 + (combined >>> 24)]! ^ crcs[i]!) >>> 0;
  }
  if (fullEnd < count && count > 1) combined = (multModP(operatorFor(lastBytes), combined) ^ (crcs[count - 1]! >>> 0)) >>> 0;
  return combined;
}

/** CRC32C of each `bytesPerChecksum` chunk of `data` (the last chunk may be shorter). */
export function chunkCrcs(data: Uint8Array, bytesPerChecksum: number = Limits.bytesPerChecksum): number[] {
  if (!Number.isSafeInteger(bytesPerChecksum) || bytesPerChecksum <= 0) throw new RangeError(`bytesPerChecksum must be a positive integer, got ${bytesPerChecksum}`);
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = new Array<number>(Math.ceil(data.length / bytesPerChecksum));
  for (let i = 0, off = 0; off < data.length; i += 1, off += bytesPerChecksum) {
    out[i] = crc32c(buffer.subarray(off, Math.min(off + bytesPerChecksum, data.length)));
  }
  return out;
}

/**
 * Index of the first chunk of `data` whose CRC32C differs from `crcs[i]`, or -1 if all match.
 * `data` is one buffer or the packet's bytes in pieces (views of the socket chunks a frame arrived
 * in, transfer-codec.ts): pieces are hashed in turn with the running CRC, so nothing is copied
 * unless a chunk is bad. `crcs` must have exactly one entry per chunk (callers check the count
 * and name the error).
 */
export function firstBadChunk(data: Buffer | readonly Buffer[], crcs: readonly number[], bytesPerChecksum: number): number {
  let length = 0;
  if (Buffer.isBuffer(data)) length = data.length;
  else for (const piece of data) length += piece.length;
  const chunks = Math.ceil(length / bytesPerChecksum);
  if (crcs.length !== chunks) throw new RangeError(`${length} bytes need ${chunks} chunk CRCs, got ${crcs.length}`);
  if (chunks === 0) return -1;
  let crc = 0;
  if (Buffer.isBuffer(data)) crc = crc32c(data);
  else for (const piece of data) crc = crc32c(piece, crc);
  const lastBytes = length - (chunks - 1) * bytesPerChecksum;
  if (combineChunkCrcs(crcs, chunks, bytesPerChecksum, lastBytes) === crc) return -1;
  const whole = Buffer.isBuffer(data) ? data : Buffer.concat(data, length);
  const actual = chunkCrcs(whole, bytesPerChecksum);
  const bad = actual.findIndex((c, i) => c !== crcs[i]! >>> 0);
  return bad >= 0 ? bad : 0; // unreachable unless the CRCs themselves collide; fail safe
}
