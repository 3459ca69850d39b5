/**
 * Reconnect delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): delay = random(0, min(maxMs, initialMs * 2^attempt)). Full jitter spreads a cluster's
 * reconnects after a NameNode restart instead of synchronising them. Randomness is injected.
 */
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
    const ceiling = Math.min(this.config.maxMs, this.config.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
