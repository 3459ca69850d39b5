/**
 * peer-moosefs: the same write / read / small-file / repair / detection work on MooseFS 3.0
 * (Debian's packages, one master + four chunkservers + a FUSE mount on loopback, driven by
 * bench/peers/moosefs.sh), then minidfs / MooseFS ratios from the figures minidfs's suites
 * published earlier in the same run.
 *
 * Invariants: MooseFS is always brought down before the suite returns; a MooseFS that cannot run
 * here (not root, no FUSE, packages missing) gives `pass: null` targets with the reason, never a
 * crash. Repair is timed by DATA on the surviving chunkservers' disks, not by the master's
 * "at goal" count (which MooseFS updates when it schedules a copy, before the data moves).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../../test/support/paths';
import { mbPerSec, median, percentile, round } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult, Table, Target } from '../lib/suite';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** Four, like minidfs's client and repair suites: with three, goal-3 chunks have nowhere to go after a kill. */
const CHUNKSERVERS = 4;
const SMALL_FILE_BYTES = 4 * 1024;
const SMALL_FILE_WRITERS = 16;
const IO_BYTES = MiB;
const POLL_MS = 20;
/** Longest wait for a restarted chunkserver's "register end" master log line. */
const CS_REGISTER_TIMEOUT_MS = 150_000;
/** The script's scratch dir: fixed, so the next run's `up` finds and clears leftovers of a crashed run. */
const MFS_DIR = process.env.MFS_DIR ?? '/tmp/minidfs-moosefs';

/**
 * rounds >= 3: every throughput figure is a median of at least 3 runs, each on a fresh cluster,
 * after one discarded warm-up write (the first write of a session is always slow). One write per
 * round and no deletes before the repair: the repair is timed by chunk bytes on disk, and chunks
 * of deleted files linger on the chunkservers until the master has them removed.
 */
interface Sizes { bigFileBytes: number; smallFiles: number; rounds: number; kills: number; stops: number }
const QUICK: Sizes = { bigFileBytes: 128 * MiB, smallFiles: 200, rounds: 3, kills: 2, stops: 2 };
const FULL: Sizes = { bigFileBytes: 1 * GiB, smallFiles: 1000, rounds: 3, kills: 6, stops: 6 };
/** The peer health check: a plain sequential write (goal 1, fsync at the end) of this many bytes into the mount. */
const HEALTH_BYTES = 128 * MiB;
/** Below this fraction of the peer's recorded norm (median of earlier runs' health figures) the peer is unhealthy: ratios are not comparable. */
const PEER_HEALTH_MIN_FRACTION = 0.6;
/** Every run appends its peer figures here; the norm is read from it. */
const HISTORY_FILE = (): string => path.join(repoRoot(), 'bench/results/peer-history.jsonl');

class MooseFsUnavailable extends Error {}

// --- the script --------------------------------------------------------------------------------

const script = (): string => path.join(repoRoot(), 'bench/peers/moosefs.sh');

function sh(ctx: BenchContext, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script(), ...args], { env: { ...process.env, MFS_DIR }, timeout: timeoutMs, maxBuffer: 16 * MiB }, (err, stdout, stderr) => {
      for (const line of stderr.split('\n').filter(Boolean)) ctx.log(line);
      if (err) reject(new Error(`moosefs.sh ${args.join(' ')}: ${stderr.trim().split('\n').at(-1) ?? err.message}`));
      else resolve(stdout);
    });
  });
}

interface MfsEnv { dir: string; mount: string; masterLog: string; csPortBase: number }

