/**
 * ReplicationMonitor under a manual clock: priorities, per-source stream limits, pending
 * timeouts, confirmation by report, excess trimming and corrupt replica handling.
 */
import {
  BlockMap, PENDING_RATE_INITIAL_BYTES_PER_MS, PENDING_TIMEOUT_SLACK, ReplicationMonitor, PRIORITY_HIGHEST, PRIORITY_MIS_REPLICATED, PRIORITY_UNDER, PRIORITY_VERY_UNDER, type NodeState, type PlacementCandidate,
} from '@minidfs/namenode';

interface Node { state: NodeState; remainingBytes: number; rack: string }

function setup(nodeCount: number, config: Partial<{ replicationStreamsPerNode: number; topPriorityStreamsPerNode: number; pendingTimeoutMs: number }> = {}) {
  const nodes = new Map<string, Node>();
  for (let i = 1; i <= nodeCount; i++) nodes.set(`dn${i}`, { state: 'LIVE', remainingBytes: 1000 * i, rack: '/r' });
  const blocks = new BlockMap();
  const monitor = new ReplicationMonitor(
    { replicationStreamsPerNode: 2, topPriorityStreamsPerNode: 4, pendingTimeoutMs: 1000, maxScheduledPerTick: 1000, ...config },
    blocks,
    {
      state: (id) => nodes.get(id)?.state,
      candidates: (): PlacementCandidate[] => [...nodes].map(([id, n]) => ({ id, state: n.state, remainingBytes: n.remainingBytes, activeTransfers: 0, rack: n.rack })),
      rack: (id) => nodes.get(id)?.rack,
    },
  );
  const addBlock = (blockId: number, holders: string[], expectedReplication = 3) => {
    blocks.addBlock({ blockId, generationStamp: 1, lengthBytes: 10, expectedReplication, complete: true });
    for (const n of holders) blocks.blockReceived(n, { blockId, generationStamp: 1, lengthBytes: 10 });
  };
  const kill = (id: string) => {
    nodes.get(id)!.state = 'DEAD';
    monitor.check(blocks.removeNode(id));
  };
  return { nodes, blocks, monitor, addBlock, kill };
}

