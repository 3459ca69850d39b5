/** Order statistics for benchmark samples (nearest-rank percentiles, as most latency reports use). */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Summary { n: number; min: number; p50: number; p99: number; max: number; mean: number }

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  const mean = n === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / n;
  return {
    n, min: n ? Math.min(...samples) : Number.NaN, p50: percentile(samples, 50), p99: percentile(samples, 99),
    max: n ? Math.max(...samples) : Number.NaN, mean,
  };
}

/** A throughput figure as reported: median of the runs, with min and max (NaN when there are none). */
export interface Figure { median: number; min: number; max: number; runs: number }

export function figure(samples: readonly number[]): Figure {
  return { median: round(median(samples)), min: round(Math.min(...samples)), max: round(Math.max(...samples)), runs: samples.length };
}

/** "52.1 (43.0-67.2, 3 runs)" for tables. */
export function describeFigure(f: Figure): string {
  return f.runs === 0 ? 'not measured' : f.runs === 1 ? `${f.median} (1 run)` : `${f.median} (${f.min}-${f.max}, ${f.runs} runs)`;
}

/** MB/s in decimal megabytes (10^6), the unit MooseFS, dd and fio print. */
export const mbPerSec = (bytes: number, ms: number): number => (bytes / 1e6) / (ms / 1000);

export const round = (x: number, digits = 1): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
