/**
 * The DataNode's block transfer server (TCP, datanode/block-transfer-server.ts) with real block
 * stores on disk, driven by the shared opening side (common/transfer-client.ts): a three-node
 * pipeline finalizes on every node with acks naming each; reads return the stored bytes for any
 * range; the token is checked before a byte is accepted or served; a corrupt packet, a dead
 * downstream and malformed or trickled input each end that connection with a typed status naming
 * the right node (or none) and leave no readable replica anywhere; an upstream that vanishes
 * mid-block leaves each node a replica being written of what it wrote (block recovery finalizes it
 * at a given length; a new write of the block supersedes it); the server keeps serving; TLS works
 * with the gRPC certificates and refuses a client without one.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DfsError, FrameDecoder, Limits, TransferWriteError, TransferWriteStream, chunkCrcs, encodePreamble, issueBlockToken, loadTls, readBlockFrames,
  silentLogger, type TlsMaterial, type TransferOpHeaderIn, connectTransfer,
} from '@minidfs/common';
import { BlockStore, BlockTransferServer } from '@minidfs/datanode';
import { bytes } from '../support/bytes';
import { makeTestPki, opensslAvailable } from '../support/tls';

const KEY = Buffer.alloc(32, 7);
const GS = 1001;
const PACKET = Limits.packetDataBytes;

interface Node {
  id: string;
  store: BlockStore;
  server: BlockTransferServer;
  port: number;
}

let dir: string;
let nodes: Node[] = [];

async function startNode(id: string, options: { tls?: TlsMaterial; idleTimeoutMs?: number } = {}): Promise<Node> {
  const store = new BlockStore(path.join(dir, id));
  await store.init();
  const server = new BlockTransferServer({ nodeId: () => id, store, logger: silentLogger(), blockTokenKey: KEY, ...options });
  const port = await server.listen('127.0.0.1', 0);
  const node = { id, store, server, port };
  nodes.push(node);
  return node;
}

function loc(n: Node) {
  return { nodeId: n.id, host: '127.0.0.1', dataPort: 1, rack: '/r', transferPort: n.port };
}

function writeToken(blockId: number, targets: Node[]): string {
  return issueBlockToken(KEY, { blockId, generationStamp: GS, mode: 'WRITE', targets: targets.map((t) => t.id) }, Date.now() + 60_000);
}

function readToken(blockId: number): string {
  return issueBlockToken(KEY, { blockId, generationStamp: GS, mode: 'READ' }, Date.now() + 60_000);
}

/** Writes `data` through the pipeline `pipeline` (first node first); `mangle` may corrupt a packet. */
async function writeBlock(pipeline: Node[], blockId: number, data: Buffer, options: { token?: string; mangle?: (seqno: number, crcs: number[]) => void; tls?: TlsMaterial } = {}) {
  const header: TransferOpHeaderIn = {
    op: 'TRANSFER_OP_WRITE', blockId, generationStamp: GS, targets: pipeline.slice(1).map(loc), accessToken: options.token ?? writeToken(blockId, pipeline), clientName: 't',
  };
  const stream = await TransferWriteStream.open({ nodeId: pipeline[0]!.id, host: '127.0.0.1', transferPort: pipeline[0]!.port }, header, { tls: options.tls });
  try {
    const count = Math.max(1, Math.ceil(data.length / PACKET));
    for (let i = 0; i < count; i += 1) {
      const piece = data.subarray(i * PACKET, Math.min((i + 1) * PACKET, data.length));
      const crcs = chunkCrcs(piece);
      options.mangle?.(i + 1, crcs);
      await stream.send(piece, crcs, i === count - 1);
    }
    return await stream.finalized();
  } finally {
    stream.close();
  }
}

async function readAll(node: Node, blockId: number, offsetBytes = 0, lengthBytes = 0, tls?: TlsMaterial): Promise<{ offset: number; data: Buffer }> {
  const pieces: Buffer[] = [];
  let offset = -1;
  for await (const p of readBlockFrames({ nodeId: node.id, host: '127.0.0.1', transferPort: node.port }, { blockId, generationStamp: GS, offsetBytes, lengthBytes, accessToken: readToken(blockId) }, { tls })) {
    if (offset < 0) offset = p.offsetBytes;
    expect(chunkCrcs(p.data)).toEqual(p.chunkCrcs);
    pieces.push(p.data);
  }
  return { offset, data: Buffer.concat(pieces) };
}

