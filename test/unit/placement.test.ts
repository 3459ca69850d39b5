/** Placement: pipelines only on LIVE nodes with room, exclusions honoured, racks spread. */
import { choosePipeline, chooseReplicationTargets, type PlacementCandidate } from '@minidfs/namenode';

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
});
