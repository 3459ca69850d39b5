/**
 * DfsClient and the fs CLI end to end on real processes (a NameNode and DataNodes on 127.0.0.1,
 * fast liveness profile, 1 MiB blocks so multi-block files are quick): round trips at chunk and
 * block edges with sha256 equality; the replication factor on disk (blk_<id> files); reads after a
 * DataNode is DEAD never touch it; a pipeline DataNode killed with -9 in the middle of a 50 MiB write
 * is excluded and the block resent; a corrupted replica is detected, reported to the NameNode and
 * read around; the CLI (put, ls, cat, get, stat, rm); bad input (write-once, '..' paths).
 */
import * as grpc from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DfsClient, type PipelineEvent } from '@minidfs/client';
import { CHANNEL_OPTIONS, ERROR_METADATA_KEY, FileAlreadyExistsError, InvalidPathError, loadProtos } from '@minidfs/common';
import { FAST, TestCluster } from '../support/cluster';
import { CLI } from '../support/processes';

const MiB = 1024 * 1024;
const BLOCK = MiB;
const run = promisify(execFile);

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Every `blk_<id>` data file under the DataNodes' dirs (not meta files), as `dnX` ids. */
function replicasOnDisk(cluster: TestCluster, blockId: number): string[] {
  const holders: string[] = [];
  for (const id of cluster.datanodes.keys()) {
    const dir = path.join(cluster.root, id);
    if (!fs.existsSync(dir)) continue;
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
    if (files.some((f) => path.basename(f) === `blk_${blockId}`)) holders.push(id);
  }
  return holders.sort();
}

function blockFile(cluster: TestCluster, nodeId: string, blockId: number): string {
  const dir = path.join(cluster.root, nodeId);
  const rel = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f) === `blk_${blockId}`);
  if (!rel) throw new Error(`no blk_${blockId} on ${nodeId}`);
  return path.join(dir, rel);
}

