/**
 * The simulator around the real NameNode core: scenarios with known answers (one crash -> exactly
 * one DEAD within the bound, a long pause -> one false DEAD that heals, a one-way partition ->
 * the DataNode's watchdog, data loss), zero false DEADs on a clean network, and determinism (the
 * same seed gives identical figures; the fast heartbeat path changes nothing).
 */
import { type SimConfig, type SimFigures, Simulation, defaultSimConfig, runSimulation } from '@minidfs/sim';

function small(over: (c: SimConfig) => void = () => {}): SimConfig {
  const c = defaultSimConfig();
  c.seed = 'test';
  c.nodes = 30;
  c.nodesPerRack = 10;
  c.blocks = 600;
  c.durationMs = 10 * 60_000;
  c.liveness = { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 };
  c.faults = { ...c.faults, crashesPerNodeDay: 0, pausesPerNodeDay: 0 };
  over(c);
  return c;
}

function run(c: SimConfig) {
  const sim = new Simulation(c);
  const result = sim.run();
  const health = sim.nn.blockMap.counts(sim.nn.usable);
  return { result, f: result.figures, health, sim };
}

describe('simulation: known answers', () => {
  test('a clean cluster: no transitions at all, every beat delivered, blocks healthy', () => {
    const { f, health } = run(small());
    expect(f.qos.suspicion.mistakes).toBe(0);
    expect(f.qos.crashes).toBe(0);
    expect(f.counts.heartbeatsLost).toBe(0);
    // ~30 nodes x 600 beats, minus the first partial interval
    expect(f.counts.heartbeatsDelivered).toBeGreaterThan(30 * 599);
    expect(f.counts.heartbeatsDelivered).toBeLessThanOrEqual(30 * 600);
    expect(health).toMatchObject({ blocks: 600, underReplicated: 0, overReplicated: 0, missing: 0 });
  });

  test('one crash: exactly one DEAD within deadAfter x interval + one tick, zero false DEADs, blocks re-replicated', () => {
    const { f, health, sim } = run(small((c) => { c.faults.scripted = [{ kind: 'crash', atMs: 100_000, node: 7 }]; }));
    expect(f.qos.crashes).toBe(1);
    expect(f.qos.detected).toBe(1);
    expect(f.qos.conviction.mistakes).toBe(0);
    expect(f.qos.suspicion.mistakes).toBe(0);
    // The silence starts at the last beat before the crash (< 1 interval earlier); DEAD at the
    // first 250 ms tick with 3 intervals of silence.
    expect(f.qos.detection.max).toBeGreaterThan(2000);
    expect(f.qos.detection.max).toBeLessThanOrEqual(3 * 1000 + 250);
    expect(f.qos.detectionStale.max).toBeLessThanOrEqual(2 * 1000 + 250);
    expect(sim.nn.manager.state('dn7')).toBe('DEAD');
    expect(sim.nn.manager.all().filter((n) => sim.nn.manager.state(n.id) !== 'LIVE')).toHaveLength(1);
    expect(f.repair.deathsWithRepair).toBe(1);
    expect(f.repair.unrepairedAtEnd).toBe(0);
    expect(f.repair.copiesCompleted).toBeGreaterThan(30); // dn7 held ~60 of the 1800 replicas
    expect(f.repair.blocksEverAtZeroReplicas).toBe(0);
    expect(f.repair.blocksLost).toBe(0);
    expect(health).toMatchObject({ underReplicated: 0, missing: 0 });
  });

  test('the phi detector: one crash -> DEAD where phi 8 is crossed (mean + 2 s pause + 5.2 x 100 ms min std)', () => {
    const { f } = run(small((c) => {
      c.detector = { kind: 'phi' };
      c.faults.scripted = [{ kind: 'crash', atMs: 200_000, node: 3 }];
    }));
    expect(f.qos.detected).toBe(1);
    expect(f.qos.conviction.mistakes).toBe(0);
    expect(f.qos.detection.max).toBeGreaterThan(3522 - 1000);
    expect(f.qos.detection.max).toBeLessThanOrEqual(3523 + 250);
  });

  test('a 10 s pause at 1 s beats: one false DEAD (cause: pause), healed by re-registration, extra replicas trimmed', () => {
    const { f, health, sim } = run(small((c) => { c.faults.scripted = [{ kind: 'pause', atMs: 60_000, node: 3, durationMs: 10_000 }]; }));
    expect(f.qos.crashes).toBe(0);
    expect(f.qos.conviction.mistakes).toBe(1);
    expect(f.qos.conviction.byCause.pause).toBe(1);
    expect(f.qos.suspicion.mistakes).toBe(1);
    // DEAD ~3 s into the pause; trusted again after the resume: REREGISTER, register (~7-8 s).
    expect(f.qos.conviction.duration.max).toBeGreaterThan(6000);
    expect(f.qos.conviction.duration.max).toBeLessThan(9000);
    expect(f.counts.registrations).toBe(31);
    expect(sim.nn.manager.state('dn3')).toBe('LIVE');
    expect(health).toMatchObject({ underReplicated: 0, overReplicated: 0, missing: 0 });
  });

  test('a pause shorter than the DEAD threshold is at most a STALE, never a DEAD', () => {
    const { f } = run(small((c) => { c.faults.scripted = [{ kind: 'pause', atMs: 60_000, node: 3, durationMs: 1500 }]; }));
    expect(f.qos.conviction.mistakes).toBe(0);
    expect(f.counts.registrations).toBe(30);
  });

  test('a one-way partition (NameNode -> DataNode cut): beats still arrive until the watchdog drops the stream, then DEAD', () => {
    const { f, sim } = run(small((c) => {
      c.faults.scripted = [{ kind: 'partition', atMs: 60_000, nodes: [4], durationMs: 60_000, toNameNode: false, fromNameNode: true }];
    }));
    expect(f.qos.conviction.mistakes).toBe(1);
    expect(f.qos.conviction.byCause.partition).toBe(1);
    // watchdog max(20 intervals, 10 s) = 20 s without answers; STALE when the stream closes, DEAD 3 s later;
    // trusted again when the link heals (at 120 s) and the node re-registers.
    const start = f.qos.conviction.duration.max;
    expect(start).toBeGreaterThan(60_000 - 24_000);
    expect(start).toBeLessThan(60_000 - 20_000 + 3000);
    expect(sim.nn.manager.state('dn4')).toBe('LIVE');
  });

  test('a crash with a lost disk at replication 1 loses exactly that node\'s blocks', () => {
    const { f, sim } = run(small((c) => {
      c.replication = 1;
      c.faults.scripted = [{ kind: 'crash', atMs: 30_000, node: 2, diskLost: true }];
    }));
    expect(f.repair.blocksLost).toBeGreaterThan(0);
    expect(f.repair.blocksEverAtZeroReplicas).toBe(f.repair.blocksLost);
    expect(sim.nn.blockMap.counts(sim.nn.usable).missing).toBe(f.repair.blocksLost);
  });

  test('crashes and restarts on a clean network: every crash detected, zero mistakes', () => {
    const { f } = run(small((c) => {
      c.nodes = 60;
      c.blocks = 1200;
      c.durationMs = 2 * 3_600_000;
      c.faults.crashesPerNodeDay = 3;
      c.faults.downtimeMeanMs = 10 * 60_000;
    }));
    expect(f.qos.crashes).toBeGreaterThan(5);
    expect(f.qos.detected + f.qos.restartedBeforeDetection + f.qos.undetectedAtEnd).toBe(f.qos.crashes);
    expect(f.qos.conviction.mistakes).toBe(0);
    expect(f.qos.suspicion.mistakes).toBe(0);
    expect(f.qos.detection.max).toBeLessThanOrEqual(3250);
  });
});

