/**
 * DataNode block transfer (the TCP protocol, common/transfer-codec.ts) on real processes over
 * 127.0.0.1: the write pipeline
 * (forwarding, ordered acks, finalize on every node), reads (whole, ranged, corrupt replica),
 * pipeline failures (dead middle node, bad checksums, bad header, block already present) with the
 * bad-node verdict, then block reports and NameNode commands (invalidate, replicate)
 * against a scripted in-test NameNode, then the per-stream limits (backpressure, idle timeout,
 * transfer slots) on an in-process BlockTransferServer.
 *
 * The tests talk to the DataNodes with raw block transfer connections. In the real-cluster part the
 * NameNode is killed once the DataNodes have registered and their addresses are known: these
 * hand-made blocks are unknown to it, and a NameNode that processes block reports would rightly
 * invalidate them mid-test.
 */
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type DatanodeCommand, type DatanodeProtocolHandlers, FrameDecoder, Limits, SERVER_OPTIONS, type TransferStatus__Output, bindServer, connectTransfer,
  createTransferServer, encodePacket, encodePacketHead, encodePreamble, encodeStatus, listenTransferServer, loadProtos, silentLogger,
} from '@minidfs/common';
import { BlockStore, BlockTransferServer, chunkCrcs } from '@minidfs/datanode';
import { TestCluster } from '../support/cluster';
import type { LogLine, NodeProcess } from '../support/processes';
import { waitFor } from '../support/wait';
import { bytes } from '../support/bytes';

const MiB = 1024 * 1024;
const GS = 7;

// ---------------------------------------------------------------------------------------------
// Wire helpers

interface Location { nodeId: string; host: string; dataPort: number; transferPort?: number; rack: string }
interface Packet { seqno: number; data: Buffer; chunkCrcs: number[]; last: boolean }
interface Ack { seqno: number; ackedBy: string[]; finalized: boolean; lengthBytes: number }
interface Header { blockId: number; generationStamp: number; downstream: Location[]; accessToken: string; purpose: string }

/** Deterministic bytes (xorshift32), so a failure replays exactly. */

/** `data` as 64 KiB packets with their chunk CRCs, seqno from 1, the last flagged. */
function packetsOf(data: Buffer): Packet[] {
  const packets: Packet[] = [];
  for (let start = 0; start < data.length; start += Limits.packetDataBytes) {
    const slice = data.subarray(start, start + Limits.packetDataBytes);
    packets.push({ seqno: packets.length + 1, data: slice, chunkCrcs: chunkCrcs(slice), last: false });
  }
  if (packets.length === 0) packets.push({ seqno: 1, data: Buffer.alloc(0), chunkCrcs: [], last: false });
  packets[packets.length - 1].last = true;
  return packets;
}

function header(blockId: number, downstream: Location[] = [], purpose = 'WRITE'): Header {
  return { blockId, generationStamp: GS, downstream, accessToken: '', purpose };
}

// Block transfer (TCP) helpers: Part 1 talks to real DataNodes the way clients and peers do now.

interface TcpError { code: string; badNode: string | undefined; message: string }
interface TcpWriteOutcome { acks: Ack[]; error?: TcpError }
interface TcpReadOutcome { chunks: { offsetBytes: number; data: Buffer; chunkCrcs: number[] }[]; data: Buffer; error?: TcpError }

function tcpErrorOf(status: TransferStatus__Output): TcpError {
  return { code: status.errorCode, badNode: status.badNode || undefined, message: status.errorMessage };
}

/** A packet frame as written, even one a client never sends (over 64 KiB, wrong seqno). */
function packetFrame(p: Packet, offsetBytes: number): Buffer {
  if (p.data.length <= Limits.packetDataBytes) return encodePacket(p.seqno, offsetBytes, p.last, p.data, p.chunkCrcs);
  const head = encodePacketHead(p.seqno, offsetBytes, p.last, Buffer.alloc(0), []);
  head.writeUInt32BE(p.data.length, 4);
  const crcs = Buffer.alloc(4 * p.chunkCrcs.length);
  p.chunkCrcs.forEach((c, i) => crcs.writeUInt32BE(c >>> 0, 4 * i));
  return Buffer.concat([head, crcs, p.data]);
}

/**
 * One write connection: header (WRITE/REPLICATE by `purpose`; none: packets come first), packets,
 * half-close; collects acks until the DataNode closes. With `holdFromSeqno`, packets from that
 * seqno on are sent only once every earlier one is acked (the whole pipeline holds the block by then).
 */