describe('DfsClient on a real 3-node cluster', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(3, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  test.each([0, 1, 511, 512, 513, MiB, 3.5 * MiB])('round trip of %d bytes: same sha256, block count from the block size', async (size) => {
    const data = randomBytes(size);
    const p = `/roundtrip/f-${size}`;
    await client.writeFile(p, data);
    expect(client.lastWriteStats).toMatchObject({ completed: true, bytesWritten: size, blocks: Math.ceil(size / BLOCK), pipelinesAbandoned: 0 });
    const status = await client.stat(p);
    expect(status).toMatchObject({ isDirectory: false, lengthBytes: size, complete: true, blockSizeBytes: BLOCK, replication: 3, blockCount: Math.ceil(size / BLOCK) });
    expect(sha256(await client.readFile(p))).toBe(sha256(data));
    const pieces: Buffer[] = [];
    await pipeline(client.createReadStream(p), async (source: AsyncIterable<Buffer>) => { for await (const b of source) pieces.push(b); });
    expect(sha256(Buffer.concat(pieces))).toBe(sha256(data));
  });

  test('a streamed write of many small chunks with an explicit block size', async () => {
    const data = randomBytes(2 * MiB + 12345);
    const stream = client.createWriteStream('/streamed/f', { blockSizeBytes: 512 * 1024 });
    const blocks: number[] = [];
    stream.on('block', (e) => blocks.push(e.lengthBytes));
    await pipeline(Readable.from((function* () { for (let i = 0; i < data.length; i += 10_000) yield data.subarray(i, i + 10_000); })()), stream);
    expect(blocks).toEqual([512 * 1024, 512 * 1024, 512 * 1024, 512 * 1024, 12345]);
    expect(sha256(await client.readFile('/streamed/f'))).toBe(sha256(data));
  });

  test('the replication factor is honoured on disk: exactly N blk_<id> files per block', async () => {
    for (const replication of [1, 2, 3]) {
      const p = `/replication/r${replication}`;
      await client.writeFile(p, randomBytes(2.5 * MiB), { replication });
      const { status, blocks } = await client.getBlockLocations(p);
      expect(status.replication).toBe(replication);
      expect(blocks).toHaveLength(3);
      for (const b of blocks) {
        const onDisk = replicasOnDisk(cluster, b.blockId);
        expect(onDisk).toHaveLength(replication);
        expect(b.locations.map((l) => l.nodeId).sort()).toEqual(onDisk);
      }
    }
  });

  test('write-once: writing an existing path is FileAlreadyExistsError and the original is unchanged', async () => {
    const original = randomBytes(1000);
    await client.writeFile('/once/f', original);
    await expect(client.writeFile('/once/f', 'other content')).rejects.toBeInstanceOf(FileAlreadyExistsError);
    await expect(client.writeFile('/once', 'a directory is there')).rejects.toBeInstanceOf(FileAlreadyExistsError);
    expect((await client.readFile('/once/f')).equals(original)).toBe(true);
    expect(await client.stat('/once/f')).toMatchObject({ lengthBytes: 1000, complete: true });
  });

  test("'..' paths are InvalidPathError, in the client and on the NameNode", async () => {
    await expect(client.writeFile('/a/../../x', 'x')).rejects.toBeInstanceOf(InvalidPathError);
    await expect(client.mkdir('/a/../../x')).rejects.toBeInstanceOf(InvalidPathError);
    await expect(client.readFile('relative/path')).rejects.toBeInstanceOf(InvalidPathError);
    // The NameNode checks too (a client that skips the local check gets the same typed error).
    const raw = new (loadProtos().ClientProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const err = await new Promise<grpc.ServiceError | null>((resolve) => raw.Mkdirs({ path: '/a/../../x' }, (e) => resolve(e)));
    raw.close();
    expect(err?.metadata.get(ERROR_METADATA_KEY)).toEqual(['INVALID_PATH']);
    expect(await client.exists('/x')).toBe(false);
  });

  test('namespace: mkdir -p, list, stat, exists, delete', async () => {
    await client.mkdir('/ns/a/b');
    await client.writeFile('/ns/a/f', 'hello');
    expect((await client.list('/ns/a')).map((s) => [s.path, s.isDirectory])).toEqual([['/ns/a/b', true], ['/ns/a/f', false]]);
    expect(await client.list('/ns/a/f')).toEqual([expect.objectContaining({ path: '/ns/a/f', lengthBytes: 5 })]);
    expect(await client.exists('/ns/a/b')).toBe(true);
    expect(await client.exists('/ns/nope')).toBe(false);
    await expect(client.mkdir('/ns/x/y', { parents: false })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(client.delete('/ns', { recursive: false })).rejects.toMatchObject({ code: 'DIRECTORY_NOT_EMPTY' });
    expect(await client.delete('/ns', { recursive: true })).toBe(true);
    expect(await client.delete('/ns', { recursive: true })).toBe(false);
    expect(await client.exists('/ns/a/f')).toBe(false);
  });

  test('CLI: put, ls, stat, cat, get, rm', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-cli-'));
    const env = { ...process.env, MINIDFS_NAMENODE: cluster.namenodeAddress };
    const cli = async (...args: string[]) => {
      const r = await run(process.execPath, [CLI, ...args], { env, encoding: 'buffer', maxBuffer: 64 * MiB });
      return { stdout: r.stdout, stderr: r.stderr.toString() };
    };
    try {
      const data = randomBytes(2 * MiB + 77);
      fs.writeFileSync(path.join(dir, 'in.bin'), data);
      const put = await cli('put', path.join(dir, 'in.bin'), '/cli/in.bin', '--replication', '2', '--block-size', String(MiB));
      expect(put.stdout.length).toBe(0);
      expect(put.stderr).toBe(''); // not a TTY: no progress bar, nothing extra

      const ls = (await cli('ls', '/cli')).stdout.toString().trimEnd().split('\n');
      expect(ls[0]).toBe('Found 1 items');
      expect(ls[1]).toMatch(new RegExp(`^-\\s+2\\s+${data.length}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+/cli/in\\.bin$`));
      const lsRoot = (await cli('ls', '-R', '/', '--namenode', cluster.namenodeAddress)).stdout.toString();
      expect(lsRoot).toMatch(/^d\s+-\s+0\s+.*\s\/cli$/m);
      expect(lsRoot).toMatch(/^-\s+2\s+\d+\s+.*\s\/cli\/in\.bin$/m);

      expect(JSON.parse((await cli('stat', '/cli/in.bin')).stdout.toString())).toMatchObject({
        path: '/cli/in.bin', isDirectory: false, lengthBytes: data.length, replication: 2, blockSizeBytes: MiB, complete: true, blockCount: 3,
      });
      expect(sha256((await cli('cat', '/cli/in.bin')).stdout)).toBe(sha256(data));

      await cli('get', '/cli/in.bin', path.join(dir, 'out.bin'));
      expect(sha256(fs.readFileSync(path.join(dir, 'out.bin')))).toBe(sha256(data));
      expect(fs.readdirSync(dir).sort()).toEqual(['in.bin', 'out.bin']); // no ._COPYING_ left behind

      const again = await cli('put', path.join(dir, 'in.bin'), '/cli/in.bin').catch((e: { code: number; stderr: Buffer }) => e);
      expect(again).toMatchObject({ code: 1 });
      expect(String((again as { stderr: Buffer }).stderr)).toMatch(/^minidfs: FILE_ALREADY_EXISTS: /);

      expect((await cli('rm', '/cli/in.bin')).stdout.toString()).toBe('Deleted /cli/in.bin\n');
      const gone = await cli('cat', '/cli/in.bin').catch((e: { code: number; stderr: Buffer }) => e);
      expect(gone).toMatchObject({ code: 1 });
      expect(String((gone as { stderr: Buffer }).stderr)).toMatch(/^minidfs: FILE_NOT_FOUND: /);

      await cli('mkdir', '-p', '/cli/d/e');
      const rmDir = await cli('rm', '/cli/d').catch((e: { code: number; stderr: Buffer }) => e);
      expect(String((rmDir as { stderr: Buffer }).stderr)).toMatch(/^minidfs: IS_A_DIRECTORY: /);
      await cli('rm', '-r', '/cli/d');
      expect(await client.exists('/cli/d')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DfsClient reads around failed and corrupt DataNodes', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  beforeEach(async () => {
    // DEAD after 2 s, not FAST's 400 ms: a replica's holder falsely DEAD for a moment on a loaded
    // CI box drops the replica from the block map, and the corrupt-replica report is then refused.
    cluster = await TestCluster.start(3, { ...FAST, deadAfter: 20 }, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterEach(async () => {
    client.close();
    await cluster.stop();
  });

  test('a DataNode killed after a write: once it is DEAD, reads succeed and never contact it', async () => {
    const data = randomBytes(3.5 * MiB);
    await client.writeFile('/dead/f', data);
    await cluster.dn('dn2').kill9();
    await cluster.waitForState('dn2', 'DEAD');
    const { blocks } = await client.getBlockLocations('/dead/f');
    for (const b of blocks) expect(b.locations.map((l) => l.nodeId)).not.toContain('dn2');
    expect(sha256(await client.readFile('/dead/f'))).toBe(sha256(data));
    expect(client.readStats!.nodesContacted.length).toBeGreaterThanOrEqual(blocks.length);
    expect(client.readStats!.nodesContacted).not.toContain('dn2');
    expect(client.readStats!.failovers).toEqual([]);
  });

  test('flipped bytes in one replica: the read returns correct data, fails over and tells the NameNode', async () => {
    const data = randomBytes(1.5 * MiB);
    await client.writeFile('/corrupt/f', data);
    const { blocks } = await client.getBlockLocations('/corrupt/f');
    const victim = blocks[0]!.locations[0]!.nodeId; // the replica a reader tries first
    const file = blockFile(cluster, victim, blocks[0]!.blockId);
    const bytes = fs.readFileSync(file);
    for (const at of [0, 1000, 100_000]) bytes[at]! ^= 0xff;
    fs.writeFileSync(file, bytes);

    // The NameNode may order equally good replicas differently per call: read until a read hits the
    // corrupt one (every read must return the right bytes regardless).
    let hit: NonNullable<DfsClient['readStats']> | undefined;
    for (let i = 0; i < 20 && !hit; i++) {
      expect(sha256(await client.readFile('/corrupt/f'))).toBe(sha256(data));
      if (client.readStats!.failovers.length > 0) hit = client.readStats;
    }
    expect(hit).toBeDefined();
    expect(hit!.failovers).toEqual([expect.objectContaining({ blockId: blocks[0]!.blockId, nodeId: victim, code: 'CHECKSUM_MISMATCH' })]);
    expect(hit!.badReplicasReported).toEqual([{ blockId: blocks[0]!.blockId, nodeId: victim }]);
    expect(hit!.nodesContacted[0]).toBe(victim);
    expect(hit!.nodesContacted[1]).not.toBe(victim);
  });
});

describe('DfsClient write pipeline recovery on a real 4-node cluster', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(4, FAST, ['--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('kill -9 of a pipeline DataNode during a 50 MiB write: the block is resent elsewhere, the file reads back identical', async () => {
    const data = randomBytes(50 * MiB);
    const stream = client.createWriteStream('/pipeline/big');
    let killed: string | undefined;
    const pipelines: PipelineEvent[] = [];
    stream.on('pipeline', (e) => {
      pipelines.push(e);
      // Blocks 0 and 1 are acknowledged; kill the tail of block 2's pipeline before any of its bytes
      // are sent, so the failure must surface through the pipeline (minidfs-bad-node) of this block.
      if (killed === undefined && e.blockIndex === 2) {
        killed = e.nodeIds.at(-1)!;
        cluster.dn(killed).signal('SIGKILL');
      }
    });
    await pipeline(Readable.from((function* () { for (let i = 0; i < data.length; i += MiB) yield data.subarray(i, i + MiB); })()), stream);

    expect(killed).toBeDefined();
    const stats = client.lastWriteStats!;
    expect(stats).toMatchObject({ completed: true, blocks: 50, bytesWritten: data.length });
    expect(stats.pipelinesAbandoned).toBeGreaterThanOrEqual(1);
    expect(stats.excludedNodes).toContain(killed);
    // After the failure no pipeline includes the killed node again.
    const failedAt = pipelines.findIndex((p) => p.blockIndex === 2);
    for (const p of pipelines.slice(failedAt + 1)) expect(p.nodeIds).not.toContain(killed);
    expect(pipelines.filter((p) => p.blockIndex === 2).length).toBeGreaterThanOrEqual(2);

    expect(sha256(await client.readFile('/pipeline/big'))).toBe(sha256(data));
    const { blocks } = await client.getBlockLocations('/pipeline/big');
    expect(blocks).toHaveLength(50);
    expect(blocks.reduce((n, b) => n + b.lengthBytes, 0)).toBe(data.length);
  }, 180_000);
});
