/**
 * `node .tsbuild/bench/bench/profile-data-path.js [--size-mib 256] [--runs 3] [--reps 3,2] [--phases write,cold,warm]
 *   [--cpu-prof DIR] [--json FILE]` (build first: `npx tsc -b bench`)
 *
 * Where the CPU of the data path goes, per process. Starts a real cluster (NameNode + 4 DataNode
 * processes, production liveness, as the client bench suite), writes a file of --size-mib MiB at
 * each replication, reads it with the page cache dropped ("cold") and again at once ("warm"), and
 * records for every phase the CPU time each process spent per MB moved (MB = 10^6 bytes), user and
 * system separately: the client is this process (process.cpuUsage), the NameNode and DataNodes are
 * read from /proc/<pid>/stat (utime, stime; 10 ms ticks). CPU per MB depends far less on other load
 * on the machine than wall time, so it is the figure to compare; the MB/s is printed as well.
 *
 * Writes are attributed by pipeline position: blocks go through their pipelines one at a time, so
 * the DataNodes' CPU between a block's 'pipeline' and 'block' events is charged to the position
 * each node had in that block's pipeline (DN1 = the node the client streams to). Reads: the sum
 * over all DataNodes (one replica serves each block).
 *
 * --cpu-prof DIR: the DataNodes run under the V8 sampling profiler (lib/cpu-profile-preload.ts,
 * preloaded with NODE_OPTIONS=--require; one directory per DataNode) and the client is profiled in-process (node:inspector); at the end the DataNodes are
 * stopped with SIGTERM so their profiles are written, and the top self-time functions and
 * categories (CRC, socket, fs, buffers, GC, protobuf, promises/event loop, ...) are printed per
 * process. A DataNode profile covers the process's life: profile one phase at a time
 * (`--phases write --reps 3`, or `--phases cold`: the file is then written before the DataNodes are
 * restarted with the profiler on). Profile shares are shares of samples: a thread preempted inside
 * a system call on a loaded machine is still sampled there, so system calls look bigger than their
 * CPU share; the /proc figures are the totals to compare.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DfsClient } from '@minidfs/client';
import { MiB, PRODUCTION, PatternData, dropPageCache, readAndVerify } from './lib/cluster';
import { type Cpu, type CpuProfile, ZERO, add, clientCpu, printProfile, procCpu, sub, summarizeProfile } from './lib/cpu';
import { median, round } from './lib/stats';
import { TestCluster } from '../test/support/cluster';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

const DATANODES = 4;
/** Profiles a DataNode from inside (Node 20 refuses --cpu-prof in NODE_OPTIONS). */
const PRELOAD = path.join(__dirname, 'lib', 'cpu-profile-preload.js');

type Phase = 'write' | 'cold' | 'warm';
interface Options { sizeMib: number; runs: number; reps: string; phases: string; cpuProf?: string; json?: string; seed: number }

/** One phase of one run: CPU ms per process and per role, bytes, wall ms. */
interface PhaseSample {
  phase: Phase;
  rep: number;
  bytes: number;
  wallMs: number;
  /** role -> CPU ms: client, namenode, dn1..dn3 (write: pipeline positions), datanodes (all DataNodes), other-dn (write: outside any block). */
  cpu: Record<string, Cpu>;
}

class Processes {
  constructor(private readonly c: TestCluster) {}

  dnPids(): Map<string, number> {
    return new Map([...this.c.datanodes].map(([id, p]) => [id, p.pid]));
  }

  snapshotDatanodes(): Map<string, Cpu> {
    return new Map([...this.dnPids()].map(([id, pid]) => [id, procCpu(pid)]));
  }

  nnCpu(): Cpu {
    return procCpu(this.c.nn.pid);
  }
}

