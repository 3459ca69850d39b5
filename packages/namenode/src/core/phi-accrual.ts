/**
 * Phi-accrual failure detector (Hayashibara, Défago, Yared, Katayama, "The φ Accrual Failure
 * Detector", SRDS 2004), pluggable into HeartbeatMonitor in place of the missed-beat threshold.
 *
 * Per node it keeps a sliding window of heartbeat inter-arrival times. After `silence` ms without
 * a heartbeat, φ = −log10(P(the next heartbeat arrives later than that)), where P comes from a
 * distribution fitted to the window:
 *   normal       (Hayashibara; Akka): mean + acceptablePauseMs, std = max(window std,
 *                minStdDeviationMs), and Akka's logistic approximation of the normal CDF;
 *   exponential  (Cassandra): φ = silence / (mean · ln 10).
 * A node is DEAD once φ ≥ threshold. φ only grows with silence while the window is unchanged, so
 * the silence at which φ reaches the threshold is computed once per accepted heartbeat
 * (deadAfterMs) and the monitor's tick stays a single comparison; phi() gives the value itself
 * (tests check the two agree). STALE (routing only) keeps the missed-beat rule — silence ≥
 * staleAfterMissed × interval by default — capped at the DEAD silence: phi judges the expensive
 * decision, the one that triggers re-replication.
 * Pure: no clock, no I/O; the window is a fixed ring buffer with running sums (re-summed every
 * window-length insertions so floating-point drift cannot accumulate).
 */
import { InvalidArgumentError, type LivenessConfig } from '@minidfs/common';
import type { LivenessDetector } from './heartbeat-monitor';

export type PhiDistribution = 'normal' | 'exponential';

export interface PhiAccrualConfig {
  /**
   * φ at which a node is DEAD. Default 8 (Akka cluster, Cassandra phi_convict_threshold). Each +1
   * is 10× fewer false DEADs on a stationary network and a little more detection time.
   */
  threshold: number;
  /** Inter-arrival samples kept per node. Default 1000 (Akka max-sample-size, Cassandra SAMPLE_SIZE). */
  windowSize: number;
  /**
   * Floor on the standard deviation, ms (normal only). Default interval / 10 (Akka: 100 ms at 1 s).
   * Without it a perfectly regular sender makes φ jump to infinity a few ms after a late beat.
   */
  minStdDeviationMs: number;
  /**
   * Silence tolerated on top of the usual interval, ms (normal only; Akka acceptable-heartbeat-pause).
   * Default 2 × interval: with a clean network DEAD comes a little after `deadAfterMissed` = 3 beats.
   */
  acceptablePauseMs: number;
  /** Inter-arrival time assumed before any sample, ms. Default the heartbeat interval (Akka first-heartbeat-estimate). */
  firstIntervalEstimateMs: number;
  /**
   * Intervals longer than this are not recorded, ms (Cassandra fd_max_interval: a long outage
   * should not teach the detector to wait longer). Default Infinity (record everything, as Akka).
   */
  maxSampleIntervalMs: number;
  distribution: PhiDistribution;
  /** Silence at which the node is STALE (no new writes), ms; capped at the DEAD silence. Default staleAfterMissed × interval. */
  staleAfterMs: number;
}

export function defaultPhiAccrualConfig(liveness: LivenessConfig): PhiAccrualConfig {
  const interval = liveness.heartbeatIntervalMs;
  return {
    threshold: 8,
    windowSize: 1000,
    minStdDeviationMs: Math.max(1, interval / 10),
    acceptablePauseMs: 2 * interval,
    firstIntervalEstimateMs: interval,
    maxSampleIntervalMs: Number.POSITIVE_INFINITY,
    distribution: 'normal',
    staleAfterMs: liveness.staleAfterMissed * interval,
  };
}

export function validatePhiAccrualConfig(c: PhiAccrualConfig): PhiAccrualConfig {
  const positive = (name: keyof PhiAccrualConfig, v: number, min = 0, allowInfinity = false) => {
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || (!allowInfinity && !Number.isFinite(v))) {
      throw new InvalidArgumentError(`phi accrual ${name} must be a number >= ${min}, got ${String(v)}`);
    }
  };
  positive('threshold', c.threshold, 0.5);
  if (c.threshold > 300) throw new InvalidArgumentError(`phi accrual threshold must be <= 300, got ${c.threshold}`);
  if (!Number.isInteger(c.windowSize) || c.windowSize < 2 || c.windowSize > 100_000) {
    throw new InvalidArgumentError(`phi accrual windowSize must be an integer in [2, 100000], got ${c.windowSize}`);
  }
  positive('minStdDeviationMs', c.minStdDeviationMs, 0.001);
  positive('acceptablePauseMs', c.acceptablePauseMs, 0);
  positive('firstIntervalEstimateMs', c.firstIntervalEstimateMs, 1);
  positive('maxSampleIntervalMs', c.maxSampleIntervalMs, 1, true);
  positive('staleAfterMs', c.staleAfterMs, 1);
  if (c.distribution !== 'normal' && c.distribution !== 'exponential') {
    throw new InvalidArgumentError(`phi accrual distribution must be normal or exponential, got ${String(c.distribution)}`);
  }
  return c;
}

