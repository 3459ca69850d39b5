/**
 * ChaosCluster: a real NameNode and real DataNodes, each on its own host (network namespace; see
 * network.ts), plus the fault injectors. Every fault is recorded in a FaultLog with wall-clock
 * start and end, so the checker can judge the NameNode's transition log against what was done.
 *
 * Faults: kill -9, SIGTERM stop (goodbye), SIGSTOP/SIGCONT (DataNode or NameNode), full partition,
 * partition from the NameNode only, one-way partition either way (iptables DROP), random loss on
 * every link (iptables statistic), added delay on a DataNode's NameNode link (a TCP proxy on the
 * NameNode's host, delay-proxy.js; only when the cluster is started with `delayProxy`), NameNode
 * kill -9 + restart, a replica's block file corrupted on disk, a DataNode's disk filled (its data
 * dir is a small tmpfs, started with `tmpfsBytes`). healAll() ends every fault that is still on.
 *
 * Processes run `node packages/cli/dist/main.js ...` through `ip netns exec NS` (same pid), log
 * JSON lines on stderr, which are kept in memory and written to RUN_DIR/logs/<name>.log. stop()
 * kills every process, removes the namespaces, rules and mounts, and deletes the run directory
 * (logs are kept when `keepLogs`, e.g. after a failure).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, loadProtos } from '@minidfs/common';
import { blockFilesOnDisk, findBlockFile } from '../support/disk';
import { CLI_PATH, repoRoot } from '../support/paths';
import { FatalWaitError, waitFor } from '../support/wait';
import { FaultLog, type FaultKind, type FaultRecord } from './faults';
import { ChaosNetwork, type NetMode, cleanupStale, cleanupStaleDirs } from './network';

export interface Profile {
  name: string;
  heartbeatIntervalMs: number;
  staleAfter: number;
  deadAfter: number;
  /** More NameNode flags (e.g. another detector); the checker still judges by deadAfter × interval. */
  namenodeArgs?: string[];
}

/**
 * The chaos profile: 200 ms beats, STALE after 2 missed, DEAD after 5 (1 s; detection bound
 * 1.2 s). Chosen from `npm run chaos -- --census` (docs/CHAOS.md): under 5% loss on every link
 * with the workload running on 2 cores, heartbeat gaps reached 430-610 ms, and a CPU-starved box
 * (load 8 on 2 cores) produced 520-560 ms gaps — so 100 ms × 5 (500 ms) gave false DEADs, while
 * 200 ms × 5 leaves about 2× margin over the longest gap seen.
 */
export const CHAOS_PROFILE: Profile = { name: 'chaos', heartbeatIntervalMs: 200, staleAfter: 2, deadAfter: 5 };

/** A deliberately broken detector: DEAD after 2 missed 100 ms beats (the CLI's minimum). */
export const BROKEN_PROFILE: Profile = { name: 'broken', heartbeatIntervalMs: 100, staleAfter: 1, deadAfter: 2 };

/** The detection promise: DEAD within deadAfter × interval plus one interval. */
export function deadBoundMs(p: Profile): number {
  return p.deadAfter * p.heartbeatIntervalMs + p.heartbeatIntervalMs;
}

export function deadTimeoutMs(p: Profile): number {
  return p.deadAfter * p.heartbeatIntervalMs;
}

export class ClusterStoppedError extends FatalWaitError {
  override readonly name = 'ClusterStoppedError';
  constructor() {
    super('the chaos cluster was stopped');
  }
}

/** The chaos suite's name for test/support/wait.ts waitFor (a FatalWaitError ends it at once). */
export const poll = waitFor;

export type LogLine = Record<string, unknown> & { event?: string; message?: string; timestamp?: string };

export interface Transition {
  nodeId: string;
  from: string;
  to: string;
  reason: string;
  missedBeats: number;
  msSinceLastHeartbeat: number;
  timestamp: string;
  /** Parsed timestamp (ms since epoch). */
  atMs: number;
  /** Which NameNode process (0 = the first; a restart adds one). */
  incarnation: number;
}

export interface Fsck {
  files: number; blocks: number; underReplicated: number; overReplicated: number; missing: number; corrupt: number;
  pendingReplications: number; healthy: boolean;
}

export interface ReportEntry { id: string; address: string; state: 'LIVE' | 'STALE' | 'DEAD' | 'UNREACHABLE_FROM_NAMENODE'; lastHeartbeatMsAgo: number; missedBeats: number; remainingBytes?: number }
export interface Report { datanodes: ReportEntry[]; live: number; stale: number; dead: number; safeMode: boolean }

