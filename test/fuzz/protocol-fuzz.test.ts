/**
 * Protocol fuzz (issue 9): fast-check throws malformed and extreme messages at every RPC of the
 * two gRPC services (DatanodeProtocol, ClientProtocol) and the DataNodes' block transfer (TCP) ports on a real NameNode and real
 * DataNodes with a cluster secret, for a bounded time. Messages are typed ones with extreme field
 * values (huge/negative/fractional numbers, NUL, '..', overlong and non-ASCII strings, missing or
 * wrong proofs and tokens, streams in the wrong order) and raw byte strings that are not valid
 * protobuf at all. The fuzzer holds the secret, so part of the traffic passes authentication and
 * reaches the deeper checks (it registers nodes `fz-*` and mints tokens for block ids that hold no
 * data).
 *
 * Verdicts: (1) every process stays alive; (2) the file written before the fuzz reads back
 * byte-identical and its replicas on disk are unchanged; (3) every rejection is a gRPC status
 * carrying a typed `minidfs-error` code, except the two statuses grpc-js itself produces before
 * any handler runs (a request that is not valid protobuf: INTERNAL "Error deserializing request";
 * a message over the size limit: RESOURCE_EXHAUSTED), and our own deadline/cancel of a stream.
 *
 * The fast-check seed is printed; MINIDFS_FUZZ_SEED=<seed> replays it, MINIDFS_FUZZ_MS sets the
 * time budget (default 40 s), MINIDFS_FUZZ_RUNS the run count cap.
 *
 * Not fuzzed on purpose (documented in docs/SECURITY.md as not protected): client calls that are
 * legitimate for any client and would change the kept file (Delete of it or its parents,
 * ReportBadReplica of its blocks), and reports by a fuzz node of the kept file's real block ids.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import {
  AUTH_METADATA_KEY, CHANNEL_OPTIONS, type ClusterKeys, ERROR_METADATA_KEY, SESSION_METADATA_KEY, deriveClusterKeys, issueBlockToken,
  loadProtos, readSecretFile, signRegistration,
} from '@minidfs/common';
import { chunkCrcs } from '@minidfs/datanode';
import { FrameDecoder, type TransferSocket, connectTransfer, encodePacketHead, encodePreamble } from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const BUDGET_MS = Number(process.env.MINIDFS_FUZZ_MS ?? 40_000);
const MAX_RUNS = Number(process.env.MINIDFS_FUZZ_RUNS ?? 100_000);
const SEED = process.env.MINIDFS_FUZZ_SEED !== undefined ? Number(process.env.MINIDFS_FUZZ_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
/** Our own bound on one streaming call: a stream the server keeps open is cancelled by us after this. */
const STREAM_DEADLINE_MS = 800;
/** Deadline of one unary call (generous: a loaded CI box is slow; expiring it is our doing, not a server fault). */
const UNARY_DEADLINE_MS = 15_000;
const KEEP_PATH = '/keep/data.bin';
const BLOCK = 64 * 1024;

type Outcome = { ok: true } | { ok: false; code: number; details: string; minidfsError: string | undefined; ours?: boolean };

function outcomeOf(err: grpc.ServiceError | null | undefined): Outcome {
  if (!err) return { ok: true };
  const e = err.metadata?.get(ERROR_METADATA_KEY)[0];
  const minidfsError = typeof e === 'string' ? e : undefined;
  // Our own deadline expiring is the fuzzer's verdict on time, not a rejection by the server.
  const ours = err.code === grpc.status.DEADLINE_EXCEEDED && minidfsError === undefined;
  return { ok: false, code: err.code, details: err.details ?? err.message, minidfsError, ours };
}

/** A rejection the verdict accepts: typed, or one grpc-js produces before our code runs, or our own cancel. */
function acceptable(o: Outcome): boolean {
  if (o.ok || o.ours) return true;
  if (o.minidfsError !== undefined) return true;
  if (o.code === grpc.status.INTERNAL && /^Error deserializing request/.test(o.details)) return true;
  if (o.code === grpc.status.RESOURCE_EXHAUSTED && /larger than max/.test(o.details)) return true;
  return false;
}

// ---- generators ----

