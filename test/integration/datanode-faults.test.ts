/**
 * DataNode faults as HDFS's own tests provoke them, on real processes (fast liveness profile,
 * 1 MiB blocks):
 *  - a replica whose files vanish from a running DataNode's disk is reported gone (on the failed
 *    read or copy, and by the periodic directory scan): the NameNode drops that location at once
 *    and restores the replication from a replica that exists;
 *  - a SIGSTOPped pipeline DataNode costs a write a few seconds (the pipeline ack deadline), not
 *    the 30 s idle timeout, and the node that stopped acking is the one excluded;
 *  - a writer killed mid-write leaves a file that fsck and ls show as open for write.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DfsClient, type PipelineEvent } from '@minidfs/client';
import { FAST, TestCluster } from '../support/cluster';
import { blockFilesOnDisk, findBlockFile } from '../support/disk';
import { CLI } from '../support/processes';
import { waitFor } from '../support/wait';

const MiB = 1024 * 1024;
const BLOCK = MiB;
const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function chunks(data: Buffer): Readable {
  return Readable.from((function* () { for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024); })());
}

/** Removes a finalized replica's data and meta files from a DataNode's data dir (the node keeps running). */
function removeReplicaFiles(cluster: TestCluster, nodeId: string, blockId: number): void {
  const data = findBlockFile(cluster.root, nodeId, blockId);
  if (!data) throw new Error(`no block file of ${blockId} on ${nodeId}`);
  const dir = path.dirname(data);
  for (const name of fs.readdirSync(dir)) {
    if (name === `blk_${blockId}` || name.startsWith(`blk_${blockId}_`)) fs.rmSync(path.join(dir, name));
  }
}

/** The block's locations as the NameNode hands them out. */
async function locationsOf(client: DfsClient, file: string): Promise<Array<{ blockId: number; nodes: string[] }>> {
  const { blocks } = await client.getBlockLocations(file);
  return blocks.map((b) => ({ blockId: b.blockId, nodes: b.locations.map((l) => l.nodeId).sort() }));
}

/** Every location the NameNode lists for the block really has its files, and there are `replication` of them. */
async function waitForTrueReplicas(cluster: TestCluster, client: DfsClient, file: string, blockId: number, replication: number, excluded: string[], timeoutMs = 20_000) {
  const nodeIds = [...cluster.datanodes.keys()];
  return waitFor(`block ${blockId} of ${file}: ${replication} listed replicas, all on disk, none on ${excluded.join(',')}`, async () => {
    const loc = (await locationsOf(client, file)).find((b) => b.blockId === blockId);
    if (!loc || loc.nodes.length !== replication || loc.nodes.some((n) => excluded.includes(n))) return undefined;
    const onDisk = blockFilesOnDisk(cluster.root, nodeIds).get(blockId) ?? [];
    return loc.nodes.every((n) => onDisk.includes(n)) ? loc : undefined;
  }, timeoutMs, 100);
}

describe('a replica whose files vanished from a running DataNode', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('a read of it fails over, the DataNode reports it gone, and the NameNode copies from a replica that exists', async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = randomBytes(BLOCK / 2);
    await client.writeFile('/vanish/read', data, { replication: 3 });
    const [block] = await locationsOf(client, '/vanish/read');
    const victim = block!.nodes[0]!;
    removeReplicaFiles(cluster, victim, block!.blockId);

    // The NameNode shuffles equally good replicas: read until a read tries the victim first. Every
    // read returns the right bytes; the one that hits the victim fails over on BLOCK_NOT_FOUND.
    let hit: NonNullable<DfsClient['readStats']> | undefined;
    for (let i = 0; i < 30 && !hit; i++) {
      expect(sha256(await client.readFile('/vanish/read'))).toBe(sha256(data));
      if (client.readStats!.failovers.length > 0) hit = client.readStats;
    }
    expect(hit).toBeDefined();
    expect(hit!.failovers).toEqual([expect.objectContaining({ blockId: block!.blockId, nodeId: victim, code: 'BLOCK_NOT_FOUND' })]);

    // ... and the victim says so: the NameNode drops it and restores 3 replicas that really exist.
    const dn = cluster.dn(victim);
    await waitFor('the victim logged the lost replica', () => dn.lines.find((l) => l.event === 'replica-missing' && l.blockId === block!.blockId), 20_000);
    await waitForTrueReplicas(cluster, client, '/vanish/read', block!.blockId, 3, [], 30_000);
    expect(sha256(await client.readFile('/vanish/read'))).toBe(sha256(data));
  }, 120_000);

  test('a copy from it fails once: the NameNode drops it at once, and copies from the replica that comes back', async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = randomBytes(BLOCK / 2);
    await client.writeFile('/vanish/copy', data, { replication: 2 });
    const [block] = await locationsOf(client, '/vanish/copy');
    const [victim, other] = block!.nodes;
    removeReplicaFiles(cluster, victim!, block!.blockId);
    // The other holder dies: the NameNode can only copy from the victim, which has nothing to send.
    cluster.dn(other!).signal('SIGKILL');
    await cluster.dn(other!).waitForExit();
    await cluster.waitForState(other!, 'DEAD');

    const dn = cluster.dn(victim!);
    await waitFor('the victim failed a copy and logged the lost replica', () => dn.lines.find((l) => l.event === 'replica-missing' && l.blockId === block!.blockId), 20_000);
    // The ghost is dropped at once (not kept as a source through timed-out copies): the block is missing.
    await waitFor('the NameNode lists no replica of the block', async () => {
      try {
        return (await locationsOf(client, '/vanish/copy'))[0]!.nodes.length === 0;
      } catch (err) {
        return (err as { code?: string }).code === 'NO_LIVE_REPLICA';
      }
    }, 10_000);
    const copyFailures = dn.lines.filter((l) => l.event === 'replicate-failed' && l.blockId === block!.blockId).length;
    expect(copyFailures).toBeLessThanOrEqual(2);

    // The dead holder returns with its replica: the NameNode copies from it, never from the victim's ghost.
    cluster.startDataNode(other!);
    await waitForTrueReplicas(cluster, client, '/vanish/copy', block!.blockId, 2, [], 30_000);
    expect(sha256(await client.readFile('/vanish/copy'))).toBe(sha256(data));
  }, 120_000);

  test('the directory scan finds it without any read and the NameNode replaces it', async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)], { datanodeArgs: ['--directory-scan-interval-ms', '300'] });
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const data = randomBytes(BLOCK / 2);
    await client.writeFile('/vanish/scan', data, { replication: 3 });
    const [block] = await locationsOf(client, '/vanish/scan');
    const victim = block!.nodes[0]!;
    // Data file only: the orphan meta file is quarantined by the scan.
    fs.rmSync(findBlockFile(cluster.root, victim, block!.blockId)!);

    const dn = cluster.dn(victim);
    await waitFor('the scan found the lost replica', () => dn.lines.find((l) => l.event === 'replica-missing' && l.blockId === block!.blockId), 20_000);
    const loc = await waitForTrueReplicas(cluster, client, '/vanish/scan', block!.blockId, 3, [], 30_000);
    // The victim may get a fresh copy back; whatever is listed is on disk.
    expect(loc.nodes).toHaveLength(3);
    expect(sha256(await client.readFile('/vanish/scan'))).toBe(sha256(data));
  }, 120_000);
});

