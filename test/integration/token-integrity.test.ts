/**
 * Block integrity against a client that keeps its WRITE token, and the NameNode's HTTP port on a
 * TLS cluster (docs/SECURITY.md), on real processes:
 * - a WRITE token names the block's generation stamp and its pipeline: reused after the block is
 *   finalized, it writes nothing to a DataNode outside the pipeline (PERMISSION_DENIED) nor to a
 *   pipeline node that has the block finalized (FILE_ALREADY_EXISTS); fsck stays healthy and every
 *   read returns the original bytes;
 * - a replica reported by a node the NameNode never placed the block on (right id, stamp and
 *   length) is not recorded as a location, and that node is told to invalidate it;
 * - HTTP downloads on a mutual-TLS cluster: HTTPS only, refused without a CA-signed client
 *   certificate, served with one;
 * - the NameNode and a DataNode started without --bind listen on loopback only.
 */
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import {
  AUTH_METADATA_KEY, CHANNEL_OPTIONS, type ClientProtocolClient, type DatanodeProtocolClient, ERROR_METADATA_KEY,
  SESSION_METADATA_KEY, deriveClusterKeys, loadProtos, loadTls, readSecretFile, signRegistration,
} from '@minidfs/common';
import { FAST, TestCluster, httpsGet } from '../support/cluster';
import { NodeProcess } from '../support/processes';
import { makeTestPki, opensslAvailable } from '../support/tls';
import { rawTransfer } from '../support/transfer';
import { waitFor } from '../support/wait';

interface Status { code: number; minidfsError: string | undefined; details: string }
interface Location { nodeId: string; host: string; dataPort: number; transferPort: number; rack: string }
interface Located { block: { blockId: number; generationStamp: number; lengthBytes: number }; locations: Location[]; accessToken: string }

function statusOf(err: grpc.ServiceError | null | undefined): Status | undefined {
  if (!err) return undefined;
  const e = err.metadata?.get(ERROR_METADATA_KEY)[0];
  return { code: err.code, minidfsError: typeof e === 'string' ? e : undefined, details: err.details };
}

function unary<Res>(fn: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(Object.assign(new Error(err.details), statusOf(err))) : resolve(res!))));
}

/** One block transfer write: header, one last packet with `data`; resolves with the error status, or undefined once finalized. */
async function writeBlock(
  target: Location, header: { blockId: number; generationStamp: number; downstream: Location[]; accessToken: string; purpose: string }, data: Buffer,
): Promise<{ minidfsError: string | undefined; details: string } | undefined> {
  const r = await rawTransfer(target, {
    op: header.purpose === 'REPLICATE' ? 'TRANSFER_OP_REPLICATE' : 'TRANSFER_OP_WRITE', blockId: header.blockId, generationStamp: header.generationStamp,
    targets: header.downstream, accessToken: header.accessToken,
  }, [{ data, last: true }]);
  if (r.error) return { minidfsError: r.error.code, details: r.error.message };
  return r.finalized ? undefined : { minidfsError: undefined, details: 'closed without a finalized ack' };
}

