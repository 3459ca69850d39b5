/**
 * Writer leases on real processes: a writer process killed -9 mid-file leaves a file open for
 * write, listed by fsck with its holder; the NameNode closes it at the hard limit with the bytes
 * its replicas hold (the acknowledged block; the unsent tail is gone), and another client may
 * close one sooner with `admin recover-lease` once the soft limit has passed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { DfsClient } from '@minidfs/client';
import { FAST, TestCluster } from '../support/cluster';
import { CLI } from '../support/processes';
import { repoRoot } from '../support/paths';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const BLOCK = 64 * 1024;
const SOFT_MS = 3000;
const HARD_MS = 6000;

/**
 * A writer in its own process: creates `file`, writes one full block (acknowledged by its
 * pipeline) plus `tail` bytes that stay in its buffer, says "ready" and waits to be killed.
 */
function startWriter(namenode: string, file: string, data: Buffer, tail: number): { proc: ChildProcess; ready: Promise<void> } {
  const script = `
    const { DfsClient } = require(${JSON.stringify(path.join(repoRoot(), 'packages/client/dist/index.js'))});
    const client = new DfsClient({ namenode: ${JSON.stringify(namenode)}, clientName: 'writer-' + process.pid });
    const data = Buffer.from(${JSON.stringify(data.toString('base64'))}, 'base64');
    const s = client.createWriteStream(${JSON.stringify(file)}, { replication: 2 });
    s.on('error', (e) => { console.error(e.message); process.exit(2); });
    s.write(data.subarray(0, ${BLOCK}), () => s.write(data.subarray(${BLOCK}, ${BLOCK + tail}), () => process.stdout.write('ready\\n')));
    setInterval(() => {}, 1000);
  `;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`writer exited ${code} before it was ready`)));
  });
  return { proc, ready };
}

/**
 * A writer in its own process that kills itself (-9) in the middle of its second block: once its
 * pipeline has acknowledged `killAfterPackets` packets of it, while later packets are in flight.
 * It prints `acked <bytes>` (file bytes acknowledged so far) before each ack is counted.
 */
function startCutWriter(
  namenode: string, file: string, dataFile: string, blockSize: number, killAfterPackets: number,
): { proc: ChildProcess; acked: () => number; exited: Promise<void> } {
  const script = `
    const common = require(${JSON.stringify(path.join(repoRoot(), 'packages/common/dist/index.js'))});
    const { DfsClient } = require(${JSON.stringify(path.join(repoRoot(), 'packages/client/dist/index.js'))});
    const open = common.TransferWriteStream.open;
    let blocks = 0;
    common.TransferWriteStream.open = function (target, header, options) {
      const index = blocks++;
      return open.call(this, target, header, { ...options, onAck: (status) => {
        options?.onAck?.(status);
        const bytes = index * ${blockSize} + Math.min(${blockSize}, status.seqno * common.Limits.packetDataBytes);
        process.stdout.write('acked ' + bytes + '\\n');
        if (index === 1 && status.seqno >= ${killAfterPackets}) process.kill(process.pid, 'SIGKILL');
      } });
    };
    const client = new DfsClient({ namenode: ${JSON.stringify(namenode)}, clientName: 'cut-writer-' + process.pid });
    const data = require('node:fs').readFileSync(${JSON.stringify(dataFile)});
    const s = client.createWriteStream(${JSON.stringify(file)}, { replication: 2, blockSizeBytes: ${blockSize} });
    s.on('error', (e) => { console.error(e.message); process.exit(2); });
    s.end(data);
  `;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acked = 0;
  let buffered = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('acked ')) acked = Math.max(acked, Number(line.slice(6)));
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, acked: () => acked, exited };
}