describe('ReplicationMonitor', () => {
  test('queues by priority: 1 live first, then live*3 < expected, then other shortfalls', () => {
    const { monitor, addBlock, kill } = setup(3, { replicationStreamsPerNode: 0 as never, topPriorityStreamsPerNode: 0 as never });
    addBlock(1, ['dn1', 'dn2', 'dn3'], 3); // loses one -> 2 of 3: UNDER
    addBlock(2, ['dn1', 'dn2'], 3); // loses one -> 1 of 3: HIGHEST
    addBlock(3, ['dn1', 'dn3'], 10); // 2 of 10: 2*3 < 10 -> VERY_UNDER
    addBlock(4, ['dn1', 'dn3'], 8); // 2 of 8: VERY_UNDER
    kill('dn2');
    monitor.check([3, 4]);
    monitor.tick(0);
    expect(monitor.queued(PRIORITY_HIGHEST)).toEqual([2]);
    expect(monitor.queued(PRIORITY_VERY_UNDER)).toEqual([3, 4]);
    expect(monitor.queued(PRIORITY_UNDER)).toEqual([1]);
  });

  test('a dead node\'s blocks are copied from a live source to live non-holders with the most free space', () => {
    const { monitor, addBlock, kill } = setup(5);
    addBlock(7, ['dn1', 'dn2', 'dn3']);
    kill('dn3');
    const { orders, events } = monitor.tick(0);
    expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 7, targetIds: ['dn5'] })]);
    expect(['dn1', 'dn2']).toContain((orders[0] as { sourceId: string }).sourceId);
    expect(events.map((e) => e.type)).toEqual(['queued', 'scheduled']);
  });

  test('per-source limit: never more than 2 scheduled copies per source (4 for top priority)', () => {
    const { monitor, addBlock, kill } = setup(8);
    for (let b = 1; b <= 20; b++) addBlock(b, ['dn1', 'dn2', 'dn3']); // 2 survive -> UNDER
    kill('dn3');
    const { orders } = monitor.tick(0);
    const perSource = new Map<string, number>();
    for (const o of orders) if (o.kind === 'replicate') perSource.set(o.sourceId, (perSource.get(o.sourceId) ?? 0) + 1);
    expect(Math.max(...perSource.values())).toBeLessThanOrEqual(2);
    expect(orders).toHaveLength(4); // dn1 and dn2, two each
    for (const n of monitor.streams().values()) expect(n).toBeLessThanOrEqual(2);
    expect(monitor.tick(10).orders).toEqual([]); // still saturated until copies confirm

    const top = setup(8);
    for (let b = 1; b <= 20; b++) top.addBlock(b, ['dn1', 'dn2'], 3); // 1 survives -> HIGHEST
    top.kill('dn2');
    expect(top.monitor.tick(0).orders).toHaveLength(4);
  });

  test('a copy counts only when the target reports it; then the source slot frees', () => {
    const { blocks, monitor, addBlock, kill } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    kill('dn3');
    const o = monitor.tick(0).orders[0] as { sourceId: string; targetIds: string[] };
    expect(monitor.isPending(1)).toBe(true);
    blocks.blockReceived(o.targetIds[0], { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    expect(monitor.replicaAdded(1, o.targetIds[0]).map((e) => e.type)).toEqual(['copied']);
    expect(monitor.isPending(1)).toBe(false);
    expect(monitor.streams().size).toBe(0);
    expect(monitor.tick(1).orders).toEqual([]);
  });

  test('a pending copy that is never confirmed times out and is re-planned elsewhere', () => {
    const { nodes, monitor, addBlock, kill } = setup(5, { pendingTimeoutMs: 1000 });
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    kill('dn3');
    const first = monitor.tick(0).orders[0] as { targetIds: string[] };
    expect(first.targetIds).toEqual(['dn5']);
    nodes.get('dn5')!.state = 'DEAD'; // the target died mid-copy
    expect(monitor.tick(999).orders).toEqual([]);
    const again = monitor.tick(1000);
    expect(again.events.map((e) => e.type)).toEqual(['timed-out', 'queued', 'scheduled']);
    expect(again.orders).toEqual([expect.objectContaining({ blockId: 1, targetIds: ['dn4'] })]);
  });

  test('over-replicated blocks lose the replica on the node with the least free space', () => {
    const { nodes, blocks, monitor, addBlock } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
    nodes.get('dn2')!.remainingBytes = 1; // least free
    monitor.check([1]);
    const { orders } = monitor.tick(0);
    expect(orders).toEqual([{ kind: 'invalidate', nodeId: 'dn2', blockIds: [1], reason: 'excess' }]);
    expect(blocks.replicas(1).sort()).toEqual(['dn1', 'dn3', 'dn4']);
  });

  test('corrupt replicas are replaced from a good copy first, then invalidated', () => {
    const { blocks, monitor, addBlock } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    blocks.markCorrupt(1, 'dn1');
    monitor.check([1]);
    const first = monitor.tick(0).orders;
    expect(first).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn4'] })]);
    expect(['dn2', 'dn3']).toContain((first[0] as { sourceId: string }).sourceId);
    blocks.blockReceived('dn4', { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    monitor.replicaAdded(1, 'dn4');
    expect(monitor.tick(1).orders).toEqual([{ kind: 'invalidate', nodeId: 'dn1', blockIds: [1], reason: 'corrupt' }]);
  });

  test('all-corrupt blocks are never scheduled; missing blocks neither', () => {
    const { blocks, monitor, addBlock, kill } = setup(4);
    addBlock(1, ['dn1']);
    blocks.markCorrupt(1, 'dn1');
    addBlock(2, ['dn2']);
    kill('dn2');
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(monitor.corruptOnlyBlocks()).toEqual([1]);
    expect(monitor.queuedCount()).toBe(0);
  });

  test('STALE nodes are not sources or targets but their replicas still count', () => {
    const { nodes, monitor, addBlock, kill } = setup(5);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    nodes.get('dn1')!.state = 'STALE';
    nodes.get('dn5')!.state = 'STALE';
    kill('dn3');
    const { orders } = monitor.tick(0);
    expect(orders).toEqual([expect.objectContaining({ sourceId: 'dn2', targetIds: ['dn4'] })]);
  });
});

describe('ReplicationMonitor and dead nodes', () => {
  test('a copy whose target dies is re-planned at once, without waiting for the timeout', () => {
    const { nodes, blocks, monitor, addBlock, kill } = setup(5, { pendingTimeoutMs: 60_000 });
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    kill('dn3');
    expect(monitor.tick(0).orders).toEqual([expect.objectContaining({ targetIds: ['dn5'] })]);
    nodes.get('dn5')!.state = 'DEAD';
    const ev = monitor.nodeDead('dn5');
    monitor.check(blocks.removeNode('dn5'));
    expect(ev).toEqual([expect.objectContaining({ type: 'timed-out', blockId: 1 })]);
    expect(monitor.tick(1).orders).toEqual([expect.objectContaining({ blockId: 1, targetIds: ['dn4'] })]);
  });

  describe('replicas on UNREACHABLE_FROM_NAMENODE nodes', () => {
    test('count during the grace: no copy is planned for them; once DEAD, the block is repaired', () => {
      const { nodes, monitor, addBlock, kill } = setup(5);
      addBlock(1, ['dn1', 'dn2', 'dn3']);
      nodes.get('dn3')!.state = 'UNREACHABLE_FROM_NAMENODE';
      monitor.check([1]);
      expect(monitor.tick(0).orders).toEqual([]);
      expect(monitor.queuedCount()).toBe(0);
      kill('dn3');
      expect(monitor.tick(1).orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn5'] })]);
    });

    test('never a copy source nor a target; a shortfall beyond them is still repaired from a LIVE node', () => {
      const { nodes, monitor, addBlock, kill } = setup(5);
      addBlock(1, ['dn1', 'dn4', 'dn5']);
      nodes.get('dn5')!.state = 'UNREACHABLE_FROM_NAMENODE'; // the emptiest-looking target would be dn5
      kill('dn4');
      const { orders } = monitor.tick(0);
      expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, sourceId: 'dn1' })]);
      expect((orders[0] as { targetIds: string[] }).targetIds).not.toContain('dn5');
    });

    test('not trimmed as excess, and do not make reachable replicas look excess', () => {
      const { nodes, monitor, addBlock } = setup(5);
      addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
      nodes.get('dn4')!.state = 'UNREACHABLE_FROM_NAMENODE';
      monitor.check([1]);
      expect(monitor.tick(0).orders).toEqual([]);
    });
  });
});

