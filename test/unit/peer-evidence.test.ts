/**
 * Peer evidence before DEAD (UNREACHABLE_FROM_NAMENODE, docs/PEER-EVIDENCE.md), as scenarios on
 * the real DatanodeManager + HeartbeatMonitor + PeerEvidence + BlockMap + ReplicationMonitor under
 * a manual clock. Simulated DataNodes beat every interval at their own phase, answer ProbePeers on
 * their next scheduled beat (the realistic, slow case), and hear each other per a `hears` policy.
 */
import { ManualClock, fastTestLivenessConfig } from '@minidfs/common';
import {
  BlockMap, DatanodeManager, PeerEvidence, ReplicationMonitor, defaultPeerEvidenceConfig, validatePeerEvidenceConfig,
  type Command, type PeerEvidenceConfig, type PeerProbeResult, type ReplicateOrder, type Transition,
} from '@minidfs/namenode';

// The fast test profile, with DEAD pinned at 3 missed beats: the times below (DEAD at 300 ms) assume it.
const liveness = { ...fastTestLivenessConfig(), deadAfterMissed: 3 }; // 100 ms beats, STALE at 200 ms, DEAD at 300 ms
const GRACE_MS = 2000;

interface Sim {
  clock: ManualClock;
  manager: DatanodeManager;
  transitions: Transition[];
  orders: ReplicateOrder[];
  probesSent: Array<{ reporter: string; targets: string[]; atMs: number }>;
  /** Stop/start a node's heartbeats to the NameNode (its peers may still hear it). */
  silenced: Set<string>;
  /** Nodes whose process is down (no beats, peers cannot hear them). */
  crashed: Set<string>;
  /** Reporters that keep beating but no longer answer ProbePeers (e.g. their gossip agent hangs). */
  mute: Set<string>;
  /** reporter -> target -> can the reporter's SWIM ping reach the target? Default: yes unless crashed. */
  hears: (reporter: string, target: string) => boolean;
  run(ms: number): void;
  state(id: string): string | undefined;
  lastTransition(id: string): Transition | undefined;
}

