/**
 * Open files and writers on real processes: a DataNode dying while a file is being written does
 * not fail the write (committed blocks of open files are repaired, Complete waits for them); a
 * Complete while a dead node is still STALE is not acknowledged on its replica (only LIVE
 * replicas count); a failed writer's cleanup never deletes another writer's file at the same path
 * (the Delete is conditional on the writer and the file id); and re-replication never sends a
 * block to a node with room for less than one block (--reserved-bytes), as pipelines never do.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { type BlockWrittenEvent, DfsClient, type DfsWriteStream } from '@minidfs/client';
import { FAST, TestCluster } from '../support/cluster';
import { blockFilesOnDisk } from '../support/disk';
import { waitFor } from '../support/wait';

const BLOCK = 64 * 1024;

interface Fsck { blocks: number; underReplicated: number; missing: number; pendingReplications: number; healthy: boolean }

async function fsck(c: TestCluster): Promise<Fsck> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/fsck`);
  return (await res.json()) as Fsck;
}

/** Writes `data` into the stream and resolves once the stream accepted it (its write callback ran). */
function write(stream: DfsWriteStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => stream.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Replica holders of each block of `path` as the NameNode hands them out (LIVE first, then STALE). */
async function locations(client: DfsClient, path: string): Promise<string[][]> {
  const { blocks } = await client.getBlockLocations(path);
  return blocks.map((b) => b.locations.map((l) => l.nodeId));
}

describe('open files', () => {
  let cluster: TestCluster;
  const clients: DfsClient[] = [];
  const newClient = () => {
    const c = new DfsClient({ namenode: cluster.namenodeAddress });
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await cluster?.stop();
  });

  test('a DataNode killed mid-write (replication 2, 3 nodes): the write completes, nothing is deleted, every block is back at 2', async () => {
    cluster = await TestCluster.start(3);
    const client = newClient();
    const data = crypto.randomBytes(3 * BLOCK + 1234);
    const stream = client.createWriteStream('/open/f', { replication: 2, blockSizeBytes: BLOCK });
    const firstBlock = new Promise<BlockWrittenEvent>((resolve) => stream.once('block', resolve));
    await write(stream, data.subarray(0, BLOCK));
    const { ackedBy } = await firstBlock;
    expect(ackedBy).toHaveLength(2);
    await waitFor('block 0 reported by both pipeline nodes', async () => (await locations(client, '/open/f'))[0]?.length === 2);

    // One of block 0's two nodes dies while the file is still open and declared DEAD: block 0 is
    // down to one replica, and the write goes on on the two nodes left.
    const victim = ackedBy[0]!;
    await cluster.dn(victim).kill9();
    await cluster.waitForState(victim, 'DEAD');
    // The next block's AddBlock commits block 0 (`previous`): it is repaired while the file is open.
    await write(stream, data.subarray(BLOCK, 2 * BLOCK));
    await waitFor('block 0 back at 2 replicas before the file is closed', async () =>
      (await locations(client, '/open/f'))[0]!.filter((n) => n !== victim).length >= 2, 15_000);
    expect((await client.stat('/open/f')).complete).toBe(false);
    await write(stream, data.subarray(2 * BLOCK));
    stream.end();
    await finished(stream);

    expect(stream.stats.completed).toBe(true);
    expect((await client.stat('/open/f')).complete).toBe(true);
    const held = await locations(client, '/open/f');
    expect(held).toHaveLength(4);
    for (const nodes of held) {
      expect(nodes.filter((n) => n !== victim).length).toBeGreaterThanOrEqual(2);
    }
    expect((await client.readFile('/open/f')).equals(data)).toBe(true);
    expect(cluster.nn.lines.some((l) => l.event === 'replication-scheduled')).toBe(true);
    await waitFor('fsck healthy', async () => (await fsck(cluster)).healthy, 20_000);
  });

  test('Complete while a dead node is still STALE: not acknowledged until two LIVE nodes hold the block', async () => {
    // DEAD after 50 missed beats (5 s): a long STALE window to complete in.
    cluster = await TestCluster.start(3, { ...FAST, deadAfter: 50 });
    const client = newClient();
    const data = crypto.randomBytes(BLOCK);
    const stream = client.createWriteStream('/open/stale', { replication: 2, blockSizeBytes: BLOCK });
    const block = new Promise<BlockWrittenEvent>((resolve) => stream.once('block', resolve));
    await write(stream, data);
    const { ackedBy } = await block;
    await waitFor('the block reported by both pipeline nodes', async () => (await locations(client, '/open/stale'))[0]?.length === 2);

    const victim = ackedBy[0]!;
    await cluster.dn(victim).kill9();
    await cluster.waitForState(victim, 'STALE');
    stream.end();
    await finished(stream);

    // Acknowledged: at that moment two nodes other than the dead one hold the block.
    const [holders] = await locations(client, '/open/stale');
    expect(holders!.filter((n) => n !== victim).length).toBeGreaterThanOrEqual(2);
    const report = await cluster.report();
    expect(report.datanodes.find((d) => d.id === victim)?.state).toBe('DEAD');
    expect(stream.stats.completeCalls).toBeGreaterThan(1);
    expect((await client.readFile('/open/stale')).equals(data)).toBe(true);
  });

  test('writer A\'s cleanup does not delete writer B\'s file at the same path', async () => {
    cluster = await TestCluster.start(3);
    const a = newClient();
    const b = newClient();
    const admin = newClient();
    const streamA = a.createWriteStream('/race/f', { replication: 2, blockSizeBytes: BLOCK });
    streamA.on('error', () => undefined);
    const fileA = await waitFor('A created the file', async () => ((await admin.exists('/race/f')) ? admin.stat('/race/f') : undefined));

    // Someone removes A's open file and B creates a new one at the same path.
    expect(await admin.delete('/race/f')).toBe(true);
    const streamB = b.createWriteStream('/race/f', { replication: 2, blockSizeBytes: BLOCK });
    const fileB = await waitFor('B created the file', async () => ((await admin.exists('/race/f')) ? admin.stat('/race/f') : undefined));
    expect(fileB.complete).toBe(false);
    expect(fileB.fileId).not.toBe(fileA.fileId);

    // A fails now: its cleanup must leave B's file alone.
    const closed = new Promise((resolve) => streamA.once('close', resolve));
    streamA.destroy(new Error('writer A failed'));
    await closed;
    const after = await admin.stat('/race/f');
    expect(after.fileId).toBe(fileB.fileId);
    expect(after.complete).toBe(false);

    const data = crypto.randomBytes(BLOCK + 99);
    streamB.end(data);
    await finished(streamB);
    expect((await admin.readFile('/race/f')).equals(data)).toBe(true);
  });

  test('a failed writer\'s cleanup still deletes its own file', async () => {
    cluster = await TestCluster.start(3);
    const a = newClient();
    const stream = a.createWriteStream('/race/own', { replication: 2, blockSizeBytes: BLOCK });
    stream.on('error', () => undefined);
    await write(stream, crypto.randomBytes(BLOCK)); // one block on the DataNodes
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy(new Error('writer failed'));
    await closed;
    expect(await a.exists('/race/own')).toBe(false);
  });

  test('a node with room for less than one block (--reserved-bytes) never receives a re-replicated block', async () => {
    // Files of one short block (64 KiB) with a 256 MiB block size: the tight node's remaining space
    // (free - reserved) is between the two, so it holds many of these blocks but not a whole one.
    const blockSizeBytes = 256 * 1024 * 1024;
    const length = 64 * 1024;
    cluster = await TestCluster.start(3);
    const st = fs.statfsSync(cluster.root);
    const reserved = st.bavail * st.bsize - 64 * 1024 * 1024; // about 64 MiB left for blocks
    cluster.startDataNode('tight', ['--reserved-bytes', String(reserved)]);
    await cluster.waitForReport('4 LIVE', (r) => r.live === 4);
    const tight = (await cluster.report() as unknown as { datanodes: Array<{ id: string; remainingBytes: number }> })
      .datanodes.find((d) => d.id === 'tight')!;
    expect(tight.remainingBytes).toBeGreaterThanOrEqual(length);
    expect(tight.remainingBytes).toBeLessThan(blockSizeBytes);

    const client = newClient();
    const files = 6;
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < files; i++) {
      const data = crypto.randomBytes(length);
      await client.writeFile(`/tight/f${i}`, data, { replication: 3, blockSizeBytes });
      contents.set(`/tight/f${i}`, data);
    }
    await waitFor('every block on dn1..dn3', () => {
      const m = blockFilesOnDisk(cluster.root, ['dn1', 'dn2', 'dn3', 'tight']);
      return m.size === files && [...m.values()].every((h) => h.length === 3 && !h.includes('tight'));
    });

    // dn1 dies: each block needs a third node and the only non-holder is the tight one.
    const from = cluster.nn.lines.length;
    await cluster.dn('dn1').kill9();
    await cluster.waitForState('dn1', 'DEAD');
    // Queued and planned in the same pass: once every block is queued, its planning is logged too.
    await waitFor('every block queued for repair', () =>
      new Set(cluster.nn.lines.slice(from).filter((l) => l.event === 'replication-queued').map((l) => l.blockId)).size === files);
    const scheduledTo = () => cluster.nn.lines.slice(from)
      .filter((l) => l.event === 'replication-scheduled').flatMap((l) => l.targetIds as string[]);
    expect(scheduledTo()).not.toContain('tight');

    // A node with room joins: the blocks heal there, never on the tight node.
    cluster.startDataNode('dn4');
    await waitFor('healed to 3 on dn2, dn3, dn4', () => {
      const m = blockFilesOnDisk(cluster.root, ['dn2', 'dn3', 'dn4', 'tight']);
      return m.size === files && [...m.values()].every((h) => h.length === 3 && !h.includes('tight'));
    }, 30_000);
    expect(scheduledTo()).not.toContain('tight');
    expect(scheduledTo()).toContain('dn4');
    expect(blockFilesOnDisk(cluster.root, ['tight']).size).toBe(0);
    for (const [p, data] of contents) expect((await client.readFile(p)).equals(data)).toBe(true);
  });
});