describe('writer leases', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start(3, FAST, ['--block-size', String(BLOCK), '--replication', '2', '--min-replication', '1',
      '--lease-soft-limit-ms', String(SOFT_MS), '--lease-hard-limit-ms', String(HARD_MS)]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  const stat = (p: string) => JSON.parse(c.cli('stat', p).out) as { complete: boolean; lengthBytes: number };

  test('a writer killed -9 mid-file: fsck lists it with its holder; the NameNode closes it at the hard limit with the acknowledged bytes', async () => {
    const data = crypto.randomBytes(BLOCK + 5000);
    const w = startWriter(c.namenodeAddress, '/lease/a', data, 5000);
    await w.ready;
    w.proc.kill('SIGKILL');
    const killedAt = Date.now();
    const fsck = JSON.parse(c.cli('fsck', '/', '--json').out) as { openForWrite: number; openFileLeases: Array<{ path: string; holder: string }> };
    expect(fsck.openForWrite).toBe(1);
    expect(fsck.openFileLeases).toEqual([{ path: '/lease/a', holder: `writer-${w.proc.pid}`, leaseAgeMs: expect.any(Number) }]);
    // HDFS spells the flag with one dash; --openforwrite is the same.
    expect(c.cli('fsck', '/', '-openforwrite').out).toMatch(new RegExp(`/lease/a  OPENFORWRITE  holder writer-${w.proc.pid}`));
    await waitFor('file closed by the NameNode', () => stat('/lease/a').complete, HARD_MS + 15_000, 200);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(HARD_MS - 1000);
    expect(stat('/lease/a').lengthBytes).toBe(BLOCK);
    const out = path.join(c.root, 'a.out');
    expect(c.cli('get', '/lease/a', out).code).toBe(0);
    expect(fs.readFileSync(out).equals(data.subarray(0, BLOCK))).toBe(true);
    await c.nn.waitForLine('lease-recovered log line', (l) => l.event === 'lease-recovered' && l.path === '/lease/a' && l.reason === 'hard-limit');
  });

  test('a writer killed -9 mid-block: block recovery keeps every byte its pipeline acknowledged; the closed file reads byte-identical to what was written', async () => {
    const blockSize = 8 * 1024 * 1024; // 128 packets: more than the 64 a pipeline has in flight
    const data = crypto.randomBytes(2 * blockSize);
    const dataFile = path.join(c.root, 'cut.in');
    fs.writeFileSync(dataFile, data);
    const w = startCutWriter(c.namenodeAddress, '/lease/cut', dataFile, blockSize, 5);
    await w.exited;
    expect(w.proc.signalCode).toBe('SIGKILL');
    const acked = w.acked();
    expect(acked).toBeGreaterThanOrEqual(blockSize + 5 * 64 * 1024);
    expect(acked).toBeLessThan(2 * blockSize);
    expect(c.cli('fsck', '/lease/cut').out).toMatch(/Open for write: +1 .*--openforwrite lists them/);
    await waitFor('file closed by the NameNode', () => stat('/lease/cut').complete, HARD_MS + 20_000, 200);
    const { lengthBytes } = stat('/lease/cut');
    expect(lengthBytes).toBeGreaterThanOrEqual(acked);
    expect(lengthBytes).toBeLessThanOrEqual(2 * blockSize);
    const out = path.join(c.root, 'cut.out');
    expect(c.cli('get', '/lease/cut', out).code).toBe(0);
    expect(fs.readFileSync(out).equals(data.subarray(0, lengthBytes))).toBe(true);
    const recovery = await c.nn.waitForLine('block-recovery log line', (l) => l.event === 'block-recovery' && l.path === '/lease/cut');
    expect(recovery.lengthBytes).toBe(lengthBytes - blockSize);
    await c.nn.waitForLine('lease-recovered log line', (l) => l.event === 'lease-recovered' && l.path === '/lease/cut' && l.reason === 'hard-limit');
    // Both holders finalized the recovered replica: fsck finds the file healthy at replication 2.
    await waitFor('two replicas of the recovered block', () => {
      const f = JSON.parse(c.cli('fsck', '/lease/cut', '--json').out) as { healthy: boolean; underReplicated: number };
      return f.healthy && f.underReplicated === 0;
    }, 20_000, 200);
  });

  test('admin recover-lease: refused while the writer\'s soft limit runs, then closes the file', async () => {
    const data = crypto.randomBytes(BLOCK + 10);
    const w = startWriter(c.namenodeAddress, '/lease/b', data, 10);
    await w.ready;
    w.proc.kill('SIGKILL');
    const early = spawnSync(process.execPath, [CLI, 'admin', 'recover-lease', '/lease/b', '--json', '--namenode', c.namenodeAddress], { encoding: 'utf8' });
    expect(early.status).toBe(1);
    expect(JSON.parse(early.stdout)).toMatchObject({ closed: false, holder: `writer-${w.proc.pid}` });
    await waitFor('recover-lease closes it', () => {
      const r = spawnSync(process.execPath, [CLI, 'admin', 'recover-lease', '/lease/b', '--namenode', c.namenodeAddress], { encoding: 'utf8' });
      return r.status === 0 && /closed/.test(r.stdout);
    }, 20_000, 300);
    expect(stat('/lease/b')).toMatchObject({ complete: true, lengthBytes: BLOCK });
  });

  test('a live writer idle past the hard limit keeps its file: its client renews the lease (every half soft limit)', async () => {
    const client = new DfsClient({ namenode: c.namenodeAddress });
    try {
      const data = crypto.randomBytes(BLOCK + 100);
      const s = client.createWriteStream('/lease/slow', { replication: 2 });
      await new Promise<void>((resolve, reject) => s.write(data.subarray(0, BLOCK), (err) => (err ? reject(err) : resolve())));
      const idleUntil = Date.now() + HARD_MS + 2000;
      await waitFor('idle past the hard limit', () => Date.now() > idleUntil, HARD_MS + 5000, 250);
      expect(stat('/lease/slow').complete).toBe(false); // not recovered: the lease was renewed
      s.end(data.subarray(BLOCK));
      await finished(s);
      expect(stat('/lease/slow')).toMatchObject({ complete: true, lengthBytes: BLOCK + 100 });
    } finally {
      client.close();
    }
  });
});