describe('ReplicationMonitor: blocks of open files', () => {
  function openBlock(committed: boolean) {
    const t = setup(4);
    t.blocks.addBlock({ blockId: 9, generationStamp: 1, lengthBytes: 0, expectedReplication: 2, complete: false, blockSizeBytes: 10 });
    for (const n of ['dn1', 'dn2']) t.blocks.blockReceived(n, { blockId: 9, generationStamp: 1, lengthBytes: 10 });
    if (committed) t.blocks.updateBlock(9, { lengthBytes: 10, committed: true });
    t.kill('dn2');
    return t;
  }

  test('a block still being written is left to its pipeline', () => {
    const { monitor } = openBlock(false);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(monitor.queuedCount()).toBe(0);
  });

  test('committing is one-way and fixes the length; it does not count for safe mode', () => {
    const blocks = new BlockMap();
    blocks.addBlock({ blockId: 1, generationStamp: 1, lengthBytes: 0, expectedReplication: 2, complete: false });
    blocks.updateBlock(1, { lengthBytes: 10, committed: true });
    expect(() => blocks.updateBlock(1, { lengthBytes: 11 })).toThrow(/final/);
    expect(() => blocks.updateBlock(1, { committed: false })).toThrow(/cannot be reopened/);
    blocks.blockReceived('dn1', { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    expect(blocks.safeModeStatus(1)).toMatchObject({ totalBlocks: 0, reportedBlocks: 0 });
    blocks.updateBlock(1, { lengthBytes: 10, complete: true });
    expect(blocks.safeModeStatus(1)).toMatchObject({ totalBlocks: 1, reportedBlocks: 1 });
    blocks.assertInvariants();
  });

  test('a committed block of an open file that lost a replica is repaired like a complete one', () => {
    const { monitor, blocks } = openBlock(true);
    const { orders } = monitor.tick(0);
    expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 9, sourceId: 'dn1', lengthBytes: 10, targetIds: ['dn4'] })]);
    blocks.blockReceived('dn4', { blockId: 9, generationStamp: 1, lengthBytes: 10 });
    monitor.replicaAdded(9, 'dn4');
    expect(monitor.isPending(9)).toBe(false);
    expect(monitor.tick(1).orders).toEqual([]);
    expect(blocks.get(9)).toMatchObject({ complete: false, committed: true });
  });
});

