/**
 * A NameNode HA group on real processes: one etcd (Debian's etcd-server, /usr/bin/etcd), N
 * NameNode processes started with --ha-etcd, and DataNode processes that know every NameNode.
 * Each NameNode keeps its ports across restarts (the DataNodes' --namenode list names them).
 * Suites skip, saying why, when etcd is not installed (.ci/run installs it as root).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NAMENODE_FLAGS } from '@minidfs/namenode';
import { FAST, type Liveness, type Report, type Transition } from './cluster';
import { CLI, type LogLine, NodeProcess } from './processes';
import { waitFor } from './wait';

export const ETCD_BIN = '/usr/bin/etcd';
export const etcdInstalled = fs.existsSync(ETCD_BIN);
// Outside jest (the benchmarks use HaCluster) there is no describe.
type Describe = ((name: string, fn: () => void) => void) & { skip: (name: string, fn: () => void) => void };
const jestDescribe = (globalThis as { describe?: Describe }).describe;
export const describeWithEtcd = (etcdInstalled ? jestDescribe : jestDescribe?.skip) as (name: string, fn: () => void) => void;
if (!etcdInstalled && jestDescribe) {
  console.warn(`HA suites skipped: ${ETCD_BIN} not found (install it with \`apt-get install -y etcd-server\`; .ci/run does as root)`);
}

/** A free TCP port on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** One etcd member on loopback with its own data dir. */
export class EtcdProcess {
  proc: ChildProcess | undefined;
  clientPort = 0;
  peerPort = 0;
  output = '';

