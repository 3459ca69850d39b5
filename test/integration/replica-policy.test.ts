/**
 * Replica policy on real processes (docs/ARCHITECTURE.md, Re-replication):
 *  - corrupt replicas make room for good copies: with replication 3, two replicas corrupted on disk
 *    heal back to 3 good replicas and 0 corrupt, on three DataNodes (the corrupt copies are deleted
 *    and re-made in place) and on four (the fourth takes a copy, then a corrupt copy is deleted
 *    because live + corrupt exceed the factor);
 *  - the rack rule is applied after write time: three replicas on one rack get a replica on a
 *    second rack when a DataNode there joins (fsck counts them mis-replicated, and not healthy,
 *    while no replica can go there: `minidfs fsck`, its --json and /api/fsck), and a
 *    node on another rack that returns after its blocks were re-replicated on one rack keeps its
 *    replica: the excess comes off the crowded rack, even though that node has the least free space.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { DfsClient } from '@minidfs/client';
import { FAST, TestCluster } from '../support/cluster';
import { CLI } from '../support/processes';
import { blockFilesOnDisk, findBlockFile } from '../support/disk';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const BLOCK = 64 * 1024;

interface Fsck {
  files: number; blocks: number; underReplicated: number; overReplicated: number; missing: number; corrupt: number;
  pendingReplications: number; noTarget: number; misReplicated: number; healthy: boolean;
}

async function fsck(c: TestCluster): Promise<Fsck> {
  const res = await c.httpGet('/api/fsck');
  return JSON.parse(res.body.toString('utf8')) as Fsck;
}

/** Flips bytes of the node's finalized replica in place (same length: only the checksums can tell). */
function corruptOnDisk(c: TestCluster, nodeId: string, blockId: number): void {
  const file = findBlockFile(c.root, nodeId, blockId);
  if (!file) throw new Error(`no replica of block ${blockId} on ${nodeId}`);
  const bytes = fs.readFileSync(file);
  for (const at of [0, 1000, bytes.length - 1]) bytes[at]! ^= 0xff;
  fs.writeFileSync(file, bytes);
}

/** The NameNode has recorded each of `nodes`' replica of the block as corrupt (its log). */
function reportedCorrupt(c: TestCluster, blockId: number, nodes: string[]): boolean {
  const seen = new Set(c.nn.lines.filter((l) => l.event === 'corrupt-replica' && l.blockId === blockId).map((l) => String(l.nodeId)));
  return nodes.every((n) => seen.has(n));
}

/** Every replica of the block on disk holds exactly `data`; returns the holders. */
function goodOnDisk(c: TestCluster, nodes: string[], blockId: number, data: Buffer): string[] | undefined {
  const holders = blockFilesOnDisk(c.root, nodes).get(blockId) ?? [];
  for (const n of holders) {
    const file = findBlockFile(c.root, n, blockId);
    if (!file || !fs.readFileSync(file).equals(data)) return undefined;
  }
  return holders;
}