describe('ReplicationMonitor: target space (remaining - scheduled >= block size)', () => {
  test('a node with room for less than one block gets no copy; copies already scheduled count', () => {
    const { nodes, blocks, monitor, kill } = setup(4);
    nodes.get('dn4')!.remainingBytes = 250; // room for 2 blocks of 100
    nodes.get('dn3')!.remainingBytes = 99; // less than one block
    for (let b = 1; b <= 6; b++) {
      blocks.addBlock({ blockId: b, generationStamp: 1, lengthBytes: 100, expectedReplication: 2, complete: true, blockSizeBytes: 100 });
      for (const n of ['dn1', 'dn2']) blocks.blockReceived(n, { blockId: b, generationStamp: 1, lengthBytes: 100 });
    }
    kill('dn2');
    const { orders } = monitor.tick(0);
    const targets = orders.flatMap((o) => (o.kind === 'replicate' ? o.targetIds : []));
    expect(targets).not.toContain('dn3');
    expect(targets.filter((t) => t === 'dn4')).toHaveLength(2); // 250 - 2*100 = 50 < 100: no third
    expect(monitor.scheduledBytes().get('dn4')).toBe(200);
    // A confirmed copy frees its bytes; a timed-out one too.
    const first = orders.find((o) => o.kind === 'replicate' && o.targetIds.includes('dn4'))!;
    blocks.blockReceived('dn4', { blockId: first.kind === 'replicate' ? first.blockId : 0, generationStamp: 1, lengthBytes: 100 });
    monitor.replicaAdded(first.kind === 'replicate' ? first.blockId : 0, 'dn4');
    expect(monitor.scheduledBytes().get('dn4')).toBe(100);
    // Timed-out copies release their bytes before the re-plan: dn4 is never promised more than it holds.
    monitor.tick(10_000);
    expect(monitor.scheduledBytes().get('dn4') ?? 0).toBeLessThanOrEqual(200);
    expect(monitor.scheduledBytes().get('dn3')).toBeUndefined();
  });

  test('the file\'s block size is the room needed, even for a short last block', () => {
    const { nodes, blocks, monitor, kill } = setup(3);
    nodes.get('dn3')!.remainingBytes = 500;
    blocks.addBlock({ blockId: 1, generationStamp: 1, lengthBytes: 7, expectedReplication: 2, complete: true, blockSizeBytes: 1000 });
    for (const n of ['dn1', 'dn2']) blocks.blockReceived(n, { blockId: 1, generationStamp: 1, lengthBytes: 7 });
    kill('dn2');
    expect(monitor.tick(0).orders).toEqual([]);
    nodes.get('dn3')!.remainingBytes = 1000;
    monitor.check([1]);
    expect(monitor.tick(1).orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn3'] })]);
  });
});

describe('ReplicationMonitor: corrupt replicas that hold the nodes a good copy needs', () => {
  const replicated = (blocks: BlockMap, monitor: ReplicationMonitor, blockId: number, nodes: string[]) => {
    for (const n of nodes) {
      blocks.blockReceived(n, { blockId, generationStamp: 1, lengthBytes: 10 });
      monitor.replicaAdded(blockId, n);
    }
  };
  const invalidated = (orders: ReturnType<ReplicationMonitor['tick']>['orders']) =>
    orders.flatMap((o) => (o.kind === 'invalidate' ? o.blockIds.map((b) => `${o.reason}:${b}@${o.nodeId}`) : [])).sort();

  test('3 nodes, 1 live + 2 corrupt: the corrupt copies are deleted, then good copies made on those nodes', () => {
    const { blocks, monitor, addBlock } = setup(3);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    blocks.markCorrupt(1, 'dn1');
    blocks.markCorrupt(1, 'dn2');
    monitor.check([1]);
    const first = monitor.tick(0);
    expect(invalidated(first.orders)).toEqual(['corrupt:1@dn1', 'corrupt:1@dn2']);
    expect(first.orders.filter((o) => o.kind === 'replicate')).toEqual([]); // not before the nodes report the deletion
    expect(monitor.awaitingDeletion(1).sort()).toEqual(['dn1', 'dn2']);
    expect(monitor.tick(10).orders).toEqual([]);
    expect(monitor.replicaDeleted(1, 'dn1')).toBe(true);
    expect(monitor.replicaDeleted(1, 'dn2')).toBe(true);
    expect(monitor.replicaDeleted(1, 'dn2')).toBe(false);
    const copy = monitor.tick(20).orders;
    expect(copy).toEqual([expect.objectContaining({ kind: 'replicate', sourceId: 'dn3', targetIds: ['dn2', 'dn1'] })]);
    replicated(blocks, monitor, 1, ['dn1', 'dn2']);
    expect(monitor.tick(30).orders).toEqual([]);
    expect(blocks.replicas(1).sort()).toEqual(['dn1', 'dn2', 'dn3']);
    expect(blocks.corruptReplicas(1)).toEqual([]);
  });

  test('4 nodes, 1 live + 2 corrupt: a copy to the free node, one corrupt copy freed for the other; the last goes when 3 are good', () => {
    const { blocks, monitor, addBlock } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    blocks.markCorrupt(1, 'dn1');
    blocks.markCorrupt(1, 'dn2');
    monitor.check([1]);
    const first = monitor.tick(0).orders;
    // Of the two, the one on the node with the most free space (dn2) is deleted first.
    expect(invalidated(first)).toEqual(['corrupt:1@dn2']);
    expect(first.filter((o) => o.kind === 'replicate')).toEqual([expect.objectContaining({ sourceId: 'dn3', targetIds: ['dn4'] })]);
    replicated(blocks, monitor, 1, ['dn4']);
    monitor.replicaDeleted(1, 'dn2');
    const second = monitor.tick(10).orders;
    expect(second).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn2'] })]);
    replicated(blocks, monitor, 1, ['dn2']);
    expect(invalidated(monitor.tick(20).orders)).toEqual(['corrupt:1@dn1']);
    expect(blocks.replicas(1).sort()).toEqual(['dn2', 'dn3', 'dn4']);
    expect(blocks.corruptReplicas(1)).toEqual([]);
  });

  test('live + corrupt above the replication factor: corrupt copies go at once, down to the factor', () => {
    const { blocks, monitor, addBlock } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
    blocks.markCorrupt(1, 'dn1');
    blocks.markCorrupt(1, 'dn2');
    monitor.check([1]);
    const orders = monitor.tick(0).orders;
    expect(invalidated(orders)).toEqual(['corrupt:1@dn2']); // 2 live + 1 corrupt = 3; dn2 becomes the target
    expect(orders.filter((o) => o.kind === 'replicate')).toEqual([]);
    monitor.replicaDeleted(1, 'dn2');
    expect(monitor.tick(10).orders).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn2'] })]);
  });

  test('a node that never reports the deletion is a target again after the pending timeout', () => {
    const { blocks, monitor, addBlock } = setup(3, { pendingTimeoutMs: 1000 });
    addBlock(1, ['dn1', 'dn2', 'dn3'], 2);
    blocks.markCorrupt(1, 'dn1');
    blocks.markCorrupt(1, 'dn2');
    monitor.check([1]);
    expect(invalidated(monitor.tick(0).orders)).toEqual(['corrupt:1@dn2']);
    expect(monitor.tick(999).orders).toEqual([]);
    expect(monitor.tick(1000).orders).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn2'] })]);
  });

  test('all-corrupt blocks keep every corrupt copy, whatever the free nodes', () => {
    const { blocks, monitor, addBlock } = setup(5);
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
    for (const n of ['dn1', 'dn2', 'dn3', 'dn4']) blocks.markCorrupt(1, n);
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(blocks.corruptReplicas(1)).toHaveLength(4);
    expect(monitor.corruptOnlyBlocks()).toEqual([1]);
  });

  test('a node deleting an excess replica is not a copy target for that block until it reports the deletion', () => {
    const { nodes, blocks, monitor, addBlock, kill } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
    nodes.get('dn4')!.remainingBytes = 1;
    monitor.check([1]);
    expect(invalidated(monitor.tick(0).orders)).toEqual(['excess:1@dn4']);
    nodes.get('dn4')!.remainingBytes = 10_000; // now the emptiest node
    kill('dn3');
    expect(monitor.tick(1).orders).toEqual([]);
    monitor.replicaDeleted(1, 'dn4');
    expect(monitor.tick(2).orders).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn4'] })]);
    expect(blocks.corruptReplicas(1)).toEqual([]);
  });
});

describe('ReplicationMonitor: the rack rule', () => {
  test('3 replicas on one rack, a DataNode on a second rack joins: a copy goes there, then the crowded rack is trimmed', () => {
    const { nodes, blocks, monitor, addBlock } = setup(4);
    for (const id of ['dn1', 'dn2', 'dn3']) nodes.get(id)!.rack = '/r1';
    nodes.get('dn4')!.rack = '/r2';
    nodes.get('dn4')!.state = 'DEAD';
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    addBlock(2, ['dn1'], 1); // replication 1: no rack rule
    monitor.check([1, 2]);
    expect(monitor.tick(0).orders).toEqual([]);
    nodes.get('dn4')!.state = 'LIVE'; // nothing calls check(): the new rack starts a rescan
    const { orders, events } = monitor.tick(1);
    expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn4'], priority: PRIORITY_MIS_REPLICATED })]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'queued', blockId: 1, priority: PRIORITY_MIS_REPLICATED, reason: 'mis-replicated' }));
    blocks.blockReceived('dn4', { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    monitor.replicaAdded(1, 'dn4');
    // 4 replicas: the excess comes off /r1 (3 there), least free space first: dn1.
    expect(monitor.tick(2).orders).toEqual([{ kind: 'invalidate', nodeId: 'dn1', blockIds: [1], reason: 'excess' }]);
    expect(monitor.tick(3).orders).toEqual([]);
    expect(monitor.queuedCount()).toBe(0);
    expect(blocks.replicas(1).sort()).toEqual(['dn2', 'dn3', 'dn4']);
  });

  test('trimming never deletes the only off-rack replica, even on the node with the least free space', () => {
    const { nodes, blocks, monitor, addBlock } = setup(4);
    for (const id of ['dn1', 'dn2', 'dn3']) nodes.get(id)!.rack = '/r1';
    nodes.get('dn4')!.rack = '/r2';
    nodes.get('dn4')!.remainingBytes = 1; // least free of all
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4']);
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([{ kind: 'invalidate', nodeId: 'dn1', blockIds: [1], reason: 'excess' }]);
    expect(blocks.replicas(1).sort()).toEqual(['dn2', 'dn3', 'dn4']);
  });

  test('two excess replicas: one from each crowded rack in turn, never the last on a rack', () => {
    const { nodes, monitor, addBlock } = setup(5);
    for (const [id, rack] of [['dn1', '/a'], ['dn2', '/a'], ['dn3', '/a'], ['dn4', '/b'], ['dn5', '/b']]) nodes.get(id)!.rack = rack;
    addBlock(1, ['dn1', 'dn2', 'dn3', 'dn4', 'dn5']);
    monitor.check([1]);
    const deleted = monitor.tick(0).orders.map((o) => (o.kind === 'invalidate' ? o.nodeId : '')).sort();
    // /a has 3: its least-free dn1 goes; then /a and /b have 2 each: the least free of those, dn2.
    expect(deleted).toEqual(['dn1', 'dn2']);
  });

  test('the extra copy goes to a rack holding none, never to a fuller node on the same rack; no room there: it waits', () => {
    const { nodes, blocks, monitor, addBlock } = setup(4);
    for (const id of ['dn1', 'dn2', 'dn3']) nodes.get(id)!.rack = '/r1';
    nodes.get('dn4')!.rack = '/r2';
    nodes.get('dn3')!.remainingBytes = 1_000_000; // the emptiest node, but on /r1
    nodes.get('dn4')!.remainingBytes = 5; // less than the block
    addBlock(1, ['dn1', 'dn2'], 2);
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(monitor.queued(PRIORITY_MIS_REPLICATED)).toEqual([1]);
    nodes.get('dn4')!.remainingBytes = 100;
    expect(monitor.tick(1).orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn4'] })]);
    blocks.blockReceived('dn4', { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    monitor.replicaAdded(1, 'dn4');
    const trim = monitor.tick(2).orders;
    expect(trim).toEqual([expect.objectContaining({ kind: 'invalidate', reason: 'excess' })]);
    expect(['dn1', 'dn2']).toContain((trim[0] as { nodeId: string }).nodeId);
  });

  test('one rack with LIVE nodes (the other rack down): not mis-replicated', () => {
    const { nodes, monitor, addBlock } = setup(4);
    for (const id of ['dn1', 'dn2', 'dn3']) nodes.get(id)!.rack = '/r1';
    nodes.get('dn4')!.rack = '/r2';
    nodes.get('dn4')!.state = 'STALE';
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(monitor.queuedCount()).toBe(0);
  });
});

describe('ReplicationMonitor: a copy whose source is found corrupt', () => {
  test('is dropped at once and re-planned from a good replica', () => {
    const { blocks, monitor, addBlock, kill } = setup(4, { pendingTimeoutMs: 60_000 });
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    kill('dn3');
    expect(monitor.tick(0).orders).toEqual([expect.objectContaining({ kind: 'replicate', sourceId: 'dn1', targetIds: ['dn4'] })]);
    blocks.markCorrupt(1, 'dn1'); // the source read its replica for the copy and found it corrupt
    monitor.check([1]);
    const { orders, events } = monitor.tick(10);
    expect(events[0]).toMatchObject({ type: 'timed-out', blockId: 1, sourceId: 'dn1', reason: expect.stringMatching(/corrupt/) });
    expect(monitor.streams().get('dn1')).toBeUndefined();
    // 1 live + 1 corrupt of 3: dn4 is the only free target, and dn1's corrupt copy is deleted to make room.
    expect(orders).toEqual([
      { kind: 'invalidate', nodeId: 'dn1', blockIds: [1], reason: 'corrupt' },
      expect.objectContaining({ kind: 'replicate', sourceId: 'dn2', targetIds: ['dn4'] }),
    ]);
  });

  test('the pending-copy deadline scales with the bytes queued to the target and the observed copy rate', () => {
    const mb = 1_000_000;
    const nodes = new Map<string, { state: NodeState; remainingBytes: number }>();
    for (let i = 1; i <= 4; i++) nodes.set(`dn${i}`, { state: 'LIVE', remainingBytes: 10_000 * mb });
    const blocks = new BlockMap();
    const monitor = new ReplicationMonitor({ replicationStreamsPerNode: 8, topPriorityStreamsPerNode: 8, pendingTimeoutMs: 1000, maxScheduledPerTick: 1000 }, blocks, {
      state: (id) => nodes.get(id)?.state,
      candidates: (): PlacementCandidate[] => [...nodes].map(([id, n]) => ({ id, state: n.state, remainingBytes: n.remainingBytes, activeTransfers: 0, rack: '/r' })),
      rack: () => '/r',
    });
    const size = 64 * mb;
    for (let b = 1; b <= 4; b++) {
      blocks.addBlock({ blockId: b, generationStamp: 1, lengthBytes: size, expectedReplication: 3, complete: true });
      for (const n of ['dn1', 'dn2', 'dn3']) blocks.blockReceived(n, { blockId: b, generationStamp: 1, lengthBytes: size });
    }
    nodes.get('dn3')!.state = 'DEAD';
    monitor.check(blocks.removeNode('dn3'));
    // Four 64 MB copies, all to dn4 (the only non-holder): the last one waits behind the others.
    const { orders } = monitor.tick(0);
    expect(orders).toHaveLength(4);
    const expected = PENDING_TIMEOUT_SLACK * 4 * size / PENDING_RATE_INITIAL_BYTES_PER_MS;
    expect(monitor.copyTimeoutMs(['dn4'])).toBe(Math.ceil(expected));
    expect(monitor.copyTimeoutMs(['dn1'])).toBe(1000); // nothing queued there: the base timeout
    // Not timed out at the base timeout (1 s): the copies are still pending at 5 s.
    expect(monitor.tick(5000).events.filter((e) => e.type === 'timed-out')).toEqual([]);
    // Copies confirmed slower than assumed (64 MB in 16 s = 4 MB/s) lower the rate: later deadlines grow.
    monitor.replicaAdded(1, 'dn4', 16_000);
    expect(monitor.copyRateBytesPerMs).toBeLessThan(PENDING_RATE_INITIAL_BYTES_PER_MS);
    expect(monitor.copyTimeoutMs(['dn4'])).toBeGreaterThan(Math.ceil(PENDING_TIMEOUT_SLACK * 3 * size / PENDING_RATE_INITIAL_BYTES_PER_MS));
  });
});
