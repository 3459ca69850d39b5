/** Placement: pipelines only on LIVE nodes with room, exclusions honoured, racks spread. */
import fc from 'fast-check';
import {
  RankedCandidates, choosePipeline, chooseReplicationTargets, chooseReplicationTargetsRanked, rackSpreadSatisfied, type PlacementCandidate,
} from '@minidfs/namenode';

const node = (id: string, over: Partial<PlacementCandidate> = {}): PlacementCandidate =>
  ({ id, state: 'LIVE', remainingBytes: 1000, activeTransfers: 0, rack: '/r1', ...over });

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('placement', () => {
  test('write pipelines skip STALE, DEAD, full and excluded nodes', () => {
    const nodes = [node('a'), node('b', { state: 'STALE' }), node('c', { state: 'DEAD' }), node('d', { remainingBytes: 10 }), node('e'), node('f')];
    for (let seed = 1; seed < 50; seed++) {
      const p = choosePipeline(nodes, { count: 3, blockSizeBytes: 100, exclude: new Set(['f']), random: seeded(seed) });
      expect(p.sort()).toEqual(['a', 'e']);
    }
  });

  test('pipelines are distinct nodes and spread load over seeds', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => node(id));
    const firsts = new Set<string>();
    for (let seed = 1; seed < 100; seed++) {
      const p = choosePipeline(nodes, { count: 3, blockSizeBytes: 1, exclude: new Set(), random: seeded(seed) });
      expect(new Set(p).size).toBe(3);
      firsts.add(p[0]);
    }
    expect(firsts.size).toBeGreaterThan(3);
  });

  test('with two racks, the second replica is off the first one\'s rack', () => {
    const nodes = [node('a'), node('b'), node('c'), node('x', { rack: '/r2' })];
    for (let seed = 1; seed < 50; seed++) {
      const p = choosePipeline(nodes, { count: 3, blockSizeBytes: 1, exclude: new Set(), random: seeded(seed) });
      const racks = p.map((id) => nodes.find((n) => n.id === id)!.rack);
      expect(new Set(racks).size).toBe(2);
    }
  });

  test('replication targets: most free space first, never a holder, new racks first', () => {
    const nodes = [node('a', { remainingBytes: 5 }), node('b', { remainingBytes: 50 }), node('c', { remainingBytes: 500 }), node('d', { remainingBytes: 40, rack: '/r2' })];
    expect(chooseReplicationTargets(nodes.filter((n) => n.rack === '/r1'), 2, new Set(['c']), 1)).toEqual(['b', 'a']);
    expect(chooseReplicationTargets(nodes, 2, new Set(['c']), 1)).toEqual(['b', 'd']);
    expect(chooseReplicationTargets(nodes, 1, new Set(['c']), 1, new Set(['/r1']))).toEqual(['d']);
  });

  /** The rule as first written: filter, sort everything, one per new rack, then fill by rank. */
  function twoPassReference(
    candidates: PlacementCandidate[], count: number, holders: Set<string>, size: number, holderRacks: Set<string>, scheduled = new Map<string, number>(),
  ): string[] {
    const pool = candidates
      .filter((c) => c.state === 'LIVE' && !holders.has(c.id) && c.remainingBytes - (scheduled.get(c.id) ?? 0) >= size)
      .sort((a, b) => b.remainingBytes - a.remainingBytes || a.activeTransfers - b.activeTransfers || a.id.localeCompare(b.id));
    const out: PlacementCandidate[] = [];
    const racks = new Set(holderRacks);
    for (const c of pool) { if (out.length >= count) break; if (!racks.has(c.rack)) { out.push(c); racks.add(c.rack); } }
    for (const c of pool) { if (out.length >= count) break; if (!out.includes(c)) out.push(c); }
    return out.map((c) => c.id);
  }

  test('replication targets from a shared lazy ranking = the sort-everything rule (random clusters)', () => {
    const cand = fc.record({
      state: fc.constantFrom('LIVE', 'LIVE', 'LIVE', 'STALE', 'DEAD' as const),
      remainingBytes: fc.integer({ min: 0, max: 20 }),
      activeTransfers: fc.integer({ min: 0, max: 3 }),
      rack: fc.constantFrom('/r1', '/r2', '/r3', '/r4'),
    });
    fc.assert(fc.property(
      fc.array(cand, { maxLength: 40 }),
      fc.array(fc.record({ count: fc.integer({ min: 1, max: 5 }), holders: fc.array(fc.nat(40), { maxLength: 4 }), size: fc.integer({ min: 0, max: 15 }) }), { minLength: 1, maxLength: 6 }),
      (raw, blocks) => {
        const nodes = raw.map((c, i) => ({ ...c, id: `dn${i}` })) as PlacementCandidate[];
        const ranked = new RankedCandidates(nodes);
        for (const b of blocks) {
          const holders = new Set(b.holders.filter((h) => h < nodes.length).map((h) => `dn${h}`));
          const holderRacks = new Set(nodes.filter((n) => holders.has(n.id)).map((n) => n.rack));
          const want = twoPassReference(nodes, b.count, holders, b.size, holderRacks);
          expect(chooseReplicationTargetsRanked(ranked, b.count, holders, b.size, holderRacks)).toEqual(want);
          expect(chooseReplicationTargets(nodes, b.count, holders, b.size, holderRacks)).toEqual(want);
        }
      },
    ), { numRuns: 300 });
  });

  test('with bytes already scheduled to nodes: = the sort-everything rule over what is left (random clusters)', () => {
    const cand = fc.record({
      state: fc.constantFrom('LIVE', 'LIVE', 'LIVE', 'STALE' as const),
      remainingBytes: fc.integer({ min: 0, max: 20 }),
      scheduled: fc.integer({ min: 0, max: 20 }),
      activeTransfers: fc.integer({ min: 0, max: 3 }),
      rack: fc.constantFrom('/r1', '/r2', '/r3'),
    });
    fc.assert(fc.property(
      fc.array(cand, { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 15 }),
      (raw, count, size) => {
        const nodes = raw.map(({ scheduled: _s, ...c }, i) => ({ ...c, id: `dn${i}` })) as PlacementCandidate[];
        const scheduled = new Map(raw.map((c, i) => [`dn${i}`, c.scheduled]));
        const want = twoPassReference(nodes, count, new Set(), size, new Set(), scheduled);
        expect(chooseReplicationTargetsRanked(new RankedCandidates(nodes), count, new Set(), size, new Set(), scheduled)).toEqual(want);
        for (const id of want) expect(nodes.find((n) => n.id === id)!.remainingBytes - scheduled.get(id)!).toBeGreaterThanOrEqual(size);
      },
    ), { numRuns: 300 });
  });

  test('re-replication needs room for a whole block after what is already scheduled to the node', () => {
    const nodes = [node('big', { remainingBytes: 250 }), node('small', { remainingBytes: 99 }), node('mid', { remainingBytes: 150 })];
    expect(chooseReplicationTargets(nodes, 3, new Set(), 100)).toEqual(['big', 'mid']); // 'small' has less than a block
    expect(chooseReplicationTargets(nodes, 3, new Set(), 100, new Set(), new Map([['big', 160]]))).toEqual(['mid']);
    expect(chooseReplicationTargets(nodes, 3, new Set(), 100, new Set(), new Map([['big', 150], ['mid', 51]]))).toEqual(['big']);
  });

  test('a ranked pick looks at a handful of nodes, not the cluster', () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => node(`dn${i}`, { remainingBytes: 1e12 - i * 1e6, rack: `/r${i % 250}` }));
    const ranked = new RankedCandidates(nodes);
    const at = jest.spyOn(ranked, 'at');
    expect(chooseReplicationTargetsRanked(ranked, 2, new Set(['dn0']), 1, new Set(['/r0']))).toEqual(['dn1', 'dn2']);
    expect(at.mock.calls.length).toBeLessThan(10);
  });

  test('UNREACHABLE_FROM_NAMENODE nodes get no pipeline and no replication target', () => {
    const nodes = [node('a'), node('b', { state: 'UNREACHABLE_FROM_NAMENODE', remainingBytes: 10_000 }), node('c')];
    for (let seed = 1; seed < 20; seed++) {
      expect(choosePipeline(nodes, { count: 3, blockSizeBytes: 1, exclude: new Set(), random: seeded(seed) }).sort()).toEqual(['a', 'c']);
    }
    expect(chooseReplicationTargets(nodes, 2, new Set(), 1)).not.toContain('b');
  });
});

describe('rackSpreadSatisfied (the rack rule)', () => {
  const racks = (...r: string[]) => new Set(r);
  test('replication >= 2 needs 2 racks once the cluster has 2 racks with a LIVE node', () => {
    expect(rackSpreadSatisfied(racks('/r1'), 3, 2)).toBe(false);
    expect(rackSpreadSatisfied(racks('/r1', '/r2'), 3, 2)).toBe(true);
    expect(rackSpreadSatisfied(racks('/r1', '/r2'), 3, 5)).toBe(true);
    expect(rackSpreadSatisfied(racks('/r1'), 2, 3)).toBe(false);
  });
  test('a one-rack cluster, or replication 1, never fails it', () => {
    expect(rackSpreadSatisfied(racks('/r1'), 3, 1)).toBe(true);
    expect(rackSpreadSatisfied(racks('/r1'), 1, 4)).toBe(true);
  });
});
