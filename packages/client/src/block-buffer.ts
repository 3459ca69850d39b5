/**
 * The bytes of the block being written, owned by the client (callers' buffers are copied, so they
 * may reuse them once their write callback ran). Capacity grows by doubling up to 1 MiB, then to
 * exactly the file's block size and never beyond it: this is the "at most one block in memory" limit of a
 * write stream, and the copy a failed pipeline is resent from.
 */
import { Limits } from '@minidfs/common';

/** Beyond this many bytes a growing buffer jumps to the full block size (small files stay small). */
const GROW_TO_CAPACITY_BYTES = 1024 * 1024;

export class BlockBuffer {
  private storage: Buffer;
  private used = 0;

  constructor(readonly capacityBytes: number, initialBytes: number = Limits.packetDataBytes) {
    if (!Number.isInteger(capacityBytes) || capacityBytes <= 0) throw new RangeError(`block size must be a positive integer, got ${capacityBytes}`);
    this.storage = Buffer.allocUnsafe(Math.min(capacityBytes, initialBytes));
  }

  get lengthBytes(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used === this.capacityBytes;
  }

  /** Bytes of the buffer allocated so far (<= capacityBytes). */
  get allocatedBytes(): number {
    return this.storage.length;
  }

  /** Copies as much of `source` as fits; returns how many bytes were taken. */
  append(source: Uint8Array): number {
    const take = Math.min(source.length, this.capacityBytes - this.used);
    if (take === 0) return 0;
    const need = this.used + take;
    if (need > this.storage.length) {
      let size = this.storage.length;
      while (size < need) size *= 2;
      // Past GROW_TO_CAPACITY_BYTES the file is a big one: take the whole block at once rather than
      // copying every doubling (a 64 MiB block would copy 64 MiB more on its way up).
      if (size > GROW_TO_CAPACITY_BYTES) size = this.capacityBytes;
      const grown = Buffer.allocUnsafe(Math.min(size, this.capacityBytes));
      this.storage.copy(grown, 0, 0, this.used);
      this.storage = grown;
    }
    this.storage.set(source.subarray(0, take), this.used);
    this.used = need;
    return take;
  }

  /** A view of the bytes written so far; valid until the next append() after reset(). */
  contents(): Buffer {
    return this.storage.subarray(0, this.used);
  }

  /** Empties the buffer for the next block; the allocation is kept. */
  reset(): void {
    this.used = 0;
  }
}