async function failureOf(p: Promise<unknown>): Promise<TransferWriteError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TransferWriteError) return err;
    throw err;
  }
  throw new Error('expected the write to fail');
}

/** No replica, finalized, being written or tmp, of `blockId` on any node (after in-flight cleanup settles). */
async function expectNowhere(blockId: number, keptOn: Node[] = []): Promise<void> {
  for (let i = 0; i < 50 && nodes.some((n) => n.server.counters.activeTransfers > 0); i += 1) await new Promise((r) => setTimeout(r, 20));
  for (const n of nodes) {
    expect(n.store.has(blockId)).toBe(false);
    if (!keptOn.includes(n)) expect(n.store.listBeingWritten().map((b) => b.blockId)).not.toContain(blockId);
    const tmp = path.join(n.store.dir, 'tmp');
    if (fs.existsSync(tmp)) expect(fs.readdirSync(tmp).filter((f) => f.includes(String(blockId)))).toEqual([]);
  }
}

/** Sends raw bytes on a fresh connection; resolves with the status the server closes with (if any). */
function rawExchange(node: Node, input: Buffer, holdOpen = false): Promise<{ errorCode: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(node.port, '127.0.0.1', () => {
      socket.write(input);
      if (!holdOpen) socket.end();
    });
    const decoder = new FrameDecoder(false);
    let errorCode = '';
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) if (f.kind === 'message') errorCode = f.status.errorCode;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ errorCode, closed: true }));
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-bts-'));
  nodes = [];
});

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.server.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('block transfer server', () => {
  it('writes through a three-node pipeline and reads any range back', async () => {
    const [a, b, c] = [await startNode('dn1'), await startNode('dn2'), await startNode('dn3')];
    const data = bytes(3 * PACKET + 1234, 11);
    const final = await writeBlock([a!, b!, c!], 42, data);
    expect(final).toMatchObject({ finalized: true, lengthBytes: data.length, ackedBy: ['dn1', 'dn2', 'dn3'] });
    for (const n of [a!, b!, c!]) expect(n.store.get(42)).toMatchObject({ lengthBytes: data.length, generationStamp: GS });
    expect((await readAll(c!, 42)).data.equals(data)).toBe(true);
    const ranged = await readAll(b!, 42, 70_001, 100_000);
    expect(ranged.offset).toBe(70_001 - (70_001 % 512));
    expect(ranged.data.subarray(70_001 - ranged.offset, 70_001 - ranged.offset + 100_000).equals(data.subarray(70_001, 170_001))).toBe(true);
    // Empty block: one empty last packet.
    await writeBlock([a!], 43, Buffer.alloc(0));
    expect(a!.store.get(43)?.lengthBytes).toBe(0);
    expect((await readAll(a!, 43)).data.length).toBe(0);
  });

  it('checks the token before accepting or serving a byte', async () => {
    const [a, b] = [await startNode('dn1'), await startNode('dn2')];
    // A READ token cannot write; a WRITE token not naming dn2 cannot pass dn2 (dn2 is named the bad node? no: the sender's fault, but dn1 relays it).
    let err = await failureOf(writeBlock([a!], 50, bytes(1000), { token: readToken(50) }));
    expect(err.error.code).toBe('PERMISSION_DENIED');
    err = await failureOf(writeBlock([a!, b!], 51, bytes(1000), { token: writeToken(51, [a!]) }));
    expect(err.error.code).toBe('PERMISSION_DENIED');
    await expectNowhere(50);
    await expectNowhere(51);
    await writeBlock([a!], 52, bytes(1000));
    const bad = readBlockFrames({ nodeId: 'dn1', host: '127.0.0.1', transferPort: a!.port }, { blockId: 52, generationStamp: GS, accessToken: writeToken(52, [a!]) });
    await expect(bad.next()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('a corrupt packet is caught by the first node, which names itself; nothing stays anywhere', async () => {
    const [a, b] = [await startNode('dn1'), await startNode('dn2')];
    const err = await failureOf(writeBlock([a!, b!], 60, bytes(3 * PACKET), { mangle: (seqno, crcs) => { if (seqno === 2) crcs[5] ^= 1; } }));
    expect(err.error.code).toBe('CHECKSUM_MISMATCH');
    expect(err.badNode).toBe('dn1');
    await expectNowhere(60);
  });

  it('a dead downstream is named; the upstream keeps no replica', async () => {
    const [a, b, c] = [await startNode('dn1'), await startNode('dn2'), await startNode('dn3')];
    await c!.server.close();
    const err = await failureOf(writeBlock([a!, b!, c!], 70, bytes(2 * PACKET)));
    expect(err.badNode).toBe('dn3');
    expect(err.error.code).toBe('UNAVAILABLE');
    await expectNowhere(70);
    // The same nodes still serve a pipeline without dn3.
    await writeBlock([a!, b!], 71, bytes(PACKET));
  });

  it('malformed input closes that connection with a typed status; the server keeps serving', async () => {
    const a = await startNode('dn1');
    expect(await rawExchange(a, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toEqual({ errorCode: 'INVALID_ARGUMENT', closed: true });
    expect(await rawExchange(a, Buffer.from([0x4d, 0x44, 0x54, 0x01, 0x7f, 0, 0, 0]))).toEqual({ errorCode: 'INVALID_ARGUMENT', closed: true });
    // A valid header, then an out-of-order packet and a packet past the size limit.
    const header = encodePreamble({ op: 'TRANSFER_OP_WRITE', blockId: 80, generationStamp: GS, accessToken: writeToken(80, [a]) });
    const { encodePacket } = await import('@minidfs/common');
    const d = bytes(512);
    expect(await rawExchange(a, Buffer.concat([header, encodePacket(2, 0, false, d, chunkCrcs(d))]), true)).toMatchObject({ errorCode: 'INVALID_ARGUMENT' });
    const huge = Buffer.from(encodePacket(1, 0, false, d, chunkCrcs(d)));
    huge.writeUInt32BE(Limits.packetDataBytes + 512, 4);
    expect(await rawExchange(a, Buffer.concat([header, huge]), true)).toMatchObject({ errorCode: 'INVALID_ARGUMENT' });
    // Truncated stream: the upstream ends before the last packet.
    expect(await rawExchange(a, Buffer.concat([header, encodePacket(1, 0, false, d, chunkCrcs(d))]))).toMatchObject({ closed: true });
    await expectNowhere(80, [a]); // what it wrote is kept being written (not readable): see the next test
    await writeBlock([a], 81, bytes(5000));
    expect(a.store.has(81)).toBe(true);
  });

  it('an upstream that vanishes mid-block: every node keeps what it wrote as a replica being written, never readable, until recovered or superseded', async () => {
    const [a, b, c] = [await startNode('dn1'), await startNode('dn2'), await startNode('dn3')];
    const data = bytes(4 * PACKET, 9);
    const header: TransferOpHeaderIn = {
      op: 'TRANSFER_OP_WRITE', blockId: 110, generationStamp: GS, targets: [loc(b), loc(c)], accessToken: writeToken(110, [a, b, c]), clientName: 't',
    };
    let acked = 0;
    const stream = await TransferWriteStream.open({ nodeId: 'dn1', host: '127.0.0.1', transferPort: a.port }, header, { onAck: (st) => { acked = st.seqno; } });
    for (let i = 0; i < 3; i += 1) await stream.send(data.subarray(i * PACKET, (i + 1) * PACKET), chunkCrcs(data.subarray(i * PACKET, (i + 1) * PACKET)), false);
    for (let i = 0; i < 100 && acked < 3; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(3);
    stream.close(); // the writer vanishes before its last packet
    for (let i = 0; i < 100 && nodes.some((n) => n.store.listBeingWritten().length === 0); i += 1) await new Promise((r) => setTimeout(r, 20));
    for (const n of [a, b, c]) {
      expect(n.store.listBeingWritten()).toEqual([{ blockId: 110, generationStamp: GS, lengthBytes: 3 * PACKET }]);
      expect(n.store.has(110)).toBe(false);
    }
    await expect(readAll(a, 110)).rejects.toMatchObject({ code: 'BLOCK_NOT_FOUND' });
    // Block recovery: finalized at a shorter length (a partial chunk: its CRC is recomputed), then readable.
    const length = 2 * PACKET + 700;
    expect(await a.store.finalizeBeingWritten(110, GS, length)).toEqual({ blockId: 110, generationStamp: GS, lengthBytes: length });
    expect((await readAll(a, 110)).data.equals(data.subarray(0, length))).toBe(true);
    expect(await a.store.verify(110)).toBe(true);
    // More than a holder has, or another generation: nothing changes.
    expect(await b.store.finalizeBeingWritten(110, GS, 3 * PACKET + 1)).toBeUndefined();
    expect(await b.store.finalizeBeingWritten(110, GS + 1, PACKET)).toBeUndefined();
    expect(b.store.listBeingWritten()).toHaveLength(1);
    // A new write of the block supersedes the replica being written.
    await writeBlock([b], 110, data.subarray(0, PACKET));
    expect(b.store.listBeingWritten()).toEqual([]);
    expect((await readAll(b, 110)).data.equals(data.subarray(0, PACKET))).toBe(true);
    // Reloaded after a restart; deleted like a replica.
    const reopened = new BlockStore(c.store.dir);
    await reopened.init();
    expect(reopened.listBeingWritten()).toEqual([{ blockId: 110, generationStamp: GS, lengthBytes: 3 * PACKET }]);
    expect(await reopened.delete(110)).toBe(true);
    expect(reopened.listBeingWritten()).toEqual([]);
  });

  it('a slowloris connection is closed after the idle timeout', async () => {
    const a = await startNode('dn1', { idleTimeoutMs: 300 });
    const started = Date.now();
    expect(await rawExchange(a, Buffer.from([0x4d, 0x44]), true)).toEqual({ errorCode: 'INVALID_ARGUMENT', closed: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Header sent, then packets trickle one byte at a time: progress is whole frames, so it is cut off too.
    const socket = await connectTransfer('127.0.0.1', a.port, undefined);
    socket.on('error', () => undefined);
    socket.write(encodePreamble({ op: 'TRANSFER_OP_WRITE', blockId: 90, generationStamp: GS, accessToken: writeToken(90, [a]) }));
    const frame = (await import('@minidfs/common')).encodePacket(1, 0, true, bytes(4096), chunkCrcs(bytes(4096)));
    const closed = new Promise((r) => socket.on('close', r));
    let at = 0;
    const trickle = setInterval(() => { if (at < frame.length && !socket.destroyed) socket.write(frame.subarray(at, ++at)); }, 100);
    await closed;
    clearInterval(trickle);
    await expectNowhere(90);
  });

  (opensslAvailable() ? it : it.skip)('works over TLS with the gRPC certificates and refuses a client without one', async () => {
    const pki = makeTestPki(path.join(dir, 'pki'));
    const tls = loadTls({ certFile: pki.cert, keyFile: pki.key, caFile: pki.ca })!;
    const [a, b] = [await startNode('dn1', { tls }), await startNode('dn2', { tls })];
    const data = bytes(2 * PACKET + 7, 5);
    expect(await writeBlock([a!, b!], 100, data, { tls })).toMatchObject({ ackedBy: ['dn1', 'dn2'] });
    expect((await readAll(b!, 100, 0, 0, tls)).data.equals(data)).toBe(true);
    const noCert = loadTls({ caFile: pki.ca })!;
    await expect((async () => { await readAll(a!, 100, 0, 0, noCert); })()).rejects.toBeInstanceOf(DfsError);
    const rogue = loadTls({ certFile: pki.rogueCert, keyFile: pki.rogueKey, caFile: pki.ca })!;
    await expect((async () => { await readAll(a!, 100, 0, 0, rogue); })()).rejects.toBeInstanceOf(DfsError);
  });
});
