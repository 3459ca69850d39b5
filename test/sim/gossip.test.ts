/**
 * Gossip mode of the simulator (packages/sim/src/gossip.ts): the real SwimMember on every simulated
 * DataNode under virtual time, side by side with the NameNode's missed-beat detector on the same
 * seeded faults. Scenarios with known answers at 1,000+ nodes — bootstrap converges, a crash is
 * DEAD at every live member within the docs/GOSSIP.md bound, 5% loss gives no false DEAD, a
 * node cut from the NameNode only is DEAD to the NameNode and ALIVE to its peers, a pause shorter
 * than the suspicion timeout is refuted — and determinism (same seed, same figures). The third
 * column, the NameNode with its peer-evidence rule asking those members (gossip-namenode.ts): a
 * NameNode-only cut shorter than the grace is never DEAD, a crash is DEAD at the usual time, a cut
 * longer than the grace is DEAD when the grace ends, co-located reporters do not count. Each
 * scenario prints its seed; the same seed replays it. Wall time is never asserted.
 */
import { deadEverywhereBoundMs, suspicionTimeoutMs } from '@minidfs/membership';
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
    const min = suspicionTimeoutMs(c.gossip.swim, N);
    const bound = deadEverywhereBoundMs(c.gossip.swim, N, c.gossip.tickEveryMs);
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

  test('central + peer evidence: the cuts (15 s, 10 s < the 60 s grace) are held UNREACHABLE, never DEAD; crashes DEAD as fast as the NameNode alone', () => {
    const x = r.combined!;
    const l = c.sim.liveness;
    const deadline = l.deadAfterMissed * l.heartbeatIntervalMs;
    // Crashes: no "reachable" answer about a crashed node, so DEAD at the usual deadline (+ one tick).
    expect(x.figures.detected).toBe(crashes.length);
    expect(x.figures.deadEverywhere.max).toBeLessThanOrEqual(deadline + l.heartbeatIntervalMs / 4);
    expect(x.peer.unreachableWhileDown).toBe(0);
    expect(x.peer.answersUnreachable).toBeGreaterThan(0);
    // NameNode-only cuts: all 6 nodes UNREACHABLE, none DEAD (central alone: all 6 DEAD, above).
    expect(x.peer.nameNodeOnly).toMatchObject({ nodes: 1 + cutGroup.length, heldUnreachable: 1 + cutGroup.length, deadWithinGrace: 0, deadAfterGrace: 0 });
    expect(x.figures.nameNodeOnly.map((o) => o.declaredDead)).toEqual([0, 0]);
    // The pause: the peers cannot hear a paused process either, so it is DEAD as before.
    expect(x.peer.deadOfUpNodesByReason).toEqual({ 'missed-beats': 1 });
    expect(x.figures.falseDead).toBe(1);
    expect(x.peer.unreachableEpisodes).toBe(1 + cutGroup.length);
    expect(x.peer.probeCommandsLost).toBe(0);
  });
});

describe('central + peer evidence: the grace, co-located reporters, the rule off', () => {
  // 100 nodes, 45 s; grace 10 s: a 20 s NameNode-only cut outlasts deadline (3 s) + grace, an 8 s one does not.
  const cfg = (seed: string, over: (c: GossipRunConfig) => void = () => {}) => scenario(seed, 100, 45 * SECOND, (k) => {
    k.gossip.warmupMs = 10 * SECOND;
    k.gossip.peerEvidence.unreachableGraceMs = 10 * SECOND;
    k.sim.faults.scripted = [
      { kind: 'partition', nodes: [5], atMs: 12_000, durationMs: 20_000, peers: false },
      { kind: 'partition', nodes: [40, 41], atMs: 15_000, durationMs: 8_000, peers: false },
      { kind: 'crash', node: 70, atMs: 14_000 },
    ];
    over(k);
  });
  const transitionsOf = (x: GossipComparisonResult) => x.combined!;

  test('a cut longer than the grace is DEAD when the grace ends, one shorter is not; the crash is DEAD at the usual time', () => {
    const c = cfg('pe-grace');
    const r = run(c, 'peer evidence, grace 10 s');
    const x = transitionsOf(r);
    expect(x.peer.nameNodeOnly).toMatchObject({ nodes: 3, heldUnreachable: 3, deadWithinGrace: 0, deadAfterGrace: 1, cutLongerThanGrace: 1 });
    expect(x.peer.deadOfUpNodesByReason).toEqual({ 'unreachable-grace-expired': 1 });
    expect(r.central.figures.falseDead).toBe(3); // the NameNode alone: all three cut nodes DEAD
    const l = c.sim.liveness;
    expect(x.figures.detected).toBe(1);
    expect(x.figures.deadEverywhere.max).toBeLessThanOrEqual(l.deadAfterMissed * l.heartbeatIntervalMs + l.heartbeatIntervalMs / 4);
    expect(x.peer.unreachableWhileDown).toBe(0);
  });

  test('every node on one host: no reporter on another host, so the cut nodes are DEAD at the usual time (as without gossip)', () => {
    // Hosts fill within racks: one rack of 100, one host of 100.
    const r = run(cfg('pe-one-host', (k) => { k.sim.nodesPerRack = 100; k.gossip.peerEvidence.nodesPerHost = 100; }), 'peer evidence, 100 nodes per host');
    const x = transitionsOf(r);
    expect(x.peer.unreachableEpisodes).toBe(0);
    expect(x.peer.rounds).toBe(0);
    expect(x.peer.nameNodeOnly).toMatchObject({ heldUnreachable: 0, deadWithinGrace: 3 });
    expect(x.peer.deadOfUpNodesByReason).toEqual({ 'missed-beats': 3 });
  });

  test('two nodes per host: the reporter sharing the target\'s host is never asked; the cuts are still held UNREACHABLE', () => {
    const r = run(cfg('pe-two-per-host', (k) => { k.gossip.peerEvidence.nodesPerHost = 2; }), 'peer evidence, 2 nodes per host');
    expect(transitionsOf(r).peer.nameNodeOnly).toMatchObject({ heldUnreachable: 3, deadWithinGrace: 0, deadAfterGrace: 1 });
  });

  test('--min-peer-reporters 0 (rule off): the third column decides as the NameNode alone', () => {
    const r = run(cfg('pe-grace', (k) => { k.gossip.peerEvidence.minPeerReporters = 0; }), 'peer evidence off');
    const x = transitionsOf(r);
    expect(x.peer.rounds).toBe(0);
    expect(x.peer.unreachableEpisodes).toBe(0);
    expect(x.figures.falseDead).toBe(r.central.figures.falseDead);
    expect(x.figures.detected).toBe(r.central.figures.detected);
  });
});

