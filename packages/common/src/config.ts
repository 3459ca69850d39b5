/**
 * Configuration is documentation: each field says its meaning, unit, default and trade-off.
 * `defaultLivenessConfig()` is production-ish (1 s beats), `fastTestLivenessConfig()` is the
 * profile integration tests use, and `validateLivenessConfig()` checks fields against each other.
 */
import { InvalidArgumentError } from './errors';

export interface LivenessConfig {
  /**
   * How often a DataNode sends a heartbeat, in ms. Default 1000 (HDFS: 3000). Lower detects
   * faster and costs proportionally more NameNode CPU (~5 µs per beat measured here).
   */
  heartbeatIntervalMs: number;
  /**
   * Missed beats after which a node is STALE: no new writes are placed on it, reads sort it
   * last. Default 2. Too low and a single late beat (GC pause, loss) reroutes writes.
   */
  staleAfterMissed: number;
  /**
   * Missed beats after which a node is DEAD: no I/O is routed to it and its blocks are
   * re-replicated. Default 3. The detection bound is deadAfterMissed × heartbeatIntervalMs
   * (plus one interval of tick granularity); too low causes false DEADs under loss or pauses,
   * each of which triggers a re-replication storm.
   */
  deadAfterMissed: number;
}

export function defaultLivenessConfig(): LivenessConfig {
  return { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 };
}

/**
 * The fast test profile, the one every test cluster runs with (test/support/cluster.ts FAST is
 * this as CLI flags): 100 ms beats, STALE after 2 missed (200 ms), DEAD after 4 (400 ms: room for
 * a late beat on a loaded 2-core CI box). Unit tests that assert exact times pin what they assert.
 */
export function fastTestLivenessConfig(): LivenessConfig {
  return { heartbeatIntervalMs: 100, staleAfterMissed: 2, deadAfterMissed: 4 };
}

export function validateLivenessConfig(c: LivenessConfig): LivenessConfig {
  const intField = (name: keyof LivenessConfig, min: number, max: number) => {
    const v = c[name];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
    }
  };
  intField('heartbeatIntervalMs', 10, 600_000);
  intField('staleAfterMissed', 1, 10_000);
  intField('deadAfterMissed', 1, 10_000);
  if (c.deadAfterMissed <= c.staleAfterMissed) {
    throw new InvalidArgumentError(
      `deadAfterMissed (${c.deadAfterMissed}) must be greater than staleAfterMissed (${c.staleAfterMissed}): a node goes STALE before DEAD`,
    );
  }
  return c;
}
