/**
 * Block transfer protocol fuzz (issue 16): fast-check throws byte streams at a real DataNode
 * transfer server (two BlockTransferServers on real block stores, the first forwarding to the
 * second) for a bounded time: raw random bytes, valid preambles with extreme fields, valid headers
 * followed by mutated packets (bit flips, wrong lengths, CRCs, seqnos, offsets, flags), truncation
 * at any point, and streams that stop sending. The fuzzer holds the block token key, so part of the
 * traffic passes the token check and reaches the pipeline.
 *
 * Verdicts: (1) every status the server sends is a typed error (an ErrorCode of errors.ts) or an
 * in-order ack; (2) a fuzz block becomes visible on a node only if the fuzzer received its
 * finalized ack, and then it holds exactly the bytes of the packets sent; (3) no tmp file
 * survives a failed write; (4) the servers keep serving: a real write + read succeeds after the
 * run. The seed is printed; MINIDFS_FUZZ_SEED replays it, MINIDFS_FUZZ_MS sets the budget
 * (default 15 s).
 */
import fc from 'fast-check';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  FrameDecoder, Limits, TransferWriteStream, chunkCrcs, encodePacket, encodePreamble, issueBlockToken, readBlockFrames, silentLogger,
  type TransferStatus__Output,
} from '@minidfs/common';
import { BlockStore, BlockTransferServer } from '@minidfs/datanode';
import { bytes } from '../support/bytes';

const BUDGET_MS = Number(process.env.MINIDFS_FUZZ_MS ?? 15_000);
const SEED = process.env.MINIDFS_FUZZ_SEED !== undefined ? Number(process.env.MINIDFS_FUZZ_SEED) : Date.now() ^ (Math.random() * 2 ** 31);
const KEY = Buffer.alloc(32, 9);
const GS = 7;
/** How long the fuzzer waits for the server to answer or close before it closes itself. */
const EXCHANGE_MS = 600;
const ERROR_CODES = new Set([
  'INVALID_ARGUMENT', 'INVALID_PATH', 'FILE_NOT_FOUND', 'FILE_ALREADY_EXISTS', 'NOT_A_DIRECTORY', 'IS_A_DIRECTORY', 'DIRECTORY_NOT_EMPTY', 'FILE_NOT_OPEN',
  'SAFE_MODE', 'NOT_ENOUGH_DATANODES', 'NO_LIVE_REPLICA', 'CHECKSUM_MISMATCH', 'BLOCK_NOT_FOUND', 'NODE_ID_IN_USE', 'UNKNOWN_NODE', 'RESOURCE_EXHAUSTED',
  'UNAUTHENTICATED', 'PERMISSION_DENIED', 'UNAVAILABLE', 'CLUSTER_ID_MISMATCH', 'INTERNAL',
]);

interface Node { id: string; store: BlockStore; server: BlockTransferServer; port: number }
let dir: string;
let nodes: Node[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-tfuzz-'));
  nodes = [];
  for (const id of ['dn1', 'dn2']) {
    const store = new BlockStore(path.join(dir, id));
    await store.init();
    const server = new BlockTransferServer({ nodeId: () => id, store, logger: silentLogger(), blockTokenKey: KEY, idleTimeoutMs: 400 });
    nodes.push({ id, store, server, port: await server.listen('127.0.0.1', 0) });
  }
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.server.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends `chunks` (a pause between each), then waits for the server to answer/close; returns every status it sent. */
function exchange(chunks: Buffer[], halfClose: boolean): Promise<{ statuses: TransferStatus__Output[]; malformedReply: boolean }> {
  return new Promise((resolve) => {
    const statuses: TransferStatus__Output[] = [];
    let malformedReply = false;
    const decoder = new FrameDecoder(false);
    const socket = net.connect(nodes[0]!.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      try {
        for (const f of decoder.push(chunk)) {
          if (f.kind === 'message') statuses.push(f.status);
          else malformedReply = true;
        }
      } catch {
        malformedReply = true;
      }
    });
    const timer = setTimeout(() => socket.destroy(), EXCHANGE_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ statuses, malformedReply });
    });
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        await new Promise((r) => setImmediate(r));
      }
      if (halfClose && !socket.destroyed) socket.end();
    });
  });
}

