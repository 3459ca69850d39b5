/**
 * BlockMap scenarios: the NameNode learns replica locations from block reports, forgets them when
 * nodes die or files are deleted, and tells DataNodes what to invalidate. Pure: no clock needed.
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';
import { BlockMap, type BlockRecord, type ReportedReplica } from '@minidfs/namenode';

const GS = 1001;

function block(blockId: number, over: Partial<BlockRecord> = {}): BlockRecord {
  return { blockId, generationStamp: GS, lengthBytes: 1024, expectedReplication: 3, complete: true, ...over };
}

function rep(blockId: number, over: Partial<ReportedReplica> = {}): ReportedReplica {
  return { blockId, generationStamp: GS, lengthBytes: 1024, ...over };
}

/** A map with complete blocks `ids` (replication 3, 1 KiB each). */
function mapWith(...ids: number[]): BlockMap {
  const m = new BlockMap();
  for (const id of ids) m.addBlock(block(id));
  return m;
}

const everyone = (): boolean => true;

let map: BlockMap;
afterEach(() => {
  map?.assertInvariants();
});

describe('full block reports', () => {
  test('a first report adds the node as a holder of every valid replica', () => {
    map = mapWith(1, 2, 3);
    const r = map.processFullReport('dn1', [rep(1), rep(2), rep(3)]);
    expect(r).toEqual({ added: [1, 2, 3], removed: [], toInvalidate: [], corrupt: [], postponed: [] });
    expect(map.replicas(2)).toEqual(['dn1']);
    expect(map.nodeBlocks('dn1').sort()).toEqual([1, 2, 3]);
    expect(map.nodeBlockCount('dn1')).toBe(3);
  });

  test('a second report without a block removes the replica; repeating a report changes nothing', () => {
    map = mapWith(1, 2, 3);
    map.processFullReport('dn1', [rep(1), rep(2), rep(3)]);
    expect(map.processFullReport('dn1', [rep(1), rep(3)])).toEqual({ added: [], removed: [2], toInvalidate: [], corrupt: [], postponed: [] });
    expect(map.replicas(2)).toEqual([]);
    expect(map.processFullReport('dn1', [rep(1), rep(3)])).toEqual({ added: [], removed: [], toInvalidate: [], corrupt: [], postponed: [] });
    expect(map.processFullReport('dn1', [])).toEqual({ added: [], removed: [1, 3], toInvalidate: [], corrupt: [], postponed: [] });
    expect(map.nodeBlockCount('dn1')).toBe(0);
  });

  test('a replica of a block deleted while the node was away is invalidated', () => {
    map = mapWith(1);
    const r = map.processFullReport('dn1', [rep(1), rep(99)]);
    expect(r.added).toEqual([1]);
    expect(r.toInvalidate).toEqual([99]);
    expect(map.has(99)).toBe(false);
    expect(map.nodeBlocks('dn1')).toEqual([1]);
  });

  test('an older generation stamp is invalidated, and drops a replica recorded before', () => {
    map = mapWith(1, 2);
    map.processFullReport('dn1', [rep(1), rep(2)]);
    const r = map.processFullReport('dn1', [rep(1), rep(2, { generationStamp: GS - 1 })]);
    expect(r).toEqual({ added: [], removed: [2], toInvalidate: [2], corrupt: [], postponed: [] });
    expect(map.replicas(2)).toEqual([]);
  });

  test('a complete block reported with another length is invalidated; a block under construction accepts any length', () => {
    map = mapWith(1);
    map.addBlock(block(2, { complete: false, lengthBytes: 0 }));
    const r = map.processFullReport('dn1', [rep(1, { lengthBytes: 10 }), rep(2, { lengthBytes: 512 })]);
    expect(r.toInvalidate).toEqual([1]);
    expect(r.added).toEqual([2]);
  });

  test('a newer generation stamp is kept as a corrupt replica, not invalidated', () => {
    map = mapWith(1);
    const r = map.processFullReport('dn1', [rep(1, { generationStamp: GS + 5 })]);
    expect(r).toEqual({ added: [1], removed: [], toInvalidate: [], corrupt: [1], postponed: [] });
    expect(map.replicas(1)).toEqual([]);
    expect(map.corruptReplicas(1)).toEqual(['dn1']);
  });

  test('reports of different nodes are independent', () => {
    map = mapWith(1, 2);
    map.processFullReport('dn1', [rep(1), rep(2)]);
    map.processFullReport('dn2', [rep(1)]);
    map.processFullReport('dn1', [rep(2)]);
    expect(map.replicas(1)).toEqual(['dn2']);
    expect(map.replicas(2)).toEqual(['dn1']);
  });
});