async function writePhase(client: DfsClient, procs: Processes, file: string, data: PatternData, size: number, rep: number): Promise<PhaseSample> {
  const cpu: Record<string, Cpu> = { client: ZERO, namenode: ZERO, datanodes: ZERO, 'other-dn': ZERO };
  for (let i = 1; i <= rep; i++) cpu[`dn${i}`] = ZERO;
  const nn0 = procs.nnCpu();
  const dn0 = procs.snapshotDatanodes();
  const c0 = clientCpu();
  const t0 = performance.now();
  let blockStart: { snap: Map<string, Cpu>; nodeIds: string[] } | undefined;
  let lastMark = dn0;
  const stream = client.createWriteStream(file, { replication: rep });
  const charge = (from: Map<string, Cpu>, to: Map<string, Cpu>, role: (id: string) => string) => {
    for (const [id, now] of to) cpu[role(id)] = add(cpu[role(id)]!, sub(now, from.get(id)!));
  };
  stream.on('pipeline', (e) => {
    const snap = procs.snapshotDatanodes();
    charge(lastMark, snap, () => 'other-dn');
    blockStart = { snap, nodeIds: e.nodeIds };
  });
  stream.on('block', () => {
    const snap = procs.snapshotDatanodes();
    if (blockStart) {
      const order = blockStart.nodeIds;
      charge(blockStart.snap, snap, (id) => (order.includes(id) ? `dn${order.indexOf(id) + 1}` : 'other-dn'));
    }
    blockStart = undefined;
    lastMark = snap;
  });
  for (const chunk of data.chunks(size)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await finished(stream);
  const wallMs = performance.now() - t0;
  cpu.client = sub(clientCpu(), c0);
  const dn1 = procs.snapshotDatanodes();
  charge(lastMark, dn1, () => 'other-dn');
  for (const [id, now] of dn1) cpu.datanodes = add(cpu.datanodes!, sub(now, dn0.get(id)!));
  cpu.namenode = sub(procs.nnCpu(), nn0);
  return { phase: 'write', rep, bytes: size, wallMs, cpu };
}

async function readPhase(client: DfsClient, procs: Processes, phase: Phase, file: string, data: PatternData, size: number, rep: number): Promise<PhaseSample> {
  if (phase === 'cold' && !dropPageCache()) process.stderr.write('warning: could not drop the page cache (not root?): the "cold" read may be warm\n');
  const nn0 = procs.nnCpu();
  const dn0 = procs.snapshotDatanodes();
  const c0 = clientCpu();
  const t0 = performance.now();
  await readAndVerify(client, file, data, size);
  const wallMs = performance.now() - t0;
  const cpu: Record<string, Cpu> = { client: sub(clientCpu(), c0), namenode: sub(procs.nnCpu(), nn0), datanodes: ZERO };
  for (const [id, now] of procs.snapshotDatanodes()) cpu.datanodes = add(cpu.datanodes!, sub(now, dn0.get(id)!));
  return { phase, rep, bytes: size, wallMs, cpu };
}

// ---------------------------------------------------------------------------------------------

class ClientProfiler {
  private readonly session = new inspector.Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.post('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: CpuProfile };
    this.session.disconnect();
    return profile;
  }

  private post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) => this.session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  }
}

// ---------------------------------------------------------------------------------------------

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
}

async function startDatanodes(c: TestCluster, profileDir: string | undefined): Promise<void> {
  const saved = process.env.NODE_OPTIONS;
  for (let i = 1; i <= DATANODES; i++) {
    const id = `dn${i}`;
    if (profileDir) {
      const dir = path.join(profileDir, id);
      fs.mkdirSync(dir, { recursive: true });
      process.env.NODE_OPTIONS = `${saved ?? ''} --require ${PRELOAD}`.trim();
      process.env.MINIDFS_CPU_PROF_DIR = dir;
    }
    c.startDataNode(id, [], path.join(c.root, id));
    process.env.NODE_OPTIONS = saved;
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    delete process.env.MINIDFS_CPU_PROF_DIR;
  }
  await c.waitForReport(`${DATANODES} LIVE`, (r) => r.live === DATANODES, 30_000);
}

/** SIGTERM to every DataNode (a clean exit writes --cpu-prof profiles), then wait. */
async function stopDatanodesGracefully(c: TestCluster): Promise<void> {
  for (const p of c.datanodes.values()) p.signal('SIGTERM');
  await Promise.all([...c.datanodes.values()].map((p) => p.waitForExit(30_000).catch(() => undefined)));
  c.datanodes.clear();
}

