/**
 * Phi-accrual detector: the formula, the DEAD silence it precomputes against phi() itself, window
 * adaptation, the exponential (Cassandra) variant, and the detector plugged into the real
 * HeartbeatMonitor under a manual clock (transitions, stall guard, re-registration).
 */
import { InvalidArgumentError, ManualClock, type LivenessConfig } from '@minidfs/common';
import {
  HeartbeatMonitor, PhiAccrualDetector, type PhiAccrualConfig, type Transition, defaultPhiAccrualConfig, phiExponential, phiNormal,
  validatePhiAccrualConfig,
} from '@minidfs/namenode';

const liveness: LivenessConfig = { heartbeatIntervalMs: 100, staleAfterMissed: 2, deadAfterMissed: 3 };
const config = (over: Partial<PhiAccrualConfig> = {}): PhiAccrualConfig => ({ ...defaultPhiAccrualConfig(liveness), ...over });

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('phi formula', () => {
  test('phi at the mean is -log10(1/2); it grows with silence and is ~threshold-shaped in the tail', () => {
    expect(phiNormal(1000, 1000, 100)).toBeCloseTo(Math.log10(2), 6);
    let previous = -Infinity;
    for (let t = 0; t <= 3000; t += 10) {
      const p = phiNormal(t, 1000, 100);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
    // Akka's logistic approximation: mean + 1 std ~ phi 0.8, mean + 3 std ~ phi 2.9
    expect(phiNormal(1100, 1000, 100)).toBeCloseTo(0.8, 1);
    expect(phiNormal(1300, 1000, 100)).toBeCloseTo(2.9, 1);
  });

  test('exponential phi is silence / (mean ln 10): phi 8 at 18.4 means', () => {
    expect(phiExponential(1000 * 8 * Math.LN10, 1000)).toBeCloseTo(8, 9);
  });
});

describe('PhiAccrualDetector', () => {
  test('seeded like Akka: first estimate +- a quarter, so the first DEAD silence is interval + pause + y*·max(std, min std)', () => {
    const d = new PhiAccrualDetector(config({ minStdDeviationMs: 10 }));
    const h = d.start(0);
    expect(d.mean(h)).toBeCloseTo(100, 9);
    expect(d.stdDeviation(h)).toBeCloseTo(25, 9);
    expect(d.phi(h, d.deadAfterMs(h))).toBeCloseTo(8, 6);
    // 100 ms mean + 200 ms acceptable pause + y*(8) = 5.22 std of 25 ms
    expect(d.deadAfterMs(h)).toBeGreaterThan(100 + 200 + 5.2 * 25);
    expect(d.deadAfterMs(h)).toBeLessThan(100 + 200 + 5.25 * 25);
  });

  test('the precomputed DEAD silence is where phi() crosses the threshold, for any history', () => {
    const random = seeded(7);
    for (const threshold of [1, 3, 8, 12, 16]) {
      const d = new PhiAccrualDetector(config({ threshold, windowSize: 50, minStdDeviationMs: 1 }));
      const h = d.start(0);
      for (let k = 0; k < 200; k++) {
        d.observe(h, 100 + (random() - 0.5) * 80 + (random() < 0.05 ? 100 : 0));
        const dead = d.deadAfterMs(h);
        expect(d.phi(h, dead - 1e-6)).toBeLessThan(threshold);
        expect(d.phi(h, dead + 1e-6)).toBeGreaterThanOrEqual(threshold);
      }
    }
  });

  test('the window adapts: jittery arrivals widen the DEAD silence, a calm spell narrows it again', () => {
    const d = new PhiAccrualDetector(config({ windowSize: 100 }));
    const h = d.start(0);
    for (let k = 0; k < 100; k++) d.observe(h, 100);
    const calm = d.deadAfterMs(h);
    for (let k = 0; k < 100; k++) d.observe(h, k % 2 ? 50 : 150);
    const jittery = d.deadAfterMs(h);
    expect(jittery).toBeGreaterThan(calm + 100);
    for (let k = 0; k < 100; k++) d.observe(h, 100);
    expect(d.deadAfterMs(h)).toBeCloseTo(calm, 6); // the jittery samples left the window
    expect(d.stdDeviation(h)).toBeCloseTo(0, 6);
  });

  test('running sums do not drift over millions of samples', () => {
    const d = new PhiAccrualDetector(config({ windowSize: 1000 }));
    const h = d.start(0);
    const random = seeded(3);
    for (let k = 0; k < 1_000_000; k++) d.observe(h, 1e4 + random() * 1e4);
    for (let k = 0; k < 1000; k++) d.observe(h, 100);
    expect(d.mean(h)).toBeCloseTo(100, 9);
    expect(d.stdDeviation(h)).toBeLessThan(1e-3);
  });

  test('exponential (Cassandra): DEAD at threshold x ln10 x mean; intervals over the max are not learned', () => {
    const d = new PhiAccrualDetector(config({ distribution: 'exponential', firstIntervalEstimateMs: 200, maxSampleIntervalMs: 200 }));
    const h = d.start(0);
    expect(d.deadAfterMs(h)).toBeCloseTo(8 * Math.LN10 * 200, 6);
    for (let k = 0; k < 999; k++) d.observe(h, 100);
    d.observe(h, 5000); // ignored
    expect(d.mean(h)).toBeCloseTo((200 + 999 * 100) / 1000, 9);
    expect(d.name).toBe('phi-exponential');
  });

  test('invalid configurations are refused', () => {
    for (const bad of [{ threshold: 0 }, { threshold: 301 }, { windowSize: 1 }, { minStdDeviationMs: 0 }, { acceptablePauseMs: -1 },
      { distribution: 'gamma' as never }, { firstIntervalEstimateMs: Number.NaN }]) {
      expect(() => validatePhiAccrualConfig(config(bad))).toThrow(InvalidArgumentError);
    }
  });
});

describe('HeartbeatMonitor with the phi detector', () => {
  function setup(over: Partial<PhiAccrualConfig> = {}) {
    const clock = new ManualClock(1_000_000);
    const m = new HeartbeatMonitor(liveness);
    const detector = new PhiAccrualDetector(config(over));
    m.useDetector(detector);
    let seq = 0;
    const beat = (n = 'dn1') => m.heartbeat(n, ++seq, 1, clock.nowMs());
    /** 5 ms ticks (fine granularity for exact boundaries), beating every `everyMs` while `beating`. */
    const run = (ms: number, beating: boolean, everyMs = 100) => {
      const out: Transition[] = [];
      for (let t = 0; t < ms; t += 5) {
        clock.advance(5);
        if (beating && clock.nowMs() % everyMs === 0) beat();
        out.push(...m.tick(clock.nowMs()));
      }
      return out;
    };
    m.register('dn1', clock.nowMs());
    m.tick(clock.nowMs());
    return { clock, m, detector, beat, run };
  }

  test('the monitor reports which detector it uses; only before the first registration', () => {
    const m = new HeartbeatMonitor(liveness);
    expect(m.detectorName).toBe('threshold');
    m.register('dn1', 0);
    expect(() => m.useDetector(new PhiAccrualDetector(config()))).toThrow(/before any node registers/);
    expect(setup().m.detectorName).toBe('phi');
  });

  test('a node beating on time stays LIVE; silence makes it STALE at 2 intervals and DEAD where phi reaches 8', () => {
    const { clock, m, run } = setup({ minStdDeviationMs: 10 });
    expect(run(10_000, true)).toEqual([]);
    const lastBeat = clock.nowMs();
    const ts = run(1000, false);
    expect(ts.map((t) => `${t.to}@${t.msSinceLastHeartbeat}`)).toEqual([
      'STALE@200',
      // regular 100 ms beats: mean 100, std below the 10 ms floor -> 100 + 200 + 5.22 * 10 = 352.2, next 5 ms tick
      'DEAD@355',
    ]);
    expect(m.view('dn1', clock.nowMs())!.lastHeartbeatMs).toBe(lastBeat);
  });

  test('with jittery beats the same silence is tolerated longer (adaptive), with the threshold detector it is not', () => {
    const jittery = setup({ minStdDeviationMs: 10 });
    const random = seeded(11);
    // beats every 60-140 ms for a while
    for (let k = 0; k < 300; k++) {
      jittery.clock.advance(60 + Math.floor(random() * 17) * 5);
      jittery.beat();
      jittery.m.tick(jittery.clock.nowMs());
    }
    const ts = jittery.run(1000, false);
    const dead = ts.find((t) => t.to === 'DEAD')!;
    expect(dead.msSinceLastHeartbeat).toBeGreaterThan(400);
    // The missed-beat threshold does not learn: DEAD at 3 intervals whatever came before.
    const threshold = new HeartbeatMonitor(liveness);
    threshold.register('dn1', 0);
    const fixed: Transition[] = [];
    for (let t = 5; t <= 1000; t += 5) fixed.push(...threshold.tick(t));
    expect(fixed.find((t) => t.to === 'DEAD')!.msSinceLastHeartbeat).toBe(300);
  });

  test('a heartbeat revives STALE; DEAD needs a new registration, which starts a fresh history', () => {
    const { clock, m, beat, run, detector } = setup();
    run(2000, true);
    run(250, false);
    expect(m.state('dn1')).toBe('STALE');
    expect(beat()).toMatchObject({ kind: 'accepted', transition: { from: 'STALE', to: 'LIVE' } });
    run(1000, false);
    expect(m.state('dn1')).toBe('DEAD');
    expect(beat()).toEqual({ kind: 'reregister' });
    expect(m.register('dn1', clock.nowMs())).toMatchObject({ from: 'DEAD', to: 'LIVE' });
    // Right after re-registration the limits are the seeded ones again (100 ± 25 ms).
    const seededDead = detector.deadAfterMs(detector.start(0));
    const ts = run(1000, false);
    expect(ts.find((t) => t.to === 'DEAD')!.msSinceLastHeartbeat).toBe(Math.ceil(seededDead / 5) * 5);
  });

  test('the stall guard still protects everybody: a NameNode paused for 10 s declares nobody DEAD', () => {
    const { clock, m, run } = setup();
    run(2000, true);
    clock.advance(10_000);
    expect(m.tick(clock.nowMs())).toEqual([]);
    expect(m.stallCount).toBe(1);
    expect(run(500, true)).toEqual([]);
  });

  test('duplicates are not learned as intervals, and the first beat after registration is not an interval', () => {
    const { clock, m, detector, run } = setup();
    clock.advance(100);
    expect(m.heartbeat('dn1', 5, 1, clock.nowMs()).kind).toBe('accepted');
    m.tick(clock.nowMs());
    clock.advance(100);
    expect(m.heartbeat('dn1', 6, 1, clock.nowMs()).kind).toBe('accepted');
    clock.advance(1);
    expect(m.heartbeat('dn1', 6, 1, clock.nowMs())).toEqual({ kind: 'duplicate' });
    // Learned: the seed (75, 125) and one 100 ms interval — not the 1 ms duplicate.
    const reference = detector.start(0);
    detector.observe(reference, 100);
    const deadMs = detector.deadAfterMs(reference);
    const ts = run(1000, false);
    // Ticks fall 1 + 5k ms after the last accepted beat.
    expect(ts.find((t) => t.to === 'DEAD')!.msSinceLastHeartbeat).toBe(1 + 5 * Math.ceil((deadMs - 1) / 5));
  });
});