const extremeInts = fc.constantFrom(0, 1, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 62, 1.5, 1e300);
const anyInt = fc.oneof(extremeInts, fc.integer(), fc.nat({ max: 2 ** 40 }), fc.maxSafeInteger());
const nastyStrings = fc.constantFrom(
  '', '/', '//', '..', '/..', '/a/../b', '/./a', 'a\u0000b', '/a\u0000', '/\u0001', '\uFFFF', '/\uD800', 'x'.repeat(300), `/${'y'.repeat(256)}`,
  `/${'z/'.repeat(2100)}`, 'v1.', 'v1.a.b.c', 'v1.1.READ.1.x', '%2e%2e', '/keep/data.bin/x', ' ', '\n',
);
const anyString = fc.oneof(nastyStrings, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const anyPath = fc.oneof(anyString, fc.string({ maxLength: 30 }).map((s) => `/fz/${s}`));
const anyBool = fc.boolean();
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(new Uint8Array(0), new Uint8Array(70 * 1024).fill(7)));
const location = fc.record({ nodeId: anyString, host: fc.oneof(anyString, fc.constant('127.0.0.1')), dataPort: anyInt, rack: anyString });
const reported = fc.record({ blockId: anyInt, generationStamp: anyInt, lengthBytes: anyInt });

type Act = (env: Env) => Promise<Outcome>;
interface Env {
  keys: ClusterKeys;
  nn: string;
  dns: string[];
  /** The DataNodes' block transfer (TCP) ports on 127.0.0.1. */
  transferPorts: number[];
  realBlockIds: Set<number>;
  sessions: Array<{ nodeId: string; registrationId: string; token: string }>;
  nextFuzzNode: () => string;
}

function unaryCall(client: grpc.Client, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<Outcome> {
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => grpc.ClientUnaryCall>)[method];
    try {
      fn.call(client, request, metadata, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err: grpc.ServiceError | null) => resolve(outcomeOf(err)));
    } catch (err) {
      resolve({ ok: false, code: -1, details: `client-side: ${(err as Error).message}`, minidfsError: undefined, ours: true });
    }
  });
}

/** Writes `messages` on a client/bidi stream (optionally half-closes) and waits for its status, cancelling after STREAM_DEADLINE_MS. */
function streamCall(call: grpc.ClientDuplexStream<unknown, unknown> | grpc.ClientReadableStream<unknown>, messages: unknown[], halfClose: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, code: grpc.status.CANCELLED, details: 'cancelled by the fuzzer', minidfsError: undefined, ours: true });
      call.cancel();
    }, STREAM_DEADLINE_MS);
    call.on('data', () => undefined);
    call.on('error', (err: grpc.ServiceError) => {
      // A serialization failure of our own message is a client-side error, not the server's answer.
      if (/serializ/i.test(err.details ?? '') && err.code === grpc.status.INTERNAL && !err.metadata?.get(ERROR_METADATA_KEY).length && /Request message/.test(err.details)) {
        finish({ ok: false, code: err.code, details: err.details, minidfsError: undefined, ours: true });
      } else finish(outcomeOf(err));
    });
    call.on('end', () => finish({ ok: true }));
    if ('write' in call) {
      for (const m of messages) {
        try {
          call.write(m);
        } catch {
          // a message our own serializer refuses: the rest of the stream still goes
        }
      }
      if (halfClose) call.end();
    }
  });
}

/**
 * One block transfer connection: `bytes` as given, then whatever the DataNode sends until it closes
 * (or our own deadline, STREAM_DEADLINE_MS). A status with an error code is a typed rejection;
 * anything else the DataNode sends back that does not decode is untyped (fails the verdict).
 */
async function transferCall(port: number, bytes: Buffer[], halfClose: boolean): Promise<Outcome> {
  let socket: TransferSocket;
  try {
    socket = await connectTransfer('127.0.0.1', port, undefined);
  } catch (err) {
    return { ok: false, code: -1, details: `connect: ${(err as Error).message}`, minidfsError: undefined };
  }
  return new Promise((resolve) => {
    const decoder = new FrameDecoder(false);
    let outcome: Outcome = { ok: true };
    let ours = false;
    const timer = setTimeout(() => { ours = true; socket.destroy(); }, STREAM_DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of decoder.push(chunk)) {
          if (f.kind === 'message' && f.status.errorCode && outcome.ok) {
            outcome = { ok: false, code: -1, details: f.status.errorMessage, minidfsError: f.status.errorCode };
          }
        }
      } catch (err) {
        outcome = { ok: false, code: -2, details: `undecodable reply: ${(err as Error).message}`, minidfsError: undefined };
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome.ok && ours ? { ok: false, code: -1, details: 'cancelled by the fuzzer', minidfsError: undefined, ours: true } : outcome);
    });
    for (const b of bytes) socket.write(b);
    if (halfClose) socket.end();
  });
}