const fuzzBlockIds = new Set<number>();
let nextFuzzBlock = 1_000_000;

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'truncate', 'insert', 'none', 'none'),
  byte: fc.integer({ min: 0, max: 255 }),
});

const scenario = fc.record({
  style: fc.constantFrom('raw', 'header', 'write', 'write', 'read'),
  raw: fc.uint8Array({ maxLength: 600 }),
  op: fc.constantFrom('TRANSFER_OP_WRITE', 'TRANSFER_OP_READ', 'TRANSFER_OP_REPLICATE'),
  validToken: fc.constantFrom(true, true, true, false),
  pipeline: fc.boolean(),
  packetSizes: fc.array(fc.oneof(fc.nat({ max: 3000 }), fc.constantFrom(0, 512, Limits.packetDataBytes)), { minLength: 0, maxLength: 4 }),
  seqnoSkew: fc.constantFrom(0, 0, 0, 1, -1),
  offsetSkew: fc.constantFrom(0, 0, 0, 512, -1),
  markLast: fc.constantFrom('last', 'last', 'none', 'early'),
  mutations: fc.array(mutation, { maxLength: 3 }),
  halfClose: fc.constantFrom(false, false, false, true),
  /** A well-formed stream (only the style, op, token and sizes vary): reaches the finalize path. */
  clean: fc.boolean(),
  offsetBytes: fc.oneof(fc.nat({ max: 5000 }), fc.constant(2 ** 53 - 1)),
});