describe('incremental reports', () => {
  test('received adds a replica (idempotently), deleted removes it', () => {
    map = mapWith(7);
    expect(map.blockReceived('dn1', rep(7))).toEqual({ accepted: true, invalidate: false });
    expect(map.blockReceived('dn1', rep(7))).toEqual({ accepted: true, invalidate: false });
    expect(map.blockReceived('dn2', rep(7))).toEqual({ accepted: true, invalidate: false });
    expect(map.replicas(7).sort()).toEqual(['dn1', 'dn2']);
    expect(map.blockDeleted('dn1', 7)).toBe(true);
    expect(map.blockDeleted('dn1', 7)).toBe(false);
    expect(map.replicas(7)).toEqual(['dn2']);
    expect(map.nodeBlocks('dn1')).toEqual([]);
  });

  test('received for an unknown block, an older stamp or a wrong length is to be invalidated', () => {
    map = mapWith(7);
    expect(map.blockReceived('dn1', rep(8))).toEqual({ accepted: false, invalidate: true });
    expect(map.blockReceived('dn1', rep(7, { generationStamp: GS - 1 }))).toEqual({ accepted: false, invalidate: true });
    expect(map.blockReceived('dn1', rep(7, { lengthBytes: 1 }))).toEqual({ accepted: false, invalidate: true });
    expect(map.replicas(7)).toEqual([]);
  });

  test('a block abandoned while a pipeline node was still writing: its late receipt is invalidated', () => {
    map = new BlockMap();
    map.addBlock(block(5, { complete: false, lengthBytes: 0 }));
    map.blockReceived('dn1', rep(5, { lengthBytes: 300 }));
    expect(map.removeBlock(5)).toEqual(['dn1']);
    expect(map.blockReceived('dn2', rep(5, { lengthBytes: 300 }))).toEqual({ accepted: false, invalidate: true });
  });
});

describe('node loss and block removal', () => {
  test('removeNode returns the blocks that lost a replica and clears them', () => {
    map = mapWith(1, 2, 3);
    map.processFullReport('dn1', [rep(1), rep(2)]);
    map.processFullReport('dn2', [rep(2), rep(3)]);
    expect(map.removeNode('dn1').sort()).toEqual([1, 2]);
    expect(map.replicas(1)).toEqual([]);
    expect(map.replicas(2)).toEqual(['dn2']);
    expect(map.nodeBlocks('dn1')).toEqual([]);
    expect(map.removeNode('dn1')).toEqual([]);
    // The node comes back, re-registers and re-reports.
    expect(map.processFullReport('dn1', [rep(1), rep(2)]).added).toEqual([1, 2]);
  });

  test('removeBlock returns every holder, corrupt ones included, and forgets the block', () => {
    map = mapWith(1, 2);
    map.processFullReport('dn1', [rep(1), rep(2)]);
    map.processFullReport('dn2', [rep(1)]);
    map.processFullReport('dn3', [rep(1)]);
    map.markCorrupt(1, 'dn3');
    expect(map.removeBlock(1).sort()).toEqual(['dn1', 'dn2', 'dn3']);
    expect(map.get(1)).toBeUndefined();
    expect(map.size()).toBe(1);
    expect(map.nodeBlocks('dn1')).toEqual([2]);
    expect(map.nodeBlocks('dn2')).toEqual([]);
    expect(map.removeBlock(1)).toEqual([]);
    // dn2 still had it on disk when it reports next: invalidated.
    expect(map.processFullReport('dn2', [rep(1)]).toInvalidate).toEqual([1]);
  });
});

