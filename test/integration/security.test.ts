/**
 * Security on real processes (issue 9, docs/SECURITY.md): a cluster with a secret authenticates
 * DataNodes and hands out block access tokens. Scenarios: a DataNode without the secret (or with
 * another one) cannot join and the NameNode logs the refusal; a captured Register cannot be
 * replayed and a stale one is refused; heartbeats and reports need a session token of the node
 * they name; a DataNode refuses a NameNode without the secret; a client without a token cannot
 * read or write a block on a DataNode's block transfer port directly, a token for block A does not open block B, an
 * expired token is refused; and a normal client still writes and reads.
 */
import * as grpc from '@grpc/grpc-js';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import {
  AUTH_METADATA_KEY, CHANNEL_OPTIONS, type ClientProtocolClient, type DatanodeProtocolClient, ERROR_METADATA_KEY,
  SESSION_METADATA_KEY, deriveClusterKeys, issueBlockToken, loadProtos, readSecretFile, signRegistration,
} from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { NodeProcess } from '../support/processes';
import { rawTransfer } from '../support/transfer';

interface Status { code: number; minidfsError: string | undefined; details: string }

function statusOf(err: grpc.ServiceError | null | undefined): Status | undefined {
  if (!err) return undefined;
  const e = err.metadata?.get(ERROR_METADATA_KEY)[0];
  return { code: err.code, minidfsError: typeof e === 'string' ? e : undefined, details: err.details };
}