describe('gossip mode under 5% loss', () => {
  // 400 nodes, 120 periods: the suite's budget (a 1,000-node, 5-minute run is in docs/SIMULATION.md).
  test('400 nodes, 120 s, 5% loss on every message: 0 false DEAD in gossip and with peer evidence; the NameNode (1 s x 3) alone has some', () => {
    const c = scenario('gossip-loss-5', 400, 120 * SECOND, (k) => { k.sim.network.loss = 0.05; });
    const r = run(c, 'loss 5%');
    expect(r.gossip.counts.lost).toBeGreaterThan(0);
    expect(r.gossip.figures.falseSuspicions).toBeGreaterThan(0); // the loss did bite: suspicions, all refuted
    expect(r.gossip.figures.falseDead).toBe(0);
    expect(r.gossip.figures.falseDeadTransitions).toBe(0);
    expect(r.central.figures.falseDead).toBeGreaterThan(0);
    // Central + peer evidence: three lost beats in a row find peers that still hear the node, so it is
    // UNREACHABLE (not DEAD) until its next beat gets through.
    const x = r.combined!;
    expect(x.figures.falseDead).toBe(0);
    expect(x.peer.unreachableEpisodes).toBeGreaterThan(0);
    expect(x.peer.unreachableWhileDown).toBe(0);
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
    expect(a.combined).toBeDefined();
    expect(a.combined!.peer.rounds).toBeGreaterThan(0);
    expect(strip(b)).toEqual(strip(a)); // the combined column included
    expect(b.combined).toEqual(a.combined);
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
    expect(c.gossip.peerEvidence).toEqual({ enabled: true, nodesPerHost: 1, minPeerReporters: 2, unreachableGraceMs: 60_000, peerProbeFanout: 4 });
  });

  test('peer-evidence flags: --unreachable-grace-ms, --min-peer-reporters, --nodes-per-host, --no-peer-evidence; the core validator refuses a minimum above the fanout', () => {
    const c = buildGossipConfig({ ...base, unreachableGraceMs: 5000, minPeerReporters: 3, nodesPerHost: 4, peerProbeFanout: 6 }, none);
    expect(c.gossip.peerEvidence).toEqual({ enabled: true, nodesPerHost: 4, minPeerReporters: 3, unreachableGraceMs: 5000, peerProbeFanout: 6 });
    expect(buildGossipConfig({ ...base, peerEvidence: false }, none).gossip.peerEvidence.enabled).toBe(false);
    expect(() => buildGossipConfig({ ...base, minPeerReporters: 5, peerProbeFanout: 4 }, none)).toThrow(/cannot exceed peerProbeFanout/);
  });

  test('explicit flags win; --blocks is refused; --gossip-period-ms scales the SWIM timers', () => {
    const explicit = (name: string) => ['nodes', 'duration'].includes(name);
    const c = buildGossipConfig({ ...base, nodes: 2000, duration: 60_000, gossipPeriodMs: 200, heartbeatIntervalMs: 2000 }, explicit);
    expect(c.sim.nodes).toBe(2000);
    expect(c.sim.durationMs).toBe(60_000);
    expect(c.sim.liveness.heartbeatIntervalMs).toBe(2000);
    expect(c.gossip.swim).toMatchObject({ protocolPeriodMs: 200, pingTimeoutMs: 100, pushPullIntervalMs: 6000 });
    expect(c.gossip.tickEveryMs).toBe(20);
    expect(() => buildGossipConfig(base, (name) => name === 'blocks')).toThrow(/--blocks must be 0/);
  });
});