describe('corrupt replicas', () => {
  test('a corrupt replica is not handed out, does not count as live, and leaves with its node', () => {
    map = mapWith(1);
    for (const n of ['dn1', 'dn2', 'dn3']) map.blockReceived(n, rep(1));
    expect(map.markCorrupt(1, 'dn2')).toBe(true);
    expect(map.markCorrupt(1, 'dn2')).toBe(false);
    expect(map.replicas(1).sort()).toEqual(['dn1', 'dn3']);
    expect(map.corruptReplicas(1)).toEqual(['dn2']);
    expect(map.liveReplicaCount(1, everyone)).toBe(2);
    expect(map.nodeBlocks('dn2')).toEqual([1]); // still held: to be invalidated once repaired
    expect(map.counts(everyone)).toMatchObject({ underReplicated: 1, corrupt: 1, missing: 0 });
    // A full report that still lists the replica does not make it good again.
    map.processFullReport('dn2', [rep(1)]);
    expect(map.corruptReplicas(1)).toEqual(['dn2']);
    expect(map.blockReceived('dn2', rep(1)).accepted).toBe(false);
    // Deleted by INVALIDATE: the corrupt record goes with it.
    map.blockDeleted('dn2', 1);
    expect(map.corruptReplicas(1)).toEqual([]);
    expect(map.counts(everyone).corrupt).toBe(0);
  });

  test('all replicas corrupt: the block is missing and corrupt; markCorrupt of an unknown block is ignored', () => {
    map = mapWith(1);
    map.blockReceived('dn1', rep(1));
    map.markCorrupt(1, 'dn1');
    expect(map.counts(everyone)).toMatchObject({ blocks: 1, missing: 1, corrupt: 1, underReplicated: 0 });
    expect(map.markCorrupt(42, 'dn1')).toBe(false);
  });

  test('a corrupt replica on a node the map did not know held it is recorded (so it can be invalidated)', () => {
    map = mapWith(1);
    expect(map.markCorrupt(1, 'dn9')).toBe(true);
    expect(map.nodeBlocks('dn9')).toEqual([1]);
    expect(map.replicas(1)).toEqual([]);
  });
});