describe('block transfer protocol fuzz', () => {
  it(`keeps serving and never exposes a partial replica (seed ${SEED})`, async () => {
    // eslint-disable-next-line no-console
    console.log(`transfer fuzz seed ${SEED} (MINIDFS_FUZZ_SEED=${SEED} replays)`);
    const finalizedExpect = new Map<number, Buffer>();
    const tally = { runs: 0, finalized: 0, refused: 0 };
    await fc.assert(fc.asyncProperty(scenario, async (generated) => {
      const s = generated.clean ? { ...generated, seqnoSkew: 0, offsetSkew: 0, markLast: 'last', mutations: [] } : generated;
      const blockId = nextFuzzBlock++;
      fuzzBlockIds.add(blockId);
      const targets = s.pipeline ? [{ nodeId: 'dn2', host: '127.0.0.1', dataPort: 1, rack: '/r', transferPort: nodes[1]!.port }] : [];
      const mode = s.op === 'TRANSFER_OP_READ' ? 'READ' : 'WRITE';
      const token = s.validToken
        ? issueBlockToken(KEY, { blockId, generationStamp: GS, mode, targets: mode === 'WRITE' ? ['dn1', ...targets.map((t) => t.nodeId)] : [] }, Date.now() + 60_000)
        : 'v2.1.2.WRITE.3..x';
      let stream: Buffer;
      const sent: Buffer[] = [];
      if (s.style === 'raw') {
        stream = Buffer.from(s.raw);
      } else {
        const preamble = encodePreamble({ op: s.op as 'TRANSFER_OP_WRITE', blockId, generationStamp: GS, offsetBytes: s.offsetBytes, targets, accessToken: token });
        const parts = [preamble];
        if (s.style !== 'header') {
          let offset = 0;
          s.packetSizes.forEach((size, i) => {
            const data = bytes(Math.min(size, Limits.packetDataBytes), blockId + i);
            const last = s.markLast === 'last' ? i === s.packetSizes.length - 1 : s.markLast === 'early' ? i === 0 : false;
            parts.push(encodePacket(Math.max(0, i + 1 + s.seqnoSkew), Math.max(0, offset + s.offsetSkew), last, data, chunkCrcs(data)));
            sent.push(data);
            offset += data.length;
          });
        }
        stream = Buffer.concat(parts);
      }
      let mutated = false;
      for (const m of s.mutations) {
        if (stream.length === 0 || m.kind === 'none') continue;
        const at = m.at % stream.length;
        mutated = true;
        if (m.kind === 'flip') stream[at] ^= 1 << (m.byte % 8);
        else if (m.kind === 'truncate') stream = stream.subarray(0, at);
        else stream = Buffer.concat([stream.subarray(0, at), Buffer.from([m.byte]), stream.subarray(at)]);
      }
      const cut = Math.max(1, Math.floor(stream.length / 3));
      const { statuses, malformedReply } = await exchange([stream.subarray(0, cut), stream.subarray(cut)], s.halfClose);
      expect(malformedReply).toBe(false);
      for (const st of statuses) {
        if (st.errorCode) expect(ERROR_CODES.has(st.errorCode)).toBe(true);
      }
      const finalized = statuses.find((st) => st.finalized && !st.errorCode);
      tally.runs += 1;
      if (finalized) tally.finalized += 1;
      if (statuses.some((st) => st.errorCode)) tally.refused += 1;
      if (finalized && !mutated) finalizedExpect.set(blockId, Buffer.concat(sent));
      // Wait for the servers to settle this block (cleanup of a failed write).
      for (let i = 0; i < 100 && nodes.some((n) => n.server.counters.activeTransfers > 0); i += 1) await new Promise((r) => setTimeout(r, 10));
      for (const n of nodes) {
        if (n.store.has(blockId)) {
          expect(finalized).toBeDefined();
          const want = finalizedExpect.get(blockId);
          if (want) {
            const got: Buffer[] = [];
            for await (const piece of n.store.read(blockId)) got.push(piece.data);
            expect(Buffer.concat(got).equals(want)).toBe(true);
          }
        }
      }
    }), { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true });

    // eslint-disable-next-line no-console
    console.log(`transfer fuzz: ${JSON.stringify(tally)}`);
    expect(tally.runs).toBeGreaterThan(10);
    // No tmp file of a fuzz block survives.
    for (const n of nodes) {
      const tmp = path.join(n.store.dir, 'tmp');
      if (fs.existsSync(tmp)) expect(fs.readdirSync(tmp)).toEqual([]);
    }
    // Still serving: a real pipeline write and a read.
    const blockId = 42;
    const data = bytes(3 * Limits.packetDataBytes + 99, 42);
    const writeToken = issueBlockToken(KEY, { blockId, generationStamp: GS, mode: 'WRITE', targets: ['dn1', 'dn2'] }, Date.now() + 60_000);
    const w = await TransferWriteStream.open({ nodeId: 'dn1', host: '127.0.0.1', transferPort: nodes[0]!.port }, {
      op: 'TRANSFER_OP_WRITE', blockId, generationStamp: GS, accessToken: writeToken,
      targets: [{ nodeId: 'dn2', host: '127.0.0.1', dataPort: 1, rack: '/r', transferPort: nodes[1]!.port }],
    });
    for (let at = 0; at < data.length; at += Limits.packetDataBytes) {
      const piece = data.subarray(at, at + Limits.packetDataBytes);
      await w.send(piece, chunkCrcs(piece), at + Limits.packetDataBytes >= data.length);
    }
    expect(await w.finalized()).toMatchObject({ ackedBy: ['dn1', 'dn2'] });
    w.close();
    const got: Buffer[] = [];
    const readToken = issueBlockToken(KEY, { blockId, generationStamp: GS, mode: 'READ' }, Date.now() + 60_000);
    for await (const p of readBlockFrames({ nodeId: 'dn2', host: '127.0.0.1', transferPort: nodes[1]!.port }, { blockId, generationStamp: GS, accessToken: readToken })) got.push(p.data);
    expect(Buffer.concat(got).equals(data)).toBe(true);
  }, BUDGET_MS + 60_000);
});
