/**
 * Durability and bad input on real processes: every acknowledged file survives a NameNode kill -9
 * (namespace from the fsynced store, locations from block reports, safe mode meanwhile); the
 * README's promise (put 100 MiB, kill any DataNode, get it back byte-identical) through the CLI;
 * malformed and oversized requests get typed errors and change nothing.
 */
import * as grpc from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CHANNEL_OPTIONS, ERROR_METADATA_KEY, Limits, SafeModeError, loadProtos } from '@minidfs/common';
import { DfsClient } from '@minidfs/client';
import { rawTransfer } from '../support/transfer';
import { TestCluster } from '../support/cluster';
import { CLI } from '../support/processes';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('NameNode restart and bad input', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  afterEach(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('NameNode kill -9 and restart: safe mode until reports arrive, then every acknowledged file reads back', async () => {
    cluster = await TestCluster.start(3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 5; i++) {
      const data = crypto.randomBytes(200_000 + i * 77_777);
      await client.writeFile(`/keep/f${i}`, data, { blockSizeBytes: 128 * 1024 });
      files.set(`/keep/f${i}`, data);
    }
    await client.writeFile('/keep/empty', Buffer.alloc(0));
    files.set('/keep/empty', Buffer.alloc(0));
    client.close();

    await cluster.nn.kill9();
    for (const dn of cluster.datanodes.values()) dn.signal('SIGSTOP'); // hold the block reports back
    await cluster.startNameNode();
    const r = await cluster.report();
    expect(r.safeMode).toBe(true);
    client = new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0 });
    await expect(client.mkdir('/new')).rejects.toBeInstanceOf(SafeModeError);
    await expect(client.readFile('/keep/f0')).rejects.toBeInstanceOf(SafeModeError);
    expect((await client.list('/keep')).map((s) => s.path).sort()).toEqual([...files.keys()].sort()); // namespace is back

    for (const dn of cluster.datanodes.values()) dn.signal('SIGCONT');
    await cluster.waitForReport('safe mode off', (x) => !x.safeMode && x.live === 3);
    for (const [p, data] of files) expect(sha(await client.readFile(p))).toBe(sha(data));
    await client.mkdir('/new');
  });

  test('README promise: put 100 MiB with the CLI, kill any one DataNode, get it back byte-identical', async () => {
    cluster = await TestCluster.start(3);
    const local = path.join(cluster.root, 'big.bin');
    const data = crypto.randomBytes(100 * 1024 * 1024);
    fs.writeFileSync(local, data);
    const env = { ...process.env, MINIDFS_NAMENODE: cluster.namenodeAddress };
    await run(process.execPath, [CLI, 'put', local, '/big.bin', '--block-size', String(16 * 1024 * 1024)], { env });
    await cluster.dn('dn2').kill9();
    const back = path.join(cluster.root, 'back.bin');
    await run(process.execPath, [CLI, 'get', '/big.bin', back], { env });
    expect(sha(fs.readFileSync(back))).toBe(sha(data));
  });

  test('bad input gets typed errors and changes nothing', async () => {
    cluster = await TestCluster.start(3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    await client.writeFile('/orig', 'original');
    const protos = loadProtos();
    const nn = new protos.ClientProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const call = <T>(method: string, req: object) => new Promise<T>((resolve, reject) =>
      (nn as unknown as Record<string, (r: object, cb: (e: grpc.ServiceError | null, v: T) => void) => void>)[method](req, (e, v) => (e ? reject(e) : resolve(v))));
    const codeOf = async (p: Promise<unknown>) => {
      const e = (await p.then(() => undefined, (err: grpc.ServiceError) => err))!;
      return { status: e.code, code: e.metadata?.get(ERROR_METADATA_KEY)[0] };
    };
    expect(await codeOf(call('Create', { path: '/a/../../x', clientName: 'c' }))).toEqual({ status: grpc.status.INVALID_ARGUMENT, code: 'INVALID_PATH' });
    expect(await codeOf(call('Create', { path: '/orig', clientName: 'c' }))).toEqual({ status: grpc.status.ALREADY_EXISTS, code: 'FILE_ALREADY_EXISTS' });
    expect(await codeOf(call('Create', { path: '/x', clientName: 'c', replication: 99 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // In range, but more than the registered DataNodes: refused as such.
    expect(await codeOf(call('Create', { path: '/x', clientName: 'c', replication: 4 }))).toEqual({ status: grpc.status.RESOURCE_EXHAUSTED, code: 'NOT_ENOUGH_DATANODES' });
    expect(await codeOf(call('ReportBadReplica', { blockId: 0, nodeId: 'dn1' }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await codeOf(call('AbandonBlock', { path: '/orig', clientName: 'c', blockId: 2 ** 53 }))).toMatchObject({ status: grpc.status.INVALID_ARGUMENT });
    // Oversized message: refused by the transport before any handler runs.
    const huge = 'x'.repeat(Limits.maxGrpcMessageBytes + 1024);
    const big = new protos.ClientProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), {
      ...CHANNEL_OPTIONS, 'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    const oversized = await new Promise<grpc.ServiceError>((resolve) => big.Mkdirs({ path: `/${huge}` }, (e) => resolve(e!)));
    expect(oversized.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    big.close();
    nn.close();
    expect((await client.readFile('/orig')).toString()).toBe('original');
    expect((await client.list('/')).map((s) => s.path)).toEqual(['/orig']);
    expect(cluster.nn.alive).toBe(true);
    // A raw DataNode read (block transfer port) of an invalid block id.
    const dnLocation = (await client.getBlockLocations('/orig')).blocks[0]!.locations[0]!;
    const readErr = await rawTransfer(dnLocation, { op: 'TRANSFER_OP_READ', blockId: 0, generationStamp: 0, accessToken: '' });
    expect(readErr.error?.code).toBe('INVALID_ARGUMENT');
    await waitFor('cluster still whole', async () => (await cluster.report()).live === 3);
  });
});
