/**
 * Gossip mode of the simulator (packages/sim/src/gossip.ts): the real SwimMember on every simulated
 * DataNode under virtual time, side by side with the NameNode's missed-beat detector on the same
 * seeded faults. Scenarios with known answers at 1,000+ nodes — bootstrap converges, a crash is
 * DEAD at every live member within the docs/GOSSIP.md bound, 5% loss gives no false DEAD, a
 * node cut from the NameNode only is DEAD to the NameNode and ALIVE to its peers, a pause shorter
 * than the suspicion timeout is refuted — and determinism (same seed, same figures). Each scenario
 * prints its seed; the same seed replays it. Wall time is never asserted.
 */
import { suspicionTimeoutMs } from '@minidfs/membership';
import {
  type GossipComparisonResult, type GossipRunConfig, defaultGossipRunConfig, formatGossipReport, runGossipComparison,
} from '@minidfs/sim';
import { buildGossipConfig, type SimOptions } from '../../packages/cli/src/commands/sim';

const SECOND = 1000;

/** Only scripted faults unless a scenario adds rates; P = 1 s, NameNode at 1 s x 3 missed. */
function scenario(seed: string, nodes: number, durationMs: number, over: (c: GossipRunConfig) => void = () => {}): GossipRunConfig {
  const c = defaultGossipRunConfig();
  c.sim.seed = seed;
  c.sim.nodes = nodes;
  c.sim.durationMs = durationMs;
  c.sim.faults = { ...c.sim.faults, crashesPerNodeDay: 0, pausesPerNodeDay: 0, scripted: [] };
  c.gossip.warmupMs = 20 * SECOND;
  over(c);
  return c;
}

function run(c: GossipRunConfig, label: string): GossipComparisonResult {
  const r = runGossipComparison(c);
  console.log(`[gossip-sim] ${label} seed=${JSON.stringify(c.sim.seed)} N=${c.sim.nodes}\n${formatGossipReport(r)}`);
  return r;
}

const log2 = (n: number) => Math.log2(n);

describe('gossip mode, 1,200 nodes on a clean network: crashes, a pause, NameNode-only partitions', () => {
  const N = 1200;
  const crashes = [{ node: 11, atMs: 12_000 }, { node: 222, atMs: 13_500 }, { node: 333, atMs: 15_000 }];
  const cutAlone = 500;
  const cutGroup = [600, 630, 660, 690, 720];
  let c: GossipRunConfig;
  let r: GossipComparisonResult;

  beforeAll(() => {
    // Faults from 12 s (bootstrap takes ~7 periods); the last crash's bound ends before 42 s.
    c = scenario('gossip-1200', N, 42 * SECOND, (k) => {
      k.sim.faults.scripted = [
        ...crashes.map((x) => ({ kind: 'crash' as const, node: x.node, atMs: x.atMs })),
        { kind: 'pause', node: 7, atMs: 12_000, durationMs: 6_000 },
        { kind: 'partition', nodes: [cutAlone], atMs: 12_000, durationMs: 15_000, peers: false },
        { kind: 'partition', nodes: cutGroup, atMs: 14_000, durationMs: 10_000, peers: false },
      ];
    });
    r = run(c, 'crashes+pause+nn-only');
  });

  test('bootstrap through 3 random seeds each: every member knows everyone within 2·log2(N) periods', () => {
    // The SYNC cascade runs pushPullCascadeMisses exchanges past a member's last useful one, so no
    // tail of members waits for the periodic push-pull (it did when the cascade stopped at the first
    // useless exchange: 99% within 6 periods, all only after 7-36 s at 500-2,000 nodes).
    const P = c.gossip.swim.protocolPeriodMs;
    expect(r.gossip.convergedMostAtMs).toBeLessThanOrEqual(Math.ceil(2 * log2(N)) * P);
    expect(r.gossip.convergedAtMs).toBeLessThanOrEqual(Math.ceil(2 * log2(N)) * P);
    expect(r.gossip.counts.refused).toBe(0);
  });

  test('every crash is DEAD at every live member within (3 + ⌈log2 N⌉) P + min + one tick; the NameNode within 3 beats + one tick', () => {
    const P = c.gossip.swim.protocolPeriodMs;
    const min = suspicionTimeoutMs(c.gossip.swim, N);
    const bound = (3 + Math.ceil(log2(N))) * P + min + c.gossip.tickEveryMs;
    const g = r.gossip.figures;
    expect(g.crashes).toBe(crashes.length);
    expect(g.detected).toBe(crashes.length);
    expect(g.deadEverywhere.max).toBeLessThanOrEqual(bound);
    // Not faster than the suspicion timeout allows: someone suspected first, then waited >= min.
    expect(g.firstDead.min).toBeGreaterThanOrEqual(g.firstSuspicion.min + min - c.gossip.tickEveryMs);
    const central = r.central.figures;
    const l = c.sim.liveness;
    expect(central.detected).toBe(crashes.length);
    expect(central.deadEverywhere.max).toBeLessThanOrEqual(l.deadAfterMissed * l.heartbeatIntervalMs + l.heartbeatIntervalMs / 4);
  });

  test('a 6 s pause: the NameNode declares the node DEAD, the peers suspect it and it refutes (never DEAD)', () => {
    expect(r.central.figures.falseDead).toBeGreaterThanOrEqual(1);
    expect(r.central.figures.falseDeadByCause.pause).toBe(1);
    expect(r.gossip.figures.falseDead).toBe(0);
    expect(r.gossip.figures.falseDeadTransitions).toBe(0);
    expect(r.gossip.swimStats.refutations).toBeGreaterThanOrEqual(1);
  });

  test('cut from the NameNode only: the NameNode declares them DEAD, every peer still holds them ALIVE', () => {
    const central = r.central.figures.nameNodeOnly;
    const gossip = r.gossip.figures.nameNodeOnly;
    expect(central.map((o) => o.declaredDead)).toEqual([1, cutGroup.length]);
    expect(r.central.figures.falseDeadByCause.partition).toBe(1 + cutGroup.length);
    expect(gossip.map((o) => [o.declaredDead, o.suspected, o.memberDeadTransitions, o.memberSuspectTransitions])).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
    for (const o of gossip) expect(o.minObserversAliveAtEnd).toBe(o.observersUpAtEnd - 1);
  });
});

