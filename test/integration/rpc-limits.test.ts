/**
 * Limits at the NameNode's RPC edge on real processes:
 *  - every request string has a named limit: a 3.5 MB ReportBadReplica reason (and an over-long
 *    client name, node id, path) is refused with INVALID_ARGUMENT and the NameNode lives on;
 *  - ReportBadReplica naming invented node ids is refused with UNKNOWN_NODE and queues nothing
 *    (minidfs_namenode_datanode_command_queue stays put);
 *  - a client's bad-replica report is checked by the NameNode's own read: a healthy replica stays
 *    healthy (fsck), a really corrupted one is confirmed (verdict corrupt) and repaired;
 *  - ListStatus lists in pages of Limits.listingPageSize with startAfter/remaining, the client and
 *    `minidfs ls` list a 3,000-entry directory of long names whole, the HTTP API pages too;
 *  - heartbeat and registration values out of range (a negative number sent as uint64, a sequence
 *    of 2^64 - 1) are refused with INVALID_ARGUMENT and change nothing: later beats still count;
 *  - `namenode --block-size 1000` (or 2^40) exits at once with a clear error.
 * No sleeps: poll until a deadline.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { DfsClient } from '@minidfs/client';
import {
  CHANNEL_OPTIONS, type ClientProtocolClient, type DatanodeProtocolClient, ERROR_METADATA_KEY, type HeartbeatResponse__Output, Limits, loadProtos,
} from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { CLI, NodeProcess } from '../support/processes';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const run = promisify(execFile);
const BLOCK = 64 * 1024;

type Unary = (req: object, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => unknown;

/** A raw unary call: resolves with the response or the typed error code (minidfs-error metadata). */
function call<T = unknown>(client: object, method: string, req: object): Promise<{ res?: T; code?: string; message?: string }> {
  const fn = (client as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve) => fn(req, (err, res) => {
    if (err) resolve({ code: String(err.metadata?.get(ERROR_METADATA_KEY)[0] ?? `grpc-${err.code}`), message: err.details });
    else resolve({ res: res as T });
  }));
}

