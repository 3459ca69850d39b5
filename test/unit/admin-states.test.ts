/**
 * Decommission and maintenance, pure: the AdminStates state machine (allowed moves, refused input,
 * expiry by tick) and the ReplicationMonitor's counting rules for replicas on such nodes.
 */
import { AdminStates, BlockMap, type AdminState, type NodeState, type PlacementCandidate, ReplicationMonitor } from '@minidfs/namenode';

interface Node { state: NodeState; admin: AdminState; remainingBytes: number; rack: string }

function setup(nodeCount: number, maintenanceMinReplicas = 1) {
  const nodes = new Map<string, Node>();
  for (let i = 1; i <= nodeCount; i++) nodes.set(`dn${i}`, { state: 'LIVE', admin: 'NORMAL', remainingBytes: 1000 * i, rack: '/r' });
  const blocks = new BlockMap();
  const monitor = new ReplicationMonitor(
    { replicationStreamsPerNode: 2, topPriorityStreamsPerNode: 4, pendingTimeoutMs: 1000, maxScheduledPerTick: 1000, maintenanceMinReplicas },
    blocks,
    {
      state: (id) => nodes.get(id)?.state,
      candidates: (): PlacementCandidate[] => [...nodes].filter(([, n]) => n.admin === 'NORMAL')
        .map(([id, n]) => ({ id, state: n.state, remainingBytes: n.remainingBytes, activeTransfers: 0, rack: n.rack })),
      rack: (id) => nodes.get(id)?.rack,
      adminState: (id) => nodes.get(id)?.admin ?? 'NORMAL',
    },
  );
  const addBlock = (blockId: number, holders: string[], expectedReplication = 3) => {
    blocks.addBlock({ blockId, generationStamp: 1, lengthBytes: 10, expectedReplication, complete: true });
    for (const n of holders) blocks.blockReceived(n, { blockId, generationStamp: 1, lengthBytes: 10 });
  };
  const judge = {
    ready: () => true,
    blocksOn: (id: string) => blocks.nodeBlocks(id),
    replicatedWithout: (b: number, id: string) => monitor.replicatedWithout(b, id),
    maintainableWithout: (b: number, id: string) => monitor.maintainableWithout(b, id),
  };
  return { nodes, blocks, monitor, addBlock, judge };
}

describe('AdminStates', () => {
  test('decommission -> DECOMMISSIONED once covered; recommission -> NORMAL; repeats are no-ops', () => {
    const a = new AdminStates();
    expect(a.decommission('dn1', 0)).toMatchObject({ from: 'NORMAL', to: 'DECOMMISSIONING', reason: 'decommission' });
    expect(a.decommission('dn1', 1)).toBeUndefined();
    let covered = false;
    const judge = { ready: () => true, blocksOn: () => [1, 2], replicatedWithout: () => covered, maintainableWithout: () => false };
    expect(a.tick(2, judge)).toEqual([]);
    covered = true;
    expect(a.tick(3, judge)).toEqual([expect.objectContaining({ from: 'DECOMMISSIONING', to: 'DECOMMISSIONED', reason: 'replicated' })]);
    expect(a.tick(4, judge)).toEqual([]);
    expect(a.recommission('dn1', 5)).toMatchObject({ from: 'DECOMMISSIONED', to: 'NORMAL' });
    expect(a.recommission('dn1', 6)).toBeUndefined();
    expect(a.state('dn1')).toBe('NORMAL');
  });

  test('not judged before the node\'s replicas are known (no report yet)', () => {
    const a = new AdminStates();
    a.decommission('dn1', 0);
    expect(a.tick(1, { ready: () => false, blocksOn: () => [], replicatedWithout: () => true, maintainableWithout: () => true })).toEqual([]);
    expect(a.state('dn1')).toBe('DECOMMISSIONING');
  });

  test('maintenance: ENTERING -> IN once maintainable; expiry by tick returns NORMAL; --end too', () => {
    const a = new AdminStates();
    expect(a.startMaintenance('dn1', 1000, 0)).toMatchObject({ to: 'ENTERING_MAINTENANCE', maintenanceExpiresAtMs: 1000 });
    const judge = { ready: () => true, blocksOn: () => [1], replicatedWithout: () => false, maintainableWithout: () => true };
    expect(a.tick(10, judge)).toEqual([expect.objectContaining({ to: 'IN_MAINTENANCE', maintenanceExpiresAtMs: 1000 })]);
    expect(a.tick(999, judge)).toEqual([]);
    expect(a.tick(1000, judge)).toEqual([expect.objectContaining({ from: 'IN_MAINTENANCE', to: 'NORMAL', reason: 'maintenance-expired' })]);
    a.startMaintenance('dn2', 1000, 0);
    expect(a.startMaintenance('dn2', 5000, 10)).toBeUndefined(); // a new end for the window
    expect(a.record('dn2').maintenanceExpiresAtMs).toBe(5010);
    expect(a.endMaintenance('dn2', 20)).toMatchObject({ from: 'ENTERING_MAINTENANCE', to: 'NORMAL', reason: 'maintenance-ended' });
  });

  test('bad input is refused and changes nothing', () => {
    const a = new AdminStates();
    expect(() => a.startMaintenance('dn1', 0, 0)).toThrow(/duration/);
    expect(() => a.startMaintenance('dn1', -5, 0)).toThrow(/duration/);
    expect(() => a.startMaintenance('dn1', 1e15, 0)).toThrow(/maxMaintenanceDurationMs/);
    expect(a.state('dn1')).toBe('NORMAL');
    a.decommission('dn1', 0);
    expect(() => a.startMaintenance('dn1', 1000, 0)).toThrow(/recommission/);
    expect(() => a.endMaintenance('dn1', 0)).toThrow(/not in maintenance/);
    expect(a.state('dn1')).toBe('DECOMMISSIONING');
    a.startMaintenance('dn2', 1000, 0);
    expect(() => a.decommission('dn2', 0)).toThrow(/maintenance/);
    expect(() => a.recommission('dn2', 0)).toThrow(/maintenance/);
    expect(a.state('dn2')).toBe('ENTERING_MAINTENANCE');
  });

  test('rebuilt from its records', () => {
    const a = new AdminStates();
    a.decommission('dn1', 0);
    a.startMaintenance('dn2', 100, 0);
    const b = new AdminStates(a.entries());
    expect(b.record('dn1')).toEqual({ state: 'DECOMMISSIONING' });
    expect(b.record('dn2')).toEqual({ state: 'ENTERING_MAINTENANCE', maintenanceExpiresAtMs: 100 });
  });
});