describe('simulation: determinism', () => {
  const rich = (seed: string) => small((c) => {
    c.seed = seed;
    c.nodes = 60;
    c.blocks = 1500;
    c.durationMs = 90 * 60_000;
    c.network.loss = 0.05;
    c.network.partitionsPerDay = 300;
    c.network.partitionMeanMs = 30_000;
    c.faults = { ...c.faults, crashesPerNodeDay: 5, downtimeMeanMs: 10 * 60_000, diskLossFraction: 0.3, pausesPerNodeDay: 40 };
  });

  const figures = (c: SimConfig, fast = true): SimFigures => runSimulation(c, { fastHeartbeats: fast }).figures;

  test('the same seed gives identical figures; another seed does not', () => {
    const a = figures(rich('alpha'));
    expect(a.qos.crashes).toBeGreaterThan(0);
    expect(a.qos.conviction.mistakes).toBeGreaterThan(0);
    expect(a.counts.pauses).toBeGreaterThan(0);
    expect(a.counts.partitions).toBeGreaterThan(0);
    expect(a.repair.copiesCompleted).toBeGreaterThan(0);
    expect(figures(rich('alpha'))).toEqual(a);
    expect(figures(rich('beta'))).not.toEqual(a);
  });

  test('the fast heartbeat path (straight to the HeartbeatMonitor) gives exactly the figures of DatanodeManager.heartbeat', () => {
    const c = rich('gamma');
    expect(figures(c, true)).toEqual(figures(c, false));
    const phi = rich('gamma');
    phi.detector = { kind: 'phi' };
    expect(figures(phi, true)).toEqual(figures(phi, false));
  });

  test('the detector does not change the faults: crashes, pauses and partitions are the same for threshold and phi', () => {
    const t = figures(rich('delta'));
    const p = rich('delta');
    p.detector = { kind: 'phi' };
    const f = figures(p);
    expect(f.qos.crashes).toBe(t.qos.crashes);
    expect(f.counts.pauses).toBe(t.counts.pauses);
    expect(f.counts.partitions).toBe(t.counts.partitions);
  });
});