  constructor(readonly dataDir: string) {}

  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  async start(): Promise<void> {
    if (!this.clientPort) {
      this.clientPort = await freePort();
      this.peerPort = await freePort();
    }
    const client = `http://127.0.0.1:${this.clientPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.proc = spawn(ETCD_BIN, [
      '--name', 'etcd0', '--data-dir', this.dataDir, '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `etcd0=${peer}`,
      '--log-level', 'warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => { this.output += d.toString(); });
    this.proc.stderr!.on('data', (d: Buffer) => { this.output += d.toString(); });
    await waitFor('etcd healthy', async () => {
      const res = await fetch(`${client}/health`).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, 15_000, 50);
  }

  signal(sig: NodeJS.Signals): void {
    this.proc?.kill(sig);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGCONT');
    p.kill('SIGKILL');
    await exited;
  }
}

export interface HaNameNode {
  id: string;
  rpcPort: number;
  httpPort: number;
  proc: NodeProcess;
  /** Earlier lives of this NameNode (restarts), oldest first. */
  past: NodeProcess[];
}

export class HaCluster {
  readonly root: string;
  readonly etcd: EtcdProcess;
  readonly namenodes: HaNameNode[] = [];
  readonly datanodes = new Map<string, NodeProcess>();
  readonly secretFile: string;

  constructor(readonly liveness: Liveness = FAST, readonly leaseTtlMs = 2000, readonly nnArgs: string[] = []) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-ha-'));
    this.etcd = new EtcdProcess(path.join(this.root, 'etcd'));
    this.secretFile = path.join(this.root, 'secret');
    fs.writeFileSync(this.secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  }

  /** etcd, `namenodes` NameNodes (the first becomes active), `datanodes` DataNodes dn1..dnN, all LIVE at the active. */
  static async start(namenodes = 2, datanodes = 3, liveness: Liveness = FAST, leaseTtlMs = 2000, nnArgs: string[] = []): Promise<HaCluster> {
    const c = new HaCluster(liveness, leaseTtlMs, nnArgs);
    await c.etcd.start();
    for (let i = 1; i <= namenodes; i++) {
      c.namenodes.push({ id: `nn${i}`, rpcPort: await freePort(), httpPort: await freePort(), proc: undefined as unknown as NodeProcess, past: [] });
    }
    for (const [i, nn] of c.namenodes.entries()) {
      await c.startNameNode(nn.id);
      if (i === 0) await c.waitForActive();
    }
    for (let i = 1; i <= datanodes; i++) c.startDataNode(`dn${i}`);
    await c.waitForReport(`${datanodes} LIVE at the active`, (r) => r.live === datanodes);
    return c;
  }

  get namenodeList(): string {
    return this.namenodes.map((n) => `127.0.0.1:${n.rpcPort}`).join(',');
  }

  nn(id: string): HaNameNode {
    const n = this.namenodes.find((x) => x.id === id);
    if (!n) throw new Error(`no namenode ${id}`);
    return n;
  }

  async startNameNode(id: string): Promise<NodeProcess> {
    const nn = this.nn(id);
    const l = this.liveness;
    if (nn.proc) nn.past.push(nn.proc);
    nn.proc = new NodeProcess(id, [
      'namenode', '--bind', '127.0.0.1', '--rpc-port', String(nn.rpcPort), '--http-port', String(nn.httpPort),
      '--data-dir', path.join(this.root, id), NAMENODE_FLAGS.heartbeatIntervalMs, String(l.heartbeatIntervalMs),
      NAMENODE_FLAGS.staleAfterMissed, String(l.staleAfter), NAMENODE_FLAGS.deadAfterMissed, String(l.deadAfter),
      '--secret-file', this.secretFile, '--ha-etcd', this.etcd.endpoint, '--ha-id', id, '--ha-lease-ttl-ms', String(this.leaseTtlMs),
      ...this.nnArgs,
    ]);
    await nn.proc.waitForLine(`${id} started`, (x) => x.event === 'started', 20_000);
    return nn.proc;
  }

  startDataNode(id: string, extraArgs: string[] = []): NodeProcess {
    const dn = new NodeProcess(id, [
      'datanode', '--id', id, '--namenode', this.namenodeList, '--port', '0', '--bind', '127.0.0.1', '--advertise', '127.0.0.1',
      '--data-dir', path.join(this.root, id), '--reconnect-max-ms', '200', '--scan-bytes-per-second', '0',
      '--secret-file', this.secretFile, ...extraArgs,
    ]);
    this.datanodes.set(id, dn);
    return dn;
  }

  /** GetHaStatus of every NameNode through `minidfs ha status --json`. */
  status(): Array<{ address: string; role: string; epoch: number }> {
    const r = spawnSync(process.execPath, [CLI, 'ha', 'status', '--json', '--namenode', this.namenodeList], { encoding: 'utf8', timeout: 20_000 });
    return (JSON.parse(r.stdout) as { namenodes: Array<{ address: string; role: string; epoch: number }> }).namenodes;
  }

  /** The active NameNode, from its own log (`ha-role` ACTIVE) and process state; undefined if none. */
  active(): HaNameNode | undefined {
    let best: { nn: HaNameNode; epoch: number } | undefined;
    for (const nn of this.namenodes) {
      if (!nn.proc?.alive) continue;
      const line = [...nn.proc.lines].reverse().find((l) => l.event === 'ha-role' || l.event === 'ha-deposed' || l.event === 'ha-suspended' || l.event === 'ha-resumed');
      if ((line?.event === 'ha-role' || line?.event === 'ha-resumed') && (!best || Number(line.epoch) > best.epoch)) best = { nn, epoch: Number(line.epoch) };
    }
    return best?.nn;
  }

  async waitForActive(notId?: string, timeoutMs = 20_000): Promise<HaNameNode> {
    return waitFor(`an active NameNode${notId ? ` other than ${notId}` : ''}`, () => {
      const a = this.active();
      return a && a.id !== notId ? a : undefined;
    }, timeoutMs);
  }

  /** Runs `minidfs ARGS --namenode <every NameNode>` to completion. */
  cli(...args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, [CLI, ...args, '--namenode', this.namenodeList], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  async report(nn?: HaNameNode): Promise<Report> {
    const target = nn ?? this.active();
    if (!target) throw new Error('no active NameNode');
    const res = await fetch(`http://127.0.0.1:${target.httpPort}/api/datanodes`);
    if (res.status !== 200) throw new Error(`GET /api/datanodes: ${res.status}`);
    return (await res.json()) as Report;
  }

  async waitForReport(what: string, pred: (r: Report) => boolean, timeoutMs = 20_000, nn?: HaNameNode): Promise<Report> {
    return waitFor(what, async () => {
      const r = await this.report(nn);
      return pred(r) ? r : undefined;
    }, timeoutMs);
  }

  /** Every liveness transition any NameNode process logged (all lives of each). */
  transitions(): Array<Transition & { namenode: string }> {
    return this.namenodes.flatMap((nn) => [...nn.past, nn.proc].flatMap((p) => p?.lines ?? [])
      .filter((l: LogLine) => l.event === 'transition').map((l) => ({ ...(l as unknown as Transition), namenode: nn.id })));
  }

  async stop(): Promise<void> {
    const all = [...this.datanodes.values(), ...this.namenodes.map((n) => n.proc).filter((p) => p !== undefined)];
    for (const p of all) {
      if (!p.alive) continue;
      p.signal('SIGCONT');
      p.signal('SIGKILL');
    }
    await Promise.all(all.map((p) => p.waitForExit().catch(() => undefined)));
    await this.etcd.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