function unary<Res>(fn: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<{ res?: Res; status?: Status }> {
  return new Promise((resolve) => fn((err, res) => resolve({ res, status: statusOf(err) })));
}

type Target = { host: string; transferPort: number };

/** A raw block transfer read; the error status (its typed code) if the DataNode refused it. */
async function readBlock(dn: Target, blockId: number, accessToken: string, generationStamp = 1): Promise<{ bytes: number; status?: { minidfsError: string } }> {
  const r = await rawTransfer(dn, { op: 'TRANSFER_OP_READ', blockId, generationStamp, accessToken });
  return r.error ? { bytes: r.bytes, status: { minidfsError: r.error.code } } : { bytes: r.bytes };
}

/** A raw block transfer write of one last packet; the error status if refused, undefined once finalized. */
async function writeBlock(dn: Target, blockId: number, accessToken: string): Promise<{ minidfsError: string } | undefined> {
  const r = await rawTransfer(dn, { op: 'TRANSFER_OP_WRITE', blockId, generationStamp: 1, accessToken }, [{ data: Buffer.from('not allowed'), last: true }]);
  if (r.error) return { minidfsError: r.error.code };
  return r.finalized ? undefined : { minidfsError: 'NO_FINALIZED_ACK' };
}

describe('a cluster with a secret', () => {
  let cluster: TestCluster;
  let keys: ReturnType<typeof deriveClusterKeys>;
  let client: DfsClient;
  let nnProtocol: DatanodeProtocolClient;
  let clientProtocol: ClientProtocolClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(2, undefined, ['--replication', '2', '--block-size', String(64 * 1024)]);
    keys = deriveClusterKeys(readSecretFile(cluster.secretFile!));
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const protos = loadProtos();
    nnProtocol = new protos.DatanodeProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    clientProtocol = new protos.ClientProtocol(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  });

  afterAll(async () => {
    client?.close();
    nnProtocol?.close();
    clientProtocol?.close();
    await cluster?.stop();
  });

  test('a DataNode without the secret, or with another one, cannot join: it exits with a clear error and the NameNode logs it', async () => {
    const from = cluster.nn.lines.length;
    // startDataNode would pass the cluster's secret: these are started by hand.
    const noSecret = new NodeProcess('no-secret', [
      'datanode', '--id', 'intruder', '--namenode', cluster.namenodeAddress, '--port', '0', '--bind', '127.0.0.1', '--advertise', '127.0.0.1',
      '--data-dir', path.join(cluster.root, 'intruder'),
    ]);
    const wrongFile = path.join(cluster.root, 'wrong-secret');
    fs.writeFileSync(wrongFile, randomBytes(32).toString('hex'));
    const wrongSecret = new NodeProcess('wrong-secret', [
      'datanode', '--id', 'intruder2', '--namenode', cluster.namenodeAddress, '--port', '0', '--bind', '127.0.0.1', '--advertise', '127.0.0.1',
      '--data-dir', path.join(cluster.root, 'intruder2'), '--secret-file', wrongFile,
    ]);
    try {
      expect((await noSecret.waitForExit(15_000)).code).toBe(2);
      expect((await wrongSecret.waitForExit(15_000)).code).toBe(2);
      expect(noSecret.stderrText.join('\n')).toMatch(/registration of "intruder" refused: no registration proof/);
      expect(wrongSecret.stderrText.join('\n')).toMatch(/secret differs from the NameNode's/);
      await cluster.nn.waitForLine('refusal of intruder2 logged', (l) => l.event === 'auth-refused' && l.nodeId === 'intruder2', 10_000, from);
      expect(cluster.nn.lines.slice(from).some((l) => l.event === 'auth-refused' && l.nodeId === 'intruder' && l.rpc === 'Register')).toBe(true);
      const report = await cluster.report();
      expect(report.datanodes.map((d) => d.id).sort()).toEqual(['dn1', 'dn2']);
    } finally {
      await noSecret.kill9();
      await wrongSecret.kill9();
    }
  });

  test('a Register is accepted once: its replay, a stale timestamp and a missing proof are UNAUTHENTICATED', async () => {
    const info = { id: 'probe1', uuid: 'probe-uuid', host: '127.0.0.1', dataPort: 1, httpPort: 0, rack: '', capacityBytes: 1, usedBytes: 0, remainingBytes: 1, softwareVersion: 't' };
    const register = (proof?: string) => unary<{ sessionToken: string; nodeId: string }>((cb) => {
      const md = new grpc.Metadata();
      if (proof) md.set(AUTH_METADATA_KEY, proof);
      nnProtocol.Register({ info }, md, cb);
    });
    const subject = { nodeId: info.id, uuid: info.uuid, host: info.host, dataPort: info.dataPort };
    const proof = signRegistration(keys.register, subject, Date.now());
    const first = await register(proof);
    expect(first.status).toBeUndefined();
    expect(first.res!.sessionToken).toMatch(/^v1\./);
    const replay = await register(proof);
    expect(replay.status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    expect(replay.status!.details).toMatch(/nonce already used/);
    const stale = await register(signRegistration(keys.register, subject, Date.now() - 60 * 60_000));
    expect(stale.status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    expect(stale.status!.details).toMatch(/off the NameNode's clock/);
    expect((await register()).status).toMatchObject({ code: grpc.status.UNAUTHENTICATED });

    // Reports need the session of the node they name.
    const report = (token: string | undefined, nodeId: string) => unary((cb) => {
      const md = new grpc.Metadata();
      if (token) md.set(SESSION_METADATA_KEY, token);
      nnProtocol.ReportBadBlocks({ nodeId, registrationId: 'x', blockIds: [1] }, md, cb);
    });
    expect((await report(undefined, 'probe1')).status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    expect((await report(first.res!.sessionToken, 'dn1')).status).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // With its own session the call gets past authentication (and is judged by the protocol: wrong registration id).
    expect((await report(first.res!.sessionToken, 'probe1')).status?.minidfsError).toBe('UNKNOWN_NODE');

    // A heartbeat stream without a session is refused at once.
    const hb = await new Promise<Status | undefined>((resolve) => {
      const call = nnProtocol.Heartbeat();
      call.on('data', () => undefined);
      call.on('error', (err: grpc.ServiceError) => resolve(statusOf(err)));
      call.on('end', () => resolve(undefined));
      call.write({ nodeId: 'dn1', registrationId: 'x', sequence: 1 });
    });
    expect(hb).toMatchObject({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });

    // A stream opened with probe1's session carries probe1's beats only.
    const impersonation = await new Promise<Status | undefined>((resolve) => {
      const md = new grpc.Metadata();
      md.set(SESSION_METADATA_KEY, first.res!.sessionToken);
      const call = nnProtocol.Heartbeat(md);
      call.on('data', () => undefined);
      call.on('error', (err: grpc.ServiceError) => resolve(statusOf(err)));
      call.on('end', () => resolve(undefined));
      call.write({ nodeId: 'dn1', registrationId: 'x', sequence: 1 });
    });
    expect(impersonation).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, minidfsError: 'INVALID_ARGUMENT' });
  });

  test('block tokens: no token, a token for another block, the wrong mode or an expired token is PERMISSION_DENIED; the client still reads', async () => {
    const data = randomBytes(100 * 1024);
    await client.writeFile('/secure/a.bin', data);
    await client.writeFile('/secure/b.bin', randomBytes(1000));
    expect(createHash('sha256').update(await client.readFile('/secure/a.bin')).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));

    type Located = { blocks: Array<{ block: { blockId: number; generationStamp: number; lengthBytes: number } | null; locations: Array<{ host: string; transferPort: number }>; accessToken: string }> };
    const located = await unary<Located>((cb) => clientProtocol.GetBlockLocations({ path: '/secure/a.bin' }, cb));
    const other = await unary<Located>((cb) => clientProtocol.GetBlockLocations({ path: '/secure/b.bin' }, cb));
    const a = { ...located.res!.blocks[0], block: located.res!.blocks[0].block! };
    const b = other.res!.blocks[0];
    expect(a.accessToken).toMatch(/^v2\./);
    const loc = a.locations[0];
    const dn = { host: loc.host, transferPort: loc.transferPort };
    {
      const denied = { minidfsError: 'PERMISSION_DENIED' };
      expect(await readBlock(dn, a.block.blockId, '')).toMatchObject({ bytes: 0, status: denied });
      expect(await readBlock(dn, a.block.blockId, b.accessToken)).toMatchObject({ bytes: 0, status: denied });
      const gen = Number(a.block.generationStamp);
      const expired = issueBlockToken(keys.blockToken, { blockId: a.block.blockId, generationStamp: gen, mode: 'READ' }, Date.now() - 60 * 60_000);
      expect(await readBlock(dn, a.block.blockId, expired, gen)).toMatchObject({ bytes: 0, status: denied });
      expect(await readBlock(dn, a.block.blockId, a.accessToken, gen + 1)).toMatchObject({ bytes: 0, status: denied });
      expect(await writeBlock(dn, 999_999, '')).toMatchObject(denied);
      expect(await writeBlock(dn, 999_999, issueBlockToken(keys.blockToken, { blockId: 999_999, generationStamp: 1, mode: 'READ' }, Date.now() + 60_000))).toMatchObject(denied);
      const ok = await readBlock(dn, a.block.blockId, a.accessToken, gen);
      expect(ok).toEqual({ bytes: a.block.lengthBytes });
    }
  });

  test('a DataNode with the secret refuses a NameNode without it', async () => {
    const open = new TestCluster(undefined, [], { secret: false });
    try {
      await open.startNameNode();
      const dn = new NodeProcess('careful', [
        'datanode', '--id', 'careful', '--namenode', open.namenodeAddress, '--port', '0', '--bind', '127.0.0.1', '--advertise', '127.0.0.1',
        '--data-dir', path.join(open.root, 'careful'), '--secret-file', cluster.secretFile!,
      ]);
      try {
        expect((await dn.waitForExit(15_000)).code).toBe(2);
        expect(dn.stderrText.join('\n')).toMatch(/NameNode did not prove it holds the cluster secret/);
      } finally {
        await dn.kill9();
      }
    } finally {
      await open.stop();
    }
  });
});