async function tcpWrite(
  target: Location, head: Header | undefined, packets: Packet[], options: { holdFromSeqno?: number; halfClose?: boolean } = {},
): Promise<TcpWriteOutcome> {
  const socket = await connectTransfer(target.host, target.transferPort!, undefined);
  const offsets: number[] = [];
  packets.reduce((at, p) => { offsets.push(at); return at + p.data.length; }, 0);
  return new Promise((resolve) => {
    const acks: Ack[] = [];
    let error: TcpError | undefined;
    const hold = options.holdFromSeqno ?? Infinity;
    const decoder = new FrameDecoder(false);
    const sendRest = () => {
      packets.forEach((p, i) => { if (p.seqno >= hold) socket.write(packetFrame(p, offsets[i]!)); });
      if (options.halfClose !== false) socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind !== 'message') continue;
        if (frame.status.errorCode) {
          error ??= tcpErrorOf(frame.status);
          continue;
        }
        const { seqno, ackedBy, finalized, lengthBytes } = frame.status;
        acks.push({ seqno, ackedBy, finalized, lengthBytes });
        if (seqno === hold - 1) sendRest();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ acks, error }));
    if (head) {
      const op = head.purpose === 'WRITE' ? 'TRANSFER_OP_WRITE' : head.purpose === 'REPLICATE' ? 'TRANSFER_OP_REPLICATE' : head.purpose;
      socket.write(encodePreamble({
        op: op as 'TRANSFER_OP_WRITE', blockId: head.blockId, generationStamp: head.generationStamp, accessToken: head.accessToken,
        targets: head.downstream.map((l) => ({ ...l, transferPort: l.transferPort ?? 0 })),
      }));
    }
    packets.forEach((p, i) => { if (p.seqno < hold) socket.write(packetFrame(p, offsets[i]!)); });
    if (hold === Infinity || hold <= 1) sendRest();
  });
}

async function tcpRead(target: Location, blockId: number, offsetBytes = 0, lengthBytes = 0): Promise<TcpReadOutcome> {
  const socket = await connectTransfer(target.host, target.transferPort!, undefined);
  return new Promise((resolve) => {
    const chunks: TcpReadOutcome['chunks'] = [];
    let error: TcpError | undefined;
    const decoder = new FrameDecoder(false);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'message') error ??= tcpErrorOf(frame.status);
        else if (frame.kind === 'packet') chunks.push({ offsetBytes: frame.offsetBytes, data: frame.data, chunkCrcs: frame.chunkCrcs });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ chunks, data: Buffer.concat(chunks.map((c) => c.data)), error }));
    socket.write(encodePreamble({ op: 'TRANSFER_OP_READ', blockId, generationStamp: GS, offsetBytes, lengthBytes, accessToken: '' }));
  });
}

/** The requested range out of a ranged read's whole-chunk answer. */
function trimmed(read: { chunks: { offsetBytes: number }[]; data: Buffer }, offsetBytes: number, lengthBytes: number): Buffer {
  const first = read.chunks[0]?.offsetBytes ?? offsetBytes;
  return read.data.subarray(offsetBytes - first, offsetBytes - first + lengthBytes);
}

/** Every file named exactly `blk_<id>` under `dir` (data files, finalized or not). */
/**
 * Files of `blockId` outside rbw/: finalized or in progress. A write whose upstream vanished keeps
 * what a node wrote in rbw/ (a replica being written, never readable; the NameNode finalizes it at
 * lease recovery or has it deleted), so "nothing left" means nothing here.
 */
function readableOrTmpFiles(dir: string, blockId: number): string[] {
  return blockFiles(dir, blockId).filter((f) => !f.includes(`${path.sep}rbw${path.sep}`));
}

function blockFiles(dir: string, blockId: number): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === `blk_${blockId}`) found.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

function logged(dn: NodeProcess, event: string, blockId: number, from = 0): Promise<LogLine> {
  return dn.waitForLine(`${dn.name} ${event} for block ${blockId}`, (l) => l.event === event && l.blockId === blockId, 10_000, from);
}

function expectInOrderAcks(acks: Ack[], packets: number, lengthBytes: number, ackedBy: string[]): void {
  expect(acks.map((a) => a.seqno)).toEqual(Array.from({ length: packets }, (_, i) => i + 1));
  for (const ack of acks) expect(ack.ackedBy).toEqual(ackedBy);
  expect(acks.slice(0, -1).every((a) => !a.finalized)).toBe(true);
  expect(acks[acks.length - 1]).toMatchObject({ finalized: true, lengthBytes });
}

// ---------------------------------------------------------------------------------------------
// Part 1: a real NameNode + 3 real DataNodes