describe('a hung (SIGSTOPped) pipeline DataNode', () => {
  let cluster: TestCluster;
  let client: DfsClient;
  let stopped: string | undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterEach(async () => {
    if (stopped) {
      cluster.dn(stopped).signal('SIGCONT');
      await cluster.waitForState(stopped, 'LIVE');
      stopped = undefined;
    }
  });

  afterAll(async () => {
    if (stopped) cluster?.dn(stopped).signal('SIGCONT');
    client?.close();
    await cluster?.stop();
  });

  test.each([
    ['first', 0],
    ['middle', 1],
    ['last', 2],
  ])('%s node stopped mid-write: the pipeline is rebuilt without it within seconds', async (_where, position) => {
    const file = `/hung/${position}`;
    const data = randomBytes(6 * MiB);
    const stream = client.createWriteStream(file, { replication: 3 });
    let stoppedAtMs = 0;
    stream.on('pipeline', (e: PipelineEvent) => {
      if (stopped === undefined && e.blockIndex === 2) {
        stopped = e.nodeIds[position]!;
        stoppedAtMs = Date.now();
        cluster.dn(stopped).signal('SIGSTOP');
      }
    });
    await pipeline(chunks(data), stream);
    const elapsedMs = Date.now() - stoppedAtMs;

    expect(stopped).toBeDefined();
    const stats = client.lastWriteStats!;
    expect(stats.completed).toBe(true);
    // The node that stopped acking is the one blamed, and only it.
    expect(stats.excludedNodes).toEqual([stopped]);
    // Ack deadline: 3 s base + 1 s per node below the waiter, then a new pipeline (was ~30 s).
    expect(elapsedMs).toBeLessThan(15_000);
    expect(sha256(await client.readFile(file))).toBe(sha256(data));
  }, 120_000);
});

describe('a writer killed mid-write', () => {
  let cluster: TestCluster;
  let client: DfsClient;
  let writer: ChildProcess | undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start(3, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterAll(async () => {
    writer?.kill('SIGKILL');
    client?.close();
    await cluster?.stop();
  });

  test('leaves a file that fsck (CLI, API) and ls show as open for write; fsck stays healthy', async () => {
    await client.writeFile('/abandoned/done', randomBytes(1000));
    writer = spawn(process.execPath, [CLI, 'put', '-', '/abandoned/open', '--namenode', cluster.namenodeAddress], { stdio: ['pipe', 'ignore', 'ignore'] });
    writer.stdin!.write(randomBytes(2 * MiB + 1000));
    await waitFor('the writer wrote two blocks', async () => (await client.stat('/abandoned/open').catch(() => undefined))?.blockCount === 2, 20_000, 50);
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer!.once('exit', resolve));

    const fsckJson = JSON.parse((await run(process.execPath, [CLI, 'fsck', '/abandoned', '--json', '--namenode', cluster.namenodeAddress])).stdout) as Record<string, unknown>;
    expect(fsckJson).toMatchObject({ files: 2, openForWrite: 1, openFiles: ['/abandoned/open'], healthy: true });
    const fsckText = (await run(process.execPath, [CLI, 'fsck', '/abandoned', '--openforwrite', '--namenode', cluster.namenodeAddress])).stdout;
    expect(fsckText).toMatch(/Status: HEALTHY/);
    expect(fsckText).toMatch(/Open for write:\s+1/);
    expect(fsckText).toMatch(/\/abandoned\/open\s+OPENFORWRITE/);

    const api = await cluster.httpGet('/api/fsck?path=/abandoned');
    expect(JSON.parse(api.body.toString('utf8'))).toMatchObject({ openForWrite: 1, openFiles: ['/abandoned/open'], healthy: true });

    const ls = (await run(process.execPath, [CLI, 'ls', '/abandoned', '--namenode', cluster.namenodeAddress])).stdout.split('\n');
    expect(ls.find((l) => l.includes('/abandoned/open'))).toMatch(/\/abandoned\/open\s+\[OPENFORWRITE\]$/);
    expect(ls.find((l) => l.includes('/abandoned/done'))).not.toMatch(/OPENFORWRITE/);
  }, 120_000);
});
