/**
 * `node .tsbuild/bench/bench/profile-copy.js [--size-mib 256] [--runs 3] [--cpu-prof DIR] [--json FILE]`
 * (build first: `npx tsc -b`)
 *
 * CPU a DataNode spends per MB of a replication copy, sender and receiver apart: the work that
 * bounds repair (bench suite `repair`). A NameNode (500 ms beats, as the repair suite) and one
 * DataNode (dn1) start; --runs + 1 files of --size-mib MiB are written at replication 1, so every
 * block is on dn1 alone. Then dn2 starts, and for each file in turn (the first one a discarded
 * warm-up) SetReplication(2) makes the NameNode copy every block dn1 -> dn2 (REPLICATE: dn1 reads
 * and pushes, dn2 receives, checks, writes, fsyncs, acks). A run lasts from SetReplication until
 * GetBlockLocations lists dn2 for every block of the file (polled every 20 ms). CPU is utime and
 * stime from /proc/<pid>/stat (10 ms ticks) per MB (10^6 bytes) copied; MB/s = file bytes / run
 * time, which includes the NameNode's scheduling (commands ride on heartbeats) and so understates
 * the copying rate. CPU per MB depends far less than MB/s on other load on the machine.
 *
 * --cpu-prof DIR: dn1 and dn2 run under the V8 sampling profiler (lib/cpu-profile-preload.ts) and
 * are stopped with SIGTERM at the end so the profiles are written; per-process summaries printed.
 * A profile covers the whole life of the process (dn1's includes the rep-1 writes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DfsClient } from '@minidfs/client';
import { type Cpu, type CpuProfile, printProfile, procCpu, sub, summarizeProfile } from './lib/cpu';
import { MiB, PatternData, writePattern } from './lib/cluster';
import { median, round } from './lib/stats';
import { type Liveness, TestCluster } from '../test/support/cluster';

const PRELOAD = path.join(__dirname, 'lib', 'cpu-profile-preload.js');
const LIVENESS: Liveness = { heartbeatIntervalMs: 500, staleAfter: 2, deadAfter: 3 };
const BLOCK_BYTES = 64 * MiB;
const POLL_MS = 20;
const COPY_TIMEOUT_MS = 600_000;

interface Options { sizeMib: number; runs: number; cpuProf?: string; json?: string; seed: number }
interface Sample { bytes: number; wallMs: number; sender: Cpu; receiver: Cpu; namenode: Cpu; load1m: number }

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
}

function startDatanode(c: TestCluster, id: string, profileDir: string | undefined): void {
  const saved = process.env.NODE_OPTIONS;
  if (profileDir) {
    const dir = path.join(profileDir, id);
    fs.mkdirSync(dir, { recursive: true });
    process.env.NODE_OPTIONS = `${saved ?? ''} --require ${PRELOAD}`.trim();
    process.env.MINIDFS_CPU_PROF_DIR = dir;
  }
  try {
    c.startDataNode(id, [], path.join(c.root, id));
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
    delete process.env.MINIDFS_CPU_PROF_DIR;
  }
}

async function copyRun(c: TestCluster, client: DfsClient, file: string, bytes: number): Promise<Sample> {
  const dn1 = c.dn('dn1').pid;
  const dn2 = c.dn('dn2').pid;
  const s0 = procCpu(dn1);
  const r0 = procCpu(dn2);
  const n0 = procCpu(c.nn.pid);
  const t0 = performance.now();
  await client.setReplication(file, 2);
  for (;;) {
    const { blocks } = await client.getBlockLocations(file);
    if (blocks.every((b) => b.locations.some((l) => l.nodeId === 'dn2'))) break;
    if (performance.now() - t0 > COPY_TIMEOUT_MS) throw new Error(`${file}: not copied to dn2 within ${COPY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const wallMs = performance.now() - t0;
  return { bytes, wallMs, sender: sub(procCpu(dn1), s0), receiver: sub(procCpu(dn2), r0), namenode: sub(procCpu(c.nn.pid), n0), load1m: os.loadavg()[0]! };
}

async function main(): Promise<void> {
  const o = new Command('profile-copy')
    .option('--size-mib <n>', 'file size per run, MiB', parsePositive, 256)
    .option('--runs <n>', 'measured runs (after one discarded warm-up)', parsePositive, 3)
    .option('--cpu-prof <dir>', 'profile dn1 (sender) and dn2 (receiver); summaries printed at the end')
    .option('--json <file>', 'write every sample and the medians as JSON')
    .option('--seed <n>', 'file contents seed', parsePositive, 42)
    .parse(process.argv)
    .opts<Options>();
  const size = o.sizeMib * MiB;
  const profileDir = o.cpuProf ? path.resolve(o.cpuProf) : undefined;
  console.log(`profile-copy: ${o.sizeMib} MiB × ${o.runs} runs (+1 warm-up), ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const c = new TestCluster(LIVENESS, ['--block-size', String(BLOCK_BYTES), '--replication', '1']);
  const samples: Sample[] = [];
  try {
    await c.startNameNode();
    startDatanode(c, 'dn1', profileDir);
    await c.waitForReport('dn1 LIVE', (r) => r.live === 1, 30_000);
    const client = new DfsClient({ namenode: c.namenodeAddress });
    try {
      const data = new PatternData(o.seed);
      const files: string[] = [];
      for (let i = 0; i <= o.runs; i++) {
        files.push(`/profile-copy/f${i}`);
        await writePattern(client, files[i]!, data, size, { replication: 1 });
      }
      startDatanode(c, 'dn2', profileDir);
      await c.waitForReport('dn2 LIVE', (r) => r.live === 2, 30_000);
      for (const [i, file] of files.entries()) {
        const s = await copyRun(c, client, file, size);
        const perMb = (cpu: Cpu) => round((cpu.user + cpu.system) / (s.bytes / 1e6), 2);
        console.log(`${i === 0 ? 'warm-up' : `run ${i}`}: ${round(s.bytes / 1e6 / (s.wallMs / 1000))} MB/s, sender ${perMb(s.sender)} ms/MB, receiver ${perMb(s.receiver)} ms/MB, namenode ${perMb(s.namenode)} ms/MB, load ${s.load1m.toFixed(2)}`);
        if (i > 0) samples.push(s);
      }
    } finally {
      client.close();
    }
    if (profileDir) {
      for (const p of c.datanodes.values()) p.signal('SIGTERM');
      await Promise.all([...c.datanodes.values()].map((p) => p.waitForExit(30_000).catch(() => undefined)));
      c.datanodes.clear();
    }
  } finally {
    await c.stop();
  }

  const med = (f: (s: Sample) => number) => round(median(samples.map(f)), 2);
  const mb = (s: Sample) => s.bytes / 1e6;
  const row = {
    MBps: med((s) => mb(s) / (s.wallMs / 1000)),
    sender: { total: med((s) => (s.sender.user + s.sender.system) / mb(s)), user: med((s) => s.sender.user / mb(s)), system: med((s) => s.sender.system / mb(s)) },
    receiver: { total: med((s) => (s.receiver.user + s.receiver.system) / mb(s)), user: med((s) => s.receiver.user / mb(s)), system: med((s) => s.receiver.system / mb(s)) },
    namenode: med((s) => (s.namenode.user + s.namenode.system) / mb(s)),
  };
  console.log(`\nmedian of ${samples.length}: ${row.MBps} MB/s | CPU ms per MB copied: sender ${row.sender.total} (${row.sender.user} u / ${row.sender.system} s), ` +
    `receiver ${row.receiver.total} (${row.receiver.user} u / ${row.receiver.system} s), namenode ${row.namenode} | load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ options: o, samples, median: row }, null, 2));
  if (profileDir) {
    const copiedMb = (samples.length + 1) * size / 1e6;
    for (const id of ['dn1', 'dn2']) {
      const dir = path.join(profileDir, id);
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')) : []) {
        const profile = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
        printProfile(`${id} ${id === 'dn1' ? 'sender' : 'receiver'} (${name}, whole process life)`, summarizeProfile(profile), id === 'dn2' ? copiedMb : 0);
      }
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
