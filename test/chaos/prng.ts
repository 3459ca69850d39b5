/**
 * Seeded randomness for the chaos suite: every choice a run makes (which node, when, how long,
 * file sizes and contents) comes from one of these, so `CHAOS_SEED=<n>` replays the same fault
 * schedule and the same bytes. sfc32 (small, fast, good enough for test schedules; not crypto).
 * Streams are split by name (`fork('writer-1')`), so adding a consumer does not shift the others.
 */

/** FNV-1a, 32 bit: derives stream seeds from names. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** An independent stream named `name`, derived from this stream's seed (not its position). */
  fork(name: string): Prng {
    return new Prng((this.seed ^ hash32(name)) >>> 0);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `n` pseudo-random bytes (fast: 4 bytes per step). */
  bytes(n: number): Buffer {
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) words[i] = this.nextUint32();
    return Buffer.from(words.buffer, 0, n);
  }
}

/** The seed for a run: CHAOS_SEED if set (decimal or 0x hex), else a fresh one. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CHAOS_SEED?.trim();
  if (raw) {
    const n = raw.startsWith('0x') ? Number.parseInt(raw.slice(2), 16) : Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`CHAOS_SEED must be an integer in [0, 2^32), got ${raw}`);
    return n;
  }
  return (Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 0x1_0000_0000)) >>> 0;
}