describe('WRITE tokens are bound to the block generation and the pipeline', () => {
  let cluster: TestCluster;
  let clientProtocol: ClientProtocolClient;
  let nnProtocol: DatanodeProtocolClient;
  const original = randomBytes(48 * 1024);
  let located: Located;

  const locationsOf = async (p: string) => {
    const r = await unary<{ blocks: Array<{ locations: Location[] }> }>((cb) => clientProtocol.GetBlockLocations({ path: p }, cb));
    return r.blocks[0].locations.map((l) => l.nodeId).sort();
  };

  beforeAll(async () => {
    cluster = await TestCluster.start(3, FAST, ['--replication', '2']);
    const protos = loadProtos();
    clientProtocol = new protos.ClientProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    nnProtocol = new protos.DatanodeProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    // Write /f the way a client does, keeping the WRITE token the NameNode handed out.
    const clientName = 'token-keeper';
    await unary((cb) => clientProtocol.Create({ path: '/f', replication: 2, blockSizeBytes: 0, createParent: true, clientName }, cb));
    const added = await unary<{ block: { block: Located['block'] | null; locations: Location[]; accessToken: string } | null }>(
      (cb) => clientProtocol.AddBlock({ path: '/f', clientName, excludeNodeIds: [] }, cb));
    const b = added.block!;
    located = { ...b, block: { ...b.block!, generationStamp: Number(b.block!.generationStamp) } };
    expect(located.locations).toHaveLength(2);
    const [first, ...rest] = located.locations;
    const written = await writeBlock(first, {
      blockId: located.block.blockId, generationStamp: located.block.generationStamp, downstream: rest, accessToken: located.accessToken, purpose: 'WRITE',
    }, original);
    expect(written).toBeUndefined();
    await waitFor('/f complete', async () => (await unary<{ complete: boolean }>((cb) => clientProtocol.Complete({
      path: '/f', clientName, blocks: [{ blockId: located.block.blockId, lengthBytes: original.length }],
    }, cb))).complete, 15_000);
  });

  afterAll(async () => {
    clientProtocol?.close();
    nnProtocol?.close();
    await cluster?.stop();
  });

  test('the kept token writes other bytes of the same length nowhere; fsck stays healthy and every read returns the original', async () => {
    const forged = randomBytes(original.length);
    const pipeline = located.locations.map((l) => l.nodeId);
    const report = await cluster.report();
    const outsiderId = report.datanodes.map((d) => d.id).find((id) => !pipeline.includes(id))!;
    const outsider: Location = { nodeId: outsiderId, host: '127.0.0.1', dataPort: await cluster.dataPort(outsiderId), transferPort: await cluster.transferPort(outsiderId), rack: '' };
    const header = { blockId: located.block.blockId, generationStamp: located.block.generationStamp, downstream: [], accessToken: located.accessToken };

    // A node outside the pipeline: the token does not name it, as a client write or as a "replication".
    for (const purpose of ['WRITE', 'REPLICATE']) {
      const refused = await writeBlock(outsider, { ...header, purpose }, forged);
      expect(refused).toMatchObject({ minidfsError: 'PERMISSION_DENIED' });
      expect(refused!.details).toMatch(/does not name/);
    }
    // A pipeline node has the block finalized: a second write of it is refused whatever the token.
    for (const target of located.locations) {
      const refused = await writeBlock(target, { ...header, purpose: 'WRITE' }, forged);
      expect(refused?.minidfsError).toBe('FILE_ALREADY_EXISTS');
    }
    // Another generation stamp of the same block: the token names one stamp.
    const otherGen = await writeBlock(outsider, { ...header, generationStamp: header.generationStamp + 1, purpose: 'WRITE' }, forged);
    expect(otherGen).toMatchObject({ minidfsError: 'PERMISSION_DENIED' });

    // Nothing of the block reached the outsider's disk (not even a tmp file left behind).
    const blockFiles = (nodeId: string) => fs.readdirSync(path.join(cluster.root, nodeId), { recursive: true }).map(String)
      .filter((f) => path.basename(f).startsWith(`blk_${located.block.blockId}`));
    expect(blockFiles(outsiderId)).toEqual([]);
    expect(blockFiles(pipeline[0]).length).toBeGreaterThan(0);

    const fsck = await cluster.httpGet('/api/fsck');
    expect(JSON.parse(fsck.body.toString())).toMatchObject({ healthy: true, corrupt: 0, overReplicated: 0 });
    expect(await locationsOf('/f')).toEqual([...pipeline].sort());
    const client = new DfsClient({ namenode: cluster.namenodeAddress });
    try {
      for (let i = 0; i < 12; i++) expect((await client.readFile('/f')).equals(original)).toBe(true);
    } finally {
      client.close();
    }
  });

  test('a replica reported by a node the block was never placed on is not a location, and the node is told to delete it', async () => {
    const keys = deriveClusterKeys(readSecretFile(cluster.secretFile!));
    const info = {
      id: 'rogue', uuid: 'rogue-uuid', host: '127.0.0.1', dataPort: 1, httpPort: 0, rack: '', capacityBytes: 1 << 30, usedBytes: 0,
      remainingBytes: 1 << 30, softwareVersion: 't',
    };
    const md = new grpc.Metadata();
    md.set(AUTH_METADATA_KEY, signRegistration(keys.register, { nodeId: info.id, uuid: info.uuid, host: info.host, dataPort: info.dataPort }, Date.now()));
    const reg = await unary<{ sessionToken: string; registrationId: string }>((cb) => nnProtocol.Register({ info }, md, cb));
    const session = new grpc.Metadata();
    session.set(SESSION_METADATA_KEY, reg.sessionToken);
    // Heartbeats keep the rogue LIVE; commands arrive on this stream.
    const invalidated: number[] = [];
    const beats = nnProtocol.Heartbeat(session);
    beats.on('data', (res: { commands: Array<{ invalidate?: { blockIds: Array<number | string> } }> }) => {
      for (const c of res.commands) invalidated.push(...(c.invalidate?.blockIds ?? []).map(Number));
    });
    beats.on('error', () => undefined);
    let sequence = 0;
    const beat = () => beats.write({ nodeId: info.id, registrationId: reg.registrationId, sequence: ++sequence, capacityBytes: info.capacityBytes, remainingBytes: info.remainingBytes });
    beat();
    const timer = setInterval(beat, FAST.heartbeatIntervalMs);
    try {
      await cluster.waitForState('rogue', 'LIVE');
      await unary((cb) => nnProtocol.BlockReceivedAndDeleted({
        nodeId: info.id, registrationId: reg.registrationId, deleted: [],
        received: [{ blockId: located.block.blockId, generationStamp: located.block.generationStamp, lengthBytes: original.length }],
      }, session, cb));
      await waitFor('an invalidate command for the rogue replica', () => invalidated.includes(located.block.blockId), 10_000);
      expect(await locationsOf('/f')).not.toContain('rogue');
      // A full report of it (a complete block: judged by stamp and length) with the wrong length is refused too.
      const full = await unary<{ commands: Array<{ invalidate?: { blockIds: Array<number | string> } | null }> }>((cb) => nnProtocol.BlockReport({
        nodeId: info.id, registrationId: reg.registrationId,
        blocks: [{ blockId: located.block.blockId, generationStamp: located.block.generationStamp, lengthBytes: original.length - 1 }],
      }, session, cb));
      expect(full.commands.flatMap((c) => c.invalidate?.blockIds ?? []).map(Number)).toEqual([located.block.blockId]);
      expect(await locationsOf('/f')).not.toContain('rogue');
    } finally {
      clearInterval(timer);
      beats.write({ nodeId: info.id, registrationId: reg.registrationId, sequence: ++sequence, goodbye: true });
      beats.end();
    }
  });
});

