/**
 * Property tests of the simulator around the real NameNode core (fast-check, issue 10): over
 * random seeds, cluster shapes, detector settings and fault scripts, the four invariants hold —
 *   1. no node whose heartbeats keep arriving within the DEAD bound is ever declared DEAD;
 *   2. every crashed node is declared DEAD within the bound (deadAfter intervals + one tick);
 *   3. with fewer simultaneous failures than the replication factor, and time to heal between
 *      them, no block ever has 0 live replicas;
 *   4. once faults stop, replication converges to exactly the target (no block under, over or
 *      missing).
 * Each run draws new cases (fast-check's seed is random per run). A failure prints the
 * counterexample (the simulation's seed and fault script) and the line that replays it:
 * MINIDFS_PROPERTY_SEED=<seed> MINIDFS_PROPERTY_PATH=<path> npx jest test/sim/properties -t '<name>'.
 * Sizes are small (tens of nodes, minutes of virtual time) so the file runs in seconds.
 */
import fc from 'fast-check';
import { type ScriptedFault, type SimConfig, Simulation, defaultSimConfig } from '@minidfs/sim';

const RUNS = Number(process.env.MINIDFS_PROPERTY_RUNS ?? 12);

/** fc.assert with our failure message: fast-check's report plus the replay line. */
function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  const seed = process.env.MINIDFS_PROPERTY_SEED;
  const path = process.env.MINIDFS_PROPERTY_PATH;
  const details = fc.check(fc.property(arb, predicate), {
    numRuns: RUNS,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
  });
  if (details.failed) {
    throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay: MINIDFS_PROPERTY_SEED=${details.seed} ` +
      `MINIDFS_PROPERTY_PATH=${details.counterexamplePath ?? ''} npx jest test/sim/properties -t '${name}'`);
  }
}

interface Shape { seed: string; nodes: number; staleAfter: number; deadAfter: number; intervalMs: number }

const shape: fc.Arbitrary<Shape> = fc.record({
  seed: fc.string({ minLength: 1, maxLength: 8 }),
  nodes: fc.integer({ min: 12, max: 40 }),
  staleAfter: fc.integer({ min: 1, max: 3 }),
  extra: fc.integer({ min: 1, max: 3 }),
  intervalMs: fc.constantFrom(500, 1000, 3000),
}).map(({ extra, ...s }) => ({ ...s, deadAfter: s.staleAfter + extra }));

function config(s: Shape, durationMs: number, over: (c: SimConfig) => void = () => {}): SimConfig {
  const c = defaultSimConfig();
  c.seed = s.seed;
  c.nodes = s.nodes;
  c.nodesPerRack = 4;
  c.blocks = 0;
  c.durationMs = durationMs;
  c.liveness = { heartbeatIntervalMs: s.intervalMs, staleAfterMissed: s.staleAfter, deadAfterMissed: s.deadAfter };
  c.faults = { ...c.faults, crashesPerNodeDay: 0, pausesPerNodeDay: 0, scripted: [] };
  over(c);
  return c;
}

function run(c: SimConfig) {
  const sim = new Simulation(c);
  const f = sim.run().figures;
  return { f, health: sim.nn.blockMap.counts(sim.nn.usable) };
}

describe('simulation properties (fast-check over random seeds)', () => {
  test('1. no node with heartbeats arriving within the bound is ever DEAD', () => {
    // Jittery links and pauses shorter than the DEAD bound minus one interval (a beat due during a
    // pause fires on resume, so the silence is at most interval + pause + jitter): never DEAD.
    const arb = fc.record({
      s: shape,
      jitterMs: fc.double({ min: 0, max: 20, noNaN: true }),
      pauseFraction: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
      pausesPerNodeDay: fc.constantFrom(0, 200, 2000),
    });
    check('1.', arb, ({ s, jitterMs, pauseFraction, pausesPerNodeDay }) => {
      const { f } = run(config(s, 30 * 60_000, (c) => {
        c.network.jitterMs = jitterMs;
        c.faults.pausesPerNodeDay = pausesPerNodeDay;
        c.faults.pauseSigma = 0; // every pause exactly the median
        c.faults.pauseMedianMs = Math.max(1, pauseFraction * ((s.deadAfter - 1) * s.intervalMs - 100));
      }));
      expect(f.qos.conviction.mistakes).toBe(0);
    });
  });

  test('2. every crashed node is DEAD within deadAfter intervals + one tick', () => {
    const arb = fc.record({
      s: shape,
      loss: fc.constantFrom(0, 0.02, 0.1),
      crashes: fc.array(fc.record({ node: fc.nat(), atFraction: fc.double({ min: 0, max: 0.7, noNaN: true }) }), { minLength: 1, maxLength: 6 }),
    });
    check('2.', arb, ({ s, loss, crashes }) => {
      const durationMs = 20 * 60_000;
      const scripted = crashes.map((x) => ({ kind: 'crash' as const, node: x.node % s.nodes, atMs: Math.floor(x.atFraction * durationMs) }));
      const { f } = run(config(s, durationMs, (c) => {
        c.network.loss = loss;
        c.faults.scripted = scripted;
      }));
      const distinct = new Set(scripted.map((x) => x.node)).size; // a crashed node stays down: later crashes of it are no-ops
      expect(f.qos.crashes).toBe(distinct);
      expect(f.qos.detected).toBe(distinct);
      expect(f.qos.detection.max).toBeLessThanOrEqual(s.deadAfter * s.intervalMs + Math.max(5, Math.floor(s.intervalMs / 4)));
    });
  });

  test('3. fewer simultaneous failures than the replication factor, healed in between: no block ever at 0 replicas', () => {
    // Groups of up to replication-1 nodes crash together (for good, half of them with their
    // disk); the next group comes after the cluster has had time to re-replicate.
    const arb = fc.record({
      s: shape,
      replication: fc.integer({ min: 2, max: 3 }),
      groups: fc.array(fc.record({ nodes: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }), diskLost: fc.boolean() }), { minLength: 1, maxLength: 4 }),
    });
    check('3.', arb, ({ s, replication, groups }) => {
      const healMs = 5 * 60_000;
      const scripted: ScriptedFault[] = [];
      const down = new Set<number>();
      groups.forEach((g, k) => {
        const nodes = [...new Set(g.nodes.map((n) => n % s.nodes))].filter((n) => !down.has(n)).slice(0, replication - 1);
        for (const node of nodes) {
          down.add(node);
          scripted.push({ kind: 'crash', node, atMs: 60_000 + k * healMs, diskLost: g.diskLost, downtimeMs: Number.POSITIVE_INFINITY });
        }
      });
      const { f, health } = run(config(s, 60_000 + groups.length * healMs + 60_000, (c) => {
        c.blocks = 20 * s.nodes;
        c.replication = replication;
        c.faults.scripted = scripted;
      }));
      expect(f.repair.blocksEverAtZeroReplicas).toBe(0);
      expect(f.repair.blocksLost).toBe(0);
      expect(health.missing).toBe(0);
    });
  });

  test('4. after the faults stop, replication converges to exactly the target', () => {
    // A fault phase (crashes that come back, some with an empty disk; pauses; partitions, one-way
    // included; never more than replication-1 disks lost at once), then a quiet phase.
    const fault = fc.oneof(
      fc.record({ kind: fc.constant('crash' as const), node: fc.nat(), at: fc.nat(), downMs: fc.integer({ min: 1000, max: 120_000 }), diskLost: fc.boolean() }),
      fc.record({ kind: fc.constant('pause' as const), node: fc.nat(), at: fc.nat(), durationMs: fc.integer({ min: 100, max: 60_000 }) }),
      fc.record({
        kind: fc.constant('partition' as const), node: fc.nat(), at: fc.nat(), durationMs: fc.integer({ min: 100, max: 60_000 }),
        way: fc.constantFrom('both', 'to', 'from'),
      }),
    );
    const arb = fc.record({ s: shape, faults: fc.array(fault, { maxLength: 12 }) });
    check('4.', arb, ({ s, faults }) => {
      const faultPhaseMs = 10 * 60_000;
      let lastDiskLossMs = Number.NEGATIVE_INFINITY;
      const scripted: ScriptedFault[] = [];
      for (const x of [...faults].sort((a, b) => a.at - b.at)) {
        const node = x.node % s.nodes;
        const atMs = x.at % faultPhaseMs;
        if (x.kind === 'crash') {
          // One lost disk per 5 minutes: with replication 3 no block can lose every copy.
          const diskLost = x.diskLost && atMs - lastDiskLossMs > 5 * 60_000;
          if (diskLost) lastDiskLossMs = atMs;
          scripted.push({ kind: 'crash', node, atMs, downtimeMs: x.downMs, diskLost });
        } else if (x.kind === 'pause') {
          scripted.push({ kind: 'pause', node, atMs, durationMs: x.durationMs });
        } else {
          scripted.push({ kind: 'partition', nodes: [node], atMs, durationMs: x.durationMs, toNameNode: x.way !== 'from', fromNameNode: x.way !== 'to' });
        }
      }
      // Quiet phase: long enough for a DEAD, the watchdog (20 intervals) and a pending-copy
      // timeout (30 intervals) after the last fault ends, plus the copies themselves.
      const quietMs = 120 * s.intervalMs + 5 * 60_000;
      const { f, health } = run(config(s, faultPhaseMs + 120_000 + quietMs, (c) => {
        c.blocks = 20 * s.nodes;
        c.faults.scripted = scripted;
      }));
      expect(f.repair.blocksLost).toBe(0);
      expect(health).toMatchObject({ underReplicated: 0, overReplicated: 0, missing: 0 });
    });
  });
});