/** One process on one host; JSON stderr lines kept in `lines` and copied to a log file. */
export class HostProcess {
  readonly lines: LogLine[] = [];
  readonly proc: ChildProcess;
  stdout = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private readonly logStream: fs.WriteStream;

  constructor(readonly name: string, argv: string[], logFile: string, stdin: 'ignore' | 'pipe' = 'ignore') {
    this.logStream = fs.createWriteStream(logFile, { flags: 'a' });
    this.proc = spawn(argv[0]!, argv.slice(1), { stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, MINIDFS_LOG_LEVEL: process.env.MINIDFS_LOG_LEVEL ?? 'info' } });
    this.proc.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString(); });
    readline.createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      this.logStream.write(line + '\n');
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ message: line });
      }
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.logStream.end(`-- exit code=${code} signal=${signal}\n`);
      resolve();
    }));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      process.kill(this.pid, sig);
    } catch { /* exited meanwhile */ }
  }

  async waitForExit(timeoutMs = 10_000): Promise<void> {
    await poll(`${this.name} to exit`, () => !this.alive, timeoutMs);
    await this.exited;
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.waitForExit();
  }

  waitForLine(what: string, pred: (l: LogLine) => boolean, timeoutMs = 10_000, from = 0): Promise<LogLine> {
    return poll(`${this.name}: ${what}`, () => {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (!this.alive) throw new FatalWaitError(`${this.name} exited (${JSON.stringify(this.exit)}) before ${what}`);
      return undefined;
    }, timeoutMs);
  }

  /** The last `n` log lines, for failure messages. */
  tail(n = 15): string {
    return this.lines.slice(-n).map((l) => JSON.stringify(l)).join('\n');
  }
}

export interface ClusterOptions {
  /** Names the run directory and the log. */
  name: string;
  datanodes: number;
  profile: Profile;
  /** NameNode default replication. */
  replication: number;
  minReplication?: number;
  blockSizeBytes: number;
  mode: NetMode;
  /** Route each DataNode's NameNode link through the delay proxy (enables `delay`). */
  delayProxy?: boolean;
  /** DataNode id -> size of the tmpfs used as its data dir (enables `fillDisk` on it; netns mode). */
  tmpfsBytes?: Record<string, number>;
  /**
   * Decentralized heartbeats (docs/GOSSIP.md): DataNodes run SWIM gossip with this protocol period
   * and the NameNode asks them before declaring a node DEAD (docs/PEER-EVIDENCE.md), holding a
   * node its peers still hear as UNREACHABLE_FROM_NAMENODE for `graceMs`.
   */
  gossip?: GossipOptions;
  log?: (line: string) => void;
}

export interface GossipOptions {
  periodMs: number;
  graceMs: number;
}

/** One member as a DataNode's GetMembership shows it. */
export interface MemberStatus { id: string; address: string; state: string; incarnation: number; msInState: number; msSinceHeard: number; neverHeard: boolean }

/** The CLI every process runs (from the repo root: this file also runs compiled under .tsbuild/). */
const CLI = CLI_PATH;

/** Clusters not yet stopped, so a test that timed out can still be torn down (stopAllClusters). */
const activeClusters = new Set<ChaosCluster>();

/** Stops every cluster still running (jest afterEach: after a timeout the scenario's own finally may never run). */
export async function stopAllClusters(): Promise<void> {
  await Promise.all([...activeClusters].map((c) => c.stop(true)));
}

process.on('exit', () => {
  // Last resort (loopback mode has no namespace to sweep): no child outlives the test process.
  for (const c of activeClusters) c.killAllSync();
});
// Ctrl-C / SIGTERM: leave through process.exit so the 'exit' hooks above (and network.ts's) run.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => process.exit(130));
}

const NN_RPC_PORT = 8020;
const NN_HTTP_PORT = 9870;
const DN_PORT = 9866;
const PROXY_BASE_PORT = 18020;