async function waitForReplicas(client: DfsClient, file: string, rep: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { blocks } = await client.getBlockLocations(file);
    if (blocks.every((b) => b.locations.length >= rep)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const o = new Command('profile-data-path')
    .option('--size-mib <n>', 'file size per run, MiB', parsePositive, 256)
    .option('--runs <n>', 'measured runs per replication (after one discarded warm-up)', parsePositive, 3)
    .option('--reps <list>', 'replication factors', '3,2')
    .option('--phases <list>', 'phases to measure: write, cold, warm', 'write,cold,warm')
    .option('--cpu-prof <dir>', 'profile the DataNodes (node --cpu-prof) and the client; summaries printed at the end')
    .option('--json <file>', 'write every sample and the medians as JSON')
    .option('--seed <n>', 'file contents seed', parsePositive, 42)
    .parse(process.argv)
    .opts<Options>();
  const reps = o.reps.split(',').map(Number);
  const phases = new Set(o.phases.split(',').map((s) => s.trim()) as Phase[]);
  const size = o.sizeMib * MiB;
  const mb = size / 1e6;
  const data = new PatternData(o.seed);
  const profileDir = o.cpuProf ? path.resolve(o.cpuProf) : undefined;
  // Reads alone under the profiler: write unprofiled, then restart the DataNodes with it.
  const profileReadsOnly = profileDir !== undefined && !phases.has('write');
  console.log(`profile-data-path: ${o.sizeMib} MiB, ${o.runs} runs, reps ${reps.join(',')}, phases ${[...phases].join(',')}, ${os.cpus().length} cpus, load ${os.loadavg()[0]!.toFixed(1)}`);

  const c = new TestCluster(PRODUCTION, []);
  const samples: PhaseSample[] = [];
  let clientProfile: CpuProfile | undefined;
  let dnProfileMb = 0;
  try {
    await c.startNameNode();
    await startDatanodes(c, profileReadsOnly ? undefined : profileDir);
    const client = new DfsClient({ namenode: c.namenodeAddress });
    const procs = new Processes(c);
    try {
      // Warm-up (JIT, first connections), discarded.
      const warm = '/profile/warmup';
      await writePhase(client, procs, warm, data, Math.min(size, 64 * MiB), reps[0]!);
      await readPhase(client, procs, 'warm', warm, data, Math.min(size, 64 * MiB), reps[0]!);
      await client.delete(warm);
      const files: Array<{ file: string; rep: number }> = [];
      if (profileReadsOnly) {
        for (const rep of reps) for (let r = 0; r < o.runs; r++) {
          const file = `/profile/rep${rep}-${r}`;
          await writePhase(client, procs, file, data, size, rep);
          await waitForReplicas(client, file, rep);
          files.push({ file, rep });
        }
        await stopDatanodesGracefully(c);
        await startDatanodes(c, profileDir);
      }
      const profiler = profileDir ? new ClientProfiler() : undefined;
      await profiler?.start();
      for (const rep of reps) {
        for (let r = 0; r < o.runs; r++) {
          const file = `/profile/rep${rep}-${r}`;
          if (!profileReadsOnly) {
            const s = await writePhase(client, procs, file, data, size, rep);
            if (phases.has('write')) samples.push(s);
          }
          for (const phase of ['cold', 'warm'] as const) {
            if (phases.has(phase)) samples.push(await readPhase(client, procs, phase, file, data, size, rep));
          }
          const last = samples.filter((s) => s.rep === rep).slice(-phases.size);
          console.log(`rep ${rep} run ${r + 1}: ${last.map((s) => `${s.phase} ${round(mb / (s.wallMs / 1000))} MB/s`).join(', ')}`);
          if (!profileReadsOnly) await client.delete(file);
        }
      }
      dnProfileMb = samples.reduce((a, s) => a + s.bytes / 1e6, 0);
      clientProfile = await profiler?.stop();
    } finally {
      client.close();
    }
    if (profileDir) await stopDatanodesGracefully(c);
  } finally {
    await c.stop();
  }

  // Medians per (rep, phase, role).
  const table: Array<Record<string, string | number>> = [];
  console.log('\nCPU ms per MB moved (median of runs; user + system = total), MB/s median');
  for (const rep of reps) {
    for (const phase of ['write', 'cold', 'warm'] as Phase[]) {
      const runs = samples.filter((s) => s.rep === rep && s.phase === phase);
      if (runs.length === 0) continue;
      const roles = Object.keys(runs[0]!.cpu);
      const row: Record<string, string | number> = { rep, phase, MBps: round(median(runs.map((s) => (s.bytes / 1e6) / (s.wallMs / 1000)))) };
      const perMb = (s: PhaseSample, role: string, part: keyof Cpu | 'total') => {
        const v = s.cpu[role] ?? ZERO;
        return (part === 'total' ? v.user + v.system : v[part]) / (s.bytes / 1e6);
      };
      for (const role of roles) {
        const total = round(median(runs.map((s) => perMb(s, role, 'total'))), 2);
        const user = round(median(runs.map((s) => perMb(s, role, 'user'))), 2);
        const system = round(median(runs.map((s) => perMb(s, role, 'system'))), 2);
        row[role] = `${total} (${user} u / ${system} s)`;
      }
      row.all = round(median(runs.map((s) => Object.entries(s.cpu).filter(([r]) => ['client', 'namenode', 'datanodes'].includes(r))
        .reduce((a, [r]) => a + perMb(s, r, 'total'), 0))), 2);
      table.push(row);
      console.log(`rep ${rep} ${phase.padEnd(5)} ${row.MBps} MB/s | all processes ${row.all} ms/MB | ` + roles.map((r) => `${r} ${row[r]}`).join(' | '));
    }
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ options: o, samples, medians: table }, null, 2));

  if (profileDir) {
    if (clientProfile) fs.writeFileSync(path.join(profileDir, 'client.cpuprofile'), JSON.stringify(clientProfile));
    if (clientProfile) printProfile('client (this process, measured phases)', summarizeProfile(clientProfile), dnProfileMb);
    for (let i = 1; i <= DATANODES; i++) {
      const dir = path.join(profileDir, `dn${i}`);
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')) : []) {
        const profile = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
        printProfile(`dn${i} (${name}, whole process life)`, summarizeProfile(profile), 0);
      }
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