/**
 * φ for `silenceMs` under a normal distribution (mean, std), with the logistic approximation of
 * the CDF Akka uses (max error ~1e-4 in the CDF). Monotonically non-decreasing in silenceMs.
 */
export function phiNormal(silenceMs: number, meanMs: number, stdDeviationMs: number): number {
  const y = (silenceMs - meanMs) / stdDeviationMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return silenceMs > meanMs ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

/** φ for `silenceMs` under an exponential distribution with the given mean (Cassandra). */
export function phiExponential(silenceMs: number, meanMs: number): number {
  return silenceMs / (meanMs * Math.LN10);
}

/** y = (silence − mean) / std at which phiNormal reaches `threshold` (bisection on the exact formula). */
function normalCrossing(threshold: number): number {
  const f = (y: number) => phiNormal(y, 0, 1);
  let lo = -40;
  let hi = 40;
  if (f(hi) < threshold) throw new RangeError(`phi threshold ${threshold} is out of range`);
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) >= threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Per-node window of inter-arrival times, ms. */
export interface PhiHistory {
  samples: Float64Array;
  count: number;
  /** Next slot to write (oldest sample once the window is full). */
  next: number;
  sum: number;
  sumOfSquares: number;
  insertionsSinceResum: number;
}

export class PhiAccrualDetector implements LivenessDetector<PhiHistory> {
  readonly name: string;
  readonly config: PhiAccrualConfig;
  /** Normalised silence at which phiNormal crosses the threshold. */
  private readonly crossingY: number;

  constructor(config: PhiAccrualConfig) {
    this.config = validatePhiAccrualConfig({ ...config });
    this.name = config.distribution === 'exponential' ? 'phi-exponential' : 'phi';
    this.crossingY = normalCrossing(config.threshold);
  }

  start(_nowMs: number): PhiHistory {
    const h: PhiHistory = {
      samples: new Float64Array(this.config.windowSize), count: 0, next: 0, sum: 0, sumOfSquares: 0, insertionsSinceResum: 0,
    };
    // Seed the window so the first beats are judged sensibly: Akka adds estimate ± estimate/4
    // (std = estimate/4); Cassandra adds one sample equal to its initial value.
    const est = this.config.firstIntervalEstimateMs;
    if (this.config.distribution === 'normal') {
      this.add(h, est - est / 4);
      this.add(h, est + est / 4);
    } else {
      this.add(h, est);
    }
    return h;
  }

  observe(h: PhiHistory, intervalMs: number): void {
    if (!(intervalMs >= 0) || intervalMs > this.config.maxSampleIntervalMs) return;
    this.add(h, intervalMs);
  }

  /** The configured STALE silence; HeartbeatMonitor caps it at deadAfterMs (no second fit per beat). */
  staleAfterMs(_h: PhiHistory): number {
    return this.config.staleAfterMs;
  }

  deadAfterMs(h: PhiHistory): number {
    if (this.config.distribution === 'exponential') return this.config.threshold * Math.LN10 * this.mean(h);
    return this.mean(h) + this.config.acceptablePauseMs + this.crossingY * this.effectiveStdDeviation(h);
  }

  /** Current φ after `silenceMs` without a heartbeat. */
  phi(h: PhiHistory, silenceMs: number): number {
    if (this.config.distribution === 'exponential') return phiExponential(silenceMs, this.mean(h));
    return phiNormal(silenceMs, this.mean(h) + this.config.acceptablePauseMs, this.effectiveStdDeviation(h));
  }

  /** Mean inter-arrival time in the window, ms. */
  mean(h: PhiHistory): number {
    return h.sum / h.count;
  }

  /** Standard deviation of the window, ms (before the minStdDeviationMs floor). */
  stdDeviation(h: PhiHistory): number {
    const m = this.mean(h);
    return Math.sqrt(Math.max(0, h.sumOfSquares / h.count - m * m));
  }

  private effectiveStdDeviation(h: PhiHistory): number {
    return Math.max(this.stdDeviation(h), this.config.minStdDeviationMs);
  }

  private add(h: PhiHistory, intervalMs: number): void {
    const size = h.samples.length;
    if (h.count === size) {
      const old = h.samples[h.next];
      h.sum -= old;
      h.sumOfSquares -= old * old;
    } else {
      h.count += 1;
    }
    h.samples[h.next] = intervalMs;
    h.next = (h.next + 1) % size;
    h.sum += intervalMs;
    h.sumOfSquares += intervalMs * intervalMs;
    if (++h.insertionsSinceResum >= size) {
      // Exact re-sum: the running sums add and subtract up to ~1e10 ms² per step.
      let sum = 0;
      let sumOfSquares = 0;
      for (let i = 0; i < h.count; i++) {
        sum += h.samples[i];
        sumOfSquares += h.samples[i] * h.samples[i];
      }
      h.sum = sum;
      h.sumOfSquares = sumOfSquares;
      h.insertionsSinceResum = 0;
    }
  }
}