describe('gossip mode under 5% loss', () => {
  // 400 nodes, 120 periods: the suite's budget (a 1,000-node, 5-minute run is in docs/SIMULATION.md).
  test('400 nodes, 120 s, 5% loss on every message: 0 false DEAD in gossip; the NameNode (1 s x 3) has some', () => {
    const c = scenario('gossip-loss-5', 400, 120 * SECOND, (k) => { k.sim.network.loss = 0.05; });
    const r = run(c, 'loss 5%');
    expect(r.gossip.counts.lost).toBeGreaterThan(0);
    expect(r.gossip.figures.falseSuspicions).toBeGreaterThan(0); // the loss did bite: suspicions, all refuted
    expect(r.gossip.figures.falseDead).toBe(0);
    expect(r.gossip.figures.falseDeadTransitions).toBe(0);
    expect(r.central.figures.falseDead).toBeGreaterThan(0);
  });
});

describe('gossip mode: determinism', () => {
  const faulty = (seed: string) => scenario(seed, 100, 45 * SECOND, (k) => {
    k.sim.network.loss = 0.03;
    k.sim.network.partitionsPerDay = 40_000;
    k.sim.network.partitionMeanMs = 8_000;
    k.sim.faults.crashesPerNodeDay = 400;
    k.sim.faults.downtimeMeanMs = 10_000;
    k.sim.faults.pausesPerNodeDay = 1000;
    k.gossip.warmupMs = 10 * SECOND;
  });
  const strip = (r: GossipComparisonResult) => ({
    plan: r.plan, central: { ...r.central, wallMs: 0 }, gossip: { ...r.gossip, wallMs: 0 },
  });

  test('the same seed gives identical figures for both detectors; another seed does not', () => {
    const a = runGossipComparison(faulty('gossip-det'));
    const b = runGossipComparison(faulty('gossip-det'));
    const other = runGossipComparison(faulty('gossip-det-2'));
    console.log(`[gossip-sim] determinism seed="gossip-det": ${a.plan.crashes} crashes, ${a.plan.pauses} pauses, ${a.plan.partitions} partitions; ` +
      `gossip false DEAD ${a.gossip.figures.falseDead}, central false DEAD ${a.central.figures.falseDead}`);
    expect(a.plan.crashes + a.plan.pauses + a.plan.partitions).toBeGreaterThan(10);
    expect(strip(b)).toEqual(strip(a));
    expect(strip(other)).not.toEqual(strip(a));
  });
});

describe('minidfs sim --membership gossip flags', () => {
  const base: SimOptions = {
    nodes: 10_000, blocks: 1_000_000, duration: 86_400_000, seed: 's', loss: 0, delay: 0.5, jitter: 0.5, partitionRate: 0, partitionMean: 60_000,
    oneWay: 0.3, rackPartitions: 0.5, crashRate: 0.001, downtime: 3_600_000, diskLoss: 0.1, pauseRate: 0, pauseMedian: 2000, pauseSigma: 1,
    replication: 3, blockSize: 128 * 2 ** 20, capacity: 8 * 2 ** 40, copyBandwidth: 100 * 2 ** 20, nodesPerRack: 40, membership: 'gossip',
  };
  const none = () => false;

  test('gossip defaults apply where no flag was given: 1,000 nodes, 5 min, NameNode at 1 s x 3, P = 1 s', () => {
    const c = buildGossipConfig(base, none);
    expect(c.sim).toMatchObject({ nodes: 1000, durationMs: 300_000, blocks: 0, profile: 'minidfs' });
    expect(c.sim.liveness).toEqual({ heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 });
    expect(c.gossip.swim.protocolPeriodMs).toBe(1000);
    expect(c.gossip.tickEveryMs).toBe(100);
  });

  test('explicit flags win; --blocks is refused; --gossip-period scales the SWIM timers', () => {
    const explicit = (name: string) => ['nodes', 'duration'].includes(name);
    const c = buildGossipConfig({ ...base, nodes: 2000, duration: 60_000, gossipPeriod: 200, heartbeatInterval: 2000 }, explicit);
    expect(c.sim.nodes).toBe(2000);
    expect(c.sim.durationMs).toBe(60_000);
    expect(c.sim.liveness.heartbeatIntervalMs).toBe(2000);
    expect(c.gossip.swim).toMatchObject({ protocolPeriodMs: 200, pingTimeoutMs: 100, pushPullIntervalMs: 6000 });
    expect(c.gossip.tickEveryMs).toBe(20);
    expect(() => buildGossipConfig(base, (name) => name === 'blocks')).toThrow(/--blocks must be 0/);
  });
});
