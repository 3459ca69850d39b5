/**
 * The block scanner on real processes (docs/ARCHITECTURE.md, Block scanner): a byte flipped in a
 * replica's data file on disk is found by the DataNode's background scan, with no client read, and
 * the NameNode replaces it from a good copy and deletes the bad one; a bad sole replica
 * (replication 1) is reported, kept, and fsck counts it corrupt. A data directory that becomes
 * unusable is reported by its DataNode and its replicas re-replicated elsewhere.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import { FAST, TestCluster } from '../support/cluster';
import { blockFilesOnDisk, findBlockFile } from '../support/disk';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const BLOCK = 64 * 1024;
/** Fast enough that a pass over a few small blocks takes milliseconds. */
const SCAN_ARGS = ['--scan-bytes-per-second', String(8 * 1024 * 1024), '--metrics-port', '0'];

interface Fsck { blocks: number; underReplicated: number; missing: number; corrupt: number; healthy: boolean }

async function fsck(c: TestCluster): Promise<Fsck> {
  const res = await c.httpGet('/api/fsck');
  return JSON.parse(res.body.toString('utf8')) as Fsck;
}

/** Flips one byte of the node's finalized replica in place (same length: only the CRCs can tell). */
function flipByteOnDisk(c: TestCluster, nodeId: string, blockId: number): string {
  const file = findBlockFile(c.root, nodeId, blockId);
  if (!file) throw new Error(`no replica of block ${blockId} on ${nodeId}`);
  const bytes = fs.readFileSync(file);
  bytes[777]! ^= 0x10;
  fs.writeFileSync(file, bytes);
  return file;
}

/** Holders of the block on disk, if every one of them holds exactly `data`. */
function goodOnDisk(c: TestCluster, blockId: number, data: Buffer): string[] | undefined {
  const holders = blockFilesOnDisk(c.root, [...c.datanodes.keys()]).get(blockId) ?? [];
  for (const n of holders) {
    const file = findBlockFile(c.root, n, blockId);
    if (!file || !fs.readFileSync(file).equals(data)) return undefined;
  }
  return holders;
}