async function metric(cluster: TestCluster, name: string, labels: string): Promise<number> {
  const text = (await cluster.httpGet('/metrics')).body.toString('utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function fsck(cluster: TestCluster): Promise<{ healthy: boolean; corrupt: number; blocks: number }> {
  return JSON.parse((await cluster.httpGet('/api/fsck')).body.toString('utf8')) as { healthy: boolean; corrupt: number; blocks: number };
}

function blockFile(cluster: TestCluster, nodeId: string, blockId: number): string {
  const dir = path.join(cluster.root, nodeId);
  const rel = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f) === `blk_${blockId}`);
  if (!rel) throw new Error(`no blk_${blockId} on ${nodeId}`);
  return path.join(dir, rel);
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function parallel<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe('ClientProtocol limits and bad-replica reports (authenticated cluster)', () => {
  let cluster: TestCluster;
  let client: DfsClient;
  let raw: ClientProtocolClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(3, undefined, ['--replication', '2', '--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    raw = new (loadProtos().ClientProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as ClientProtocolClient;
  });

  afterAll(async () => {
    raw?.close();
    client?.close();
    await cluster?.stop();
  });

  test('over-long strings are refused with INVALID_ARGUMENT and the NameNode lives on', async () => {
    await client.writeFile('/limits/f', randomBytes(1000));
    const { blocks } = await client.getBlockLocations('/limits/f');
    const blockId = blocks[0]!.blockId;
    const nodeId = blocks[0]!.locations[0]!.nodeId;
    const reason = 'x'.repeat(3.5 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const r = await call(raw, 'ReportBadReplica', { blockId, nodeId, reason });
      expect(r.code).toBe('INVALID_ARGUMENT');
      expect(r.message).toContain('maxReportReasonLength');
    }
    expect((await call(raw, 'ReportBadReplica', { blockId, nodeId: 'n'.repeat(Limits.maxNodeIdLength + 1), reason: '' })).code).toBe('INVALID_ARGUMENT');
    expect((await call(raw, 'Create', { path: '/limits/g', clientName: 'c'.repeat(Limits.maxClientNameLength + 1) })).code).toBe('INVALID_ARGUMENT');
    expect((await call(raw, 'AddBlock', { path: '/limits/g', clientName: 'c', excludeNodeIds: ['e'.repeat(200)] })).code).toBe('INVALID_ARGUMENT');
    expect((await call(raw, 'Mkdirs', { path: `/${'p'.repeat(Limits.maxPathLength)}` })).code).toBe('INVALID_ARGUMENT');
    expect((await call(raw, 'ListStatus', { path: '/', startAfter: 's'.repeat(Limits.maxPathComponentLength + 1) })).code).toBe('INVALID_ARGUMENT');
    expect((await call(raw, 'Create', { path: '/limits/h', replication: 2, blockSizeBytes: 1000, clientName: 'c' })).code).toBe('INVALID_ARGUMENT');
    expect(cluster.nn.alive).toBe(true);
    expect((await client.stat('/limits/f')).lengthBytes).toBe(1000);
    expect(await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="corrupt"')).toBe(0);
  });

  test('reports naming invented nodes, unknown blocks or non-holders are refused and queue nothing', async () => {
    await client.writeFile('/limits/ghost', randomBytes(1000));
    const { blocks } = await client.getBlockLocations('/limits/ghost');
    const blockId = blocks[0]!.blockId;
    const holders = blocks[0]!.locations.map((l) => l.nodeId);
    const before = await metric(cluster, 'minidfs_namenode_datanode_command_queue', 'what="nodes"');
    const ids = Array.from({ length: 2000 }, (_, i) => `ghost-${i}-${randomBytes(4).toString('hex')}`);
    const codes = new Map<string, number>();
    await parallel(ids, 50, async (nodeId) => {
      const r = await call(raw, 'ReportBadReplica', { blockId, nodeId, reason: 'invented' });
      codes.set(r.code ?? 'OK', (codes.get(r.code ?? 'OK') ?? 0) + 1);
    });
    expect(Object.fromEntries(codes)).toEqual({ UNKNOWN_NODE: 2000 });
    expect(await metric(cluster, 'minidfs_namenode_datanode_command_queue', 'what="nodes"')).toBeLessThanOrEqual(Math.max(before, 3));
    expect(await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="refused"')).toBeGreaterThanOrEqual(2000);

    expect((await call(raw, 'ReportBadReplica', { blockId: 987_654_321, nodeId: holders[0], reason: '' })).code).toBe('BLOCK_NOT_FOUND');
    const nonHolder = ['dn1', 'dn2', 'dn3'].find((n) => !holders.includes(n))!;
    expect((await call(raw, 'ReportBadReplica', { blockId, nodeId: nonHolder, reason: '' })).code).toBe('BLOCK_NOT_FOUND');
    expect((await fsck(cluster)).corrupt).toBe(0);
  });

  test("a client's report of a healthy replica is checked and changes nothing", async () => {
    await client.writeFile('/limits/healthy', randomBytes(3 * BLOCK + 100));
    const { blocks } = await client.getBlockLocations('/limits/healthy');
    const healthyBefore = await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="healthy"');
    for (const b of blocks) {
      const r = await call(raw, 'ReportBadReplica', { blockId: b.blockId, nodeId: b.locations[0]!.nodeId, reason: 'lying client' });
      expect(r.code).toBeUndefined();
    }
    await waitFor('the NameNode read every reported replica', async () =>
      (await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="healthy"')) >= healthyBefore + blocks.length);
    expect(await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="corrupt"')).toBe(0);
    const report = await fsck(cluster);
    expect(report.corrupt).toBe(0);
    expect(report.healthy).toBe(true);
    const again = await client.getBlockLocations('/limits/healthy');
    for (const b of again.blocks) expect(b.locations).toHaveLength(2);
  });

  test("a client's report of a really corrupted replica is confirmed by the NameNode's read and repaired", async () => {
    const data = randomBytes(BLOCK);
    await client.writeFile('/limits/corrupt', data);
    const { blocks } = await client.getBlockLocations('/limits/corrupt');
    const blockId = blocks[0]!.blockId;
    const victim = blocks[0]!.locations[0]!.nodeId;
    const file = blockFile(cluster, victim, blockId);
    const bytes = fs.readFileSync(file);
    bytes[1000]! ^= 0xff;
    fs.writeFileSync(file, bytes);

    const from = cluster.nn.lines.length;
    expect((await call(raw, 'ReportBadReplica', { blockId, nodeId: victim, reason: 'checksum mismatch' })).code).toBeUndefined();
    const verified = await waitFor('the verdict on the reported replica', () =>
      cluster.nn.lines.slice(from).find((l) => l.event === 'replica-verified' && l.blockId === blockId && l.nodeId === victim));
    expect(verified.verdict).toBe('corrupt');
    expect(await metric(cluster, 'minidfs_namenode_bad_replica_reports', 'outcome="corrupt"')).toBeGreaterThanOrEqual(1);
    // The corrupt replica is replaced from the good one: two good replicas again, neither the corrupt one.
    await waitFor('block repaired', async () => {
      const b = (await client.getBlockLocations('/limits/corrupt')).blocks[0]!;
      const f = await fsck(cluster);
      return f.healthy && b.locations.length === 2 && !b.locations.some((l) => l.nodeId === victim);
    }, 30_000);
    expect((await client.readFile('/limits/corrupt')).equals(data)).toBe(true);
  });

  test('ListStatus pages a 3,000-entry directory of long names; the client, the CLI and the HTTP API list it whole', async () => {
    const N = 3000;
    const names = Array.from({ length: N }, (_, i) => `${String(i).padStart(5, '0')}-${'n'.repeat(200)}`);
    await client.mkdir('/big', { parents: true });
    await parallel(names, 64, (name) => client.mkdir(`/big/${name}`));

    const first = await call<{ entries: Array<{ path: string }>; remaining: number }>(raw, 'ListStatus', { path: '/big' });
    expect(first.res!.entries).toHaveLength(Limits.listingPageSize);
    expect(first.res!.remaining).toBe(N - Limits.listingPageSize);
    const lastName = path.posix.basename(first.res!.entries.at(-1)!.path);
    const second = await call<{ entries: Array<{ path: string }>; remaining: number }>(raw, 'ListStatus', { path: '/big', startAfter: lastName });
    expect(path.posix.basename(second.res!.entries[0]!.path)).toBe(names[Limits.listingPageSize]);
    expect(second.res!.remaining).toBe(N - 2 * Limits.listingPageSize);

    const pages: number[] = [];
    for await (const page of client.listPages('/big')) pages.push(page.entries.length);
    expect(pages).toEqual([1000, 1000, 1000]);
    const all = await client.list('/big');
    expect(all.map((e) => path.posix.basename(e.path))).toEqual(names);

    const env = { ...process.env, MINIDFS_NAMENODE: cluster.namenodeAddress };
    const ls = await run(process.execPath, [CLI, 'ls', '/big'], { env, maxBuffer: 64 * 1024 * 1024 });
    const lines = ls.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Found ${N} items`);
    expect(lines.slice(1).map((l) => path.posix.basename(l.trim().split(/\s+/).pop()!))).toEqual(names);

    const seen: string[] = [];
    let startAfter = '';
    for (let i = 0; i < 10; i++) {
      const res = await cluster.httpGet(`/api/files?path=/big${startAfter ? `&startAfter=${encodeURIComponent(startAfter)}` : ''}`);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body.toString('utf8')) as { entries: Array<{ path: string }>; remaining: number; nextStartAfter?: string };
      expect(body.entries.length).toBeLessThanOrEqual(Limits.listingPageSize);
      seen.push(...body.entries.map((e) => path.posix.basename(e.path)));
      if (body.remaining === 0) break;
      startAfter = body.nextStartAfter!;
    }
    expect(seen).toEqual(names);
  });
});

describe('DatanodeProtocol values (open cluster, a raw DataNode)', () => {
  let cluster: TestCluster;
  let dp: DatanodeProtocolClient;

  beforeAll(async () => {
    // Slow beats: the raw node stays LIVE between the test's own beats.
    cluster = await TestCluster.start(0, { heartbeatIntervalMs: 5000, staleAfter: 2, deadAfter: 3 }, [], { secret: false });
    dp = new (loadProtos().DatanodeProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as DatanodeProtocolClient;
  });

  afterAll(async () => {
    dp?.close();
    await cluster?.stop();
  });

  // A negative number goes on the wire as its 64-bit two's complement (grpc-js takes it as a string).
  const NEGATIVE_ONE = '-1';
  const info = (id: string, capacityBytes: number | string) => ({
    id, uuid: `uuid-${id}`, host: '127.0.0.1', dataPort: 50010, httpPort: 0, rack: '/r', capacityBytes, usedBytes: 0, remainingBytes: capacityBytes,
  });

  /** Opens a Heartbeat stream, writes `beats`, and resolves with the acks before the stream ends and its error code. */
  function beats(list: object[]): Promise<{ acked: number[]; code?: string; message?: string }> {
    return new Promise((resolve) => {
      const acked: number[] = [];
      const stream = dp.Heartbeat() as unknown as grpc.ClientDuplexStream<object, HeartbeatResponse__Output>;
      let pending = list.length;
      stream.on('data', (r: HeartbeatResponse__Output) => {
        acked.push(Number(r.ackedSequence));
        if (--pending === 0) { stream.end(); stream.cancel(); resolve({ acked }); }
      });
      stream.on('error', (err: grpc.ServiceError) => {
        resolve({ acked, code: String(err.metadata?.get(ERROR_METADATA_KEY)[0] ?? `grpc-${err.code}`), message: err.details });
      });
      for (const b of list) stream.write(b);
    });
  }

  test('negative values (wrapped uint64) in a registration or heartbeat are refused and change nothing', async () => {
    const bad = await call(dp, 'Register', { info: info('neg', NEGATIVE_ONE) });
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect((await cluster.report()).datanodes).toHaveLength(0);

    const reg = await call<{ registrationId: string }>(dp, 'Register', { info: info('fake', 1e12) });
    const registrationId = reg.res!.registrationId;
    const beat = (sequence: number | string, extra: object = {}) => ({
      nodeId: 'fake', registrationId, sequence, capacityBytes: 1e12, usedBytes: 0, remainingBytes: 1e12, ...extra,
    });
    // Good beats go on one stream that stays open; each bad beat on a stream of its own.
    const good = dp.Heartbeat() as unknown as grpc.ClientDuplexStream<object, HeartbeatResponse__Output>;
    const acks: number[] = [];
    good.on('data', (r: HeartbeatResponse__Output) => acks.push(Number(r.ackedSequence)));
    good.on('error', () => undefined);
    const goodBeat = async (sequence: number) => {
      good.write(beat(sequence));
      await waitFor(`ack of beat ${sequence}`, () => acks.includes(sequence));
    };
    await goodBeat(1);
    await cluster.waitForState('fake', 'LIVE');

    for (const field of ['capacityBytes', 'usedBytes', 'remainingBytes', 'blockCount']) {
      const r = await beats([beat(2, { [field]: NEGATIVE_ONE })]);
      expect(r.code).toBe('INVALID_ARGUMENT');
      expect(r.acked).toEqual([]);
    }
    const entry = (await cluster.report()).datanodes.find((d) => d.id === 'fake')!;
    expect(entry.capacityBytes).toBe(1e12);
    expect(entry.usedBytes).toBe(0);

    // A sequence of 2^64 - 1 (-1 as uint64) is refused; the next ordinary beat still counts.
    const huge = await beats([beat(NEGATIVE_ONE)]);
    expect(huge.code).toBe('INVALID_ARGUMENT');
    expect(huge.message).toContain('sequence');
    await goodBeat(2);
    // So is a leap past Limits.maxHeartbeatSequenceJump (beats go up by one).
    const leap = await beats([beat(3 + Limits.maxHeartbeatSequenceJump)]);
    expect(leap.code).toBe('INVALID_ARGUMENT');
    await goodBeat(3);
    expect(acks).toEqual([1, 2, 3]);
    expect((await cluster.report()).datanodes.find((d) => d.id === 'fake')!.state).toBe('LIVE');
    good.cancel();
    expect(cluster.nn.alive).toBe(true);
  });
});

describe('NameNode --block-size', () => {
  test.each([['1000'], [String(2 ** 40)]])('--block-size %s: the NameNode exits at once with a clear error', async (size) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-bs-'));
    const nn = new NodeProcess('namenode', ['namenode', '--bind', '127.0.0.1', '--rpc-port', '0', '--http-port', '0', '--data-dir', dir, '--block-size', size]);
    const exit = await nn.waitForExit(15_000);
    expect(exit.code).not.toBe(0);
    expect(nn.stderrText.join('\n')).toMatch(/--block-size must be a multiple of 512 bytes/);
    expect(nn.lines.some((l) => l.event === 'started')).toBe(false);
  });
});