describe('DataNode write pipeline and reads on real processes', () => {
  let cluster: TestCluster;
  const locations = new Map<string, Location>();
  const loc = (id: string): Location => locations.get(id)!;
  const dnDir = (id: string): string => path.join(cluster.root, id);

  beforeEach(async () => {
    // Raw block transfer connections without block tokens: an open cluster.
    cluster = await TestCluster.start(3, undefined, [], { secret: false });
    const report = await cluster.report();
    for (const d of report.datanodes) {
      const [host, port] = d.address.split(':');
      locations.set(d.id, { nodeId: d.id, host, dataPort: Number(port), transferPort: await cluster.transferPort(d.id), rack: '' });
    }
    await cluster.nn.kill9(); // see the file header: keep a block-aware NameNode from invalidating test blocks
  });

  afterEach(async () => {
    locations.clear();
    await cluster.stop();
  });

  test('1 MiB + 17 bytes through dn1 -> dn2 -> dn3: ordered acks, identical replicas, whole and ranged reads from each', async () => {
    const blockId = 1001;
    const data = bytes(MiB + 17, 11);
    const packets = packetsOf(data);
    expect(packets).toHaveLength(17);

    const { acks, error } = await tcpWrite(loc('dn1'), header(blockId, [loc('dn2'), loc('dn3')]), packets);
    expect(error).toBeUndefined();
    expectInOrderAcks(acks, 17, MiB + 17, ['dn1', 'dn2', 'dn3']);

    for (const id of ['dn1', 'dn2', 'dn3']) {
      const files = blockFiles(dnDir(id), blockId);
      expect(files).toHaveLength(1);
      expect(fs.readFileSync(files[0]).equals(data)).toBe(true);
      await logged(cluster.dn(id), 'write-done', blockId);
    }

    for (const id of ['dn1', 'dn2', 'dn3']) {
      const whole = await tcpRead(loc(id), blockId);
      expect(whole.error).toBeUndefined();
      expect(whole.data.equals(data)).toBe(true);
      for (const chunk of whole.chunks) {
        expect(chunk.offsetBytes % Limits.bytesPerChecksum).toBe(0);
        expect(chunk.chunkCrcs).toEqual(chunkCrcs(chunk.data));
      }
    }

    // Ranged reads answer whole 512-byte chunks; the caller trims.
    for (const [offset, length] of [[70_000, 100_000], [MiB + 7, 0], [0, 1], [512, 512], [MiB + 16, 1]] as const) {
      const read = await tcpRead(loc('dn2'), blockId, offset, length);
      expect(read.error).toBeUndefined();
      expect(read.chunks[0].offsetBytes).toBe(Math.floor(offset / 512) * 512);
      const want = length === 0 ? data.subarray(offset) : data.subarray(offset, offset + length);
      expect(trimmed(read, offset, want.length).equals(want)).toBe(true);
    }
    // A range past the end is refused.
    expect((await tcpRead(loc('dn1'), blockId, MiB, MiB)).error?.code).toBe('INVALID_ARGUMENT');
  });

  test('an empty last packet and an empty block are fine', async () => {
    const data = bytes(3 * Limits.packetDataBytes, 5);
    const packets = packetsOf(data).map((p) => ({ ...p, last: false }));
    packets.push({ seqno: packets.length + 1, data: Buffer.alloc(0), chunkCrcs: [], last: true });
    const written = await tcpWrite(loc('dn3'), header(1002, [loc('dn1')]), packets);
    expect(written.error).toBeUndefined();
    expectInOrderAcks(written.acks, 4, data.length, ['dn3', 'dn1']);
    expect((await tcpRead(loc('dn1'), 1002)).data.equals(data)).toBe(true);

    const empty = await tcpWrite(loc('dn1'), header(1003, [loc('dn2')]), packetsOf(Buffer.alloc(0)));
    expect(empty.error).toBeUndefined();
    expect(empty.acks).toEqual([expect.objectContaining({ seqno: 1, finalized: true, lengthBytes: 0, ackedBy: ['dn1', 'dn2'] })]);
    const read = await tcpRead(loc('dn2'), 1003);
    expect(read.error).toBeUndefined();
    expect(read.data.length).toBe(0);
  });

  test('a flipped byte on one replica: a read there fails CHECKSUM_MISMATCH, another replica still serves the bytes', async () => {
    const blockId = 1010;
    const data = bytes(300_000, 3);
    const { error } = await tcpWrite(loc('dn1'), header(blockId, [loc('dn2'), loc('dn3')]), packetsOf(data));
    expect(error).toBeUndefined();

    const [file] = blockFiles(path.join(dnDir('dn2'), 'blocks', 'current'), blockId);
    const fd = fs.openSync(file, 'r+');
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, 200_000);
    one[0] ^= 0x01;
    fs.writeSync(fd, one, 0, 1, 200_000);
    fs.closeSync(fd);

    const bad = await tcpRead(loc('dn2'), blockId);
    expect(bad.error?.code).toBe('CHECKSUM_MISMATCH');
    // Only verified chunks left the node: whatever arrived is a correct prefix.
    expect(bad.data.equals(data.subarray(0, bad.data.length))).toBe(true);
    expect(bad.data.length).toBeLessThan(200_000);
    await logged(cluster.dn('dn2'), 'corrupt-replica', blockId);

    // A range that does not touch the bad chunk still reads; the other replicas are intact.
    const head = await tcpRead(loc('dn2'), blockId, 0, 1000);
    expect(trimmed(head, 0, 1000).equals(data.subarray(0, 1000))).toBe(true);
    const good = await tcpRead(loc('dn3'), blockId);
    expect(good.error).toBeUndefined();
    expect(good.data.equals(data)).toBe(true);
  });

  test('an unknown block reads as BLOCK_NOT_FOUND', async () => {
    const read = await tcpRead(loc('dn1'), 424242);
    expect(read.error?.code).toBe('BLOCK_NOT_FOUND');
    const bad = await tcpRead(loc('dn1'), 0);
    expect(bad.error?.code).toBe('INVALID_ARGUMENT');
  });

  test('kill -9 the middle node, then write through it: fails naming it, nothing left on the first node', async () => {
    const blockId = 1020;
    await cluster.dn('dn2').kill9();
    const from = cluster.dn('dn1').lines.length;
    const { acks, error } = await tcpWrite(loc('dn1'), header(blockId, [loc('dn2'), loc('dn3')]), packetsOf(bytes(MiB + 17, 2)));
    expect(error).toBeDefined();
    expect(error?.badNode).toBe('dn2');
    expect(acks.some((a) => a.finalized)).toBe(false);
    const failed = await logged(cluster.dn('dn1'), 'write-failed', blockId, from);
    expect(failed).toMatchObject({ badNode: 'dn2' });
    expect(blockFiles(dnDir('dn1'), blockId)).toEqual([]);
    expect(blockFiles(dnDir('dn3'), blockId)).toEqual([]);
  });

  test.each([
    ['a middle packet', 5],
    ['the last packet', 17],
  ])('wrong chunk CRCs in %s: CHECKSUM_MISMATCH naming the first node, nothing finalized anywhere', async (_what, badSeqno) => {
    const blockId = 1030 + badSeqno;
    const packets = packetsOf(bytes(MiB + 17, 4));
    const bad = packets[badSeqno - 1];
    bad.chunkCrcs = [...bad.chunkCrcs];
    bad.chunkCrcs[0] = (bad.chunkCrcs[0] + 1) >>> 0;
    const from = ['dn1', 'dn2', 'dn3'].map((id) => cluster.dn(id).lines.length);
    const { acks, error } = await tcpWrite(loc('dn1'), header(blockId, [loc('dn2'), loc('dn3')]), packets, { holdFromSeqno: badSeqno });
    expect(error?.code).toBe('CHECKSUM_MISMATCH');
    expect(error?.badNode).toBe('dn1');
    expect(acks.map((a) => a.seqno)).toEqual(Array.from({ length: badSeqno - 1 }, (_, i) => i + 1));
    expect(acks.some((a) => a.finalized)).toBe(false);
    // Every node held the stream (packets before the bad one were acked by all three); each logs
    // its failure after cleaning up, and then nothing readable is left. dn1 (whose check failed)
    // keeps nothing; dn2 and dn3 saw their upstream vanish and keep the acked packets as replicas
    // being written, for the NameNode to delete (this block is unknown to it) or recover.
    await logged(cluster.dn('dn1'), 'write-failed', blockId, from[0]);
    await logged(cluster.dn('dn2'), 'write-failed', blockId, from[1]);
    await logged(cluster.dn('dn3'), 'write-failed', blockId, from[2]);
    expect(blockFiles(dnDir('dn1'), blockId)).toEqual([]);
    for (const id of ['dn1', 'dn2', 'dn3']) {
      expect(readableOrTmpFiles(dnDir(id), blockId)).toEqual([]);
      expect(cluster.dn(id).lines.some((l) => l.event === 'write-done' && l.blockId === blockId)).toBe(false);
      expect((await tcpRead(loc(id), blockId)).error?.code).toBe('BLOCK_NOT_FOUND');
    }
  });

  test('invalid headers and protocol violations: INVALID_ARGUMENT, no bad node named', async () => {
    const one = packetsOf(bytes(1000));
    const cases: [string, Header | undefined, Packet[]][] = [
      ['block id 0', header(0, [loc('dn2')]), one],
      ['unknown purpose', header(1040, [], 'STEAL'), one],
      ['17 downstream nodes', header(1041, Array.from({ length: 17 }, (_, i) => ({ ...loc('dn2'), nodeId: `x${i}` }))), one],
      ['a loop back to itself', header(1042, [loc('dn2'), loc('dn1')]), one],
      ['a packet before the header', undefined, one],
      ['seqno starting at 2', header(1043), [{ ...one[0], seqno: 2 }]],
      ['a packet over 64 KiB', header(1044), [{ seqno: 1, data: bytes(Limits.packetDataBytes + 1), chunkCrcs: chunkCrcs(bytes(Limits.packetDataBytes + 1)), last: true }]],
      ['no last packet', header(1045), [{ ...one[0], last: false }]],
    ];
    for (const [what, head, packets] of cases) {
      const { error } = await tcpWrite(loc('dn1'), head, packets);
      expect([what, error?.code]).toEqual([what, 'INVALID_ARGUMENT']);
      expect([what, error?.badNode]).toEqual([what, undefined]);
    }
    for (const id of [1040, 1041, 1042, 1043, 1044, 1045]) {
      await waitFor(`no files for ${id}`, () => ['dn1', 'dn2'].every((dn) => readableOrTmpFiles(dnDir(dn), id).length === 0));
    }
    // "No last packet": the sender half-closed mid-block, which is how a killed writer looks, so
    // dn1 keeps the packet it wrote as a replica being written. The rejected headers kept nothing.
    await waitFor('replica being written of 1045', () => blockFiles(dnDir('dn1'), 1045).length === 1);
    for (const id of [1040, 1041, 1042, 1043, 1044]) expect(blockFiles(dnDir('dn1'), id)).toEqual([]);
  });

  test('a block already present: ALREADY_EXISTS naming the node that holds it; its replica is untouched', async () => {
    const blockId = 1050;
    const original = bytes(100_000, 21);
    expect((await tcpWrite(loc('dn3'), header(blockId), packetsOf(original))).error).toBeUndefined();

    const direct = await tcpWrite(loc('dn3'), header(blockId), packetsOf(bytes(5000, 22)));
    expect(direct.error?.code).toBe('FILE_ALREADY_EXISTS');
    expect(direct.error?.badNode).toBe('dn3');

    const from = cluster.dn('dn1').lines.length;
    const piped = await tcpWrite(loc('dn1'), header(blockId, [loc('dn2'), loc('dn3')]), packetsOf(bytes(MiB, 23)));
    expect(piped.error).toBeDefined();
    expect(piped.error?.badNode).toBe('dn3');
    expect(piped.error?.code).toBe('FILE_ALREADY_EXISTS');
    await logged(cluster.dn('dn1'), 'write-failed', blockId, from);
    await waitFor('dn2 cleaned up', () => blockFiles(dnDir('dn2'), blockId).length === 0);
    expect(blockFiles(dnDir('dn1'), blockId)).toEqual([]);
    expect((await tcpRead(loc('dn3'), blockId)).data.equals(original)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Part 2: real DataNodes against a scripted NameNode (records reports, hands out commands)

interface Beat { nodeId: string; sequence: number; usedBytes: number; blockCount: number; activeTransfers: number; remainingBytes: number }
interface FullReport { nodeId: string; registrationId: string; blocks: { blockId: number; generationStamp: number; lengthBytes: number }[] }
interface Incremental { nodeId: string; received: { blockId: number; lengthBytes: number }[]; deleted: number[] }

class ScriptedNameNode {
  readonly server = new grpc.Server(SERVER_OPTIONS);
  port = 0;
  readonly registrations: { id: string; host: string; dataPort: number; transferPort: number }[] = [];
  readonly beats: Beat[] = [];
  readonly fullReports: FullReport[] = [];
  readonly incrementals: Incremental[] = [];
  readonly badBlocks: { nodeId: string; blockIds: number[] }[] = [];
  /** Answers for the next BlockReports, in order: an error status or commands. Default: no commands. */
  readonly blockReportAnswers: ({ error: grpc.status } | { commands: DatanodeCommand[] })[] = [];
  private readonly queued = new Map<string, DatanodeCommand[]>();
  private readonly sessions = new Map<string, grpc.ServerDuplexStream<Beat, unknown>>();

  async start(blockReportIntervalMs: number): Promise<void> {
    let registrationCount = 0;
    const handlers: DatanodeProtocolHandlers = {
      Register: (call, callback) => {
        const info = call.request.info!;
        this.registrations.push({ id: info.id, host: info.host, dataPort: info.dataPort, transferPort: info.transferPort });
        registrationCount += 1;
        callback(null, {
          nodeId: info.id, registrationId: `${info.id}-r${registrationCount}`, heartbeatIntervalMs: 100, staleAfterMissed: 2,
          deadAfterMissed: 4, blockSizeBytes: 128 * MiB, blockReportIntervalMs, clusterId: 'scripted',
        });
      },
      Heartbeat: (call) => {
        call.on('data', (beat: Beat) => {
          this.beats.push(beat);
          this.sessions.set(beat.nodeId, call as unknown as grpc.ServerDuplexStream<Beat, unknown>);
          const commands = this.queued.get(beat.nodeId) ?? [];
          this.queued.delete(beat.nodeId);
          call.write({ ackedSequence: beat.sequence, commands });
        });
        call.on('end', () => call.end());
        call.on('error', () => undefined);
      },
      BlockReport: (call, callback) => {
        this.fullReports.push(call.request as FullReport);
        const answer = this.blockReportAnswers.shift() ?? { commands: [] };
        if ('error' in answer) callback({ code: answer.error, details: 'scripted failure' });
        else callback(null, { commands: answer.commands });
      },
      BlockReceivedAndDeleted: (call, callback) => {
        this.incrementals.push(call.request as Incremental);
        callback(null, {});
      },
      ReportBadBlocks: (call, callback) => {
        this.badBlocks.push({ nodeId: call.request.nodeId, blockIds: call.request.blockIds });
        callback(null, {});
      },
    };
    this.server.addService(loadProtos().DatanodeProtocol.service, handlers);
    this.port = await bindServer(this.server, '127.0.0.1:0');
  }

  /** Delivered with the node's next heartbeat answer. */
  command(nodeId: string, command: DatanodeCommand): void {
    this.queued.set(nodeId, [...(this.queued.get(nodeId) ?? []), command]);
  }

  location(id: string): Location {
    const r = [...this.registrations].reverse().find((x) => x.id === id)!;
    return { nodeId: id, host: r.host, dataPort: r.dataPort, transferPort: r.transferPort, rack: '' };
  }

  received(nodeId: string, blockId: number): boolean {
    return this.incrementals.some((i) => i.nodeId === nodeId && i.received.some((b) => b.blockId === blockId));
  }

  deleted(nodeId: string, blockId: number): boolean {
    return this.incrementals.some((i) => i.nodeId === nodeId && i.deleted.includes(blockId));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

describe('block reports and NameNode commands against a scripted NameNode', () => {
  const REPORT_INTERVAL_MS = 300;
  let nn: ScriptedNameNode;
  let cluster: TestCluster;

  async function startDataNodes(...ids: string[]): Promise<void> {
    for (const id of ids) cluster.startDataNode(id);
    await waitFor(`${ids.join(', ')} heartbeating`, () => ids.every((id) => nn.beats.some((b) => b.nodeId === id)));
  }

  beforeEach(async () => {
    nn = new ScriptedNameNode();
    await nn.start(REPORT_INTERVAL_MS);
    cluster = new TestCluster(undefined, [], { secret: false }); // the scripted NameNode holds no secret
    cluster.rpcPort = nn.port;
  });

  afterEach(async () => {
    await cluster.stop();
    nn.stop();
  });

  test('full report after registration (retried after a failure, resent every interval); incrementals; real heartbeat stats', async () => {
    nn.blockReportAnswers.push({ error: grpc.status.UNIMPLEMENTED }, { commands: [{ reregister: { reason: 'odd' } }, {}] });
    await startDataNodes('dn1');
    const dn1 = cluster.dn('dn1');
    await dn1.waitForLine('retry after the failed report', (l) => l.event === 'block-report-retry');
    await dn1.waitForLine('odd answer tolerated', (l) => l.event === 'unknown-command');

    const a = bytes(70_000, 1);
    const b = bytes(MiB + 17, 2);
    expect((await tcpWrite(nn.location('dn1'), header(2001), packetsOf(a))).error).toBeUndefined();
    expect((await tcpWrite(nn.location('dn1'), header(2002), packetsOf(b))).error).toBeUndefined();
    await waitFor('incremental received reports', () => nn.received('dn1', 2001) && nn.received('dn1', 2002));

    const from = nn.fullReports.length;
    const report = await waitFor('a periodic full report with both blocks', () =>
      nn.fullReports.slice(from).find((r) => r.nodeId === 'dn1' && r.blocks.length === 2));
    expect(report.registrationId).toBe('dn1-r1');
    expect(report.blocks).toEqual([
      { blockId: 2001, generationStamp: GS, lengthBytes: a.length },
      { blockId: 2002, generationStamp: GS, lengthBytes: b.length },
    ]);
    const beat = await waitFor('a heartbeat with the blocks counted', () => nn.beats.find((x) => x.nodeId === 'dn1' && x.blockCount === 2));
    expect(beat.usedBytes).toBe(a.length + b.length);
    expect(beat.remainingBytes).toBeGreaterThan(0);
    expect(dn1.alive).toBe(true);

    // Restart from the same data dir: the blocks are in the first report of the new process.
    await dn1.kill9();
    const before = nn.fullReports.length;
    cluster.startDataNode('dn1');
    const again = await waitFor('first report after restart', () => nn.fullReports.slice(before).find((r) => r.nodeId === 'dn1'));
    expect(again.blocks.map((x) => x.blockId)).toEqual([2001, 2002]);
  });

  test('INVALIDATE on the heartbeat and in a BlockReport answer: replicas deleted and reported deleted', async () => {
    await startDataNodes('dn1');
    for (const id of [2101, 2102]) expect((await tcpWrite(nn.location('dn1'), header(id), packetsOf(bytes(5000, id)))).error).toBeUndefined();
    const dir = path.join(cluster.root, 'dn1');
    expect(blockFiles(dir, 2101)).toHaveLength(1);

    nn.command('dn1', { invalidate: { blockIds: [2101, 999_999] } });
    const line = await cluster.dn('dn1').waitForLine('invalidate logged', (l) => l.event === 'invalidate');
    expect(line).toMatchObject({ source: 'heartbeat', deleted: [2101], absent: [999_999] });
    expect(blockFiles(dir, 2101)).toEqual([]);
    await waitFor('2101 reported deleted', () => nn.deleted('dn1', 2101));

    nn.blockReportAnswers.push({ commands: [{ invalidate: { blockIds: [2102] } }] });
    await waitFor('2102 deleted after a block report', () => blockFiles(dir, 2102).length === 0 && nn.deleted('dn1', 2102));
    await cluster.dn('dn1').waitForLine('invalidate from a block report', (l) => l.event === 'invalidate' && l.source === 'block-report');
    expect((await tcpRead(nn.location('dn1'), 2102)).error?.code).toBe('BLOCK_NOT_FOUND');
  });

  test('REPLICATE pushes a replica to two targets; a corrupt source reports itself and copies nothing', async () => {
    await startDataNodes('dn1', 'dn2', 'dn3');
    const data = bytes(MiB + 17, 9);
    expect((await tcpWrite(nn.location('dn1'), header(2201), packetsOf(data))).error).toBeUndefined();

    nn.command('dn1', { replicate: { blockId: 2201, generationStamp: GS, lengthBytes: data.length, targets: [nn.location('dn2'), nn.location('dn3')] } });
    const start = await logged(cluster.dn('dn1'), 'replicate-start', 2201);
    expect(start.targets).toEqual(['dn2', 'dn3']);
    const done = await logged(cluster.dn('dn1'), 'replicate-done', 2201);
    expect(done).toMatchObject({ targets: ['dn2', 'dn3'], lengthBytes: data.length });
    for (const id of ['dn2', 'dn3']) {
      const files = blockFiles(path.join(cluster.root, id), 2201);
      expect(files).toHaveLength(1);
      expect(fs.readFileSync(files[0]).equals(data)).toBe(true);
      await waitFor(`${id} reports the copy`, () => nn.received(id, 2201));
    }

    // Corrupt source: dn1's replica of another block gets a flipped byte.
    expect((await tcpWrite(nn.location('dn1'), header(2202), packetsOf(data))).error).toBeUndefined();
    const [file] = blockFiles(path.join(cluster.root, 'dn1', 'blocks', 'current'), 2202);
    const corrupt = fs.readFileSync(file);
    corrupt[MiB - 3] ^= 0x80;
    fs.writeFileSync(file, corrupt);
    const from = cluster.dn('dn2').lines.length;
    nn.command('dn1', { replicate: { blockId: 2202, generationStamp: GS, lengthBytes: data.length, targets: [nn.location('dn2')] } });
    const failed = await logged(cluster.dn('dn1'), 'replicate-failed', 2202);
    expect(failed).toMatchObject({ reason: 'corrupt-local-replica', targets: ['dn2'] });
    await waitFor('ReportBadBlocks from dn1', () => nn.badBlocks.some((r) => r.nodeId === 'dn1' && r.blockIds.includes(2202)));
    await logged(cluster.dn('dn2'), 'write-failed', 2202, from);
    expect(blockFiles(path.join(cluster.root, 'dn2'), 2202)).toEqual([]);
    expect(nn.received('dn2', 2202)).toBe(false);
  });

  test('a corrupt replica found by a client read is reported to the NameNode', async () => {
    await startDataNodes('dn1');
    expect((await tcpWrite(nn.location('dn1'), header(2301), packetsOf(bytes(4096, 3)))).error).toBeUndefined();
    const [file] = blockFiles(path.join(cluster.root, 'dn1', 'blocks', 'current'), 2301);
    const corrupt = fs.readFileSync(file);
    corrupt[10] ^= 0xff;
    fs.writeFileSync(file, corrupt);
    const read = await tcpRead(nn.location('dn1'), 2301);
    expect(read.error?.code).toBe('CHECKSUM_MISMATCH');
    await waitFor('ReportBadBlocks', () => nn.badBlocks.some((r) => r.nodeId === 'dn1' && r.blockIds.includes(2301)));
  });
});

// ---------------------------------------------------------------------------------------------
// Part 3: per-connection limits on in-process servers (small limits, short idle timeout)

describe('write pipeline limits (in-process)', () => {
  let dir: string;
  const servers: Array<{ close(): Promise<void> | void }> = [];

  async function dataNode(nodeId: string, options: { maxTransfers?: number; maxPacketsInFlight?: number; idleTimeoutMs?: number }) {
    const store = new BlockStore(path.join(dir, nodeId));
    await store.init();
    const reports: string[] = [];
    const transfer = new BlockTransferServer({
      nodeId: () => nodeId, store, logger: silentLogger(), ...options,
      onBlockReceived: (block) => reports.push(`received ${block.blockId}`),
      onBlockDeleted: (blockId) => reports.push(`deleted ${blockId}`),
    });
    const port = await transfer.listen('127.0.0.1', 0);
    servers.push(transfer);
    const location: Location = { nodeId, host: '127.0.0.1', dataPort: 1, transferPort: port, rack: '' };
    return { store, transfer, reports, location };
  }

  /**
   * A downstream that accepts the connection but acks nothing until release(); then acks like a
   * tail node, or, with failOnLast, fails instead of acking the last packet.
   */
  async function gatedDownstream(nodeId: string, options: { failOnLast?: boolean } = {}) {
    const seen: Array<{ seqno: number; last: boolean }> = [];
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const server = createTransferServer(undefined, (socket) => {
      const decoder = new FrameDecoder(true);
      let length = 0;
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk)) {
          if (frame.kind !== 'packet') continue;
          const { seqno, last } = frame;
          seen.push({ seqno, last });
          length += frame.data.length;
          const total = length;
          void released.then(() => {
            if (socket.destroyed) return;
            if (last && options.failOnLast) {
              socket.end(encodeStatus({ errorCode: 'INTERNAL', errorMessage: 'scripted disk failure' }));
              return;
            }
            socket.write(encodeStatus({ seqno, ackedBy: [nodeId], finalized: last, lengthBytes: last ? total : 0 }));
            if (last) socket.end();
          });
        }
      });
    });
    const port = await listenTransferServer(server, '127.0.0.1', 0);
    servers.push({ close: () => new Promise<void>((resolve) => { server.close(() => resolve()); (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(); }) });
    const location: Location = { nodeId, host: '127.0.0.1', dataPort: 1, transferPort: port, rack: '' };
    return { seen, release: () => release(), location, server };
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-transfer-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => Promise.race([s.close(), new Promise((r) => setTimeout(r, 500))])));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('backpressure: no more than maxPacketsInFlight unacked packets; all acked in order once the downstream moves', async () => {
    const a = await dataNode('A', { maxPacketsInFlight: 4 });
    const b = await gatedDownstream('B');
    const data = bytes(40 * Limits.packetDataBytes, 8);
    const outcome = tcpWrite(a.location, header(3001, [b.location]), packetsOf(data));
    await waitFor('A holds a full window', () => a.transfer.counters.packetsReceived === 4 && b.seen.length === 4);
    // The client has sent everything it could; A stops reading at the window.
    const windowEnd = Date.now() + 300;
    await waitFor('a while to pass', () => Date.now() >= windowEnd);
    expect(a.transfer.counters.packetsReceived).toBe(4);
    expect(b.seen).toHaveLength(4);
    b.release();
    const { acks, error } = await outcome;
    expect(error).toBeUndefined();
    expectInOrderAcks(acks, 40, data.length, ['A', 'B']);
    expect(a.store.has(3001)).toBe(true);
    expect(a.transfer.counters.activeTransfers).toBe(0);
  });

  test('idle timeout: a stalled client or a silent downstream cannot hold a slot; the right node is blamed', async () => {
    const a = await dataNode('A', { idleTimeoutMs: 300, maxTransfers: 1 });
    const packets = packetsOf(bytes(3 * Limits.packetDataBytes, 6));

    // Stalled client: header + one packet, then nothing (no half-close).
    const stalled = await tcpWrite(a.location, header(3101), packets.slice(0, 1), { halfClose: false });
    expect(stalled.error?.code).toBe('UNAVAILABLE');
    expect(stalled.error?.badNode).toBeUndefined();
    await waitFor('slot freed', () => a.transfer.counters.activeTransfers === 0);
    // A silent sender counts as gone: what A wrote stays a replica being written, never readable.
    expect(readableOrTmpFiles(path.join(dir, 'A'), 3101)).toEqual([]);
    expect(a.store.listBeingWritten()).toEqual([{ blockId: 3101, generationStamp: GS, lengthBytes: Limits.packetDataBytes }]);

    // Silent downstream: A waits on it, so it is the bad node.
    const b = await gatedDownstream('B');
    const silent = await tcpWrite(a.location, header(3102, [b.location]), packets);
    expect(silent.error?.badNode).toBe('B');
    await waitFor('slot freed', () => a.transfer.counters.activeTransfers === 0);
    expect(blockFiles(path.join(dir, 'A'), 3102)).toEqual([]);
  });

  test('a downstream failing after this node finalized: the replica is deleted again and reported deleted', async () => {
    const a = await dataNode('A', {});
    const b = await gatedDownstream('B', { failOnLast: true });
    const outcome = tcpWrite(a.location, header(3301, [b.location]), packetsOf(bytes(3 * Limits.packetDataBytes, 4)));
    await waitFor('A finalized its replica', () => a.store.has(3301) && a.reports.includes('received 3301'));
    b.release();
    const { acks, error } = await outcome;
    expect(error?.badNode).toBe('B');
    expect(acks.some((x) => x.finalized)).toBe(false);
    expect(a.store.has(3301)).toBe(false);
    expect(blockFiles(path.join(dir, 'A'), 3301)).toEqual([]);
    expect(a.reports).toEqual(['received 3301', 'deleted 3301']);
  });

  test('transfer slots: a connection beyond maxTransfers is refused with RESOURCE_EXHAUSTED naming the node', async () => {
    const a = await dataNode('A', { maxTransfers: 1 });
    const b = await gatedDownstream('B');
    const packets = packetsOf(bytes(2 * Limits.packetDataBytes, 7));
    const first = tcpWrite(a.location, header(3201, [b.location]), packets);
    await waitFor('first transfer active', () => a.transfer.counters.activeTransfers === 1 && b.seen.length === 2);
    const second = await tcpWrite(a.location, header(3202), packets);
    expect(second.error?.code).toBe('RESOURCE_EXHAUSTED');
    expect(second.error?.badNode).toBe('A');
    const read = await tcpRead(a.location, 3201);
    expect(read.error?.code).toBe('RESOURCE_EXHAUSTED');
    b.release();
    expect((await first).error).toBeUndefined();
    expect(a.transfer.counters.transfersRefused).toBe(2);
  });
});
