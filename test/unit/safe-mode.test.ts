/**
 * Safe mode, pure: when startup safe mode ends on its own (threshold, or every live DataNode has
 * reported and nothing changed for the extension), that a manual enter holds until leave, and that
 * a block report processed while deletions are held back never orders a deletion.
 */
import { InvalidArgumentError } from '@minidfs/common';
import { BlockMap, type BlockRecord, type ReportedReplica, SafeMode, type SafeModeProgress } from '@minidfs/namenode';

const GS = 1001;
const block = (blockId: number, over: Partial<BlockRecord> = {}): BlockRecord =>
  ({ blockId, generationStamp: GS, lengthBytes: 1024, expectedReplication: 1, complete: true, ...over });
const rep = (blockId: number, over: Partial<ReportedReplica> = {}): ReportedReplica => ({ blockId, generationStamp: GS, lengthBytes: 1024, ...over });
const progress = (over: Partial<SafeModeProgress> = {}): SafeModeProgress =>
  ({ reportedBlocks: 0, totalBlocks: 10, liveNodes: 0, reportedNodes: 0, fullReports: 0, ...over });
const config = { threshold: 0.999, extensionMs: 1000 };

describe('SafeMode', () => {
  test('starts on with unreported blocks, off with none; the threshold ends it at once', () => {
    expect(new SafeMode(config, progress({ totalBlocks: 0 })).on).toBe(false);
    const sm = new SafeMode(config, progress());
    expect(sm.state()).toMatchObject({ on: true, startup: true, manual: false, autoExitInMs: -1 });
    expect(sm.update(progress({ reportedBlocks: 9, liveNodes: 1, reportedNodes: 1, fullReports: 1 }))).toBeUndefined();
    expect(sm.on).toBe(true);
    expect(sm.update(progress({ reportedBlocks: 10, liveNodes: 1, reportedNodes: 1, fullReports: 1 }))).toBe('threshold');
    expect(sm.on).toBe(false);
  });

  test('a block lost for good: ends once every live node has reported and nothing changed for the extension', () => {
    const sm = new SafeMode(config, progress());
    // Not every live node has reported: the clock does not run, however long it waits.
    expect(sm.update(progress({ reportedBlocks: 5, liveNodes: 2, reportedNodes: 1, fullReports: 1 }), 0)).toBeUndefined();
    expect(sm.update(progress({ reportedBlocks: 5, liveNodes: 2, reportedNodes: 1, fullReports: 1 }), 100_000)).toBeUndefined();
    expect(sm.state(100_000).autoExitInMs).toBe(-1);
    // Both reported: the quiet time starts now.
    const all = progress({ reportedBlocks: 9, liveNodes: 2, reportedNodes: 2, fullReports: 2 });
    expect(sm.update(all, 200_000)).toBeUndefined();
    expect(sm.state(200_400).autoExitInMs).toBe(600);
    // A change (a third node registers and reports) restarts the quiet time.
    const more = progress({ reportedBlocks: 9, liveNodes: 3, reportedNodes: 3, fullReports: 3 });
    expect(sm.update(more, 200_900)).toBeUndefined();
    expect(sm.update(more, 201_800)).toBeUndefined();
    expect(sm.on).toBe(true);
    expect(sm.update(more, 201_900)).toBe('reports-complete');
    expect(sm.state(201_900)).toMatchObject({ on: false, startup: false, reportedBlocks: 9, totalBlocks: 10, autoExitInMs: -1 });
  });

  test('no live DataNode: never ends on its own below the threshold', () => {
    const sm = new SafeMode(config, progress());
    for (const t of [0, 10_000, 1_000_000]) expect(sm.update(progress(), t)).toBeUndefined();
    expect(sm.on).toBe(true);
  });

  test('manual enter holds until leave; the startup rules do not end it; leave ends both', () => {
    const sm = new SafeMode(config, progress());
    expect(sm.enter()).toBe(false); // already on (startup)
    expect(sm.update(progress({ reportedBlocks: 10, liveNodes: 1, reportedNodes: 1 }))).toBe('threshold');
    expect(sm.state()).toMatchObject({ on: true, manual: true, startup: false });
    expect(sm.leave()).toBe(true);
    expect(sm.on).toBe(false);
    expect(sm.enter()).toBe(true);
    const quiet = progress({ reportedBlocks: 1, liveNodes: 1, reportedNodes: 1, fullReports: 1 });
    sm.update(quiet, 0);
    sm.update(quiet, 1_000_000);
    expect(sm.on).toBe(true);
    expect(sm.leave()).toBe(true);
    expect(sm.leave()).toBe(false);
    // leave during startup safe mode ends it for good: later reports do not turn it back on.
    const sm2 = new SafeMode(config, progress());
    sm2.leave();
    sm2.update(progress({ reportedBlocks: 0, liveNodes: 1 }), 5);
    expect(sm2.on).toBe(false);
  });

  test('invalid configuration is refused', () => {
    expect(() => new SafeMode({ threshold: 1.5, extensionMs: 0 }, progress())).toThrow(InvalidArgumentError);
    expect(() => new SafeMode({ threshold: 0.9, extensionMs: -1 }, progress())).toThrow(InvalidArgumentError);
    expect(() => new SafeMode({ threshold: 0.9, extensionMs: 0.5 }, progress())).toThrow(InvalidArgumentError);
  });
});

describe('full block report with deletions held back (safe mode)', () => {
  test('unknown blocks are postponed, not invalidated nor recorded; the next ordinary report invalidates them', () => {
    const map = new BlockMap();
    map.addBlock(block(1));
    const r = map.processFullReport('dn1', [rep(1), rep(99)], { holdDeletions: true });
    expect(r).toEqual({ added: [1], removed: [], toInvalidate: [], corrupt: [], postponed: [99] });
    expect(map.has(99)).toBe(false);
    expect(map.nodeBlocks('dn1')).toEqual([1]);
    expect(map.processFullReport('dn1', [rep(1), rep(99)]).toInvalidate).toEqual([99]);
    map.assertInvariants();
  });

  test('a replica that would be invalidated (older stamp, wrong length) is kept as corrupt instead', () => {
    const map = new BlockMap();
    map.addBlock(block(1));
    map.addBlock(block(2));
    const r = map.processFullReport('dn1', [rep(1, { generationStamp: GS - 1 }), rep(2, { lengthBytes: 7 })], { holdDeletions: true });
    expect(r).toEqual({ added: [1, 2], removed: [], toInvalidate: [], corrupt: [1, 2], postponed: [] });
    expect(map.corruptReplicas(1)).toEqual(['dn1']);
    expect(map.replicas(1)).toEqual([]);
    expect(map.safeModeStatus().reportedBlocks).toBe(0); // corrupt replicas do not count
    map.assertInvariants();
  });

  test('the wrong cluster: a report of nothing but unknown blocks deletes nothing', () => {
    const map = new BlockMap();
    const reported = Array.from({ length: 1000 }, (_, i) => rep(i + 1));
    const r = map.processFullReport('dn1', reported, { holdDeletions: true });
    expect(r.toInvalidate).toEqual([]);
    expect(r.postponed).toHaveLength(1000);
    map.assertInvariants();
  });
});