const describeTls = opensslAvailable() ? describe : describe.skip;

describeTls('HTTP on a mutual-TLS cluster', () => {
  let cluster: TestCluster;
  let pki: ReturnType<typeof makeTestPki>;
  const data = randomBytes(70 * 1024);

  beforeAll(async () => {
    ({ cluster, pki } = await TestCluster.startMutualTls(1, 1));
    const client = new DfsClient({ namenode: cluster.namenodeAddress, tls: loadTls({ certFile: pki.cert, keyFile: pki.key, caFile: pki.ca }) });
    try {
      await client.writeFile('/d/file.bin', data);
    } finally {
      client.close();
    }
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('a download needs HTTPS and a CA-signed client certificate', async () => {
    const url = `https://127.0.0.1:${cluster.httpPort}/api/files/download?path=/d/file.bin`;
    const ca = fs.readFileSync(pki.ca);
    // Plain HTTP gets no answer from the HTTPS port.
    await expect(fetch(`http://127.0.0.1:${cluster.httpPort}/api/files/download?path=/d/file.bin`)).rejects.toThrow();
    // No client certificate, or one from another CA: the TLS handshake fails.
    await expect(httpsGet(url, { ca })).rejects.toThrow();
    await expect(httpsGet(url, { ca, cert: fs.readFileSync(pki.rogueCert), key: fs.readFileSync(pki.rogueKey) })).rejects.toThrow();
    // With the cluster's certificate: the file.
    const ok = await httpsGet(url, { ca, cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) });
    expect(ok.status).toBe(200);
    expect(ok.body.equals(data)).toBe(true);
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => { s.destroy(); resolve(false); });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

describe('default bind address', () => {
  test('a NameNode and a DataNode started without --bind listen on loopback only', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-bind-'));
    const nn = new NodeProcess('namenode', [
      'namenode', '--rpc-port', '0', '--http-port', '0', '--data-dir', path.join(root, 'nn'), '--heartbeat-interval-ms', '100',
    ]);
    let dn: NodeProcess | undefined;
    try {
      const started = await nn.waitForLine('namenode started', (l) => l.event === 'started');
      const rpcPort = Number(started.rpcPort);
      const httpPort = Number(started.httpPort);
      dn = new NodeProcess('dn1', ['datanode', '--id', 'dn1', '--namenode', `127.0.0.1:${rpcPort}`, '--port', '0', '--data-dir', path.join(root, 'dn1')]);
      const dnPort = Number((await dn.waitForLine('dn1 started', (l) => l.event === 'started')).port);
      for (const port of [rpcPort, httpPort, dnPort]) expect(await connects('127.0.0.1', port)).toBe(true);
      const external = externalAddress();
      if (external) for (const port of [rpcPort, httpPort, dnPort]) expect(await connects(external, port)).toBe(false);
      // The DataNode advertises the address it listens on.
      const report = await waitFor('dn1 LIVE', async () => {
        const r = (await (await fetch(`http://127.0.0.1:${httpPort}/api/datanodes`)).json()) as { datanodes: Array<{ id: string; address: string; state: string }> };
        return r.datanodes.find((d) => d.id === 'dn1' && d.state === 'LIVE');
      }, 15_000);
      expect(report.address).toBe(`127.0.0.1:${dnPort}`);
    } finally {
      await dn?.kill9();
      await nn.kill9();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
