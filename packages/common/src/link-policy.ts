/**
 * LinkPolicy: when the DataNode's link to the NameNode acts, as pure arithmetic on times it is
 * given. HeartbeatLink (datanode/src/heartbeat-link.ts) drives it with wall-clock timers; the gossip
 * simulator's NameNode link (sim/src/gossip-namenode.ts) with virtual time. Both read the same
 * constants and formulas here, so the simulated DataNode beats and retries when the real one does.
 *
 *   beat            every heartbeatIntervalMs (the NameNode's, from the registration); while peer
 *                   probe answers wait, the next one goes out early (below)
 *   early beat      now, but never closer than min(minEarlyBeatGapMs, interval) after the last beat
 *   watchdog        the stream is dropped when no answer came for max(watchdogIntervals × interval,
 *                   watchdogMinMs): the NameNode is hung or partitioned away
 *   quiet acks      the stream asks the NameNode (metadata ACK_GAP_METADATA_KEY) to answer a beat
 *                   that changed nothing at most once per quietAckGapMs: min(quietAckIntervals ×
 *                   interval, watchdog / 4); beats with commands, transitions or a new HA role
 *                   are answered at once
 *   register        a Register call fails at registerTimeoutMs after it was sent
 *   reconnect       after a failure, wait random × min(reconnectMaxMs, reconnectInitialMs × 2^attempt)
 *                   (full jitter: a cluster's reconnects after a NameNode restart spread out
 *                   instead of arriving together); attempt counts failures since the last success
 *
 * No clock, no timers, no Math.random: times and the random draw are inputs.
 */
import { InvalidArgumentError } from './errors';

/** Silence before the watchdog drops the stream, in heartbeat intervals (floored by LINK_WATCHDOG_MIN_MS). */
export const LINK_WATCHDOG_INTERVALS = 20;
/** Least silence before the watchdog drops the stream, ms: a short interval must not make a GC pause of the NameNode a reconnect. */
export const LINK_WATCHDOG_MIN_MS = 10_000;
/** A beat that changed nothing is answered at most once per this many intervals (quiet acks, header). */
export const LINK_QUIET_ACK_INTERVALS = 4;
/**
 * Heartbeat stream metadata: the longest gap, ms, the DataNode accepts between answers to beats
 * that changed nothing. Absent or 0: every beat is answered.
 */
export const ACK_GAP_METADATA_KEY = 'minidfs-ack-gap-ms';
/** Largest ack gap a NameNode honours, ms (a larger request is capped to it). */
export const MAX_ACK_GAP_MS = 60_000;
/** Deadline of a Register call, ms. */
export const LINK_REGISTER_TIMEOUT_MS = 5_000;
/** An early beat (probe answers ready) goes out at least this long after the previous beat, ms. */
export const LINK_MIN_EARLY_BEAT_GAP_MS = 50;
/** First reconnect backoff ceiling, ms. */
export const LINK_RECONNECT_INITIAL_MS = 100;
/** Largest reconnect backoff ceiling, ms (the DataNode's --reconnect-max-ms default). */
export const LINK_RECONNECT_MAX_MS = 2_000;
/** Exponent cap of the backoff doubling (2^30 × any ceiling is past every maximum). */
const MAX_BACKOFF_DOUBLINGS = 30;

export interface LinkPolicyConfig {
  /** Deadline of a Register call, ms. Default LINK_REGISTER_TIMEOUT_MS (5,000). */
  registerTimeoutMs: number;
  /** First reconnect backoff ceiling, ms; > 0 and <= reconnectMaxMs. Default 100. */
  reconnectInitialMs: number;
  /** Largest reconnect backoff ceiling, ms. Default 2,000; lower reconnects sooner after a NameNode restart, with more attempts against a NameNode still down. */
  reconnectMaxMs: number;
  /** Watchdog silence in intervals. Default 20. */
  watchdogIntervals: number;
  /** Watchdog silence floor, ms. Default 10,000. */
  watchdogMinMs: number;
  /** Quiet acks: the ack gap asked for, in intervals (capped at a quarter of the watchdog); 0 = every beat answered. Default 4. */
  quietAckIntervals: number;
  /** Least gap between a beat and an early beat, ms (capped at the interval). Default 50. */
  minEarlyBeatGapMs: number;
}