describe('corrupt replicas make room for good copies', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  /** Writes a one-block file, corrupts `victims`' replicas on disk and reads until the NameNode knows both. */
  async function twoCorrupt(nodes: number) {
    cluster = await TestCluster.start(nodes, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = crypto.randomBytes(50_000);
    await client.writeFile('/c/f', data, { replication: 3 });
    const [block] = (await client.getBlockLocations('/c/f')).blocks;
    const blockId = block!.blockId;
    const holders = block!.locations.map((l) => l.nodeId).sort();
    expect(holders).toHaveLength(3);
    const victims = holders.slice(0, 2);
    for (const v of victims) corruptOnDisk(cluster, v, blockId);
    // Reads fail over from a corrupt replica to a good one and report it; read until both are known.
    await waitFor('both corrupt replicas reported', async () => {
      expect((await client.readFile('/c/f')).equals(data)).toBe(true);
      return reportedCorrupt(cluster, blockId, victims);
    }, 30_000);
    return { data, blockId, holders, victims };
  }

  test('replication 3 on 3 DataNodes, 2 replicas corrupt: both deleted and re-made, back to 3 good replicas', async () => {
    const { data, blockId } = await twoCorrupt(3);
    const nodes = ['dn1', 'dn2', 'dn3'];
    const f = await waitFor('3 good replicas, none corrupt', async () => {
      const r = await fsck(cluster);
      return r.healthy && r.corrupt === 0 && goodOnDisk(cluster, nodes, blockId, data)?.length === 3 ? r : undefined;
    }, 45_000);
    expect(f).toMatchObject({ blocks: 1, underReplicated: 0, missing: 0, corrupt: 0, noTarget: 0 });
    expect(cluster.nn.lines.some((l) => l.event === 'replication-invalidated' && l.reason === 'corrupt' && l.blockId === blockId)).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect((await client.readFile('/c/f')).equals(data)).toBe(true);
      expect(client.readStats!.failovers).toEqual([]);
    }
  });

  test('replication 3 on 4 DataNodes, 2 replicas corrupt: ends at 3 good replicas, 0 corrupt (not 2 live + 2 corrupt)', async () => {
    const { data, blockId } = await twoCorrupt(4);
    const nodes = ['dn1', 'dn2', 'dn3', 'dn4'];
    await waitFor('3 good replicas, none corrupt', async () => {
      const r = await fsck(cluster);
      return r.healthy && r.corrupt === 0 && goodOnDisk(cluster, nodes, blockId, data)?.length === 3;
    }, 45_000);
    for (let i = 0; i < 5; i++) {
      expect((await client.readFile('/c/f')).equals(data)).toBe(true);
      expect(client.readStats!.failovers).toEqual([]);
    }
  });
});