function setup(opts: {
  nodes?: Array<{ id: string; host: string; gossip?: boolean }>;
  peer?: Partial<PeerEvidenceConfig>;
  blocks?: Array<{ blockId: number; holders: string[] }>;
} = {}): Sim {
  const nodes: Array<{ id: string; host: string; gossip?: boolean }> = opts.nodes ?? [1, 2, 3, 4, 5].map((i) => ({ id: `dn${i}`, host: `10.0.0.${i}` }));
  const clock = new ManualClock(1_000_000);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const peer = { ...defaultPeerEvidenceConfig(liveness), unreachableGraceMs: GRACE_MS, ...opts.peer };
  let regs = 0;
  const manager = new DatanodeManager(liveness, () => `reg-${++regs}`, peer, random);
  const blockMap = new BlockMap();
  const replication = new ReplicationMonitor(
    { replicationStreamsPerNode: 2, topPriorityStreamsPerNode: 4, pendingTimeoutMs: 3000, maxScheduledPerTick: 1000 },
    blockMap,
    {
      state: (id) => manager.state(id),
      candidates: () => manager.all().map((n) => ({ id: n.id, state: manager.state(n.id)!, remainingBytes: 1e9, activeTransfers: 0, rack: '/r' })),
      rack: () => '/r',
    },
  );
  const sim: Sim = {
    clock, manager, transitions: [], orders: [], probesSent: [], silenced: new Set(), crashed: new Set(), mute: new Set(),
    hears: () => true,
    run: () => undefined,
    state: (id) => manager.state(id),
    lastTransition: (id) => [...sim.transitions].reverse().find((t) => t.nodeId === id),
  };
  const seq = new Map<string, number>();
  const answers = new Map<string, PeerProbeResult[]>(); // reporter -> answers to send on its next beat
  const regIds = new Map<string, string>();
  const record = (ts: Transition[]) => {
    for (const t of ts) {
      sim.transitions.push(t);
      if (t.to === 'DEAD') {
        replication.nodeDead(t.nodeId);
        replication.check(blockMap.removeNode(t.nodeId));
      }
    }
  };
  const receive = (nodeId: string, commands: Command[]) => {
    for (const c of commands) {
      if (c.kind !== 'probe-peers') continue;
      sim.probesSent.push({ reporter: nodeId, targets: c.targets.map((t) => t.nodeId), atMs: clock.nowMs() });
      if (sim.mute.has(nodeId)) continue;
      const q = answers.get(nodeId) ?? [];
      for (const t of c.targets) {
        const reachable = !sim.crashed.has(t.nodeId) && sim.hears(nodeId, t.nodeId);
        q.push({ nodeId: t.nodeId, reachable, msSinceHeard: reachable ? 0 : 500, neverHeard: false, memberState: reachable ? 'ALIVE' : 'SUSPECT' });
      }
      answers.set(nodeId, q);
    }
  };
  const push = () => {
    for (const id of manager.drainTouched()) if (!sim.crashed.has(id) && !sim.silenced.has(id)) receive(id, manager.drainCommands(id));
  };
  for (const n of nodes) {
    const r = manager.register(
      { id: n.id, uuid: `u-${n.id}`, host: n.host, dataPort: 9866, httpPort: 9864, rack: '/r', membershipAddress: n.gossip === false ? '' : `${n.host}:7946` },
      { capacityBytes: 1e9, usedBytes: 0, remainingBytes: 1e9, activeTransfers: 0, failedVolumes: 0, blockCount: 0 },
      clock.nowMs(),
    );
    regIds.set(n.id, r.node.registrationId);
  }
  for (const b of opts.blocks ?? []) {
    blockMap.addBlock({ blockId: b.blockId, generationStamp: 1, lengthBytes: 10, expectedReplication: 3, complete: true });
    for (const h of b.holders) blockMap.blockReceived(h, { blockId: b.blockId, generationStamp: 1, lengthBytes: 10 });
  }
  manager.tick(clock.nowMs());
  const phase = new Map(nodes.map((n, i) => [n.id, (i * 20) % liveness.heartbeatIntervalMs]));
  sim.run = (ms: number) => {
    for (let t = 0; t < ms; t += 5) {
      clock.advance(5);
      const now = clock.nowMs();
      for (const n of nodes) {
        if (sim.crashed.has(n.id) || sim.silenced.has(n.id)) continue;
        if ((now - phase.get(n.id)!) % liveness.heartbeatIntervalMs !== 0) continue;
        const s = (seq.get(n.id) ?? 0) + 1;
        seq.set(n.id, s);
        const out = manager.heartbeat({
          nodeId: n.id, registrationId: regIds.get(n.id)!, sequence: s, streamId: 1, goodbye: false,
          stats: { capacityBytes: 1e9, usedBytes: 0, remainingBytes: 1e9, activeTransfers: 0, failedVolumes: 0, blockCount: 0 },
          peerProbes: answers.get(n.id) ?? [],
        }, now);
        answers.delete(n.id);
        record(out.transitions);
        receive(n.id, out.commands);
        push();
      }
      if (now % 25 === 0) {
        record(manager.tick(now));
        push();
      }
      if (now % liveness.heartbeatIntervalMs === 0) {
        for (const o of replication.tick(now).orders) if (o.kind === 'replicate') sim.orders.push(o);
      }
    }
  };
  return sim;
}

/** Silences dn1 right after its beat; returns when its last beat was received. */
function silenceAfterBeat(sim: Sim, id = 'dn1'): number {
  const start = sim.clock.nowMs();
  for (;;) {
    sim.run(5);
    const v = sim.manager.monitor.view(id, sim.clock.nowMs())!;
    if (v.lastHeartbeatMs > start && v.lastHeartbeatMs === sim.clock.nowMs()) break;
  }
  sim.silenced.add(id);
  return sim.clock.nowMs();
}

