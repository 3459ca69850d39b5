/**
 * baselines: the physical limits of this machine in this run, so minidfs's figures can be read
 * against them: fsynced disk writes, one loopback TCP connection, one grpc-js stream (default
 * HTTP/2 window, and the 1 MiB window + no retry buffer the minidfs client uses for data).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type ChunkMessage, PULL_SERVICE } from '../lib/baseline-peer';
import { mbPerSec, median, round } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult } from '../lib/suite';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const RUNS = 3;
const NET_CHUNK = 64 * 1024;

/** Writes `bytes` in 1 MiB writes to a new file, fsyncs it, closes it; returns ms including the fsync. */
function diskRun(dir: string, bytes: number, buf: Buffer): number {
  const file = path.join(dir, `disk-${process.pid}-${Date.now()}.bin`);
  const t0 = performance.now();
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; done += buf.length) fs.writeSync(fd, buf, 0, Math.min(buf.length, bytes - done));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const ms = performance.now() - t0;
  fs.rmSync(file, { force: true });
  return ms;
}

async function startPeer(kind: 'tcp' | 'grpc'): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(__dirname, '../lib/baseline-peer.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reply = once(child, 'message') as Promise<[{ port: number }]>;
  child.send({ start: kind });
  const [{ port }] = await reply;
  return { child, port };
}

/** One connection: an 8-byte length header, then `bytes` in 64 KiB writes; done when the peer answers. */
async function tcpRun(port: number, bytes: number): Promise<number> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  const answered = once(sock, 'data');
  const buf = Buffer.alloc(NET_CHUNK, 7);
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(bytes));
  const t0 = performance.now();
  sock.write(header);
  for (let done = 0; done < bytes; done += buf.length) {
    if (!sock.write(buf)) await once(sock, 'drain');
  }
  await answered;
  const ms = performance.now() - t0;
  sock.destroy();
  return ms;
}

/** One bidi call on a fresh channel: the peer streams `bytes` as 64 KiB `bytes` messages to us. */
async function grpcRun(port: number, bytes: number, options: grpc.ChannelOptions): Promise<number> {
  const Client = grpc.makeGenericClientConstructor(PULL_SERVICE, 'Baseline');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { ...options, 'grpc.max_receive_message_length': 8 * MiB });
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
    const call = (client as unknown as { Pull(): grpc.ClientDuplexStream<ChunkMessage, ChunkMessage> }).Pull();
    let received = 0;
    const t0 = performance.now();
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (m: ChunkMessage) => { received += m.data.length; });
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ data: Buffer.alloc(0), total: bytes });
    call.end();
    await done;
    const ms = performance.now() - t0;
    if (received !== bytes) throw new Error(`grpc baseline received ${received} of ${bytes} bytes`);
    return ms;
  } finally {
    client.close();
  }
}

async function measure(what: string, ctx: BenchContext, bytes: number, once1: () => Promise<number> | number): Promise<{ mbps: number; runs: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(round(mbPerSec(bytes, await once1())));
  ctx.log(`${what}: ${runs.join(', ')} MB/s`);
  return { mbps: median(runs), runs };
}

export const baselines: Suite = {
  name: 'baselines',
  title: 'Baselines: disk, loopback TCP, one grpc-js stream',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const diskBytes = ctx.quick ? 128 * MiB : GiB;
    const tcpBytes = ctx.quick ? 512 * MiB : 4 * GiB;
    const grpcBytes = ctx.quick ? 256 * MiB : GiB;
    const diskBuf = randomBytes(MiB);

    const disk = await measure('disk + fsync', ctx, diskBytes, () => diskRun(ctx.workDir, diskBytes, diskBuf));

    const peers: ChildProcess[] = [];
    try {
      const tcpPeer = await startPeer('tcp');
      peers.push(tcpPeer.child);
      const tcp = await measure('loopback TCP', ctx, tcpBytes, () => tcpRun(tcpPeer.port, tcpBytes));
      const grpcPeer = await startPeer('grpc');
      peers.push(grpcPeer.child);
      const grpcDefault = await measure('grpc-js stream, default window', ctx, grpcBytes, () => grpcRun(grpcPeer.port, grpcBytes, {}));
      const grpcWide = await measure('grpc-js stream, 1 MiB window', ctx, grpcBytes, () => grpcRun(grpcPeer.port, grpcBytes, {
        'grpc-node.flow_control_window': MiB, 'grpc.per_rpc_retry_buffer_size': 0,
      }));

      const row = (name: string, bytes: number, r: { mbps: number; runs: number[] }): Array<string | number> =>
        [name, `${bytes / MiB} MiB`, r.runs.join(' / '), r.mbps];
      return {
        suite: 'baselines',
        title: baselines.title,
        method:
          `Each figure is the median of ${RUNS} runs, MB/s in decimal megabytes (10^6 bytes/s). ` +
          `Disk: ${diskBytes / MiB} MiB of random bytes in 1 MiB write() calls to a new file in the scratch dir (${ctx.workDir.split('/').slice(0, -1).join('/') || '/'}), then fsync; the time includes open, writes and fsync. ` +
          `Loopback TCP: one node:net connection on 127.0.0.1 to a forked peer process, ${tcpBytes / MiB} MiB in 64 KiB writes with backpressure (drain), ` +
          'timed until the peer answers that it has received everything. ' +
          `grpc-js: one bidi call on a fresh channel to a forked grpc-js server that streams ${grpcBytes / MiB} MiB back as 64 KiB protobuf \`bytes\` messages ` +
          '(data flows server -> client, the direction of a block read, so the receiving channel\'s window is the one we set); ' +
          'first with default channel options (64 KiB HTTP/2 window), then with `grpc-node.flow_control_window` = 1 MiB and `grpc.per_rpc_retry_buffer_size` = 0, ' +
          'the data-channel options of the minidfs client. Sender and receiver are separate processes (2 cores: one each).',
        metrics: {
          disk_fsync_MBps: disk.mbps,
          tcp_loopback_MBps: tcp.mbps,
          grpc_stream_MBps: grpcDefault.mbps,
          grpc_stream_1MiB_window_MBps: grpcWide.mbps,
        },
        tables: [{
          title: 'Runs (MB/s)',
          columns: ['what', 'size', 'runs', 'median'],
          rows: [
            row('disk write + fsync', diskBytes, disk), row('loopback TCP, 1 connection', tcpBytes, tcp),
            row('grpc-js stream, default window', grpcBytes, grpcDefault), row('grpc-js stream, 1 MiB window, no retry buffer', grpcBytes, grpcWide),
          ],
        }],
        targets: [],
        notes: [
          'Single figures vary by tens of percent between runs on this 2-core machine (CPU and disk shared with everything else running).',
          'A plain grpc-js server ignores `grpc-node.flow_control_window`, so here the 1 MiB window only speeds up the server -> client direction. ' +
            'The minidfs DataNode server sets it anyway (bindServer\'s receiveWindowBytes reaches into grpc-js\'s HTTP/2 settings), so block writes get it too.',
        ],
      };
    } finally {
      for (const p of peers) {
        if (p.exitCode === null && p.signalCode === null) {
          const exited = once(p, 'exit');
          p.kill('SIGKILL');
          await exited;
        }
      }
    }
  },
};