export function defaultLinkPolicyConfig(): LinkPolicyConfig {
  return {
    registerTimeoutMs: LINK_REGISTER_TIMEOUT_MS, reconnectInitialMs: LINK_RECONNECT_INITIAL_MS, reconnectMaxMs: LINK_RECONNECT_MAX_MS,
    watchdogIntervals: LINK_WATCHDOG_INTERVALS, watchdogMinMs: LINK_WATCHDOG_MIN_MS, quietAckIntervals: LINK_QUIET_ACK_INTERVALS, minEarlyBeatGapMs: LINK_MIN_EARLY_BEAT_GAP_MS,
  };
}

export function validateLinkPolicyConfig(c: LinkPolicyConfig): LinkPolicyConfig {
  const check = (name: keyof LinkPolicyConfig, min: number) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new InvalidArgumentError(`link policy ${name} must be a finite number >= ${min}, got ${String(v)}`);
  };
  check('registerTimeoutMs', 1);
  check('reconnectInitialMs', Number.MIN_VALUE);
  check('reconnectMaxMs', c.reconnectInitialMs);
  check('watchdogIntervals', 1);
  check('watchdogMinMs', 0);
  check('quietAckIntervals', 0);
  check('minEarlyBeatGapMs', 0);
  return c;
}

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"):
 * floor(random × min(maxMs, initialMs × 2^attempt)), random uniform in [0, 1).
 */
export function fullJitterDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt), MAX_BACKOFF_DOUBLINGS));
  return Math.floor(random() * ceiling);
}

export class LinkPolicy {
  readonly config: LinkPolicyConfig;

  constructor(config: Partial<LinkPolicyConfig> = {}) {
    this.config = validateLinkPolicyConfig({ ...defaultLinkPolicyConfig(), ...config });
  }

  /**
   * When the beat after the one sent at sentAtMs goes out: `delayMs` later (the interval unless
   * the caller stretches or jitters it), or after the early-beat gap if that is sooner and probe
   * answers are still waiting.
   */
  nextBeatAtMs(sentAtMs: number, heartbeatIntervalMs: number, answersWaiting: boolean, delayMs = heartbeatIntervalMs): number {
    return sentAtMs + (answersWaiting ? Math.min(delayMs, this.earlyBeatGapMs(heartbeatIntervalMs)) : delayMs);
  }

  /** Least gap between the previous beat and an early one: min(minEarlyBeatGapMs, interval). */
  earlyBeatGapMs(heartbeatIntervalMs: number): number {
    return Math.min(this.config.minEarlyBeatGapMs, heartbeatIntervalMs);
  }

  /** When an early beat asked for at nowMs goes out, the previous beat having gone at lastBeatAtMs. */
  earlyBeatAtMs(lastBeatAtMs: number, nowMs: number, heartbeatIntervalMs: number): number {
    return Math.max(nowMs, lastBeatAtMs + this.earlyBeatGapMs(heartbeatIntervalMs));
  }

  /** Silence (no answer) after which the watchdog drops the stream: max(watchdogIntervals × interval, watchdogMinMs). */
  watchdogMs(heartbeatIntervalMs: number): number {
    return Math.max(this.config.watchdogIntervals * heartbeatIntervalMs, this.config.watchdogMinMs);
  }

  /** Whether the watchdog drops the stream at nowMs, the last answer having come at lastAnswerAtMs. */
  watchdogExpired(lastAnswerAtMs: number, nowMs: number, heartbeatIntervalMs: number): boolean {
    return nowMs - lastAnswerAtMs > this.watchdogMs(heartbeatIntervalMs);
  }

  /** Ack gap the stream asks for (ACK_GAP_METADATA_KEY): min(quietAckIntervals × interval, watchdog / 4, MAX_ACK_GAP_MS), ms. */
  quietAckGapMs(heartbeatIntervalMs: number): number {
    return Math.floor(Math.min(this.config.quietAckIntervals * heartbeatIntervalMs, this.watchdogMs(heartbeatIntervalMs) / 4, MAX_ACK_GAP_MS));
  }

  /** Deadline of a Register call sent at sentAtMs. */
  registerDeadlineMs(sentAtMs: number): number {
    return sentAtMs + this.config.registerTimeoutMs;
  }

  /** Wait before reconnect attempt `attempt` (0 = the first failure since the last success). */
  reconnectDelayMs(attempt: number, random: () => number): number {
    return fullJitterDelayMs(attempt, this.config.reconnectInitialMs, this.config.reconnectMaxMs, random);
  }
}