/** A packet frame with whatever fields the fuzzer chose (the data length field is the data's). */
function fuzzPacket(seqno: number, last: boolean, data: Buffer, crcs: number[]): Buffer {
  const head = encodePacketHead(0, 0, last, Buffer.alloc(0), []);
  head.writeUInt32BE(data.length, 4);
  const s = Number.isSafeInteger(seqno) && seqno >= 0 ? seqno : Math.abs(Math.trunc(seqno)) % 2 ** 32 || 0;
  head.writeUInt32BE(Math.floor(s / 2 ** 32), 8);
  head.writeUInt32BE(s % 2 ** 32, 12);
  const c = Buffer.alloc(4 * crcs.length);
  crcs.forEach((x, i) => c.writeUInt32BE((Number.isFinite(x) ? x : 0) >>> 0, 4 * i));
  return Buffer.concat([head, c, data]);
}

function rawClient(address: string, service: string, method: string): grpc.Client & { send: (bytes: Uint8Array) => Promise<Outcome> } {
  const Ctor = grpc.makeGenericClientConstructor({
    raw: {
      path: `/minidfs.v1.${service}/${method}`, requestStream: false, responseStream: false,
      requestSerialize: (b: Uint8Array) => Buffer.from(b), requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
    },
  }, service);
  const c = new Ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
  return Object.assign(c, {
    send: (bytes: Uint8Array) => new Promise<Outcome>((resolve) => {
      (c.raw as (...a: unknown[]) => unknown)(bytes, new grpc.Metadata(), { deadline: Date.now() + UNARY_DEADLINE_MS }, (err: grpc.ServiceError | null) => resolve(outcomeOf(err)));
    }),
  }) as grpc.Client & { send: (bytes: Uint8Array) => Promise<Outcome> };
}