async function mfsEnv(ctx: BenchContext): Promise<MfsEnv> {
  const kv = Object.fromEntries((await sh(ctx, ['env'])).trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  return { dir: kv.MFS_DIR!, mount: kv.MFS_MOUNT!, masterLog: kv.MFS_MASTER_LOG!, csPortBase: Number(kv.MFS_CS_PORT_BASE) };
}

/** kill-cs / stop-cs / cont-cs print the epoch seconds (µs) at which the signal was sent. */
async function signalCs(ctx: BenchContext, cmd: 'kill-cs' | 'stop-cs' | 'cont-cs', n: number): Promise<number> {
  return Number((await sh(ctx, [cmd, String(n)])).trim()) * 1000;
}

/** Why MooseFS cannot run here, or null if it can (checked before trying). */
function preflight(): string | null {
  if (process.platform !== 'linux') return `MooseFS peer needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'MooseFS peer needs root (FUSE mount, drop_caches, daemons run as user mfs)';
  return null;
}

// --- measurements ------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function dropPageCache(): boolean {
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

async function writeBig(file: string, bytes: number, data: Buffer): Promise<number> {
  const t0 = performance.now();
  const fh = await fs.promises.open(file, 'w');
  try {
    for (let off = 0; off < bytes; off += IO_BYTES) {
      const n = Math.min(IO_BYTES, bytes - off);
      const at = off % (data.length - IO_BYTES);
      await fh.write(data, at, n);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return mbPerSec(bytes, performance.now() - t0);
}

async function readBig(file: string): Promise<{ MBps: number; bytes: number }> {
  const buf = Buffer.allocUnsafe(IO_BYTES);
  const t0 = performance.now();
  const fh = await fs.promises.open(file, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, IO_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { MBps: mbPerSec(bytes, performance.now() - t0), bytes };
}

/** One writer: create + write 4 KiB + close, `count` times. Files per second. */
function smallFilesSequential(dir: string, count: number, payload: Buffer): number {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `f${i}`), payload);
  return count / ((performance.now() - t0) / 1000);
}

/**
 * `writers` worker threads, each with its own synchronous create+write+close loop (real
 * concurrency: async fs calls would share libuv's 4 threads). Timed from "go" to the last "done".
 */
async function smallFilesConcurrent(dir: string, count: number, writers: number): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const payload = Buffer.alloc(${SMALL_FILE_BYTES}, 7);
    parentPort.on('message', () => {
      for (let i = workerData.first; i < workerData.end; i++) fs.writeFileSync(workerData.dir + '/f' + i, payload);
      parentPort.postMessage('done');
    });
    parentPort.postMessage('ready');`;
  const per = Math.ceil(count / writers);
  const workers = Array.from({ length: writers }, (_, w) =>
    new Worker(code, { eval: true, workerData: { dir, first: w * per, end: Math.min(count, (w + 1) * per) } }));
  try {
    const next = (w: Worker): Promise<void> => new Promise((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
    await Promise.all(workers.map(next));
    const t0 = performance.now();
    const done = Promise.all(workers.map(next));
    for (const w of workers) w.postMessage('go');
    await done;
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Bytes in chunk files (apparent sizes) under a chunkserver's data dir: <dir>/csN/chunks/XX/chunk_*.mfs. */
function chunkBytes(env: MfsEnv, n: number): number {
  const root = path.join(env.dir, `cs${n}`, 'chunks');
  let total = 0;
  let subdirs: string[] = [];
  try { subdirs = fs.readdirSync(root); } catch { return 0; }
  for (const sub of subdirs) {
    let names: string[] = [];
    try { names = fs.readdirSync(path.join(root, sub)); } catch { continue; }
    for (const name of names) {
      if (!name.startsWith('chunk_')) continue;
      try { total += fs.statSync(path.join(root, sub, name)).size; } catch { /* deleted meanwhile */ }
    }
  }
  return total;
}

/** Master log lines are "<epoch s.µs> <message>" (the script timestamps them as they are written). */
function masterEvents(env: MfsEnv, pattern: RegExp, port: number, afterMs: number): number | undefined {
  let text = '';
  try { text = fs.readFileSync(env.masterLog, 'utf8'); } catch { return undefined; }
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+) (.*)$/.exec(line);
    if (!m) continue;
    const ms = Number(m[1]) * 1000;
    if (ms >= afterMs && pattern.test(m[2]!) && m[2]!.includes(`port: ${port}`)) return ms;
  }
  return undefined;
}
const DISCONNECTED = /chunkserver disconnected - ip: /;
const REGISTERED = /chunkserver register end /;

async function waitMasterEvent(env: MfsEnv, pattern: RegExp, port: number, afterMs: number, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = masterEvents(env, pattern, port, afterMs);
    if (t !== undefined) return t;
    if (Date.now() > deadline) throw new Error(`${what}: no master log line within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** The master's own view: chunks it counts as missing, endangered or undergoal (mfscli -SIC). */
function mfscliUndergoal(env: MfsEnv): Promise<number | undefined> {
  const port = Number(fs.readFileSync(path.join(env.dir, 'mfsmaster.cfg'), 'utf8').match(/MATOCL_LISTEN_PORT = (\d+)/)?.[1] ?? 9421);
  return new Promise((resolve) => {
    execFile('mfscli', ['-H', '127.0.0.1', '-P', String(port), '-n', '-p', '-SIC'], { timeout: 10_000 }, (err, stdout) => {
      if (err) { resolve(undefined); return; }
      let n = 0;
      for (const m of stdout.matchAll(/^all chunks matrix:\s+chunkclass (missing|endangered|undergoal):\s+(\d+)/gm)) n += Number(m[2]);
      resolve(n);
    });
  });
}

interface RoundFigures {
  health: number[]; write3: number[]; write2: number[]; read: number[]; small: number[]; smallC16: number[]; repair: RepairFigures[];
  detection?: { kill: number[]; stop: number[] };
}
interface RepairFigures { victim: number; bytes: number; detectMs: number; dataMs: number; reportedAtGoalMs?: number; MBps: number }
/**
 * Kills the chunkserver holding the most chunk bytes; repair is done when the surviving servers
 * hold (their bytes before + the victim's bytes): every chunk the victim held has one new full
 * copy. Timed from the master's "chunkserver disconnected" line (its DEAD) to that moment, like
 * minidfs's repair suite (DEAD -> every copy reported). The master's own "no undergoal chunks"
 * moment is recorded alongside to show the gap.
 */
async function repair(ctx: BenchContext, env: MfsEnv, timeoutMs: number): Promise<RepairFigures> {
  const held = Array.from({ length: CHUNKSERVERS }, (_, i) => chunkBytes(env, i + 1));
  const victim = held.indexOf(Math.max(...held)) + 1;
  const bytes = held[victim - 1]!;
  const survivors = Array.from({ length: CHUNKSERVERS }, (_, i) => i + 1).filter((n) => n !== victim);
  const before = survivors.reduce((s, n) => s + held[n - 1]!, 0);
  const killedAt = await signalCs(ctx, 'kill-cs', victim);
  let reportedAt: number | undefined;
  let seenUndergoal = false;
  let stopPolling = false;
  // Started at once: the master marks goal-2 chunks fixed within ~1 s, as it schedules the copies.
  const masterView = (async () => {
    while (!stopPolling && reportedAt === undefined) {
      const n = await mfscliUndergoal(env);
      if (n !== undefined && n > 0) seenUndergoal = true;
      if (n === 0 && seenUndergoal) reportedAt = Date.now();
      await sleep(100);
    }
  })();
  let detectedAt = 0;
  let copiedAt: number | undefined;
  let copied = 0;
  try {
    detectedAt = await waitMasterEvent(env, DISCONNECTED, env.csPortBase + victim, killedAt, 30_000, `cs${victim} kill`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      copied = survivors.reduce((s, n) => s + chunkBytes(env, n), 0) - before;
      if (copied >= bytes) { copiedAt = Date.now(); break; }
      await sleep(POLL_MS);
    }
    // Give the master's view a moment to catch up if the data won the race (it normally does not).
    const grace = Date.now() + 5_000;
    while (reportedAt === undefined && Date.now() < grace && seenUndergoal) await sleep(50);
  } finally {
    stopPolling = true;
    await masterView;
  }
  if (copiedAt === undefined) throw new Error(`repair: ${copied} of ${bytes} bytes copied after ${timeoutMs} ms`);
  const dataMs = copiedAt - detectedAt;
  return {
    victim, bytes, detectMs: detectedAt - killedAt, dataMs,
    reportedAtGoalMs: reportedAt === undefined ? undefined : reportedAt - detectedAt, MBps: mbPerSec(bytes, dataMs),
  };
}

/**
 * Runs one phase; a failure is retried once after the cluster is restored (every chunkserver
 * running and registered again). A phase that fails twice leaves its figures out and notes why;
 * the other phases' figures are kept.
 */
async function phase(ctx: BenchContext, env: MfsEnv, name: string, notes: string[], fn: () => Promise<void>): Promise<boolean> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await fn();
      return true;
    } catch (err) {
      const message = (err as Error).message;
      ctx.log(`${name} failed (attempt ${attempt} of 2): ${message}`);
      if (attempt === 2) {
        notes.push(`${name} failed twice (${message}); its figures are left out, the other phases' are kept.`);
        return false;
      }
      await restore(ctx, env).catch((e: unknown) => ctx.log(`restore failed: ${(e as Error).message}`));
    }
  }
  return false;
}

/** Chunkserver number -> its process state letter (R, S, T = stopped, ...) or null when not running, from `moosefs.sh status`. */
async function chunkserverStates(ctx: BenchContext): Promise<Map<number, string | null>> {
  const states = new Map<number, string | null>();
  for (const line of (await sh(ctx, ['status'])).split('\n')) {
    const m = /^cs(\d+)\s+(?:pid \d+ (\S+)|not running)/.exec(line);
    if (m) states.set(Number(m[1]), m[2] ?? null);
  }
  return states;
}

/**
 * Starts chunkserver n and waits for the master's "register end" line for it (not only for the
 * server to answer: a server killed before it finished registering is not noticed the same way).
 */
async function startAndRegister(ctx: BenchContext, env: MfsEnv, n: number): Promise<void> {
  const from = Date.now();
  await sh(ctx, ['start-cs', String(n)]);
  // A server restarted within a second or two of its kill can take about a minute to register
  // (seen here: 65 s), hence the long wait.
  await waitMasterEvent(env, REGISTERED, env.csPortBase + n, from - 1000, CS_REGISTER_TIMEOUT_MS, `cs${n} registered after restart`);
}

/** Every chunkserver running (SIGCONT the stopped, restart the dead) and registered with the master. */
async function restore(ctx: BenchContext, env: MfsEnv): Promise<void> {
  for (const [n, state] of await chunkserverStates(ctx)) {
    if (state === null) await startAndRegister(ctx, env, n);
    else if (state === 'T') await signalCs(ctx, 'cont-cs', n);
  }
  await sh(ctx, ['wait-cs', String(CHUNKSERVERS), '30']);
}

async function oneRound(ctx: BenchContext, sizes: Sizes, r: number, data: Buffer, withDetection: boolean, notes: string[]): Promise<RoundFigures> {
  await sh(ctx, ['up', '--chunkservers', String(CHUNKSERVERS)], 90_000);
  const env = await mfsEnv(ctx);
  const g3 = path.join(env.mount, 'goal3');
  const g2 = path.join(env.mount, 'goal2');
  const g1 = path.join(env.mount, 'goal1');
  for (const [dir, goal] of [[g3, 3], [g2, 2], [g1, 1]] as const) {
    fs.mkdirSync(dir);
    await execFileP('mfssetgoal', [String(goal), dir]);
    await execFileP('mfssettrashtime', ['0', dir]);
  }
  const f: RoundFigures = { health: [], write3: [], write2: [], read: [], small: [], smallC16: [], repair: [] };
  const label = `round ${r + 1}`;
  let attempt = 0;
  const wrote = await phase(ctx, env, `${label} writes and cold read`, notes, async () => {
    // A retry writes new files (a failed attempt's chunks stay until the master removes them).
    const name = `big-${attempt++}`;
    const w3 = await writeBig(path.join(g3, name), sizes.bigFileBytes, data);
    const w2 = await writeBig(path.join(g2, name), sizes.bigFileBytes, data);
    if (!dropPageCache()) throw new Error('cannot write /proc/sys/vm/drop_caches');
    const rd = await readBig(path.join(g3, name));
    if (rd.bytes !== sizes.bigFileBytes) throw new Error(`read ${rd.bytes} bytes of ${sizes.bigFileBytes}`);
    f.write3.push(w3);
    f.write2.push(w2);
    f.read.push(rd.MBps);
    ctx.log(`${label}: write goal 3 ${round(w3)} MB/s, goal 2 ${round(w2)} MB/s, read (cache dropped) ${round(rd.MBps)} MB/s`);
  });
  if (wrote) {
    await phase(ctx, env, `${label} repair`, notes, async () => {
      const rep = await repair(ctx, env, Math.max(120_000, (sizes.bigFileBytes * 2 / (10 * 1e6)) * 1000));
      f.repair.push(rep);
      ctx.log(`${label}: repair cs${rep.victim} ${(rep.bytes / MiB).toFixed(0)} MiB: detected ${round(rep.detectMs)} ms, data copied ${round(rep.dataMs)} ms ` +
        `(${round(rep.MBps)} MB/s), master showed no undergoal chunks at ${rep.reportedAtGoalMs === undefined ? '?' : round(rep.reportedAtGoalMs)} ms`);
    });
  } else {
    notes.push(`${label}: no repair measured (the writes it copies failed).`);
  }
  // The repair victim returns (with its old chunks; the master trims the extra copies in the
  // background) and registers before anything else is measured.
  await phase(ctx, env, `${label} restart the repair victim`, notes, () => restore(ctx, env));
  // After the repair (small files would inflate the victim's chunk bytes): goal 3 on what is left.
  await phase(ctx, env, `${label} small files`, notes, async () => {
    const stamp = Date.now();
    const small = smallFilesSequential(path.join(g3, `small-seq-${stamp}`), sizes.smallFiles, Buffer.alloc(SMALL_FILE_BYTES, 7));
    const smallC16 = await smallFilesConcurrent(path.join(g3, `small-c16-${stamp}`), sizes.smallFiles, SMALL_FILE_WRITERS);
    f.small.push(small);
    f.smallC16.push(smallC16);
    ctx.log(`${label}: small files ${round(small)} /s (1 writer), ${round(smallC16)} /s (${SMALL_FILE_WRITERS} writers)`);
  });
  // Peer health: a plain sequential write, nothing minidfs-specific about it (after the repair,
  // whose accounting a deleted file's lingering chunks would upset).
  await phase(ctx, env, `${label} peer health check`, notes, async () => {
    const file = path.join(g1, `health-${Date.now()}`);
    const mbps = await writeBig(file, HEALTH_BYTES, data);
    fs.rmSync(file);
    f.health.push(mbps);
    ctx.log(`${label}: peer health (sequential write, goal 1, ${HEALTH_BYTES / MiB} MiB + fsync) ${round(mbps)} MB/s`);
  });
  if (withDetection) {
    await phase(ctx, env, `${label} detection`, notes, async () => { f.detection = await detection(ctx, env, sizes); });
  }
  await sh(ctx, ['down'], 120_000);
  return f;
}

function execFileP(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/**
 * Detection: SIGKILL (socket closes) and SIGSTOP (silence) chunkservers, two at a time (the
 * master times each connection on its own; pairs halve the ~10 s SIGSTOP waits), and time each
 * signal to the master's "chunkserver disconnected" line for that server's port. Each server is
 * restarted / SIGCONTed and re-registered before the next pair.
 */
async function detection(ctx: BenchContext, env: MfsEnv, sizes: Sizes): Promise<{ kill: number[]; stop: number[] }> {
  const out = { kill: [] as number[], stop: [] as number[] };
  const plan: Array<{ kind: 'kill' | 'stop'; n: number }> = [
    ...Array.from({ length: sizes.kills }, (_, i) => ({ kind: 'kill' as const, n: (i % CHUNKSERVERS) + 1 })),
    ...Array.from({ length: sizes.stops }, (_, i) => ({ kind: 'stop' as const, n: ((i + 2) % CHUNKSERVERS) + 1 })),
  ];
  for (let i = 0; i < plan.length; i += 2) {
    const batch = plan.slice(i, i + 2).filter((x, k, all) => all.findIndex((y) => y.n === x.n) === k && (k === 0 || x.kind === all[0]!.kind));
    const sent: number[] = [];
    for (const b of batch) sent.push(await signalCs(ctx, b.kind === 'kill' ? 'kill-cs' : 'stop-cs', b.n));
    const seen = await Promise.all(batch.map((b, k) =>
      waitMasterEvent(env, DISCONNECTED, env.csPortBase + b.n, sent[k]!, 60_000, `cs${b.n} ${b.kind}`)));
    batch.forEach((b, k) => {
      out[b.kind].push(seen[k]! - sent[k]!);
      ctx.log(`${b.kind === 'kill' ? 'SIGKILL' : 'SIGSTOP'} cs${b.n}: master noticed after ${round(seen[k]! - sent[k]!)} ms`);
    });
    for (const b of batch) {
      if (b.kind === 'kill') await sh(ctx, ['start-cs', String(b.n)]);
      else await signalCs(ctx, 'cont-cs', b.n);
    }
    await Promise.all(batch.map((b, k) => waitMasterEvent(env, REGISTERED, env.csPortBase + b.n, seen[k]!, CS_REGISTER_TIMEOUT_MS, `cs${b.n} back`)));
    await sh(ctx, ['wait-cs', String(CHUNKSERVERS), '30']);
  }
  return out;
}

// --- ratios ------------------------------------------------------------------------------------

type Metrics = SuiteResult['metrics'];
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

interface Pair { figure: string; minidfs?: number; moosefs?: number; better: 'higher' | 'lower'; unit: string; from: string }

function pairs(earlier: BenchContext['earlier'], m: Metrics): Pair[] {
  const c = earlier.get('client')?.metrics ?? {};
  const r = earlier.get('repair')?.metrics ?? {};
  const d = earlier.get('detection')?.metrics ?? {};
  return [
    { figure: 'write, rep 3 / goal 3', minidfs: num(c.write_rep3_MBps), moosefs: num(m.write_goal3_MBps), better: 'higher', unit: 'MB/s', from: 'client.write_rep3_MBps' },
    { figure: 'write, rep 2 / goal 2', minidfs: num(c.write_rep2_MBps), moosefs: num(m.write_goal2_MBps), better: 'higher', unit: 'MB/s', from: 'client.write_rep2_MBps' },
    { figure: 'read after cache drop (rep 3)', minidfs: num(c.read_rep3_MBps), moosefs: num(m.read_MBps), better: 'higher', unit: 'MB/s', from: 'client.read_rep3_MBps' },
    { figure: 'small files, 1 writer', minidfs: num(c.small_files_ops), moosefs: num(m.small_files_ops), better: 'higher', unit: 'files/s', from: 'client.small_files_ops' },
    { figure: 'repair, data copied', minidfs: num(r.repair_MBps), moosefs: num(m.repair_MBps), better: 'higher', unit: 'MB/s', from: 'repair.repair_MBps' },
    { figure: 'crash noticed (stale) p99', minidfs: num(d.stale_kill_ms_p99), moosefs: num(m.detect_kill_ms_p99), better: 'lower', unit: 'ms', from: 'detection.stale_kill_ms_p99' },
    { figure: 'crash declared dead p99', minidfs: num(d.dead_kill_ms_p99), moosefs: num(m.detect_kill_ms_p99), better: 'lower', unit: 'ms', from: 'detection.dead_kill_ms_p99' },
    { figure: 'hang noticed (stale) p99', minidfs: num(d.stale_stop_ms_p99), moosefs: num(m.detect_stop_ms_p99), better: 'lower', unit: 'ms', from: 'detection.stale_stop_ms_p99' },
    { figure: 'hang declared dead p99', minidfs: num(d.dead_stop_ms_p99), moosefs: num(m.detect_stop_ms_p99), better: 'lower', unit: 'ms', from: 'detection.dead_stop_ms_p99' },
  ];
}

const NOT_MEASURED = 'not measured in this run';

/** The peer's health in this run against its recorded norm (bench/results/peer-history.jsonl). */
export interface PeerHealth {
  /** This run's sequential-write figure, MB/s. */
  writeMBps?: number;
  /** Median of earlier runs' figures; undefined when there is no history yet. */
  normMBps?: number;
  /** Runs the norm is the median of. */
  historyRuns: number;
  /** False when the peer ran far below its norm: ratios are not comparable. */
  comparable: boolean;
  /** One line for the report. */
  line: string;
}

interface HistoryEntry { at: string; kind: string; commit: string; health_write_MBps: number; [figure: string]: string | number | null }

function readHistory(): HistoryEntry[] {
  let text = '';
  try { text = fs.readFileSync(HISTORY_FILE(), 'utf8'); } catch { return []; }
  return text.split('\n').filter(Boolean).flatMap((l) => {
    try { return [JSON.parse(l) as HistoryEntry]; } catch { return []; }
  }).filter((e) => typeof e.health_write_MBps === 'number' && Number.isFinite(e.health_write_MBps));
}

export function judgePeerHealth(writeMBps: number | undefined, history: readonly number[]): PeerHealth {
  const normMBps = history.length ? median(history) : undefined;
  const base = { writeMBps, normMBps, historyRuns: history.length };
  if (writeMBps === undefined) {
    return { ...base, comparable: true, line: 'peer health not measured in this run (the check failed): ratios printed without it' };
  }
  if (normMBps === undefined) {
    return { ...base, comparable: true, line: `peer health ${round(writeMBps)} MB/s (sequential write); no history yet: this run starts the norm` };
  }
  const fraction = writeMBps / normMBps;
  const comparable = fraction >= PEER_HEALTH_MIN_FRACTION;
  return {
    ...base, comparable,
    line: `peer health ${round(writeMBps)} MB/s (sequential write) = ${round(fraction, 2)}× its norm ${round(normMBps)} MB/s (median of ${history.length} earlier runs)` +
      (comparable ? '' : `: below ${PEER_HEALTH_MIN_FRACTION}× — the peer is unhealthy in this run, ratios are NOT comparable`),
  };
}

function ratioTable(ps: Pair[], health: PeerHealth): Table {
  const healthCell = health.writeMBps === undefined ? 'not measured'
    : `${round(health.writeMBps)} MB/s${health.normMBps === undefined ? ' (no norm yet)' : ` = ${round(health.writeMBps / health.normMBps, 2)}× norm`}`;
  return {
    title: 'minidfs / MooseFS',
    columns: ['figure', 'minidfs', 'MooseFS', 'minidfs / MooseFS', 'better when', 'peer health', 'minidfs metric'],
    rows: ps.map((p) => [
      `${p.figure} (${p.unit})`,
      p.minidfs === undefined ? NOT_MEASURED : round(p.minidfs, 1),
      p.moosefs === undefined ? NOT_MEASURED : round(p.moosefs, 1),
      p.minidfs === undefined || p.moosefs === undefined || p.moosefs === 0 ? NOT_MEASURED
        : health.comparable ? round(p.minidfs / p.moosefs, 2) : `not comparable (peer unhealthy; raw ${round(p.minidfs / p.moosefs, 2)})`,
      p.better, healthCell, p.from,
    ]),
  };
}

function targets(ps: Pair[], unavailable: string | null, health: PeerHealth): Target[] {
  const t = (name: string, figure: string): Target => {
    const p = ps.find((x) => x.figure === figure)!;
    const bound = p.moosefs === undefined ? 'MooseFS: not measured' : `>= ${round(p.moosefs, 1)} ${p.unit} (MooseFS)`;
    const measured = p.minidfs === undefined ? 'minidfs: not measured' : `${round(p.minidfs, 1)} ${p.unit}`;
    if (p.minidfs === undefined || p.moosefs === undefined) {
      const why = unavailable ?? (p.moosefs === undefined ? 'MooseFS figure missing' : `${p.from} not measured in this run (run that suite before peer-moosefs)`);
      return { name, pass: null, measured, bound, note: why };
    }
    if (!health.comparable) return { name, pass: null, measured, bound, note: `not comparable: ${health.line}` };
    return { name, pass: p.minidfs >= p.moosefs, measured, bound, note: `ratio ${round(p.minidfs / p.moosefs, 2)}; ${health.line}` };
  };
  return [
    t('repair throughput >= MooseFS', 'repair, data copied'),
    t('client write (rep 3) >= MooseFS', 'write, rep 3 / goal 3'),
    t('client read >= MooseFS', 'read after cache drop (rep 3)'),
  ];
}

/** One line per run in bench/results/peer-history.jsonl: the peer's health and main figures. */
function appendHistory(ctx: BenchContext, m: Metrics): void {
  let commit = 'unknown';
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  const entry = {
    at: new Date().toISOString(), kind: ctx.quick ? 'quick' : 'full', commit,
    health_write_MBps: m.health_write_MBps, write_goal3_MBps: m.write_goal3_MBps, write_goal2_MBps: m.write_goal2_MBps,
    read_MBps: m.read_MBps, repair_MBps: m.repair_MBps, small_files_ops: m.small_files_ops,
  };
  fs.mkdirSync(path.dirname(HISTORY_FILE()), { recursive: true });
  fs.appendFileSync(HISTORY_FILE(), `${JSON.stringify(entry)}\n`);
}

// --- the suite ---------------------------------------------------------------------------------

async function run(ctx: BenchContext): Promise<SuiteResult> {
  const sizes = ctx.quick ? QUICK : FULL;
  const load0 = os.loadavg();
  const metrics: Metrics = {
    write_goal3_MBps: null, write_goal2_MBps: null, read_MBps: null, small_files_ops: null, small_files_ops_c16: null, repair_MBps: null,
    detect_kill_ms_p50: null, detect_kill_ms_p99: null, detect_stop_ms_p50: null, detect_stop_ms_p99: null,
  };
  const tables: Table[] = [];
  const notes: string[] = [];
  let unavailable = preflight();
  let failure: string | null = null;

  if (unavailable === null) {
    try {
      try {
        await sh(ctx, ['install'], 600_000);
      } catch (err) {
        throw new MooseFsUnavailable(`MooseFS not installable: ${(err as Error).message}`);
      }
      metrics.moosefs_version = (await execFileP('mfsmaster', ['-v']).catch(() => 'unknown')).trim().split('\n')[0] ?? 'unknown';
      try {
        await sh(ctx, ['down'], 120_000); // leftovers of an earlier run: every round starts from an empty cluster
        await sh(ctx, ['up', '--chunkservers', String(CHUNKSERVERS)], 90_000);
      } catch (err) {
        throw new MooseFsUnavailable(`MooseFS did not start: ${(err as Error).message}`);
      }
      const data = randomFillSync(Buffer.allocUnsafe(64 * MiB + IO_BYTES));
      // Warm-up on the first cluster, discarded; every measured round starts on a fresh one.
      await writeBig(path.join((await mfsEnv(ctx)).mount, 'warmup'), sizes.bigFileBytes, data)
        .then((mbps) => ctx.log(`warm-up write (discarded): ${round(mbps)} MB/s`), (err: unknown) => ctx.log(`warm-up write failed: ${(err as Error).message}`));
      await sh(ctx, ['down'], 120_000);
      const rounds: RoundFigures[] = [];
      for (let r = 0; r < sizes.rounds; r++) {
        try {
          rounds.push(await oneRound(ctx, sizes, r, data, rounds.every((x) => x.detection === undefined), notes));
        } catch (err) {
          // A round that could not even start (moosefs.sh up) adds nothing; the others still count.
          notes.push(`Round ${r + 1} of ${sizes.rounds} failed before measuring (${(err as Error).message}).`);
          ctx.log(`round ${r + 1} failed: ${(err as Error).message}`);
          await sh(ctx, ['down'], 120_000).catch(() => undefined);
        }
      }
      const all = (pick: (x: RoundFigures) => number[]): number[] => rounds.flatMap(pick);
      const reps = rounds.flatMap((x) => x.repair);
      const det = rounds.find((x) => x.detection)?.detection;
      const med = (xs: number[]): number | null => (xs.length ? round(median(xs)) : null);
      const spread = (name: string, xs: number[]) => (xs.length ? { [`${name}_min`]: round(Math.min(...xs)), [`${name}_max`]: round(Math.max(...xs)), [`${name}_runs`]: xs.length } : {});
      Object.assign(metrics, {
        health_write_MBps: med(all((x) => x.health)),
        write_goal3_MBps: med(all((x) => x.write3)), ...spread('write_goal3_MBps', all((x) => x.write3)),
        write_goal2_MBps: med(all((x) => x.write2)), ...spread('write_goal2_MBps', all((x) => x.write2)),
        read_MBps: med(all((x) => x.read)), ...spread('read_MBps', all((x) => x.read)),
        small_files_ops: med(all((x) => x.small)),
        small_files_ops_c16: med(all((x) => x.smallC16)),
        repair_MBps: med(reps.map((x) => x.MBps)), ...spread('repair_MBps', reps.map((x) => x.MBps)),
        repair_bytes: reps.length ? median(reps.map((x) => x.bytes)) : null,
        repair_data_ms: med(reps.map((x) => x.dataMs)),
        repair_master_at_goal_ms: reps.length && reps.every((x) => x.reportedAtGoalMs !== undefined) ? round(median(reps.map((x) => x.reportedAtGoalMs!))) : null,
        ...(det ? {
          detect_kill_ms_p50: round(percentile(det.kill, 50)), detect_kill_ms_p99: round(percentile(det.kill, 99)),
          detect_stop_ms_p50: round(percentile(det.stop, 50)), detect_stop_ms_p99: round(percentile(det.stop, 99)),
        } : {}),
      });
      const list = (xs: number[]): string => (xs.length ? xs.map((x) => round(x)).join(', ') : 'not measured');
      const value = (v: unknown): string | number => (typeof v === 'number' ? v : 'not measured');
      const minMax = (xs: number[]): string => (xs.length ? `${round(Math.min(...xs))}-${round(Math.max(...xs))}` : '');
      tables.push({
        title: 'MooseFS figures (median of the runs; min-max beside it)',
        columns: ['figure', 'value', 'min-max', 'unit', 'samples', 'metric'],
        rows: [
          [`peer health: sequential write, goal 1, ${HEALTH_BYTES / MiB} MiB + fsync`, value(metrics.health_write_MBps), minMax(all((x) => x.health)), 'MB/s', list(all((x) => x.health)), 'health_write_MBps'],
          ['write, goal 3, fsync at end', value(metrics.write_goal3_MBps), minMax(all((x) => x.write3)), 'MB/s', list(all((x) => x.write3)), 'write_goal3_MBps'],
          ['write, goal 2, fsync at end', value(metrics.write_goal2_MBps), minMax(all((x) => x.write2)), 'MB/s', list(all((x) => x.write2)), 'write_goal2_MBps'],
          ['read goal-3 file, page cache dropped', value(metrics.read_MBps), minMax(all((x) => x.read)), 'MB/s', list(all((x) => x.read)), 'read_MBps'],
          [`small files (4 KiB create+write+close), 1 writer`, value(metrics.small_files_ops), minMax(all((x) => x.small)), 'files/s', list(all((x) => x.small)), 'small_files_ops'],
          [`small files, ${SMALL_FILE_WRITERS} writer threads`, value(metrics.small_files_ops_c16), minMax(all((x) => x.smallC16)), 'files/s', list(all((x) => x.smallC16)), 'small_files_ops_c16'],
          ['repair: data copied, from master noticing the kill', value(metrics.repair_MBps), minMax(reps.map((x) => x.MBps)), 'MB/s', list(reps.map((x) => x.MBps)), 'repair_MBps'],
          ['repair: time to data copied', value(metrics.repair_data_ms), '', 'ms', list(reps.map((x) => x.dataMs)), 'repair_data_ms'],
          ['repair: time to master showing no undergoal chunks', num(metrics.repair_master_at_goal_ms) ?? 'n/a', '', 'ms', reps.map((x) => (x.reportedAtGoalMs === undefined ? '?' : round(x.reportedAtGoalMs))).join(', '), 'repair_master_at_goal_ms'],
          ['repair: bytes the victim held', value(metrics.repair_bytes), '', 'bytes', reps.map((x) => `cs${x.victim}: ${x.bytes}`).join(', '), 'repair_bytes'],
          ['SIGKILL noticed by master, p50 / p99', det ? `${metrics.detect_kill_ms_p50} / ${metrics.detect_kill_ms_p99}` : 'not measured', '', 'ms', list(det?.kill ?? []), 'detect_kill_ms_p50/p99'],
          ['SIGSTOP noticed by master, p50 / p99', det ? `${metrics.detect_stop_ms_p50} / ${metrics.detect_stop_ms_p99}` : 'not measured', '', 'ms', list(det?.stop ?? []), 'detect_stop_ms_p50/p99'],
        ],
      });
    } catch (err) {
      if (err instanceof MooseFsUnavailable) unavailable = err.message;
      else failure = err instanceof Error ? err.message : String(err);
    } finally {
      try {
        await sh(ctx, ['down'], 120_000);
      } catch (err) {
        notes.push(`moosefs.sh down failed: ${(err as Error).message} (run bench/peers/moosefs.sh down by hand)`);
      }
    }
  }
  const load1 = os.loadavg();
  metrics.loadavg_1m_start = round(load0[0]!, 2);
  metrics.loadavg_1m_end = round(load1[0]!, 2);
  if (unavailable !== null) {
    metrics.unavailable = unavailable;
    notes.push(`MooseFS not measured: ${unavailable}`);
  }
  if (failure !== null) {
    metrics.error = failure;
    notes.push(`MooseFS run failed midway: ${failure}; its figures are null.`);
  }
  const ps = pairs(ctx.earlier, metrics);
  const health = judgePeerHealth(num(metrics.health_write_MBps), readHistory().map((e) => e.health_write_MBps));
  metrics.health_norm_MBps = health.normMBps === undefined ? null : round(health.normMBps);
  metrics.health_comparable = health.comparable;
  notes.unshift(health.line);
  if (health.writeMBps !== undefined) appendHistory(ctx, metrics);
  tables.push(ratioTable(ps, health));
  notes.push(
    `Load average (1 min) ${metrics.loadavg_1m_start} at start, ${metrics.loadavg_1m_end} at end, on ${os.cpus().length} cores: the machine is shared, figures are noisy.`,
    'MooseFS counts a chunk as back at goal when it SCHEDULES the copy; repair here is timed by bytes on the surviving chunkservers\' disks. ' +
      'The master\'s own view (mfscli -SIC missing + endangered + undergoal reaching 0, polled every ~0.1 s + mfscli start-up) is shown for contrast; ' +
      '"?" = no undergoal chunk was ever seen (small repairs are all scheduled before the first poll answers).',
  );
  return {
    suite: 'peer-moosefs',
    title: 'MooseFS peer: the same work on MooseFS, and minidfs / MooseFS',
    method:
      `MooseFS ${metrics.moosefs_version ?? '3.0'} (Debian packages) on loopback via bench/peers/moosefs.sh: one master, ${CHUNKSERVERS} chunkservers ` +
      `(own data dir each, same disk), FUSE mount (mfsmount, default cache mode). ${sizes.rounds} round(s), each on a fresh cluster (moosefs.sh down + up). ` +
      `Peer health in each round (after the repair and small files): a plain sequential write of ${HEALTH_BYTES / MiB} MiB at goal 1 with one fsync, compared with the median of earlier runs in ` +
      `bench/results/peer-history.jsonl (below ${PEER_HEALTH_MIN_FRACTION}× of it the ratios are marked not comparable); every run appends its figures there. ` +
      `One discarded warm-up write on a first cluster; then per round one write of ${sizes.bigFileBytes / MiB} MiB at goal 3, then at goal 2, in 1 MiB writes and one fsync at the end (MB/s = 10^6 bytes/s, open to close); ` +
      'figures are medians over every run of every round, with min and max. Each phase (health, writes, repair, small files, detection) that fails is retried once after every chunkserver is running and registered again; ' +
      'a phase that fails twice leaves only its own figures out. '+
      'After the writes: drop the page cache and read the goal-3 file back in 1 MiB reads; then repair: SIGKILL the chunkserver holding the most chunk bytes ' +
      '(every chunk it held, goal 3 and goal 2, needs one new copy) and poll every 20 ms the apparent sizes of chunk_*.mfs files under the survivors\' data dirs ' +
      'until they grew by the victim\'s bytes; repair_MBps = victim bytes / (that moment - the master\'s "chunkserver disconnected" log line), ' +
      'the MooseFS counterpart of minidfs\'s DEAD -> every copy reported. ' +
      `Then ${sizes.smallFiles} 4 KiB files (create + write + close, no fsync) by one writer (small_files_ops), and by ${SMALL_FILE_WRITERS} worker threads. ` +
      `Detection, on the first round's cluster with all ${CHUNKSERVERS} servers back: ${sizes.kills} × SIGKILL, then ${sizes.stops} × SIGSTOP, two servers at a time, ` +
      'time from the signal (moosefs.sh prints the epoch time just before its kill builtin) to the master\'s "chunkserver disconnected" line for that port ' +
      '(the script timestamps every master log line with µs epoch time as it is written); servers are restarted / SIGCONTed and re-register before the next pair. ' +
      'Percentiles are nearest-rank.',
    metrics,
    tables,
    targets: targets(ps, unavailable ?? (failure === null ? null : `MooseFS run failed: ${failure}`), health),
    notes,
  };
}

export const peerMoosefs: Suite = {
  name: 'peer-moosefs',
  title: 'MooseFS peer: the same work on MooseFS, and minidfs / MooseFS',
  run,
};