describe('peer evidence: UNREACHABLE_FROM_NAMENODE', () => {
  test('NameNode-only partition: UNREACHABLE at the DEAD deadline, no re-replication in the grace, DEAD when it ends', () => {
    const sim = setup({ blocks: [{ blockId: 1, holders: ['dn1', 'dn2', 'dn3'] }, { blockId: 2, holders: ['dn1', 'dn4', 'dn5'] }] });
    sim.run(500);
    const lastBeat = silenceAfterBeat(sim);
    sim.run(400);
    const t = sim.lastTransition('dn1')!;
    expect(t).toMatchObject({ from: 'STALE', to: 'UNREACHABLE_FROM_NAMENODE', reason: 'peers-hear-it', missedBeats: 3 });
    expect(t.atMs - lastBeat).toBeGreaterThanOrEqual(300);
    expect(t.atMs - lastBeat).toBeLessThan(325); // the usual DEAD moment: one tick of granularity
    expect(t.reporters!.length).toBeGreaterThanOrEqual(2);
    expect(new Set(t.reporters!.map((r) => r.host)).size).toBe(t.reporters!.length);
    expect(t.reporters!.map((r) => r.host)).not.toContain('10.0.0.1');
    // Peers were asked before STALE (silence >= 1.5 intervals) on distinct hosts, never the target itself.
    const first = sim.probesSent.filter((p) => p.targets.includes('dn1'));
    expect(first[0].atMs - lastBeat).toBeLessThan(200);
    expect(first.every((p) => p.reporter !== 'dn1')).toBe(true);
    // Reads and writes avoid it; the report says so.
    const entry = sim.manager.report(sim.clock.nowMs()).find((e) => e.id === 'dn1')!;
    expect(entry.state).toBe('UNREACHABLE_FROM_NAMENODE');
    expect(entry.unreachableForMs).toBeGreaterThan(0);
    // The grace: no REPLICATE order, the node stays UNREACHABLE while peers keep hearing it.
    sim.run(GRACE_MS - 500);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    expect(sim.orders).toEqual([]);
    sim.run(600);
    expect(sim.lastTransition('dn1')).toMatchObject({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'unreachable-grace-expired' });
    const dead = sim.lastTransition('dn1')!;
    expect(dead.atMs - t.atMs).toBeGreaterThanOrEqual(GRACE_MS);
    expect(dead.atMs - t.atMs).toBeLessThan(GRACE_MS + 25);
    sim.run(200);
    expect(sim.orders.map((o) => o.blockId).sort()).toEqual([1, 2]);
  });

  test('crash: peers cannot reach it either -> DEAD at the usual time, no delay', () => {
    const sim = setup({ blocks: [{ blockId: 1, holders: ['dn1', 'dn2', 'dn3'] }] });
    sim.run(500);
    const lastBeat = silenceAfterBeat(sim);
    sim.crashed.add('dn1');
    sim.run(400);
    const t = sim.lastTransition('dn1')!;
    expect(t).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
    expect(t.atMs - lastBeat).toBeLessThan(325);
    expect(sim.transitions.some((x) => x.to === 'UNREACHABLE_FROM_NAMENODE')).toBe(false);
    sim.run(200);
    expect(sim.orders.map((o) => o.blockId)).toEqual([1]);
  });

  test('only one reporter hears it -> DEAD', () => {
    const sim = setup();
    sim.hears = (reporter, target) => target !== 'dn1' || reporter === 'dn2';
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.lastTransition('dn1')).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
  });

  test('two reporters on the SAME host -> DEAD (one host is one opinion)', () => {
    const sim = setup({
      nodes: [
        { id: 'dn1', host: 'h1' }, { id: 'dn2', host: 'h2' }, { id: 'dn3', host: 'h2' }, { id: 'dn4', host: 'h3' },
      ],
    });
    sim.hears = (reporter, target) => target !== 'dn1' || reporter === 'dn2' || reporter === 'dn3';
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.lastTransition('dn1')).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
  });

  test('reporters on the target\'s own host do not count', () => {
    const sim = setup({ nodes: [{ id: 'dn1', host: 'h1' }, { id: 'dn2', host: 'h1' }, { id: 'dn3', host: 'h2' }] });
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.lastTransition('dn1')).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
    expect(sim.probesSent.filter((p) => p.targets.includes('dn1')).every((p) => p.reporter === 'dn3')).toBe(true);
  });

  test('a heartbeat during UNREACHABLE -> LIVE, and the peers are no longer asked', () => {
    const sim = setup();
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    sim.silenced.delete('dn1');
    sim.run(100);
    expect(sim.lastTransition('dn1')).toMatchObject({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'LIVE', reason: 'heartbeat' });
    expect(sim.manager.peers.isWatched('dn1')).toBe(false);
    const asked = sim.probesSent.length;
    sim.run(1000);
    expect(sim.probesSent.length).toBe(asked);
    expect(sim.state('dn1')).toBe('LIVE');
  });

  test('peers lose it during UNREACHABLE -> DEAD (peers-lost-it) within a round or two', () => {
    const sim = setup({ blocks: [{ blockId: 1, holders: ['dn1', 'dn2', 'dn3'] }] });
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    const lostAt = sim.clock.nowMs();
    sim.crashed.add('dn1');
    sim.run(500);
    const t = sim.lastTransition('dn1')!;
    expect(t).toMatchObject({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'peers-lost-it' });
    expect(t.atMs - lostAt).toBeLessThanOrEqual(3 * liveness.heartbeatIntervalMs);
    sim.run(200);
    expect(sim.orders.map((o) => o.blockId)).toEqual([1]);
  });

  test('a node whose reporters go silent loses its vouchers by age -> DEAD', () => {
    const sim = setup();
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    // Reporters stop answering: their last answers age out after peerEvidenceMaxAgeMs (300 ms).
    const mutedAt = sim.clock.nowMs();
    for (const r of ['dn2', 'dn3', 'dn4', 'dn5']) sim.mute.add(r);
    sim.run(600);
    const t = sim.lastTransition('dn1')!;
    expect(t).toMatchObject({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'peers-lost-it' });
    expect(t.atMs - mutedAt).toBeLessThanOrEqual(300 + 2 * liveness.heartbeatIntervalMs);
  });

  test('stall guard: a NameNode paused during UNREACHABLE neither expires the grace nor drops the vouchers on resume', () => {
    const sim = setup();
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    const before = sim.transitions.length;
    sim.clock.advance(GRACE_MS * 3); // the NameNode process was stopped (SIGSTOP), nothing ran
    const ts = sim.manager.tick(sim.clock.nowMs());
    expect(ts).toEqual([]);
    expect(sim.manager.monitor.stallCount).toBe(1);
    sim.run(200);
    expect(sim.transitions.slice(before).filter((t) => t.nodeId === 'dn1')).toEqual([]);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    // The grace still ends, counted in observed time.
    sim.run(GRACE_MS);
    expect(sim.lastTransition('dn1')).toMatchObject({ to: 'DEAD', reason: 'unreachable-grace-expired' });
  });

  test('stall guard: a paused NameNode declares nobody DEAD or UNREACHABLE on resume', () => {
    const sim = setup();
    sim.run(500);
    const before = sim.transitions.length;
    sim.clock.advance(10_000);
    expect(sim.manager.tick(sim.clock.nowMs())).toEqual([]);
    sim.run(1000);
    expect(sim.transitions.slice(before)).toEqual([]);
  });

  test('nobody runs gossip: DEAD exactly as before, no probe commands', () => {
    const sim = setup({ nodes: [1, 2, 3, 4].map((i) => ({ id: `dn${i}`, host: `h${i}`, gossip: false })) });
    sim.run(500);
    const lastBeat = silenceAfterBeat(sim);
    sim.run(400);
    const t = sim.lastTransition('dn1')!;
    expect(t).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
    expect(t.atMs - lastBeat).toBeLessThan(325);
    expect(sim.probesSent).toEqual([]);
  });

  test('minPeerReporters 0 turns the rule off', () => {
    const sim = setup({ peer: { minPeerReporters: 0 } });
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.lastTransition('dn1')).toMatchObject({ to: 'DEAD', reason: 'missed-beats' });
    expect(sim.probesSent).toEqual([]);
  });

  test('goodbye during UNREACHABLE -> DEAD at once', () => {
    const sim = setup();
    sim.run(500);
    silenceAfterBeat(sim);
    sim.run(400);
    expect(sim.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
    const reg = sim.manager.get('dn1')!.registrationId;
    const out = sim.manager.heartbeat({
      nodeId: 'dn1', registrationId: reg, sequence: 10_000, streamId: 9, goodbye: true,
      stats: { capacityBytes: 1, usedBytes: 0, remainingBytes: 1, activeTransfers: 0, failedVolumes: 0, blockCount: 0 },
    }, sim.clock.nowMs());
    expect(out.transitions).toEqual([expect.objectContaining({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'goodbye' })]);
  });
});

