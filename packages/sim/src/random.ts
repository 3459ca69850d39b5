/**
 * Seeded randomness for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state, passes PractRand to many TB) seeded by hashing a string with cyrb128.
 * Every source of randomness in a run is a `Random` forked from the run's seed by a label
 * ("net/17", "faults/crash/17", ...), so streams are independent of each other and of how many
 * numbers the others drew: two runs that differ only in the detector see the same crashes,
 * pauses, partitions and, node by node, the same message delays and losses (common random
 * numbers, which makes side-by-side comparisons much less noisy).
 */

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(seed);
    for (let i = 0; i < 12; i++) this.nextUint32(); // mix the hashed state
  }

  /** The 128-bit state, for RandomStreams. */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  /** An independent stream named `label`, the same whatever this one has drawn so far. */
  fork(label: string): Random {
    return new Random(`${this.seed}/${label}`);
  }

  nextUint32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with the given mean (0 -> 0). */
  exponential(mean: number): number {
    return mean > 0 ? -Math.log(1 - this.next()) * mean : 0;
  }

  /** Standard normal (Box-Muller; one value per call, so the stream position is simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape sigma (heavy right tail: pauses, downtimes). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Trials up to and including the first success with probability p: 1, 2, ... (p <= 0 -> Infinity). */
  geometric(p: number): number {
    if (p >= 1) return 1;
    if (p <= 0) return Number.POSITIVE_INFINITY;
    return 1 + Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }
}

/**
 * Many sfc32 streams in one typed array: stream i is exactly `new Random(`${seed}/${label}/${i}`)`,
 * but its state sits next to stream i+1's, so walking the DataNodes in index order stays in cache
 * (10,000 separate Random objects cost a cache miss per draw).
 */
const EXP_BINS = 4096;
/** EXP_TABLE[k] = -ln(1 - k / 4096): the exponential quantile at k / 4096. */
const EXP_TABLE = Float64Array.from({ length: EXP_BINS }, (_, k) => -Math.log(1 - k / EXP_BINS));

export class RandomStreams {
  private readonly s: Int32Array;

  constructor(seed: string, label: string, count: number) {
    this.s = new Int32Array(4 * count);
    for (let i = 0; i < count; i++) this.s.set(new Random(`${seed}/${label}/${i}`).state(), 4 * i);
  }

  nextUint32(i: number): number {
    const s = this.s;
    const o = 4 * i;
    const a = s[o];
    const b = s[o + 1];
    let c = s[o + 2];
    const d = (s[o + 3] + 1) | 0;
    const t0 = (a + b) | 0;
    s[o] = b ^ (b >>> 9);
    s[o + 1] = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    s[o + 3] = d;
    const t = (t0 + d) | 0;
    s[o + 2] = (c + t) | 0;
    return t >>> 0;
  }

  next(i: number): number {
    return this.nextUint32(i) / 4294967296;
  }

  /** Copies stream i's state into to[at..at+3] (save) or back from it (restore). */
  saveState(i: number, to: Int32Array, at: number): void {
    const o = 4 * i;
    to[at] = this.s[o];
    to[at + 1] = this.s[o + 1];
    to[at + 2] = this.s[o + 2];
    to[at + 3] = this.s[o + 3];
  }

  restoreState(i: number, from: Int32Array, at: number): void {
    const o = 4 * i;
    this.s[o] = from[at];
    this.s[o + 1] = from[at + 1];
    this.s[o + 2] = from[at + 2];
    this.s[o + 3] = from[at + 3];
  }

  /**
   * Exponential with the given mean, by a 4096-entry inverse-CDF table with linear interpolation
   * (exact logarithm in the last bin, so the tail is not cut): no Math.log on the per-beat path.
   * Relative error below 1e-7 in the bulk.
   */
  exponential(i: number, mean: number): number {
    if (mean <= 0) return 0;
    const u = this.nextUint32(i);
    const k = u >>> 20;
    const frac = (u & 0xfffff) / 0x100000;
    if (k === EXP_BINS - 1) return -Math.log((1 - frac) / EXP_BINS) * mean;
    return (EXP_TABLE[k] + (EXP_TABLE[k + 1] - EXP_TABLE[k]) * frac) * mean;
  }

  geometric(i: number, p: number): number {
    if (p >= 1) return 1;
    if (p <= 0) return Number.POSITIVE_INFINITY;
    return 1 + Math.floor(Math.log(1 - this.next(i)) / Math.log(1 - p));
  }
}