describe('the rack rule after write time', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  async function writeFiles(files: number, blocksPerFile: number): Promise<Map<string, Buffer>> {
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < files; i++) {
      const data = crypto.randomBytes(blocksPerFile * BLOCK - 11);
      await client.writeFile(`/r/f${i}`, data, { replication: 3, blockSizeBytes: BLOCK });
      contents.set(`/r/f${i}`, data);
    }
    return contents;
  }

  async function readBack(contents: Map<string, Buffer>): Promise<void> {
    for (const [p, data] of contents) expect((await client.readFile(p)).equals(data)).toBe(true);
  }

  test('3 replicas on one rack, a DataNode on a second rack joins: each block gets a replica there, 3 per block, fsck healthy', async () => {
    cluster = new TestCluster(FAST, ['--block-size', String(BLOCK)]);
    await cluster.startNameNode();
    for (const id of ['dn1', 'dn2', 'dn3']) cluster.startDataNode(id, ['--rack', '/r1']);
    await cluster.waitForReport('3 LIVE', (r) => r.live === 3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const contents = await writeFiles(2, 3);
    const all = ['dn1', 'dn2', 'dn3', 'dn4'];
    await waitFor('6 blocks on the 3 /r1 nodes', async () => (await fsck(cluster)).healthy && blockFilesOnDisk(cluster.root, all).size === 6, 20_000);
    expect((await fsck(cluster)).misReplicated).toBe(0); // one rack: the rule does not apply

    const from = cluster.nn.lines.length;
    cluster.startDataNode('dn4', ['--rack', '/r2']);
    const f = await waitFor('every block on both racks, exactly 3 replicas', async () => {
      const r = await fsck(cluster);
      const onDisk = blockFilesOnDisk(cluster.root, all);
      const spread = onDisk.size === 6 && [...onDisk.values()].every((h) => h.length === 3 && h.includes('dn4'));
      return r.healthy && spread ? r : undefined;
    }, 45_000);
    expect(f).toMatchObject({ blocks: 6, misReplicated: 0, overReplicated: 0, underReplicated: 0 });
    const queued = cluster.nn.lines.slice(from).filter((l) => l.event === 'replication-queued' && l.reason === 'mis-replicated');
    expect(new Set(queued.map((l) => l.blockId)).size).toBe(6);
    await readBack(contents);
  });

  test('a second-rack DataNode without room: fsck counts the one-rack blocks mis-replicated and not healthy (CLI, --json, /api/fsck)', async () => {
    cluster = new TestCluster(FAST, ['--block-size', String(BLOCK)]);
    await cluster.startNameNode();
    for (const id of ['dn1', 'dn2', 'dn3']) cluster.startDataNode(id, ['--rack', '/r1']);
    await cluster.waitForReport('3 LIVE', (r) => r.live === 3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    await writeFiles(1, 3);
    await waitFor('healthy on one rack', async () => (await fsck(cluster)).healthy, 20_000);
    cluster.startDataNode('dn4', ['--rack', '/r2', '--reserved-bytes', String(Number.MAX_SAFE_INTEGER)]); // remaining 0
    const f = await waitFor('3 blocks mis-replicated', async () => { const r = await fsck(cluster); return r.misReplicated === 3 ? r : undefined; }, 20_000);
    expect(f).toMatchObject({ blocks: 3, underReplicated: 0, overReplicated: 0, missing: 0, corrupt: 0, healthy: false });
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'fsck', '--namenode', cluster.namenodeAddress, ...args], { encoding: 'utf8' });
    const text = cli();
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/Status: UNDER-REPAIR/);
    expect(text.stdout).toMatch(/Mis-replicated blocks:\s+3\b/);
    const json = cli('--json');
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ blocks: 3, misReplicated: 3, healthy: false });
    expect(blockFilesOnDisk(cluster.root, ['dn4']).size).toBe(0);
  });

  test('a node on another rack returns after its blocks were re-replicated on one rack: its replicas are kept, the crowded rack is trimmed', async () => {
    cluster = new TestCluster(FAST, ['--block-size', String(BLOCK)]);
    await cluster.startNameNode();
    for (const id of ['dn1', 'dn2', 'dn3']) cluster.startDataNode(id, ['--rack', '/r1']);
    // dn4 reports the least free space of all: a trim by free space alone would pick it.
    const dn4Args = ['--rack', '/r2', '--reserved-bytes', String(256 * 1024 * 1024)];
    cluster.startDataNode('dn4', dn4Args);
    await cluster.waitForReport('4 LIVE', (r) => r.live === 4);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const contents = await writeFiles(2, 3);
    const all = ['dn1', 'dn2', 'dn3', 'dn4'];
    await waitFor('6 blocks, each on dn4 and two /r1 nodes', async () => {
      const onDisk = blockFilesOnDisk(cluster.root, all);
      return (await fsck(cluster)).healthy && onDisk.size === 6 && [...onDisk.values()].every((h) => h.length === 3 && h.includes('dn4'));
    }, 20_000);

    await cluster.dn('dn4').kill9();
    await cluster.waitForState('dn4', 'DEAD');
    await waitFor('re-replicated onto /r1: 3 per block on dn1-dn3', async () => {
      const onDisk = blockFilesOnDisk(cluster.root, ['dn1', 'dn2', 'dn3']);
      return (await fsck(cluster)).healthy && onDisk.size === 6 && [...onDisk.values()].every((h) => h.length === 3);
    }, 30_000);

    const from = cluster.nn.lines.length;
    cluster.startDataNode('dn4', dn4Args); // same id and data dir: its old replicas come back
    await cluster.waitForState('dn4', 'LIVE');
    const f = await waitFor('excess trimmed off /r1, dn4 keeps every replica', async () => {
      const r = await fsck(cluster);
      const onDisk = blockFilesOnDisk(cluster.root, all);
      const kept = onDisk.size === 6 && [...onDisk.values()].every((h) => h.length === 3 && h.includes('dn4'));
      return r.healthy && kept ? r : undefined;
    }, 45_000);
    expect(f).toMatchObject({ blocks: 6, misReplicated: 0, overReplicated: 0 });
    const trimmed = cluster.nn.lines.slice(from).filter((l) => l.event === 'replication-invalidated' && l.reason === 'excess');
    expect(trimmed.length).toBe(6);
    expect(trimmed.map((l) => l.nodeId)).not.toContain('dn4');
    await readBack(contents);
  });
});