describe('ReplicationMonitor with admin states', () => {
  test('a decommissioning node\'s replicas do not count: copied elsewhere from any LIVE holder, never trimmed, never a target', () => {
    const { nodes, monitor, addBlock, blocks } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    nodes.get('dn1')!.admin = 'DECOMMISSIONING';
    monitor.check([1]);
    const { orders } = monitor.tick(0);
    expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn4'] })]);
    expect(monitor.replicatedWithout(1, 'dn1')).toBe(false);
    blocks.blockReceived('dn4', { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    monitor.replicaAdded(1, 'dn4');
    expect(monitor.tick(1).orders).toEqual([]); // 3 NORMAL + 1 decommissioning: nothing trimmed
    expect(monitor.replicatedWithout(1, 'dn1')).toBe(true);
    // Recommissioned: 4 NORMAL replicas, one is trimmed.
    nodes.get('dn1')!.admin = 'NORMAL';
    monitor.check([1]);
    expect(monitor.tick(2).orders).toEqual([expect.objectContaining({ kind: 'invalidate', reason: 'excess' })]);
  });

  test('a block held only by a decommissioning node is copied from it', () => {
    const { nodes, monitor, addBlock } = setup(3);
    addBlock(1, ['dn1'], 1);
    nodes.get('dn1')!.admin = 'DECOMMISSIONING';
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([expect.objectContaining({ kind: 'replicate', sourceId: 'dn1', targetIds: ['dn3'] })]);
  });

  test('IN_MAINTENANCE: a silent node\'s replicas still count (nothing copied); back to NORMAL while DEAD, they are copied', () => {
    const { nodes, monitor, addBlock, blocks, judge } = setup(4);
    addBlock(1, ['dn1', 'dn2', 'dn3']);
    const a = new AdminStates();
    a.startMaintenance('dn1', 1000, 0);
    nodes.get('dn1')!.admin = 'ENTERING_MAINTENANCE';
    expect(a.tick(1, judge)).toEqual([expect.objectContaining({ to: 'IN_MAINTENANCE' })]);
    nodes.get('dn1')!.admin = 'IN_MAINTENANCE';
    nodes.get('dn1')!.state = 'DEAD'; // replicas kept in the map (the Namesystem does not removeNode)
    monitor.check([1]);
    expect(monitor.tick(2).orders).toEqual([]);
    nodes.get('dn1')!.admin = 'NORMAL';
    monitor.check(blocks.removeNode('dn1'));
    expect(monitor.tick(3).orders).toEqual([expect.objectContaining({ kind: 'replicate', targetIds: ['dn4'] })]);
  });

  test('ENTERING_MAINTENANCE waits for maintenanceMinReplicas NORMAL replicas elsewhere, copying what is short', () => {
    const { nodes, monitor, addBlock, judge } = setup(3, 2);
    addBlock(1, ['dn1', 'dn2'], 2);
    const a = new AdminStates();
    a.startMaintenance('dn1', 1000, 0);
    nodes.get('dn1')!.admin = 'ENTERING_MAINTENANCE';
    expect(a.tick(1, judge)).toEqual([]); // only dn2 is NORMAL: 1 < min(2, 2)
    monitor.check([1]);
    expect(monitor.tick(1).orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, targetIds: ['dn3'] })]);
    expect(monitor.maintainableWithout(1, 'dn1')).toBe(false);
  });

  test('with the default maintenanceMinReplicas 1, ENTERING_MAINTENANCE copies nothing when another replica exists', () => {
    const { nodes, monitor, addBlock, judge } = setup(3);
    addBlock(1, ['dn1', 'dn2'], 2);
    const a = new AdminStates();
    a.startMaintenance('dn1', 1000, 0);
    nodes.get('dn1')!.admin = 'ENTERING_MAINTENANCE';
    monitor.check([1]);
    expect(monitor.tick(0).orders).toEqual([]);
    expect(a.tick(1, judge)).toEqual([expect.objectContaining({ to: 'IN_MAINTENANCE' })]);
  });
});
