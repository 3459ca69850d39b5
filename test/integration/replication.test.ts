/**
 * Re-replication on real processes: kill DataNodes, watch fsck heal to exactly the replication
 * factor on disk, bring a node back and watch the excess trimmed; a copy target killed mid-copy
 * is re-planned; no DataNode ever sources more copies than the per-node limit allows.
 */
import crypto from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { TestCluster } from '../support/cluster';
import { blockFilesOnDisk } from '../support/disk';
import { waitFor } from '../support/wait';

interface Fsck { files: number; blocks: number; underReplicated: number; overReplicated: number; missing: number; corrupt: number; pendingReplications: number; healthy: boolean }

async function fsck(c: TestCluster): Promise<Fsck> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/fsck`);
  return (await res.json()) as Fsck;
}

const BLOCK = 64 * 1024;

async function writeFiles(client: DfsClient, files: number, blocksPerFile: number, blockSizeBytes = BLOCK) {
  const contents = new Map<string, Buffer>();
  for (let f = 0; f < files; f++) {
    const data = crypto.randomBytes(blocksPerFile * blockSizeBytes - 7);
    const p = `/data/f${f}`;
    await client.writeFile(p, data, { replication: 3, blockSizeBytes });
    contents.set(p, data);
  }
  return contents;
}

/** Every block has exactly `n` finalized files on the given nodes' disks. */
function exactlyOnDisk(c: TestCluster, nodes: string[], n: number, expectedBlocks: number): boolean {
  const onDisk = blockFilesOnDisk(c.root, nodes);
  return onDisk.size === expectedBlocks && [...onDisk.values()].every((holders) => holders.length === n);
}

async function readBack(client: DfsClient, contents: Map<string, Buffer>) {
  for (const [p, data] of contents) expect((await client.readFile(p)).equals(data)).toBe(true);
}

describe('re-replication', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('4 nodes, 40 blocks: kill one -> healed to exactly 3 on the live nodes; it returns -> excess trimmed', async () => {
    cluster = await TestCluster.start(4);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const contents = await writeFiles(client, 4, 10);
    await waitFor('all 40 blocks at 3 replicas', async () => (await fsck(cluster)).healthy && exactlyOnDisk(cluster, ['dn1', 'dn2', 'dn3', 'dn4'], 3, 40), 20_000);

    const victim = 'dn2';
    await cluster.dn(victim).kill9();
    await cluster.waitForState(victim, 'DEAD');
    const survivors = ['dn1', 'dn3', 'dn4'];
    const f = await waitFor('fsck healthy after the death', async () => { const r = await fsck(cluster); return r.healthy ? r : undefined; }, 30_000);
    expect(f).toMatchObject({ blocks: 40, missing: 0, underReplicated: 0 });
    expect(exactlyOnDisk(cluster, survivors, 3, 40)).toBe(true);
    await readBack(client, contents);

    cluster.startDataNode(victim); // same id, same data dir: its old replicas come back
    await cluster.waitForState(victim, 'LIVE');
    await waitFor('excess trimmed back to exactly 3 per block', async () =>
      (await fsck(cluster)).healthy && exactlyOnDisk(cluster, ['dn1', 'dn2', 'dn3', 'dn4'], 3, 40), 30_000);
    expect(cluster.nn.lines.some((l) => l.event === 'replication-invalidated' && l.reason === 'excess')).toBe(true);
    await readBack(client, contents);
  });

  test('5 nodes: kill two at once -> nothing lost, healed to 3', async () => {
    cluster = await TestCluster.start(5);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const contents = await writeFiles(client, 2, 10);
    await waitFor('healthy', async () => (await fsck(cluster)).healthy, 20_000);
    await Promise.all([cluster.dn('dn1').kill9(), cluster.dn('dn4').kill9()]);
    await cluster.waitForReport('two DEAD', (r) => r.dead === 2);
    const f = await waitFor('healthy again', async () => { const r = await fsck(cluster); return r.healthy ? r : undefined; }, 30_000);
    expect(f.missing).toBe(0);
    expect(exactlyOnDisk(cluster, ['dn2', 'dn3', 'dn5'], 3, 20)).toBe(true);
    await readBack(client, contents);
  });

  test('a copy target killed mid-copy: the copy is re-planned and the block still heals', async () => {
    cluster = await TestCluster.start(5);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    // Big blocks so a copy is still in flight when the target dies.
    const contents = await writeFiles(client, 1, 6, 8 * 1024 * 1024);
    await waitFor('healthy', async () => (await fsck(cluster)).healthy, 30_000);
    const report = await cluster.report();
    const holders = blockFilesOnDisk(cluster.root, report.datanodes.map((d) => d.id));
    const victim = [...holders.values()][0][0];
    const from = cluster.nn.lines.length;
    await cluster.dn(victim).kill9();
    const scheduled = await cluster.nn.waitForLine('a copy scheduled', (l) => l.event === 'replication-scheduled', 20_000, from);
    const target = (scheduled.targetIds as string[])[0];
    await cluster.dn(target).kill9();
    await cluster.nn.waitForLine('copy re-planned', (l) => l.event === 'replication-timed-out' && l.blockId === scheduled.blockId, 20_000, from);
    await waitFor('healthy with two nodes gone', async () => (await fsck(cluster)).healthy, 60_000);
    await readBack(client, contents);
  });

  test('no DataNode sources more concurrent copies than the per-node limit (from the DataNodes\' own logs)', async () => {
    cluster = await TestCluster.start(5);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    await writeFiles(client, 3, 10);
    await waitFor('healthy', async () => (await fsck(cluster)).healthy, 20_000);
    await cluster.dn('dn3').kill9();
    await cluster.waitForState('dn3', 'DEAD');
    await waitFor('healed', async () => (await fsck(cluster)).healthy, 30_000);
    let copies = 0;
    for (const [id, dn] of cluster.datanodes) {
      if (id === 'dn3') continue;
      let running = 0;
      let peak = 0;
      for (const l of dn.lines) {
        if (l.event === 'replicate-start') { running += 1; copies += 1; peak = Math.max(peak, running); }
        if (l.event === 'replicate-done' || l.event === 'replicate-failed') running -= 1;
      }
      // 2 per source normally, 4 for blocks down to one replica (none here: only one node died).
      expect(peak).toBeLessThanOrEqual(2);
    }
    expect(copies).toBeGreaterThan(0);
  });
});