/** A counter from a DataNode's /metrics (its port from the `started` line). */
async function metric(c: TestCluster, node: string, name: string): Promise<number> {
  const started = await c.dn(node).waitForLine(`${node} started`, (l) => l.event === 'started');
  const text = await (await fetch(`http://127.0.0.1:${String(started.metricsPort)}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('block scanner', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('a flipped byte in a replica on disk is found without any read; a good copy is made elsewhere and the bad one deleted', async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)], { datanodeArgs: SCAN_ARGS });
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = crypto.randomBytes(50_000);
    await client.writeFile('/scan/f', data, { replication: 3 });
    const [block] = (await client.getBlockLocations('/scan/f')).blocks;
    const blockId = block!.blockId;
    const holders = block!.locations.map((l) => l.nodeId).sort();
    expect(holders).toHaveLength(3);
    const victim = holders[0]!;
    const spare = ['dn1', 'dn2', 'dn3', 'dn4'].find((n) => !holders.includes(n))!;
    flipByteOnDisk(cluster, victim, blockId);

    const found = await waitFor('the scanner on the victim found the bad replica', () => cluster.dn(victim).lines.find(
      (l) => l.event === 'scanner-bad-replica' && l.blockId === blockId), 30_000);
    expect(found.reason).toMatch(/checksum mismatch in chunk 1/);
    await waitFor('the NameNode marked it corrupt', () => cluster.nn.lines.some(
      (l) => l.event === 'corrupt-replica' && l.blockId === blockId && l.nodeId === victim), 15_000);
    const healed = await waitFor('3 good replicas on disk, none corrupt, the victim\'s bad copy gone', async () => {
      const r = await fsck(cluster);
      const good = goodOnDisk(cluster, blockId, data);
      return r.healthy && r.corrupt === 0 && good?.length === 3 && !good.includes(victim) ? good : undefined;
    }, 45_000);
    expect(healed.sort()).toEqual([...holders.filter((n) => n !== victim), spare].sort());
    expect(cluster.nn.lines.some((l) => l.event === 'replication-invalidated' && l.reason === 'corrupt' && l.blockId === blockId && l.nodeId === victim)).toBe(true);
    // No client read happened: no DataNode served one and no client reported a bad replica.
    for (const n of cluster.datanodes.keys()) expect(await metric(cluster, n, 'minidfs_datanode_reads_served_total')).toBe(0);
    expect(cluster.nn.lines.some((l) => l.event === 'replica-verified')).toBe(false);
    expect(await metric(cluster, victim, 'minidfs_datanode_scanner_bad_replicas_total')).toBe(1);
    expect((await client.readFile('/scan/f')).equals(data)).toBe(true);
  });

  test('replication 1: the bad sole replica is reported once and never deleted; fsck counts it corrupt', async () => {
    cluster = await TestCluster.start(2, FAST, ['--block-size', String(BLOCK)], { datanodeArgs: SCAN_ARGS });
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = crypto.randomBytes(20_000);
    await client.writeFile('/scan/one', data, { replication: 1 });
    const [block] = (await client.getBlockLocations('/scan/one')).blocks;
    const blockId = block!.blockId;
    const holder = block!.locations[0]!.nodeId;
    const file = flipByteOnDisk(cluster, holder, blockId);
    const corrupted = fs.readFileSync(file);

    await waitFor('the scanner found the bad sole replica', () => cluster.dn(holder).lines.some(
      (l) => l.event === 'scanner-bad-replica' && l.blockId === blockId), 30_000);
    await waitFor('fsck counts it corrupt', async () => {
      const r = await fsck(cluster);
      return r.corrupt === 1 && !r.healthy ? r : undefined;
    }, 15_000);
    // Let the scanner finish another pass (the NameNode meanwhile has run its repair checks many times).
    const passes = await metric(cluster, holder, 'minidfs_datanode_scanner_passes_total');
    await waitFor('another scanner pass', async () => (await metric(cluster, holder, 'minidfs_datanode_scanner_passes_total')) >= passes + 1, 45_000, 200);

    expect(fs.readFileSync(file).equals(corrupted)).toBe(true);
    expect(blockFilesOnDisk(cluster.root, [...cluster.datanodes.keys()]).get(blockId)).toEqual([holder]);
    expect(cluster.nn.lines.some((l) => l.event === 'replication-invalidated' && l.blockId === blockId)).toBe(false);
    expect(cluster.dn(holder).lines.filter((l) => l.event === 'scanner-bad-replica' && l.blockId === blockId)).toHaveLength(1);
    expect(await metric(cluster, holder, 'minidfs_datanode_scanner_bad_replicas_total')).toBe(1);
    expect(await fsck(cluster)).toMatchObject({ blocks: 1, corrupt: 1, healthy: false });
  });
});

describe('a data directory that becomes unusable', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('the DataNode reports the failed volume once, its replicas are re-replicated elsewhere, and it gets no new ones', async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)], { datanodeArgs: ['--directory-scan-interval-ms', '300'] });
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const files = new Map([['/vol/a', crypto.randomBytes(100_000)], ['/vol/b', crypto.randomBytes(100_000)]]);
    for (const [name, data] of files) await client.writeFile(name, data, { replication: 3 });
    const blocksOf = async (name: string) => (await client.getBlockLocations(name)).blocks.map((b) => ({ blockId: b.blockId, nodes: b.locations.map((l) => l.nodeId) }));
    const before = (await Promise.all([...files.keys()].map(blocksOf))).flat();
    const victim = before[0]!.nodes[0]!;
    const held = before.filter((b) => b.nodes.includes(victim)).length;

    // The block directory is replaced by a plain file (as root, chmod would not stop this process).
    const current = path.join(cluster.root, victim, 'blocks', 'current');
    fs.renameSync(current, `${current}.gone`);
    fs.writeFileSync(current, 'not a directory');

    const failed = await waitFor('the victim reports its volume failed', () => cluster.dn(victim).lines.find((l) => l.event === 'volume-failed'), 15_000);
    expect(failed).toMatchObject({ replicas: held });
    expect(String(failed.reason)).toMatch(/not a directory/);
    await waitFor('every block back to 3 replicas, none on the victim, all on disk', async () => {
      const now = (await Promise.all([...files.keys()].map(blocksOf))).flat();
      const onDisk = blockFilesOnDisk(cluster.root, [...cluster.datanodes.keys()]);
      return now.every((b) => b.nodes.length === 3 && !b.nodes.includes(victim) && b.nodes.every((n) => onDisk.get(b.blockId)?.includes(n)));
    }, 45_000, 100);
    const r = await waitFor('fsck healthy', async () => ((await fsck(cluster)).healthy ? fsck(cluster) : undefined), 15_000);
    expect(r).toMatchObject({ corrupt: 0, missing: 0, underReplicated: 0 });
    for (const [name, data] of files) expect((await client.readFile(name)).equals(data)).toBe(true);

    // Still LIVE (it heartbeats), one failed volume, nothing left and no room reported: new blocks go elsewhere.
    const report = await cluster.waitForReport('the victim reports its failed volume', (rep) => rep.datanodes.some(
      (d) => d.id === victim && (d as unknown as { failedVolumes: number }).failedVolumes === 1));
    expect(report.datanodes.find((d) => d.id === victim)).toMatchObject({ state: 'LIVE', blocks: 0, remainingBytes: 0, failedVolumes: 1 });
    await client.writeFile('/vol/c', crypto.randomBytes(100_000), { replication: 3 });
    for (const b of await blocksOf('/vol/c')) expect(b.nodes).not.toContain(victim);
    expect(cluster.dn(victim).lines.filter((l) => l.event === 'volume-failed')).toHaveLength(1);
  });
});