describe('safe mode', () => {
  test('10 complete blocks: 9 reported keeps safe mode at 0.999, all 10 leaves it', () => {
    map = new BlockMap();
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    for (const id of ids) map.addBlock(block(id));
    expect(map.safeModeStatus()).toEqual({ safe: true, reportedBlocks: 0, totalBlocks: 10, threshold: 0.999 });
    map.processFullReport('dn1', ids.slice(0, 9).map((id) => rep(id)));
    expect(map.safeModeStatus()).toEqual({ safe: true, reportedBlocks: 9, totalBlocks: 10, threshold: 0.999 });
    expect(map.safeModeStatus(0.9).safe).toBe(false);
    // A second replica of a reported block does not count twice.
    map.processFullReport('dn2', [rep(1), rep(2)]);
    expect(map.safeModeStatus().reportedBlocks).toBe(9);
    map.processFullReport('dn2', [rep(1), rep(2), rep(10)]);
    expect(map.safeModeStatus()).toEqual({ safe: false, reportedBlocks: 10, totalBlocks: 10, threshold: 0.999 });
  });

  test('no blocks: not in safe mode; incomplete blocks do not count; corrupt replicas do not count', () => {
    map = new BlockMap();
    expect(map.safeModeStatus().safe).toBe(false);
    map.addBlock(block(1, { complete: false }));
    expect(map.safeModeStatus()).toMatchObject({ safe: false, totalBlocks: 0 });
    map.addBlock(block(2));
    map.blockReceived('dn1', rep(2));
    expect(map.safeModeStatus()).toMatchObject({ safe: false, reportedBlocks: 1, totalBlocks: 1 });
    map.markCorrupt(2, 'dn1');
    expect(map.safeModeStatus()).toMatchObject({ safe: true, reportedBlocks: 0, totalBlocks: 1 });
  });

  test('the counters follow completion, node loss and deletion', () => {
    map = new BlockMap();
    map.addBlock(block(1, { complete: false, lengthBytes: 0 }));
    map.blockReceived('dn1', rep(1, { lengthBytes: 700 }));
    map.updateBlock(1, { lengthBytes: 700, complete: true });
    expect(map.safeModeStatus()).toMatchObject({ safe: false, reportedBlocks: 1, totalBlocks: 1 });
    map.removeNode('dn1');
    expect(map.safeModeStatus()).toMatchObject({ safe: true, reportedBlocks: 0, totalBlocks: 1 });
    map.removeBlock(1);
    expect(map.safeModeStatus()).toMatchObject({ safe: false, reportedBlocks: 0, totalBlocks: 0 });
  });

  test('rejects a threshold outside [0, 1]', () => {
    map = new BlockMap();
    expect(() => map.safeModeStatus(1.5)).toThrow(InvalidArgumentError);
    expect(() => map.safeModeStatus(Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('counts', () => {
  test('under-, over-replicated and missing blocks, judged on usable nodes', () => {
    map = new BlockMap();
    map.addBlock(block(1, { expectedReplication: 3 })); // 3 replicas, one on a DEAD node -> under
    map.addBlock(block(2, { expectedReplication: 1 })); // 2 replicas -> over
    map.addBlock(block(3, { expectedReplication: 2 })); // only on the DEAD node -> missing
    map.addBlock(block(4, { expectedReplication: 2 })); // exactly 2 -> fine
    map.addBlock(block(5, { complete: false })); // under construction: not judged
    map.processFullReport('dn1', [rep(1), rep(2), rep(4)]);
    map.processFullReport('dn2', [rep(1), rep(2), rep(4)]);
    map.processFullReport('dead', [rep(1), rep(3)]);
    const usable = (n: string): boolean => n !== 'dead';
    expect(map.liveReplicaCount(1, usable)).toBe(2);
    expect(map.liveReplicaCount(1, everyone)).toBe(3);
    expect(map.liveReplicaCount(404, usable)).toBe(0);
    expect(map.counts(usable)).toEqual({ blocks: 5, underConstruction: 1, underReplicated: 1, overReplicated: 1, missing: 1, corrupt: 0 });
    expect(map.counts(everyone)).toEqual({ blocks: 5, underConstruction: 1, underReplicated: 1, overReplicated: 1, missing: 0, corrupt: 0 });
    map.updateBlock(2, { expectedReplication: 2 });
    expect(map.counts(usable).overReplicated).toBe(0);
  });
});

describe('block records', () => {
  test('get returns a copy; updateBlock changes length until complete, then the length is final', () => {
    map = new BlockMap();
    map.addBlock(block(1, { complete: false, lengthBytes: 0 }));
    const copy = map.get(1)!;
    copy.lengthBytes = 999;
    expect(map.get(1)!.lengthBytes).toBe(0);
    map.updateBlock(1, { lengthBytes: 100 });
    map.updateBlock(1, { complete: true });
    expect(map.get(1)).toEqual(block(1, { lengthBytes: 100 }));
    expect(() => map.updateBlock(1, { lengthBytes: 200 })).toThrow(InvalidArgumentError);
    expect(() => map.updateBlock(1, { complete: false })).toThrow(InvalidArgumentError);
    expect(() => map.updateBlock(2, { complete: true })).toThrow(InvalidArgumentError);
    expect(() => map.addBlock(block(1))).toThrow(InvalidArgumentError);
    expect([...map.blockIds()]).toEqual([1]);
  });
});

describe('limits and validation', () => {
  test('a report over Limits.maxBlocksPerReport is rejected and changes nothing', () => {
    map = mapWith(1);
    map.processFullReport('dn1', [rep(1)]);
    const oversize = Array.from({ length: Limits.maxBlocksPerReport + 1 }, (_, i) => rep(i + 1));
    expect(() => map.processFullReport('dn1', oversize)).toThrow(InvalidArgumentError);
    expect(map.nodeBlocks('dn1')).toEqual([1]);
  });

  test('a report of exactly Limits.maxBlocksPerReport entries is processed', () => {
    map = new BlockMap();
    const full = Array.from({ length: Limits.maxBlocksPerReport }, (_, i) => rep(i + 1));
    expect(map.processFullReport('dn1', full).toInvalidate).toHaveLength(Limits.maxBlocksPerReport);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '7' as unknown as number])('block id %p is rejected', (bad) => {
    map = mapWith(1);
    expect(() => map.addBlock(block(bad))).toThrow(InvalidArgumentError);
    expect(() => map.blockReceived('dn1', rep(bad))).toThrow(InvalidArgumentError);
    expect(() => map.blockDeleted('dn1', bad)).toThrow(InvalidArgumentError);
    expect(() => map.markCorrupt(bad, 'dn1')).toThrow(InvalidArgumentError);
    expect(() => map.removeBlock(bad)).toThrow(InvalidArgumentError);
    // One bad entry rejects the whole report, before anything changes.
    expect(() => map.processFullReport('dn1', [rep(1), rep(bad)])).toThrow(InvalidArgumentError);
    expect(map.nodeBlocks('dn1')).toEqual([]);
  });

  test('invalid records, stamps, lengths, node ids and duplicate report entries are rejected', () => {
    map = mapWith(1);
    expect(() => map.addBlock(block(2, { expectedReplication: 0 }))).toThrow(InvalidArgumentError);
    expect(() => map.addBlock(block(2, { lengthBytes: -1 }))).toThrow(InvalidArgumentError);
    expect(() => map.addBlock(block(2, { generationStamp: 0.5 }))).toThrow(InvalidArgumentError);
    expect(() => map.blockReceived('dn1', rep(1, { lengthBytes: -5 }))).toThrow(InvalidArgumentError);
    expect(() => map.blockReceived('', rep(1))).toThrow(InvalidArgumentError);
    expect(() => map.processFullReport('bad id!', [])).toThrow(InvalidArgumentError);
    expect(() => map.processFullReport('dn1', [rep(1), rep(1)])).toThrow(InvalidArgumentError);
    expect(map.size()).toBe(1);
    expect(map.nodeBlocks('dn1')).toEqual([]);
  });
});

describe('placement: who may add a location', () => {
  const uc = (id: number) => block(id, { complete: false, lengthBytes: 0 });

  test('a block under construction takes replicas only from its pipeline targets, in either kind of report', () => {
    map = new BlockMap();
    map.addBlock(uc(1), ['dn1', 'dn2']);
    expect(map.blockReceived('dn1', rep(1))).toEqual({ accepted: true, invalidate: false });
    expect(map.blockReceived('dn3', rep(1))).toEqual({ accepted: false, invalidate: true });
    expect(map.processFullReport('dn4', [rep(1)]).toInvalidate).toEqual([1]);
    expect(map.processFullReport('dn2', [rep(1)]).added).toEqual([1]);
    expect(map.replicas(1).sort()).toEqual(['dn1', 'dn2']);
    // A target that died and came back is still a target while the block is open.
    map.removeNode('dn2');
    expect(map.processFullReport('dn2', [rep(1)]).added).toEqual([1]);
  });

  test('a scheduled replication target may add the block; an unscheduled node may not', () => {
    map = new BlockMap();
    map.addBlock(uc(1), ['dn1']);
    map.blockReceived('dn1', rep(1));
    map.updateBlock(1, { lengthBytes: 1024, complete: true });
    expect(map.blockReceived('dn2', rep(1)).invalidate).toBe(true);
    map.expectReplica(1, 'dn2');
    expect(map.blockReceived('dn2', rep(1))).toEqual({ accepted: true, invalidate: false });
  });

  test('a complete block: a late pipeline target is accepted once; a node that deleted its replica cannot re-add it incrementally', () => {
    map = new BlockMap();
    map.addBlock(uc(1), ['dn1', 'dn2', 'dn3']);
    map.blockReceived('dn1', rep(1));
    map.blockReceived('dn2', rep(1));
    map.updateBlock(1, { lengthBytes: 1024, complete: true });
    expect(map.blockReceived('dn3', rep(1)).accepted).toBe(true);
    expect(map.blockDeleted('dn3', 1)).toBe(true);
    expect(map.blockReceived('dn3', rep(1))).toEqual({ accepted: false, invalidate: true });
    // A full report of a complete block (a node back from DEAD, a NameNode restart) is judged by stamp and length only.
    expect(map.processFullReport('dn4', [rep(1)]).added).toEqual([1]);
    expect(map.processFullReport('dn5', [rep(1, { lengthBytes: 1000 })]).toInvalidate).toEqual([1]);
  });

  test('a block loaded at start-up (placement unknown) takes replicas from any node', () => {
    map = new BlockMap();
    map.addBlock(uc(1));
    expect(map.blockReceived('dn9', rep(1)).accepted).toBe(true);
  });
});

describe('a committed block (file still open, length final)', () => {
  test('a replica of another length is refused and invalidated, like for a complete block', () => {
    map = new BlockMap();
    map.addBlock(block(1, { complete: false, lengthBytes: 0 }), ['dn1', 'dn2']);
    map.updateBlock(1, { lengthBytes: 1024, committed: true });
    expect(map.blockReceived('dn1', rep(1, { lengthBytes: 1000 }))).toEqual({ accepted: false, invalidate: true });
    expect(map.blockReceived('dn2', rep(1))).toEqual({ accepted: true, invalidate: false });
  });
});
