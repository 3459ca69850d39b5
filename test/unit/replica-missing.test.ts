/**
 * A replica whose files vanish behind the BlockStore's back (HDFS DirectoryScanner): the store
 * notices on open (read or copy) and in scan(), forgets the replica, quarantines the leftover file,
 * tells onReplicaMissing exactly once, and accepts a fresh copy of the block afterwards. Plus the
 * pipeline ack deadline rule (common/pipeline-deadline.ts), and the NameNode dropping a pending
 * copy whose source reports the replica deleted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DfsError, Limits, pipelineAckDeadlineMs, pipelineAckTimeoutMs } from '@minidfs/common';
import { BlockStore } from '@minidfs/datanode';
import { BlockMap, type NodeState, type PlacementCandidate, ReplicationMonitor } from '@minidfs/namenode';

const GS = 7;

async function storeWith(ids: number[]): Promise<{ store: BlockStore; dir: string; missing: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-missing-'));
  const missing: number[] = [];
  const store = new BlockStore(dir, { onReplicaMissing: (id) => missing.push(id) });
  await store.init();
  for (const id of ids) {
    const writer = store.createWriter(id, GS);
    await writer.write(Buffer.alloc(1000, id));
    await writer.finalize();
  }
  return { store, dir, missing };
}

async function drain(store: BlockStore, id: number): Promise<unknown> {
  try {
    for await (const piece of store.read(id)) void piece;
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('BlockStore: replicas whose files vanished', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  test('a read of a replica without its data file drops it, reports it once, quarantines the meta', async () => {
    const { store, dir, missing } = await storeWith([1, 2]);
    dirs.push(dir);
    fs.rmSync(store.blockFilePath(1));
    const err = await drain(store, 1);
    expect(err).toBeInstanceOf(DfsError);
    expect((err as DfsError).code).toBe('BLOCK_NOT_FOUND');
    expect(missing).toEqual([1]);
    expect(store.has(1)).toBe(false);
    expect(store.list().map((b) => b.blockId)).toEqual([2]);
    expect(store.usedBytes()).toBe(1000);
    expect(fs.readdirSync(path.join(dir, 'quarantine'))).toEqual([`blk_1_${GS}.meta`]);
    // Not reported again; a fresh copy of the block may be written.
    expect(((await drain(store, 1)) as DfsError).code).toBe('BLOCK_NOT_FOUND');
    expect(missing).toEqual([1]);
    const writer = store.createWriter(1, GS);
    await writer.write(Buffer.alloc(10, 1));
    await writer.finalize();
    expect(store.get(1)?.lengthBytes).toBe(10);
  });

  test('scan() drops replicas missing either file, leaves intact ones, and is a no-op when nothing changed', async () => {
    const { store, dir, missing } = await storeWith([1, 2, 3, 4]);
    dirs.push(dir);
    expect(await store.scan()).toEqual([]);
    fs.rmSync(store.metaFilePath(2)!);
    fs.rmSync(store.blockFilePath(3));
    fs.rmSync(store.metaFilePath(3)!);
    expect((await store.scan()).sort()).toEqual([2, 3]);
    expect(missing.sort()).toEqual([2, 3]);
    expect(store.list().map((b) => b.blockId)).toEqual([1, 4]);
    expect(fs.readdirSync(path.join(dir, 'quarantine'))).toEqual(['blk_2']);
    expect(await store.scan()).toEqual([]);
    expect(missing).toHaveLength(2);
  });

  test('scan() ignores a block deleted through the store and one finalized during the scan', async () => {
    const { store, dir, missing } = await storeWith([1]);
    dirs.push(dir);
    const scanning = store.scan();
    const writer = store.createWriter(5, GS);
    await writer.write(Buffer.alloc(3));
    await writer.finalize();
    await store.delete(1);
    expect(await scanning).toEqual([]);
    expect(missing).toEqual([]);
    expect(store.has(5)).toBe(true);
  });
});

describe('pipeline ack deadline', () => {
  test('base: deadAfterMissed x heartbeat, clamped to [min, max]', () => {
    expect(pipelineAckTimeoutMs({ heartbeatIntervalMs: 100, deadAfterMissed: 4 })).toBe(Limits.pipelineAckTimeoutMinMs);
    expect(pipelineAckTimeoutMs({ heartbeatIntervalMs: 2000, deadAfterMissed: 3 })).toBe(6000);
    expect(pipelineAckTimeoutMs({ heartbeatIntervalMs: 60_000, deadAfterMissed: 3 })).toBe(Limits.pipelineAckTimeoutMaxMs);
  });

  test('each waiter adds one extension per node below it, so the waiter nearest a hung node gives up first', () => {
    const base = 3000;
    const client = pipelineAckDeadlineMs(base, 3);
    const first = pipelineAckDeadlineMs(base, 2);
    const second = pipelineAckDeadlineMs(base, 1);
    expect(second).toBe(base + Limits.pipelineAckExtensionPerNodeMs);
    expect(first - second).toBe(Limits.pipelineAckExtensionPerNodeMs);
    expect(client - first).toBe(Limits.pipelineAckExtensionPerNodeMs);
    // No base from the NameNode: the maximum.
    expect(pipelineAckDeadlineMs(0, 0)).toBe(Limits.pipelineAckTimeoutMaxMs);
  });
});

describe('ReplicationMonitor: a copy source that reports the replica deleted', () => {
  test('the pending copy is dropped at once and re-planned from a replica that exists', () => {
    const nodes = new Map<string, { state: NodeState; remainingBytes: number; rack: string }>();
    for (let i = 1; i <= 5; i++) nodes.set(`dn${i}`, { state: 'LIVE', remainingBytes: 1000 * i, rack: '/r' });
    const blocks = new BlockMap();
    const monitor = new ReplicationMonitor(
      { replicationStreamsPerNode: 2, topPriorityStreamsPerNode: 4, pendingTimeoutMs: 60_000, maxScheduledPerTick: 1000 },
      blocks,
      {
        state: (id) => nodes.get(id)?.state,
        candidates: (): PlacementCandidate[] => [...nodes].map(([id, n]) => ({ id, state: n.state, remainingBytes: n.remainingBytes, activeTransfers: 0, rack: n.rack })),
        rack: (id) => nodes.get(id)?.rack,
      },
    );
    blocks.addBlock({ blockId: 1, generationStamp: 1, lengthBytes: 10, expectedReplication: 3, complete: true });
    for (const n of ['dn1', 'dn2', 'dn3']) blocks.blockReceived(n, { blockId: 1, generationStamp: 1, lengthBytes: 10 });
    nodes.get('dn3')!.state = 'DEAD';
    monitor.check(blocks.removeNode('dn3'));
    const first = monitor.tick(0).orders;
    expect(first).toHaveLength(1);
    const source = (first[0] as { sourceId: string }).sourceId;
    const other = source === 'dn1' ? 'dn2' : 'dn1';
    // The source's files were gone: it reports the replica deleted.
    if (blocks.blockDeleted(source, 1)) monitor.check([1]);
    monitor.replicaDeleted(1, source);
    expect(monitor.isPending(1)).toBe(false);
    const second = monitor.tick(1).orders;
    expect(second).toEqual([expect.objectContaining({ kind: 'replicate', blockId: 1, sourceId: other })]);
  });
});
