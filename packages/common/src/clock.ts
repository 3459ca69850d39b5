/**
 * Time as an input. The pure core never reads a clock: adapters pass `nowMs` in. `SystemClock`
 * is monotonic (performance.now based, immune to wall-clock steps); `ManualClock` is for tests
 * and the simulator, where time only moves when told to.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  nowMs(): number;
}

export class SystemClock implements Clock {
  nowMs(): number {
    return performance.timeOrigin + performance.now();
  }
}

export class ManualClock implements Clock {
  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`ManualClock cannot go backwards (advance ${ms})`);
    this.currentMs += ms;
    return this.currentMs;
  }

  set(ms: number): void {
    if (ms < this.currentMs) throw new RangeError(`ManualClock cannot go backwards (${this.currentMs} -> ${ms})`);
    this.currentMs = ms;
  }
}
