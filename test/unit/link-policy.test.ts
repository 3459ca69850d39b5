/**
 * LinkPolicy: the DataNode link's times as pure arithmetic (beat, early beat, watchdog, Register
 * deadline, full-jitter backoff with an injected random). No timers: every time is an argument.
 */
import {
  InvalidArgumentError, LINK_MIN_EARLY_BEAT_GAP_MS, LINK_REGISTER_TIMEOUT_MS, LINK_WATCHDOG_MIN_MS, LinkPolicy, MAX_ACK_GAP_MS, fullJitterDelayMs,
} from '@minidfs/common';
import { Backoff } from '@minidfs/datanode';

describe('LinkPolicy', () => {
  const policy = new LinkPolicy();

  test('defaults: 5 s Register deadline, 50 ms early-beat gap, watchdog max(20 intervals, 10 s), backoff 100 ms doubling to 2 s', () => {
    expect(policy.config).toEqual({
      registerTimeoutMs: 5000, reconnectInitialMs: 100, reconnectMaxMs: 2000, watchdogIntervals: 20, watchdogMinMs: 10_000, quietAckIntervals: 4,
      minEarlyBeatGapMs: 50,
    });
    expect([LINK_REGISTER_TIMEOUT_MS, LINK_MIN_EARLY_BEAT_GAP_MS, LINK_WATCHDOG_MIN_MS]).toEqual([5000, 50, 10_000]);
  });

  test('next beat: one interval after the last, or the early-beat gap while probe answers wait', () => {
    expect(policy.nextBeatAtMs(1000, 200, false)).toBe(1200);
    expect(policy.nextBeatAtMs(1000, 200, true)).toBe(1050);
    expect(policy.nextBeatAtMs(1000, 200, false, 230)).toBe(1230); // a stretched or jittered delay
    expect(policy.nextBeatAtMs(1000, 30, true)).toBe(1030); // the gap never exceeds the interval
  });

  test('early beat: now, but not closer than min(50 ms, interval) to the previous beat', () => {
    expect(policy.earlyBeatAtMs(1000, 1010, 200)).toBe(1050);
    expect(policy.earlyBeatAtMs(1000, 1080, 200)).toBe(1080);
    expect(policy.earlyBeatAtMs(1000, 1010, 20)).toBe(1020);
    expect(policy.earlyBeatGapMs(1000)).toBe(50);
  });

  test('watchdog: max(20 intervals, 10 s) of silence, strictly more than that drops the stream', () => {
    expect(policy.watchdogMs(100)).toBe(10_000);
    expect(policy.watchdogMs(1000)).toBe(20_000);
    expect(policy.watchdogExpired(0, 20_000, 1000)).toBe(false);
    expect(policy.watchdogExpired(0, 20_001, 1000)).toBe(true);
  });

  test('quiet acks: the stream asks for an answer at least every min(4 intervals, watchdog / 4, 60 s); 0 intervals = every beat', () => {
    expect(policy.quietAckGapMs(1000)).toBe(4000);
    expect(policy.quietAckGapMs(100)).toBe(400);
    expect(policy.quietAckGapMs(10_000)).toBe(40_000); // the watchdog (200 s) / 4 is longer
    expect(policy.quietAckGapMs(30_000)).toBe(MAX_ACK_GAP_MS);
    expect(new LinkPolicy({ quietAckIntervals: 10, watchdogIntervals: 20, watchdogMinMs: 0 }).quietAckGapMs(100)).toBe(500);
    expect(new LinkPolicy({ quietAckIntervals: 0 }).quietAckGapMs(1000)).toBe(0);
  });

  test('Register deadline: registerTimeoutMs after the call', () => {
    expect(policy.registerDeadlineMs(7000)).toBe(12_000);
    expect(new LinkPolicy({ registerTimeoutMs: 800 }).registerDeadlineMs(7000)).toBe(7800);
  });

  test('reconnect backoff: full jitter under a ceiling that doubles from 100 ms to the maximum', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 40].map((a) => policy.reconnectDelayMs(a, top))).toEqual([99, 199, 399, 799, 1599, 1999, 1999]);
    expect(policy.reconnectDelayMs(3, () => 0)).toBe(0);
    expect(policy.reconnectDelayMs(3, () => 0.5)).toBe(400);
    const small = new LinkPolicy({ reconnectInitialMs: 10, reconnectMaxMs: 200 });
    expect([0, 4, 5, 9].map((a) => small.reconnectDelayMs(a, () => 0.5))).toEqual([5, 80, 100, 100]);
  });

  test('the DataNode Backoff (block reports) draws the same delays as the policy', () => {
    const draws = [0.1, 0.9, 0.5, 0.3, 0.7, 0.99];
    let k = 0;
    const b = new Backoff({ initialMs: 100, maxMs: 2000 }, () => draws[k++]);
    const fromBackoff = draws.map(() => b.nextDelayMs());
    expect(fromBackoff).toEqual(draws.map((r, a) => policy.reconnectDelayMs(a, () => r)));
    expect(fromBackoff).toEqual(draws.map((r, a) => fullJitterDelayMs(a, 100, 2000, () => r)));
  });

  test('config is validated', () => {
    expect(() => new LinkPolicy({ reconnectInitialMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new LinkPolicy({ reconnectInitialMs: 500, reconnectMaxMs: 100 })).toThrow(InvalidArgumentError);
    expect(() => new LinkPolicy({ registerTimeoutMs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new LinkPolicy({ watchdogIntervals: 0 })).toThrow(InvalidArgumentError);
  });
});