describe('protocol fuzz', () => {
  let cluster: TestCluster;
  let env: Env;
  let client: DfsClient;
  let kept: Buffer;
  let keptReplicas: Map<string, string>;
  const clients: grpc.Client[] = [];

  function replicaHashes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const id of cluster.datanodes.keys()) {
      const dir = path.join(cluster.root, id);
      for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        const m = /^blk_(\d+)$/.exec(path.basename(rel));
        if (m && env.realBlockIds.has(Number(m[1]))) out.set(`${id}/${m[1]}`, createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex'));
      }
    }
    return out;
  }

  beforeAll(async () => {
    cluster = await TestCluster.start(2, undefined, ['--replication', '2', '--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    kept = randomBytes(3 * BLOCK + 123);
    await client.writeFile(KEEP_PATH, kept);
    const located = await client.getBlockLocations(KEEP_PATH);
    const report = await cluster.report();
    let n = 0;
    env = {
      keys: deriveClusterKeys(readSecretFile(cluster.secretFile!)),
      nn: cluster.namenodeAddress,
      dns: report.datanodes.map((d) => d.address),
      transferPorts: await Promise.all(report.datanodes.map((d) => cluster.transferPort(d.id))),
      realBlockIds: new Set(located.blocks.map((b) => b.blockId)),
      sessions: [],
      nextFuzzNode: () => `fz-${n++}`,
    };
    await waitFor('every kept replica reported', async () => (await client.getBlockLocations(KEEP_PATH)).blocks.every((b) => b.locations.length === 2));
    keptReplicas = replicaHashes();
    expect(keptReplicas.size).toBe(2 * env.realBlockIds.size);
  });

  afterAll(async () => {
    client?.close();
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  test('malformed and extreme messages on every RPC: no crash, no change to stored data, every rejection typed', async () => {
    const protos = loadProtos();
    const dnp = new protos.DatanodeProtocol(env.nn, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const cp = new protos.ClientProtocol(env.nn, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    clients.push(dnp, cp);
    const raws = [
      ...['Register', 'BlockReport', 'BlockReceivedAndDeleted', 'ReportBadBlocks'].map((m) => rawClient(env.nn, 'DatanodeProtocol', m)),
      ...['Mkdirs', 'Create', 'AddBlock', 'AbandonBlock', 'Complete', 'GetBlockLocations', 'GetFileInfo', 'ListStatus', 'Delete', 'ReportBadReplica',
        'GetDatanodeReport', 'Fsck'].map((m) => rawClient(env.nn, 'ClientProtocol', m)),
    ];
    clients.push(...raws);

    const safeBlockId = (id: number) => (env.realBlockIds.has(id) ? id + 1_000_003 : id);
    const fakeBlockIds = (ids: number[]) => ids.map(safeBlockId);
    const sessionMd = (pick: number, garbage: string, mode: number): grpc.Metadata => {
      const md = new grpc.Metadata();
      if (mode === 1 && env.sessions.length) md.set(SESSION_METADATA_KEY, env.sessions[pick % env.sessions.length].token);
      if (mode === 2) md.set(SESSION_METADATA_KEY, garbage.replace(/[^\x20-\x7e]/g, '') || 'x');
      return md;
    };
    const isKept = (p: string) => ['', '/keep', KEEP_PATH].includes(p.replace(/\/+/g, '/').replace(/\/$/, ''));

    const register = fc.record({ info: fc.option(fc.record({
      id: fc.oneof(anyString, fc.constant('')), uuid: anyString, host: anyString, dataPort: anyInt, httpPort: anyInt, rack: anyString,
      capacityBytes: anyInt, usedBytes: anyInt, remainingBytes: anyInt, softwareVersion: anyString,
    }), { nil: undefined }), proof: fc.integer({ min: 0, max: 3 }), skewMs: fc.oneof(fc.constant(0), anyInt), fresh: anyBool }).map((r): Act => async (e) => {
      const md = new grpc.Metadata();
      const info = r.info && r.fresh ? { ...r.info, id: e.nextFuzzNode(), host: '127.0.0.1', dataPort: 1 } : r.info;
      const subject = { nodeId: String(info?.id ?? ''), uuid: String(info?.uuid ?? ''), host: String(info?.host ?? ''), dataPort: Number(info?.dataPort ?? 0) };
      if (r.proof === 1) md.set(AUTH_METADATA_KEY, signRegistration(e.keys.register, subject, Date.now()));
      if (r.proof === 2 && Number.isFinite(r.skewMs)) md.set(AUTH_METADATA_KEY, signRegistration(e.keys.register, subject, Date.now() + r.skewMs));
      if (r.proof === 3) md.set(AUTH_METADATA_KEY, `v1.${Date.now()}.AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`);
      return new Promise((resolve) => {
        try {
          dnp.Register({ info }, md, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err, res) => {
            if (res?.sessionToken && env.sessions.length < 50) env.sessions.push({ nodeId: res.nodeId, registrationId: res.registrationId, token: res.sessionToken });
            resolve(outcomeOf(err));
          });
        } catch (err) {
          resolve({ ok: false, code: -1, details: (err as Error).message, minidfsError: undefined, ours: true });
        }
      });
    });

    const heartbeat = fc.record({
      md: fc.tuple(fc.nat(), anyString, fc.integer({ min: 0, max: 2 })),
      beats: fc.array(fc.record({
        nodeId: anyString, registrationId: anyString, sequence: anyInt, capacityBytes: anyInt, usedBytes: anyInt, remainingBytes: anyInt,
        activeTransfers: anyInt, failedVolumes: anyInt, goodbye: anyBool, blockCount: anyInt, sendLagMs: anyInt, own: anyBool,
      }), { maxLength: 5 }),
      halfClose: anyBool,
    }).map((h): Act => async (e) => {
      const md = sessionMd(...h.md);
      const session = e.sessions.length ? e.sessions[h.md[0] % e.sessions.length] : undefined;
      const beats = h.beats.map(({ own, ...b }) => (own && session && h.md[2] === 1 ? { ...b, nodeId: session.nodeId, registrationId: session.registrationId } : b));
      return streamCall(dnp.Heartbeat(md) as grpc.ClientDuplexStream<unknown, unknown>, beats, h.halfClose);
    });

    const reports = fc.record({
      method: fc.constantFrom('BlockReport', 'BlockReceivedAndDeleted', 'ReportBadBlocks'),
      md: fc.tuple(fc.nat(), anyString, fc.integer({ min: 0, max: 2 })),
      nodeId: anyString, registrationId: anyString, own: anyBool,
      blocks: fc.array(reported, { maxLength: 20 }), deleted: fc.array(anyInt, { maxLength: 20 }),
    }).map((r): Act => async (e) => {
      const session = e.sessions.length ? e.sessions[r.md[0] % e.sessions.length] : undefined;
      const who = r.own && session ? { nodeId: session.nodeId, registrationId: session.registrationId } : { nodeId: r.nodeId, registrationId: r.registrationId };
      const blocks = r.blocks.map((b) => ({ ...b, blockId: safeBlockId(b.blockId) }));
      const request = r.method === 'BlockReport' ? { ...who, blocks }
        : r.method === 'BlockReceivedAndDeleted' ? { ...who, received: blocks, deleted: fakeBlockIds(r.deleted) }
          : { ...who, blockIds: fakeBlockIds(r.deleted) };
      return unaryCall(dnp, r.method, request, sessionMd(...r.md));
    });

    const clientCalls = fc.oneof(
      fc.record({ path: anyPath }).map((r) => ['Mkdirs', r] as const),
      fc.record({ path: anyPath, replication: anyInt, blockSizeBytes: anyInt, createParent: anyBool, clientName: anyString }).map((r) => ['Create', r] as const),
      fc.record({ path: anyPath, clientName: anyString, excludeNodeIds: fc.array(anyString, { maxLength: 5 }) }).map((r) => ['AddBlock', r] as const),
      fc.record({ path: anyPath, clientName: anyString, blockId: anyInt }).map((r) => ['AbandonBlock', { ...r, blockId: safeBlockId(r.blockId) }] as const),
      fc.record({ path: anyPath, clientName: anyString, blocks: fc.array(reported, { maxLength: 5 }) }).map((r) => ['Complete', r] as const),
      fc.record({ path: anyPath }).map((r) => ['GetBlockLocations', r] as const),
      fc.record({ path: anyPath }).map((r) => ['GetFileInfo', r] as const),
      fc.record({ path: anyPath }).map((r) => ['ListStatus', r] as const),
      fc.record({ path: anyPath, recursive: anyBool }).map((r) => ['Delete', r] as const),
      fc.record({ blockId: anyInt, nodeId: anyString, reason: anyString }).map((r) => ['ReportBadReplica', { ...r, blockId: safeBlockId(r.blockId) }] as const),
      fc.constant(['GetDatanodeReport', {}] as const),
      fc.record({ path: anyPath }).map((r) => ['Fsck', r] as const),
    ).map(([method, request]): Act => async () => {
      if ('path' in request && method === 'Delete' && isKept(String(request.path))) return { ok: true };
      return unaryCall(cp, method, request);
    });

    const tokenFor = (e: Env, choice: number, blockId: number, garbage: string) => {
      const id = Number.isSafeInteger(blockId) && blockId >= 0 ? blockId : 1;
      switch (choice) {
        case 0: return '';
        case 1: return garbage;
        case 2: return issueBlockToken(e.keys.blockToken, { blockId: safeBlockId(id), generationStamp: 1, mode: 'WRITE', targets: ['dn1', 'dn2'] }, Date.now() + 60_000);
        case 3: return issueBlockToken(e.keys.blockToken, { blockId: safeBlockId(id), generationStamp: 1, mode: 'READ' }, Date.now() + 60_000);
        default: return issueBlockToken(e.keys.blockToken, { blockId: id + 1, generationStamp: 1, mode: 'READ' }, Date.now() - 3_600_000);
      }
    };

    const readBlock = fc.record({
      dn: fc.nat(), blockId: fc.oneof(anyInt, fc.constantFrom(...env.realBlockIds)), generationStamp: anyInt, offsetBytes: anyInt, lengthBytes: anyInt,
      token: fc.integer({ min: 0, max: 4 }), garbage: anyString,
    }).map((r): Act => async (e) => {
      const port = e.transferPorts[r.dn % e.transferPorts.length]!;
      // A valid READ token is minted only for ids with no data; for the kept blocks only bad tokens.
      const token = tokenFor(e, r.token, r.blockId, r.garbage);
      let preamble: Buffer;
      try {
        preamble = encodePreamble({ ...r, op: 'TRANSFER_OP_READ', accessToken: token });
      } catch (err) {
        return { ok: false, code: -1, details: `client-side: ${(err as Error).message}`, minidfsError: undefined, ours: true };
      }
      return transferCall(port, [preamble], false);
    });

    const writeBlock = fc.record({
      dn: fc.nat(), header: fc.option(fc.record({
        blockId: anyInt, generationStamp: anyInt, downstream: fc.array(location, { maxLength: 3 }), purpose: fc.oneof(fc.constantFrom('WRITE', 'REPLICATE'), anyString),
        token: fc.integer({ min: 0, max: 4 }), garbage: anyString,
      }), { nil: undefined }),
      packets: fc.array(fc.record({ seqno: anyInt, data: anyBytes, goodCrcs: anyBool, chunkCrcs: fc.array(anyInt, { maxLength: 8 }), last: anyBool }), { maxLength: 4 }),
      halfClose: anyBool, headerTwice: anyBool,
    }).map((w): Act => async (e) => {
      const port = e.transferPorts[w.dn % e.transferPorts.length]!;
      const frames: Buffer[] = [];
      if (w.header) {
        const blockId = safeBlockId(w.header.blockId);
        const op = w.header.purpose === 'WRITE' ? 'TRANSFER_OP_WRITE' : w.header.purpose === 'REPLICATE' ? 'TRANSFER_OP_REPLICATE' : w.header.purpose;
        try {
          const preamble = encodePreamble({
            op: op as 'TRANSFER_OP_WRITE', blockId, generationStamp: w.header.generationStamp, accessToken: tokenFor(e, w.header.token, blockId, w.header.garbage),
            targets: w.header.downstream.map((l) => ({ ...l, transferPort: l.dataPort })),
          });
          frames.push(preamble);
          if (w.headerTwice) frames.push(preamble);
        } catch (err) {
          return { ok: false, code: -1, details: `client-side: ${(err as Error).message}`, minidfsError: undefined, ours: true };
        }
      }
      for (const p of w.packets) {
        const data = Buffer.from(p.data);
        frames.push(fuzzPacket(p.seqno, p.last, data, p.goodCrcs ? chunkCrcs(data) : p.chunkCrcs));
      }
      return transferCall(port, frames, w.halfClose);
    });

    const raw = fc.record({ which: fc.nat(), bytes: anyBytes }).map((r): Act => async () => raws[r.which % raws.length].send(r.bytes));

    const action = fc.oneof(register, heartbeat, reports, clientCalls, readBlock, writeBlock, raw);
    const rejections = new Map<string, number>();
    let runs = 0;
    const started = Date.now();
    console.log(`protocol fuzz: seed ${SEED} (replay: MINIDFS_FUZZ_SEED=${SEED}), budget ${BUDGET_MS} ms`);
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 4 }), async (acts) => {
      const outcomes = await Promise.all(acts.map((act) => act(env)));
      runs += 1;
      for (const o of outcomes) {
        const key = o.ok ? 'ok' : o.ours ? 'fuzzer-cancelled' : o.minidfsError ?? `grpc-${grpc.status[o.code]}`;
        rejections.set(key, (rejections.get(key) ?? 0) + 1);
        if (!acceptable(o)) throw new Error(`untyped rejection: ${JSON.stringify(o)}`);
      }
      if (!cluster.nn.alive || [...cluster.datanodes.values()].some((d) => !d.alive)) throw new Error('a process died');
    }), { seed: SEED, numRuns: MAX_RUNS, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true });
    console.log(`protocol fuzz: ${runs} runs in ${Date.now() - started} ms; outcomes ${JSON.stringify(Object.fromEntries(rejections))}`);

    expect(runs).toBeGreaterThan(0);
    expect(cluster.nn.alive).toBe(true);
    for (const dn of cluster.datanodes.values()) expect(dn.alive).toBe(true);
    expect(replicaHashes()).toEqual(keptReplicas);
    const back = await client.readFile(KEEP_PATH);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(kept).digest('hex'));
  }, BUDGET_MS + 60_000);
});