describe('PeerEvidence (the table and the rule)', () => {
  function table(states: Record<string, string>, hosts: Record<string, string>) {
    const cfg = { ...defaultPeerEvidenceConfig(liveness), unreachableGraceMs: GRACE_MS };
    const pe = new PeerEvidence(cfg, { state: (id) => states[id], host: (id) => hosts[id] }, () => 0.5);
    for (const id of Object.keys(hosts)) pe.setMembershipAddress(id, `${hosts[id]}:7946`);
    return pe;
  }
  const ok = (nodeId: string): PeerProbeResult => ({ nodeId, reachable: true, msSinceHeard: 0, neverHeard: false, memberState: 'ALIVE' });

  test('answers about nodes a reporter was not asked about are dropped: nobody vouches unasked', () => {
    const pe = table({ a: 'STALE', b: 'LIVE', c: 'LIVE' }, { a: 'h1', b: 'h2', c: 'h3' });
    expect(pe.record('b', [ok('a')], 10).targets).toEqual([]);
    expect(pe.record('c', [ok('a')], 10).targets).toEqual([]);
    expect(pe.verdict('a', 0, 10)).toBeUndefined();
    expect(pe.stats().answersUnasked).toBe(2);
  });

  test('the rule: two distinct hosts, answers after the last heartbeat and not too old', () => {
    const pe = table({ a: 'STALE', b: 'LIVE', c: 'LIVE', d: 'LIVE' }, { a: 'h1', b: 'h2', c: 'h3', d: 'h3' });
    const round = pe.watch('a', 100);
    expect(round.map((r) => r.reporterId).sort()).toEqual(['b', 'c', 'd']);
    expect(round.every((r) => r.targets[0].membershipAddress === 'h1:7946')).toBe(true);
    pe.record('c', [ok('a')], 150);
    pe.record('d', [ok('a')], 150);
    expect(pe.verdict('a', 0, 160)).toBeUndefined(); // c and d share h3
    pe.record('b', [ok('a')], 170);
    expect(pe.verdict('a', 0, 180)!.map((r) => r.host).sort()).toEqual(['h2', 'h3']);
    expect(pe.verdict('a', 160, 180)).toBeUndefined(); // heard at 160: only b's answer is newer
    expect(pe.verdict('a', 0, 150 + 300 + 1)).toBeUndefined(); // c/d answers older than peerEvidenceMaxAgeMs
    pe.record('b', [{ ...ok('a'), reachable: false, memberState: 'SUSPECT' }], 200);
    expect(pe.verdict('a', 0, 210)).toBeUndefined(); // the latest answer per reporter counts
  });

  test('a STALE or DEAD target is not asked about twice at once; rounds are bounded and batched', () => {
    const pe = table({ a: 'STALE', x: 'STALE', b: 'LIVE', c: 'LIVE' }, { a: 'h1', x: 'h9', b: 'h2', c: 'h3' });
    expect(pe.watch('a', 0).length).toBe(2);
    expect(pe.watch('a', 10)).toEqual([]);
    pe.watch('x', 0);
    const due = pe.due(liveness.heartbeatIntervalMs);
    expect(due.map((r) => r.reporterId).sort()).toEqual(['b', 'c']); // one command per reporter, both targets in it
    expect(due.every((r) => r.targets.map((t) => t.nodeId).sort().join() === 'a,x')).toBe(true);
  });

  test('disagreements: a peer says a node the NameNode hears is gone (logged, not stored)', () => {
    const pe = table({ a: 'LIVE', b: 'LIVE' }, { a: 'h1', b: 'h2' });
    const r = pe.record('b', [{ nodeId: 'a', reachable: false, msSinceHeard: 4000, neverHeard: false, memberState: 'DEAD' }], 10);
    expect(r.disagreements).toEqual([{ reporterId: 'b', targetId: 'a', memberState: 'DEAD', msSinceHeard: 4000, neverHeard: false }]);
  });

  test('seeds: LIVE gossip members only, never the node itself, at most maxMembershipSeeds', () => {
    const sim = setup({ nodes: Array.from({ length: 9 }, (_, i) => ({ id: `dn${i + 1}`, host: `h${i + 1}`, gossip: i !== 8 })) });
    const r = sim.manager.register(
      { id: 'dn10', uuid: 'u10', host: 'h10', dataPort: 1, httpPort: 1, rack: '/r', membershipAddress: 'h10:7946' },
      { capacityBytes: 1, usedBytes: 0, remainingBytes: 1, activeTransfers: 0, failedVolumes: 0, blockCount: 0 }, sim.clock.nowMs(),
    );
    expect(r.membershipSeeds.length).toBe(5);
    expect(new Set(r.membershipSeeds).size).toBe(5);
    expect(r.membershipSeeds).not.toContain('h10:7946');
    expect(r.membershipSeeds).not.toContain('h9:7946'); // dn9 runs no gossip
    const noGossip = sim.manager.register(
      { id: 'dn11', uuid: 'u11', host: 'h11', dataPort: 1, httpPort: 1, rack: '/r' },
      { capacityBytes: 1, usedBytes: 0, remainingBytes: 1, activeTransfers: 0, failedVolumes: 0, blockCount: 0 }, sim.clock.nowMs(),
    );
    expect(noGossip.membershipSeeds).toEqual([]);
  });

  test('config validation', () => {
    expect(() => validatePeerEvidenceConfig({ ...defaultPeerEvidenceConfig(liveness), minPeerReporters: 5, peerProbeFanout: 4 })).toThrow(/cannot exceed/);
    expect(() => validatePeerEvidenceConfig({ ...defaultPeerEvidenceConfig(liveness), peerProbeAfterMs: 300 }, liveness)).toThrow(/DEAD deadline/);
    expect(() => validatePeerEvidenceConfig({ ...defaultPeerEvidenceConfig(liveness), peerEvidenceMaxAgeMs: 50 })).toThrow(/expire/);
    expect(validatePeerEvidenceConfig(defaultPeerEvidenceConfig(liveness), liveness)).toMatchObject({ minPeerReporters: 2, unreachableGraceMs: 60_000 });
  });
});
