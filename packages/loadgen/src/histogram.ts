/**
 * A fixed-bucket latency histogram that merges by adding counts, so worker processes can ship
 * theirs to the coordinator as plain arrays and a benchmark can subtract two snapshots to get the
 * distribution of one window. Buckets grow geometrically by BUCKET_GROWTH from HISTOGRAM_MIN_MS to
 * HISTOGRAM_MAX_MS (relative error of a quantile <= 5%); values outside land in the end buckets.
 */

/** Smallest distinguished value, ms (below: the first bucket). */
export const HISTOGRAM_MIN_MS = 0.01;
/** Largest distinguished value, ms (above: the last bucket). */
export const HISTOGRAM_MAX_MS = 120_000;
/** Ratio between consecutive bucket bounds. */
export const BUCKET_GROWTH = 1.1;
/** Number of buckets (a named bound: every histogram is this many numbers). */
export const HISTOGRAM_BUCKETS = Math.ceil(Math.log(HISTOGRAM_MAX_MS / HISTOGRAM_MIN_MS) / Math.log(BUCKET_GROWTH)) + 1;

const LOG_GROWTH = Math.log(BUCKET_GROWTH);

/** Upper bound of bucket i, ms. */
export function bucketUpperMs(i: number): number {
  return HISTOGRAM_MIN_MS * BUCKET_GROWTH ** i;
}

export class Histogram {
  readonly counts: number[];
  count = 0;
  sumMs = 0;
  maxMs = 0;

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    if (this.counts.length !== HISTOGRAM_BUCKETS) throw new RangeError(`histogram needs ${HISTOGRAM_BUCKETS} buckets, got ${this.counts.length}`);
    for (const c of this.counts) this.count += c;
  }

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= HISTOGRAM_MIN_MS ? 0 : Math.min(HISTOGRAM_BUCKETS - 1, Math.ceil(Math.log(v / HISTOGRAM_MIN_MS) / LOG_GROWTH));
    this.counts[i] += 1;
    this.count += 1;
    this.sumMs += v;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** Nearest-rank quantile (p in 0..100), reported as its bucket's upper bound; NaN when empty. */
  percentileMs(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return bucketUpperMs(i);
    }
    return bucketUpperMs(this.counts.length - 1);
  }

  toJSON(): HistogramJson {
    return { counts: [...this.counts], sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static from(json: HistogramJson): Histogram {
    const h = new Histogram(json.counts);
    h.sumMs = json.sumMs;
    h.maxMs = json.maxMs;
    return h;
  }

  /** Sum of histograms (worker processes -> one figure). */
  static merge(parts: readonly HistogramJson[]): Histogram {
    const h = new Histogram();
    for (const p of parts) {
      for (let i = 0; i < HISTOGRAM_BUCKETS; i++) h.counts[i] += p.counts[i] ?? 0;
      h.sumMs += p.sumMs;
      h.maxMs = Math.max(h.maxMs, p.maxMs);
    }
    h.count = h.counts.reduce((a, b) => a + b, 0);
    return h;
  }

  /** later − earlier: the values recorded between two snapshots (maxMs is the later's, an upper bound). */
  static between(earlier: HistogramJson, later: HistogramJson): Histogram {
    const h = new Histogram(later.counts.map((c, i) => c - (earlier.counts[i] ?? 0)));
    h.sumMs = later.sumMs - earlier.sumMs;
    h.maxMs = later.maxMs;
    return h;
  }
}

export interface HistogramJson {
  counts: number[];
  sumMs: number;
  maxMs: number;
}
