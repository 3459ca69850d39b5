/**
 * The engine that skips uneventful beats (runs ahead, the core told through
 * HeartbeatMonitor.heardThrough) against the beat-by-beat engine, on seeds and sizes where both
 * run: every figure (QoS, repair, counts — heartbeats sent, lost, delivered, events) and every
 * liveness transition of the real HeartbeatMonitor (node, states, reason, time, silence) must be
 * identical. Scenarios mix what interrupts a run ahead: loss, crashes and restarts, lost disks,
 * pauses, partitions (one-way too), re-replication traffic, jitter large enough that beats share
 * a tick step, watchdogs; and the engine must in fact have skipped most beats.
 */
import type { Transition } from '@minidfs/namenode';
import { type SimConfig, type SimResult, defaultSimConfig, runSimulation } from '@minidfs/sim';

function scenario(seed: string, over: (c: SimConfig) => void = () => {}): SimConfig {
  const c = defaultSimConfig();
  c.seed = seed;
  c.nodes = 100;
  c.nodesPerRack = 10;
  c.blocks = 2000;
  c.durationMs = 60 * 60_000;
  c.liveness = { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 };
  c.network.loss = 0.05;
  c.network.partitionsPerDay = 300;
  c.network.partitionMeanMs = 30_000;
  c.faults = { ...c.faults, crashesPerNodeDay: 5, downtimeMeanMs: 10 * 60_000, diskLossFraction: 0.3, pausesPerNodeDay: 40 };
  over(c);
  return c;
}

function run(c: SimConfig, options: { skipQuietBeats: boolean; fastHeartbeats?: boolean }): { r: SimResult; transitions: Transition[] } {
  const transitions: Transition[] = [];
  const r = runSimulation(c, { ...options, onTransition: (t) => transitions.push({ ...t }) });
  return { r, transitions };
}

function expectSame(c: SimConfig): { fast: SimResult; ref: SimResult } {
  const ref = run(c, { skipQuietBeats: false });
  const fast = run(c, { skipQuietBeats: true });
  expect(fast.r.figures).toEqual(ref.r.figures);
  expect(fast.transitions).toEqual(ref.transitions);
  expect(ref.r.engine.beatsRunAhead).toBe(0);
  return { fast: fast.r, ref: ref.r };
}

describe('skipping uneventful beats: identical figures and transitions to the beat-by-beat engine', () => {
  test.each(['s1', 's2', 's3'])('loss 5%%, crashes, lost disks, pauses, partitions, re-replication (seed %s)', (seed) => {
    const { fast } = expectSame(scenario(seed));
    const f = fast.figures;
    expect(f.qos.crashes).toBeGreaterThan(0);
    expect(f.counts.partitions).toBeGreaterThan(0);
    expect(f.counts.pauses).toBeGreaterThan(0);
    expect(f.qos.suspicion.mistakes).toBeGreaterThan(0);
    expect(f.repair.copiesCompleted).toBeGreaterThan(0);
    expect(fast.engine.replays).toBeGreaterThan(0); // runs cut short by a touch were replayed
    expect(fast.engine.beatsRunAhead).toBeGreaterThan(0.5 * f.counts.heartbeatsDelivered);
  });

  test('against the full DatanodeManager.heartbeat path too (fastHeartbeats off)', () => {
    const c = scenario('s4');
    const slow = run(c, { skipQuietBeats: false, fastHeartbeats: false });
    const fast = run(c, { skipQuietBeats: true });
    expect(fast.r.figures).toEqual(slow.r.figures);
    expect(fast.transitions).toEqual(slow.transitions);
  });

  test('loss 20%: runs end at most losses a tick can see', () => {
    const { fast } = expectSame(scenario('s5', (c) => { c.network.loss = 0.2; c.durationMs = 20 * 60_000; }));
    expect(fast.figures.qos.conviction.mistakes).toBeGreaterThan(0);
  });

  test('jitter of 400 ms mean: beats bunch up by FIFO, two in one tick step; and loss 50% (watchdogs)', () => {
    const { fast } = expectSame(scenario('s10', (c) => {
      c.network.jitterMs = 400;
      c.network.loss = 0.02;
      c.durationMs = 30 * 60_000;
      c.faults.pausesPerNodeDay = 100;
    }));
    expect(fast.engine.replays).toBeGreaterThan(0);
    expectSame(scenario('s11', (c) => { c.network.loss = 0.5; c.durationMs = 20 * 60_000; }));
  });

  test('a clean network at 1,000 nodes: almost every beat skipped, no transition', () => {
    const { fast } = expectSame(scenario('s6', (c) => {
      c.nodes = 1000;
      c.nodesPerRack = 40;
      c.blocks = 0;
      c.durationMs = 10 * 60_000;
      c.network.loss = 0;
      c.network.partitionsPerDay = 0;
      c.faults = { ...c.faults, crashesPerNodeDay: 0, pausesPerNodeDay: 0 };
    }));
    expect(fast.figures.qos.suspicion.mistakes).toBe(0);
    expect(fast.engine.beatsRunAhead).toBeGreaterThan(0.99 * fast.figures.counts.heartbeatsDelivered);
  });

  test('other liveness settings: 200 ms beats, STALE at 3 missed, DEAD at 5; and the 10 s default', () => {
    expectSame(scenario('s7', (c) => {
      c.liveness = { heartbeatIntervalMs: 200, staleAfterMissed: 3, deadAfterMissed: 5 };
      c.durationMs = 10 * 60_000;
      c.network.loss = 0.1;
    }));
    expectSame(scenario('s8', (c) => {
      c.liveness = { heartbeatIntervalMs: 10_000, staleAfterMissed: 2, deadAfterMissed: 3 };
      c.durationMs = 3 * 60 * 60_000;
    }));
  });

  test('mixed settings, seeded: intervals 100 ms to 3 s, STALE after 1 to 3 missed, jitter up to 600 ms, loss up to 20%, faults', () => {
    let x = 12345;
    const r = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(r() * values.length)];
    for (let k = 0; k < 6; k++) {
      const c = scenario(`mix${k}`, (m) => {
        m.nodes = 60 + Math.floor(r() * 60);
        m.nodesPerRack = 5 + Math.floor(r() * 20);
        m.blocks = Math.floor(r() * 2000);
        const interval = pick([100, 250, 1000, 3000]);
        const stale = 1 + Math.floor(r() * 3);
        m.liveness = { heartbeatIntervalMs: interval, staleAfterMissed: stale, deadAfterMissed: stale + 1 + Math.floor(r() * 3) };
        m.durationMs = Math.min(10 * 60_000, interval * 600);
        m.network.loss = pick([0, 0.01, 0.05, 0.2]);
        m.network.jitterMs = pick([0.5, 5, 100, 600]);
        m.network.partitionsPerDay = Math.floor(r() * 2000);
        m.faults = { ...m.faults, crashesPerNodeDay: r() * 20, diskLossFraction: r(), pausesPerNodeDay: r() * 200 };
      });
      expectSame(c);
    }
  });

  test('the phi detector learns every inter-arrival time: no beat is skipped, same figures', () => {
    const c = scenario('s9', (x) => { x.detector = { kind: 'phi' }; x.durationMs = 20 * 60_000; });
    const { fast } = expectSame(c);
    expect(fast.engine.beatsRunAhead).toBe(0);
  });
});