export class ChaosCluster {
  readonly faults = new FaultLog();
  readonly net: ChaosNetwork;
  readonly root: string;
  readonly logDir: string;
  /** Every NameNode process so far, oldest first (a restart appends). */
  readonly namenodes: HostProcess[] = [];
  /** The current process of each DataNode. */
  readonly datanodes = new Map<string, HostProcess>();
  /** Every DataNode process so far (restarts append), for log checks. */
  readonly allDatanodeProcesses: HostProcess[] = [];
  readonly ids: string[];
  rpcPort = 0;
  httpPort = 0;
  private proxy: HostProcess | undefined;
  private readonly proxyPorts = new Map<string, number>();
  private readonly partitions = new Map<string, { tag: string; fault: FaultRecord }>();
  private lossFault: { tag: string; fault: FaultRecord } | undefined;
  private readonly log: (line: string) => void;
  private processCounter = 0;
  private stopped = false;
  private readonly stopHooks: Array<() => void> = [];

  private constructor(readonly options: ClusterOptions) {
    this.log = options.log ?? (() => undefined);
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `minidfs-chaos-${process.pid}-`));
    this.logDir = path.join(this.root, 'logs');
    fs.mkdirSync(this.logDir);
    this.ids = Array.from({ length: options.datanodes }, (_, i) => `dn${i + 1}`);
    this.net = new ChaosNetwork(options.mode);
    activeClusters.add(this);
  }

  static async start(options: ClusterOptions): Promise<ChaosCluster> {
    // Leftovers of runs that were killed before they could clean up (mounts first, then their dirs).
    const stale = [...(options.mode === 'netns' ? cleanupStale() : []), ...cleanupStaleDirs(os.tmpdir())];
    if (stale.length) options.log?.(`removed leftovers of earlier runs: ${stale.join(', ')}`);
    const c = new ChaosCluster(options);
    try {
      c.net.addHost('nn');
      for (const id of c.ids) c.net.addHost(id);
      for (const [id, bytes] of Object.entries(options.tmpfsBytes ?? {})) c.net.mountTmpfs(c.dataDir(id), bytes);
      await c.startNameNode();
      if (options.delayProxy) await c.startProxy();
      for (const id of c.ids) c.spawnDataNode(id);
      await c.waitForReport(`${c.ids.length} LIVE`, (r) => r.live === c.ids.length, 20_000);
      return c;
    } catch (err) {
      await c.stop(true);
      throw err;
    }
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get profile(): Profile {
    return this.options.profile;
  }

  get namenodeIp(): string {
    return this.net.host('nn').ip;
  }

  /** The NameNode's client RPC address, as the test process (the client host) reaches it. */
  get namenodeAddress(): string {
    return `${this.namenodeIp}:${this.rpcPort}`;
  }

  get nn(): HostProcess {
    return this.namenodes[this.namenodes.length - 1]!;
  }

  dn(id: string): HostProcess {
    const p = this.datanodes.get(id);
    if (!p) throw new Error(`no datanode ${id}`);
    return p;
  }

  dataDir(id: string): string {
    return path.join(this.root, id);
  }

  private nextLogFile(name: string): string {
    return path.join(this.logDir, `${String(++this.processCounter).padStart(2, '0')}-${name}.log`);
  }

  private spawnOn(host: string, name: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): HostProcess {
    if (this.stopped) throw new ClusterStoppedError();
    return new HostProcess(name, [...this.net.commandPrefix(host), process.execPath, ...args], this.nextLogFile(name), stdin);
  }

  private async startNameNode(): Promise<HostProcess> {
    const p = this.profile;
    const netns = this.net.mode === 'netns';
    const args = [
      CLI(), 'namenode', '--bind', netns ? '0.0.0.0' : '127.0.0.1',
      '--rpc-port', String(netns ? NN_RPC_PORT : this.rpcPort), '--http-port', String(netns ? NN_HTTP_PORT : this.httpPort),
      '--data-dir', path.join(this.root, 'namenode'), '--heartbeat-interval-ms', String(p.heartbeatIntervalMs),
      '--stale-after', String(p.staleAfter), '--dead-after', String(p.deadAfter), '--replication', String(this.options.replication),
      '--block-size', String(this.options.blockSizeBytes), '--min-replication', String(this.options.minReplication ?? 2),
      ...(this.options.gossip ? ['--unreachable-grace-ms', String(this.options.gossip.graceMs)] : []),
      ...(p.namenodeArgs ?? []),
    ];
    const nn = this.spawnOn('nn', `namenode${this.namenodes.length || ''}`, args);
    this.namenodes.push(nn);
    const started = await nn.waitForLine('started', (l) => l.event === 'started', 20_000);
    this.rpcPort = Number(started.rpcPort);
    this.httpPort = Number(started.httpPort);
    return nn;
  }

  private async startProxy(): Promise<void> {
    const netns = this.net.mode === 'netns';
    const routes = this.ids.flatMap((id, i) => ['--route', [id, netns ? '0.0.0.0' : '127.0.0.1', netns ? PROXY_BASE_PORT + i : 0, '127.0.0.1', this.rpcPort].join(',')]);
    const script = path.join(repoRoot(), 'test/chaos/delay-proxy.js');
    this.proxy = this.spawnOn('nn', 'delay-proxy', [script, ...routes], 'pipe');
    const ready = await poll('delay proxy ready', () => {
      if (!this.proxy!.alive) throw new FatalWaitError(`delay proxy exited: ${this.proxy!.tail()}`);
      const line = this.proxy!.stdout.split('\n').find((l) => l.includes('"ready"'));
      return line ? JSON.parse(line) as { routes: Array<{ name: string; port: number }> } : undefined;
    }, 10_000);
    for (const r of ready.routes) this.proxyPorts.set(r.name, r.port);
  }

  /** Where DataNode `id` sends its heartbeats: the NameNode, or its route through the delay proxy. */
  private namenodeFor(id: string): string {
    const port = this.proxyPorts.get(id) ?? this.rpcPort;
    return `${this.namenodeIp}:${port}`;
  }

  private spawnDataNode(id: string): HostProcess {
    const ip = this.net.host(id).ip;
    const netns = this.net.mode === 'netns';
    const dn = this.spawnOn(id, id, [
      CLI(), 'datanode', '--id', id, '--namenode', this.namenodeFor(id), '--port', String(netns ? DN_PORT : 0),
      '--bind', ip, '--advertise', ip, '--data-dir', this.dataDir(id), '--reconnect-max-ms', '200',
      ...this.gossipArgs(id),
    ]);
    this.datanodes.set(id, dn);
    this.allDatanodeProcesses.push(dn);
    return dn;
  }

  /** Gossip flags for DataNode `id`: the period and, with fixed ports (netns), every other DataNode as a seed. */
  private gossipArgs(id: string): string[] {
    const g = this.options.gossip;
    if (!g) return [];
    const seeds = this.net.mode === 'netns' ? this.ids.filter((x) => x !== id).flatMap((x) => ['--peer', `${this.net.host(x).ip}:${DN_PORT}`]) : [];
    return ['--membership', 'gossip', '--gossip-period-ms', String(g.periodMs), ...seeds];
  }

  // ---------------------------------------------------------------- observation

  /** DataNode `id`'s SWIM view (its GetMembership RPC), as the test process reaches it. */
  async membership(id: string, timeoutMs = 2000): Promise<MemberStatus[]> {
    const dn = this.dn(id);
    const started = dn.lines.find((l) => l.event === 'started' || l.event === 'datanode-started');
    const port = this.net.mode === 'netns' ? DN_PORT : Number(started?.port);
    const client = new (loadProtos().Membership)(`${this.net.host(id).ip}:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    try {
      const res = await new Promise<{ members: MemberStatus[] }>((resolve, reject) =>
        client.GetMembership({}, { deadline: Date.now() + timeoutMs }, (err, r) => (err || !r ? reject(err ?? new Error('empty answer')) : resolve(r as { members: MemberStatus[] }))));
      return res.members.map((m) => ({
        id: m.id, address: m.address, state: m.state, incarnation: m.incarnation, msInState: m.msInState, msSinceHeard: m.msSinceHeard, neverHeard: m.neverHeard,
      }));
    } finally {
      client.close();
    }
  }

  /** Gossip transitions every DataNode process logged (`member-transition` lines), with the observer. */
  memberTransitions(): Array<LogLine & { observer: string; memberId: string; from: string; to: string; reason: string; atMs: number }> {
    return this.allDatanodeProcesses.flatMap((p) => p.lines
      .filter((l) => l.event === 'member-transition')
      .map((l) => ({ ...l, observer: p.name, memberId: String(l.memberId), from: String(l.from), to: String(l.to), reason: String(l.reason), atMs: Date.parse(String(l.timestamp)) })));
  }

  /** Block ids with a finalized replica on `id`'s disk now. */
  blocksOnDisk(id: string): number[] {
    return [...blockFilesOnDisk(this.root, [id]).keys()];
  }

  // ---------------------------------------------------------------- observation (NameNode)

  private async getJson<T>(route: string): Promise<T> {
    const res = await fetch(`http://${this.namenodeIp}:${this.httpPort}${route}`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`GET ${route}: ${res.status}`);
    return (await res.json()) as T;
  }

  report(): Promise<Report> {
    return this.getJson<Report>('/api/datanodes');
  }

  fsck(): Promise<Fsck> {
    return this.getJson<Fsck>('/api/fsck');
  }

  /** Poll-until with a deadline that also ends at once when this cluster is stopped. */
  poll<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 25): Promise<T> {
    return poll(what, () => {
      if (this.stopped) throw new ClusterStoppedError();
      return probe();
    }, timeoutMs, everyMs);
  }

  /** Keeps a fault on for `ms` (the fault's length is the fault itself); ends early, throwing, if the cluster is stopped. */
  async hold(ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.poll(`${ms} ms to pass`, () => Date.now() >= until, ms + 1000, Math.min(100, Math.max(1, ms)));
  }

  /** Runs `fn` when the cluster is stopped (e.g. stop the workload that talks to it). */
  onStop(fn: () => void): void {
    this.stopHooks.push(fn);
  }

  async waitForReport(what: string, pred: (r: Report) => boolean, timeoutMs = 15_000): Promise<Report> {
    return this.poll(what, async () => {
      if (!this.nn.alive) throw new Error(`namenode exited: ${this.nn.tail()}`);
      const r = await this.report();
      return pred(r) ? r : undefined;
    }, timeoutMs, 25);
  }

  /** Every transition every NameNode process logged, in order. */
  transitions(): Transition[] {
    return this.namenodes.flatMap((nn, incarnation) => nn.lines
      .filter((l) => l.event === 'transition')
      .map((l) => ({ ...(l as unknown as Omit<Transition, 'atMs' | 'incarnation'>), atMs: Date.parse(String(l.timestamp)), incarnation })));
  }

  async waitForTransition(what: string, pred: (t: Transition) => boolean, timeoutMs = 15_000): Promise<Transition> {
    return this.poll(what, () => this.transitions().find(pred), timeoutMs);
  }

  /** Lines of every NameNode process with the given event. */
  namenodeEvents(event: string): LogLine[] {
    return this.namenodes.flatMap((nn) => nn.lines.filter((l) => l.event === event));
  }

  // ---------------------------------------------------------------- process faults

  async kill(id: string): Promise<FaultRecord> {
    const dn = this.dn(id);
    if (!dn.alive) throw new Error(`${id} is not running`);
    const f = this.faults.begin('kill', id);
    this.log(`fault: kill -9 ${id}`);
    dn.signal('SIGKILL');
    await dn.waitForExit();
    return f;
  }

  /** SIGTERM: the DataNode says goodbye and exits 0. */
  async stopDataNode(id: string): Promise<FaultRecord> {
    const dn = this.dn(id);
    const f = this.faults.begin('stop', id);
    this.log(`fault: SIGTERM ${id}`);
    dn.signal('SIGTERM');
    await dn.waitForExit();
    return f;
  }

  /** Starts a killed or stopped DataNode again (same id, data dir, address); resolves once it has registered. */
  async restartDataNode(id: string): Promise<void> {
    if (this.dn(id).alive) throw new Error(`${id} is still running`);
    const dn = this.spawnDataNode(id);
    this.log(`heal: restart ${id}`);
    await dn.waitForLine('registered', (l) => l.event === 'registered', 20_000);
    const now = Date.now();
    for (const f of [...this.faults.open('kill', id), ...this.faults.open('stop', id)]) this.faults.end(f, now);
  }

  pause(id: string): FaultRecord {
    const f = this.faults.begin('pause', id);
    this.log(`fault: SIGSTOP ${id}`);
    this.dn(id).signal('SIGSTOP');
    return f;
  }

  resume(id: string): void {
    this.dn(id).signal('SIGCONT');
    for (const f of this.faults.open('pause', id)) this.faults.end(f);
    this.log(`heal: SIGCONT ${id}`);
  }

  pauseNameNode(): FaultRecord {
    const f = this.faults.begin('namenode-pause', 'namenode');
    this.log('fault: SIGSTOP namenode');
    this.nn.signal('SIGSTOP');
    return f;
  }

  resumeNameNode(): void {
    this.nn.signal('SIGCONT');
    for (const f of this.faults.open('namenode-pause')) this.faults.end(f);
    this.log('heal: SIGCONT namenode');
  }

  /** kill -9 the NameNode and start it again on the same data dir and ports. */
  async restartNameNode(): Promise<FaultRecord> {
    const f = this.faults.begin('namenode-restart', 'namenode');
    this.log('fault: kill -9 namenode, restart');
    await this.nn.kill9();
    await this.startNameNode();
    this.faults.end(f);
    return f;
  }

  // ---------------------------------------------------------------- network faults

  /**
   * Cuts DataNode `id` off: 'partition-full' from everyone, 'partition-namenode' from the NameNode
   * only (both directions), 'partition-to-namenode' / 'partition-from-namenode' one way.
   */
  async partition(id: string, kind: Extract<FaultKind, `partition-${string}`>): Promise<FaultRecord> {
    if (this.partitions.has(id)) throw new Error(`${id} is already partitioned`);
    const opts = kind === 'partition-full' ? {}
      : kind === 'partition-namenode' ? { peers: ['nn'] }
        : kind === 'partition-to-namenode' ? { peers: ['nn'], direction: 'out' as const }
          : { peers: ['nn'], direction: 'in' as const };
    const tag = await this.net.drop(id, opts);
    const f = this.faults.begin(kind, id, { tag });
    this.partitions.set(id, { tag, fault: f });
    this.log(`fault: ${kind} ${id}`);
    return f;
  }

  /**
   * One-way drop between two DataNodes: `from`'s packets to `to` are lost (gossip probes, pipeline
   * traffic); both still reach the NameNode, so both stay audible. Healed by healPartition(`from->to`).
   */
  async partitionPeer(from: string, to: string): Promise<FaultRecord> {
    const key = `${from}->${to}`;
    if (this.partitions.has(key)) throw new Error(`${key} is already partitioned`);
    const tag = await this.net.drop(from, { peers: [to], direction: 'out' });
    const f = this.faults.begin('partition-peer', from, { tag, to });
    this.partitions.set(key, { tag, fault: f });
    this.log(`fault: partition-peer ${key}`);
    return f;
  }

  async healPartition(id: string): Promise<void> {
    const p = this.partitions.get(id);
    if (!p) return;
    this.partitions.delete(id);
    await this.net.heal(p.tag);
    this.faults.end(p.fault);
    this.log(`heal: ${p.fault.kind} ${id}`);
  }

  /** Random loss with probability p on every link (all hosts and the client's leg). */
  async loss(p: number): Promise<FaultRecord> {
    if (this.lossFault) throw new Error('loss already on');
    const tag = await this.net.loss(p);
    const f = this.faults.begin('loss', 'all', { probability: p, tag });
    this.lossFault = { tag, fault: f };
    this.log(`fault: ${(p * 100).toFixed(1)}% loss on every link`);
    return f;
  }

  async healLoss(): Promise<void> {
    const l = this.lossFault;
    if (!l) return;
    this.lossFault = undefined;
    await this.net.heal(l.tag);
    this.faults.end(l.fault);
    this.log('heal: loss off');
  }

  /** Holds every chunk on `id`'s NameNode link for `delayMs` each way (0 = heal). Needs `delayProxy`. */
  async delay(id: string, delayMs: number): Promise<FaultRecord | undefined> {
    const proxy = this.proxy;
    if (!proxy) throw new Error('delay needs a cluster started with delayProxy');
    const before = proxy.stdout.length;
    proxy.proc.stdin!.write(`${JSON.stringify({ route: id, delayMs })}\n`);
    await this.poll(`proxy to set ${id} delay`, () => proxy.stdout.slice(before).includes(`"route":"${id}"`), 5000);
    const now = Date.now();
    for (const f of this.faults.open('delay', id)) this.faults.end(f, now);
    this.log(delayMs > 0 ? `fault: +${delayMs} ms each way on ${id}'s NameNode link` : `heal: delay off on ${id}`);
    return delayMs > 0 ? this.faults.begin('delay', id, { delayMs }, now) : undefined;
  }

  // ---------------------------------------------------------------- disk faults

  /** Flips `bytes` bytes of the replica of `blockId` on `nodeId` (same length, so only a CRC check finds it). */
  corruptReplica(nodeId: string, blockId: number, atOffset: number, bytes = 16): FaultRecord {
    const file = findBlockFile(this.root, nodeId, blockId);
    if (!file) throw new Error(`no block file for blk_${blockId} on ${nodeId}`);
    const fd = fs.openSync(file, 'r+');
    try {
      const size = fs.fstatSync(fd).size;
      const offset = Math.min(Math.max(0, atOffset), Math.max(0, size - bytes));
      const buf = Buffer.alloc(Math.min(bytes, size));
      fs.readSync(fd, buf, 0, buf.length, offset);
      for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! ^ 0xff;
      fs.writeSync(fd, buf, 0, buf.length, offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const f = this.faults.begin('corrupt', nodeId, { blockId, file });
    this.faults.end(f);
    this.log(`fault: corrupted blk_${blockId} on ${nodeId}`);
    return f;
  }

  /** Fills the tmpfs under `id`'s data dir, leaving `leaveBytes` free (less than a block). */
  fillDisk(id: string, leaveBytes = 16 * 1024): FaultRecord {
    if (!this.options.tmpfsBytes?.[id]) throw new Error(`${id} has no tmpfs data dir (tmpfsBytes)`);
    const st = fs.statfsSync(this.dataDir(id));
    const fill = Math.max(0, st.bavail * st.bsize - leaveBytes);
    const fd = fs.openSync(this.fillerPath(id), 'w');
    try {
      const chunk = Buffer.alloc(1024 * 1024, 0x5a);
      for (let written = 0; written < fill;) {
        const n = Math.min(chunk.length, fill - written);
        try {
          written += fs.writeSync(fd, chunk, 0, n);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    const after = fs.statfsSync(this.dataDir(id));
    const f = this.faults.begin('disk-full', id, { remainingBytes: after.bavail * after.bsize });
    this.log(`fault: disk of ${id} full (${after.bavail * after.bsize} bytes left)`);
    return f;
  }

  freeDisk(id: string): void {
    fs.rmSync(this.fillerPath(id), { force: true });
    for (const f of this.faults.open('disk-full', id)) this.faults.end(f);
    this.log(`heal: disk of ${id} freed`);
  }

  private fillerPath(id: string): string {
    return path.join(this.dataDir(id), 'chaos-filler');
  }

  // ---------------------------------------------------------------- heal, stop

  /** Ends every fault still on: resume, heal partitions and loss, delay 0, free disks, restart dead DataNodes. */
  async healAll(): Promise<number> {
    if (this.faults.open('namenode-pause').length) this.resumeNameNode();
    for (const f of this.faults.open('pause')) this.resume(f.target);
    for (const id of [...this.partitions.keys()]) await this.healPartition(id);
    await this.healLoss();
    for (const f of this.faults.open('delay')) await this.delay(f.target, 0);
    for (const f of this.faults.open('disk-full')) this.freeDisk(f.target);
    const down = this.ids.filter((id) => !this.dn(id).alive);
    await Promise.all(down.map((id) => this.restartDataNode(id)));
    return Date.now();
  }

  /** SIGKILL to every process this cluster started (synchronous, for exit hooks). */
  killAllSync(): void {
    for (const p of [...this.namenodes, ...this.allDatanodeProcesses, ...(this.proxy ? [this.proxy] : [])]) p.signal('SIGKILL');
    this.net.teardownSync();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Kills every process, removes namespaces/rules/mounts and the run dir (keeps logs if asked). */
  async stop(keepLogs = false): Promise<string | undefined> {
    if (this.stopped) return undefined;
    this.stopped = true;
    activeClusters.delete(this);
    for (const fn of this.stopHooks.splice(0)) {
      try { fn(); } catch { /* best effort */ }
    }
    const all = [...this.namenodes, ...this.allDatanodeProcesses, ...(this.proxy ? [this.proxy] : [])];
    for (const p of all) {
      p.signal('SIGCONT');
      p.signal('SIGKILL');
    }
    await Promise.all(all.map((p) => p.waitForExit().catch(() => undefined)));
    this.net.teardownSync();
    let kept: string | undefined;
    if (keepLogs) {
      kept = fs.mkdtempSync(path.join(os.tmpdir(), `minidfs-chaos-logs-${this.options.name.replace(/[^a-z0-9]+/gi, '-')}-`));
      for (const f of fs.readdirSync(this.logDir)) fs.copyFileSync(path.join(this.logDir, f), path.join(kept, f));
    }
    fs.rmSync(this.root, { recursive: true, force: true });
    return kept;
  }
}

/** The repository root (works from test/chaos under jest and from .tsbuild/test/chaos when compiled). */
export { FatalWaitError, repoRoot };
