/**
 * Reconnect delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): delay = random(0, min(maxMs, initialMs * 2^attempt)). Full jitter spreads a cluster's
 * reconnects after a NameNode restart instead of synchronising them. Randomness is injected. The
 * formula is common's fullJitterDelayMs, the one LinkPolicy uses for the NameNode link.
 */
import { fullJitterDelayMs } from '@minidfs/common';

export interface BackoffConfig {
  /** First ceiling, ms. */
  initialMs: number;
  /** Largest ceiling, ms. */
  maxMs: number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly config: BackoffConfig, private readonly random: () => number = Math.random) {
    if (!(config.initialMs > 0 && config.maxMs >= config.initialMs)) {
      throw new RangeError(`invalid backoff ${JSON.stringify(config)}: need 0 < initialMs <= maxMs`);
    }
  }

  nextDelayMs(): number {
    return fullJitterDelayMs(this.attempt++, this.config.initialMs, this.config.maxMs, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
