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
 * HA mode (`ha` option, netns only; docs/HA.md): etcd members on hosts etcd1..etcdN, NameNodes on
 * hosts nn1..nnM started with --ha-etcd, DataNodes that know every NameNode. A supervisor restarts a
 * NameNode that exits on its own with a non-zero code (75 = deposed; like compose's
 * `restart: on-failure`). More faults there: kill -9 / SIGSTOP of one NameNode (the active by
 * default), a NameNode cut from every etcd member or from every DataNode (iptables on its host),
 * kill -9 of one etcd member. `nn` and `namenodeIp` then name the current active.
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
import type { ExecutedCommand, HaCheckInput, HaProcessEnd, HaTransition, Promotion } from './ha-checker';
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
 * The chaos profile: 200 ms beats, STALE after 2 missed, DEAD after 8 (1.6 s; detection bound
 * 1.8 s). The beat is from `npm run chaos -- --census` (docs/CHAOS.md): under 5% loss on every
 * link with the workload on 2 cores, and on a CPU-starved box, heartbeat gaps reached 430-610 ms,
 * so 100 ms beats gave false DEADs. The DEAD count covers the TCP tail under random loss: one
 * heartbeat stream loses the same segment three times in a row with p = 0.05^3 (about once per
 * 8,000 beats, so about once per CI run across the loss scenarios), and Linux then delivers it
 * 200 + 400 + 800 ms late (RTO minimum, doubled per loss): a gap of 1.4-1.6 s with the node alive
 * (a CI run logged 1,033 ms and a false DEAD at DEAD after 5).
 */
export const CHAOS_PROFILE: Profile = { name: 'chaos', heartbeatIntervalMs: 200, staleAfter: 2, deadAfter: 8 };

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
  /** The NameNode that logged it (process name: namenode, or nn1, nn2 in HA mode). */
  namenode?: string;
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
  /** NameNode HA on etcd (netns mode only): see HaOptions. */
  ha?: HaOptions;
  log?: (line: string) => void;
}

/** An HA group: `namenodes` NameNodes (hosts nn1..) on `etcdMembers` etcd members (hosts etcd1..). */
export interface HaOptions {
  namenodes: number;
  etcdMembers: number;
  /** --ha-lease-ttl-ms (whole seconds); the default is the NameNode's (2000). */
  leaseTtlMs: number;
  /** Supervisor restart delay after a NameNode exits with a non-zero code, ms. */
  restartDelayMs?: number;
}

/** One NameNode of an HA group: its host and every process it ran, oldest first. */
export interface HaNameNode {
  id: string;
  lives: HostProcess[];
  /** Restarts by the supervisor (after exit code 75 or another failure). */
  supervisorRestarts: number;
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
const ETCD_CLIENT_PORT = 2379;
/** The NameNodes' --ha-prefix default (docs/HA.md). */
const HA_PREFIX = '/minidfs/';
const ETCD_PEER_PORT = 2380;
/** etcd (Debian's etcd-server; CI installs it). HA scenarios are skipped, saying so, without it. */
export const ETCD_BIN = '/usr/bin/etcd';
export const etcdInstalled = fs.existsSync(ETCD_BIN);
/** etcdctl (Debian's etcd-client) watches the edit history for the HA checker; without it that check is skipped, saying so. */
export const ETCDCTL_BIN = '/usr/bin/etcdctl';
const etcdctlInstalled = fs.existsSync(ETCDCTL_BIN);
/** The NameNode's exit code when it loses its leadership (docs/HA.md). */
export const EXIT_DEPOSED = 75;
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
  private readonly partitions = new Map<string, { tag: string; fault: FaultRecord; also?: FaultRecord[] }>();
  private lossFault: { tag: string; fault: FaultRecord } | undefined;
  private readonly log: (line: string) => void;
  private processCounter = 0;
  private stopped = false;
  private readonly stopHooks: Array<() => void> = [];
  /** HA mode: the NameNodes by id (nn1, nn2, ...) and the etcd members by id (etcd1, ...). */
  readonly haNamenodes = new Map<string, HaNameNode>();
  readonly etcds = new Map<string, HostProcess>();
  /** HA mode: `etcdctl watch` of the edit marker key from revision 1 (every committed edit and its epoch). */
  private editWatch: HostProcess | undefined;
  /** HA NameNodes whose restart the supervisor must not do (killed by a fault: the scenario restarts them). */
  private readonly noSupervise = new Set<HostProcess>();

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
      if (options.ha) {
        if (options.mode !== 'netns') throw new Error('HA mode needs network namespaces (a host per NameNode and etcd member)');
        for (let i = 1; i <= options.ha.etcdMembers; i++) c.net.addHost(`etcd${i}`);
        for (let i = 1; i <= options.ha.namenodes; i++) c.net.addHost(`nn${i}`);
      } else {
        c.net.addHost('nn');
      }
      for (const id of c.ids) c.net.addHost(id);
      for (const [id, bytes] of Object.entries(options.tmpfsBytes ?? {})) c.net.mountTmpfs(c.dataDir(id), bytes);
      if (options.ha) await c.startHaGroup(options.ha);
      else await c.startNameNode();
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

  get isHa(): boolean {
    return this.options.ha !== undefined;
  }

  /** The NameNode's host address (HA: the current active's, else the first NameNode's). */
  get namenodeIp(): string {
    if (!this.isHa) return this.net.host('nn').ip;
    return this.net.host(this.activeId() ?? 'nn1').ip;
  }

  /** The NameNode's client RPC address, as the test process (the client host) reaches it; HA: every NameNode, comma-separated. */
  get namenodeAddress(): string {
    if (this.isHa) return this.haIds.map((id) => `${this.net.host(id).ip}:${NN_RPC_PORT}`).join(',');
    return `${this.namenodeIp}:${this.rpcPort}`;
  }

  /** The NameNode process (HA: the current active's, else the newest process started). */
  get nn(): HostProcess {
    const active = this.isHa ? this.activeId() : undefined;
    if (active) return this.haNamenodes.get(active)!.lives.at(-1)!;
    return this.namenodes[this.namenodes.length - 1]!;
  }

  /** HA NameNode ids, nn1..nnM. */
  get haIds(): string[] {
    return [...this.haNamenodes.keys()];
  }

  /** The current process of HA NameNode `id`. */
  haProcess(id: string): HostProcess {
    const n = this.haNamenodes.get(id);
    if (!n) throw new Error(`no HA namenode ${id}`);
    return n.lives.at(-1)!;
  }

  /**
   * The active NameNode by the processes' own logs: a running process whose last HA line is
   * `ha-role` ACTIVE or `ha-resumed` (not `ha-deposed` or `ha-suspended`), the highest epoch if several claim it. A
   * SIGSTOPped former active still claims it until it resumes; `exclude` skips such a one.
   */
  activeId(exclude: string[] = []): string | undefined {
    let best: { id: string; epoch: number } | undefined;
    for (const [id, n] of this.haNamenodes) {
      const p = n.lives.at(-1)!;
      if (!p.alive || exclude.includes(id) || this.faults.open('namenode-pause', id).length) continue;
      const last = [...p.lines].reverse().find((l) => l.event === 'ha-role' || l.event === 'ha-deposed' || l.event === 'ha-suspended' || l.event === 'ha-resumed');
      if ((last?.event === 'ha-role' || last?.event === 'ha-resumed') && (!best || Number(last.epoch) > best.epoch)) best = { id, epoch: Number(last.epoch) };
    }
    return best?.id;
  }

  /** The epoch the active NameNode `id` logged on its promotion. */
  epochOf(id: string): number {
    const last = [...this.haProcess(id).lines].reverse().find((l) => l.event === 'ha-role');
    return Number(last?.epoch ?? 0);
  }

  async waitForActive(what: string, exclude: string[] = [], timeoutMs = 20_000): Promise<string> {
    return this.poll(what, () => this.activeId(exclude), timeoutMs, 10);
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
    return this.spawnCommandOn(host, name, [process.execPath, ...args], stdin);
  }

  private spawnCommandOn(host: string, name: string, argv: string[], stdin: 'ignore' | 'pipe' = 'ignore'): HostProcess {
    if (this.stopped) throw new ClusterStoppedError();
    return new HostProcess(name, [...this.net.commandPrefix(host), ...argv], this.nextLogFile(name), stdin);
  }

  // ---------------------------------------------------------------- HA group

  private async startHaGroup(ha: HaOptions): Promise<void> {
    for (let i = 1; i <= ha.etcdMembers; i++) this.spawnEtcd(`etcd${i}`);
    await Promise.all([...this.etcds.keys()].map((id) => this.waitForEtcd(id)));
    // Every edit transaction also puts `<prefix>edit` = {"epoch": E} (etcd-edit-log.ts): watching
    // that key from revision 1 gives etcd's own record of which epoch committed each edit.
    if (etcdctlInstalled) this.editWatch = new HostProcess('etcd-edit-watch', [
      ETCDCTL_BIN, '--endpoints', [...this.etcds.keys()].map((id) => `http://${this.net.host(id).ip}:${ETCD_CLIENT_PORT}`).join(','),
      'watch', '--rev=1', `${HA_PREFIX}edit`, '-w', 'json',
    ], this.nextLogFile('etcd-edit-watch'));
    for (let i = 1; i <= ha.namenodes; i++) {
      const id = `nn${i}`;
      this.haNamenodes.set(id, { id, lives: [], supervisorRestarts: 0 });
      await this.startHaNameNode(id);
      if (i === 1) await this.waitForActive('nn1 ACTIVE', [], 20_000);
    }
  }

  /** Committed edits as etcd recorded them: revision and the epoch of the writer; `compacted` if history was lost to compaction first. */
  committedEdits(): { edits: Array<{ revision: number; epoch: number }>; compacted: boolean; watching: boolean; skipped?: string } {
    if (!this.editWatch) return { edits: [], compacted: false, watching: false, skipped: `${ETCDCTL_BIN} not found (apt-get install -y etcd-client)` };
    const edits = new Map<number, number>();
    let compacted = false;
    for (const line of (this.editWatch?.stdout ?? '').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const r = JSON.parse(line) as { Events?: Array<{ kv: { mod_revision: number; value: string } }>; CompactRevision?: number };
        if (r.CompactRevision) compacted = true;
        for (const e of r.Events ?? []) edits.set(Number(e.kv.mod_revision), Number((JSON.parse(Buffer.from(e.kv.value, 'base64').toString()) as { epoch: unknown }).epoch));
      } catch { /* a partial line at the end */ }
    }
    return { edits: [...edits].map(([revision, epoch]) => ({ revision, epoch })).sort((a, b) => a.revision - b.revision), compacted, watching: this.editWatch?.alive ?? false };
  }

  private get etcdEndpoints(): string {
    return [...this.etcds.keys()].map((id) => `${this.net.host(id).ip}:${ETCD_CLIENT_PORT}`).join(',');
  }

  /** Starts etcd member `id` on its host (a restart reuses its data dir and so rejoins). */
  private spawnEtcd(id: string): HostProcess {
    const members = Array.from({ length: this.options.ha!.etcdMembers }, (_, i) => `etcd${i + 1}`);
    const ip = this.net.host(id).ip;
    const p = this.spawnCommandOn(id, id, [
      ETCD_BIN, '--name', id, '--data-dir', path.join(this.root, id),
      '--listen-client-urls', `http://${ip}:${ETCD_CLIENT_PORT}`, '--advertise-client-urls', `http://${ip}:${ETCD_CLIENT_PORT}`,
      '--listen-peer-urls', `http://${ip}:${ETCD_PEER_PORT}`, '--initial-advertise-peer-urls', `http://${ip}:${ETCD_PEER_PORT}`,
      '--initial-cluster', members.map((m) => `${m}=http://${this.net.host(m).ip}:${ETCD_PEER_PORT}`).join(','),
      '--initial-cluster-token', this.net.prefix, '--initial-cluster-state', 'new',
      // Defaults (100 ms beats, 1 s election) suit a LAN; the chaos hosts are one bridge on one machine.
      '--heartbeat-interval', '100', '--election-timeout', '1000', '--log-level', 'warn', '--logger', 'zap',
    ]);
    this.etcds.set(id, p);
    return p;
  }

  private async waitForEtcd(id: string, timeoutMs = 20_000): Promise<void> {
    const p = this.etcds.get(id)!;
    await this.poll(`${id} healthy`, async () => {
      if (!p.alive) throw new FatalWaitError(`${id} exited: ${p.tail()}`);
      const res = await fetch(`http://${this.net.host(id).ip}:${ETCD_CLIENT_PORT}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, timeoutMs, 50);
  }

  /** Starts HA NameNode `id` on its host and data dir; resolves once it logged `started` (it may be STANDBY or campaigning). */
  async startHaNameNode(id: string): Promise<HostProcess> {
    const n = this.haNamenodes.get(id)!;
    const p = this.profile;
    const ip = this.net.host(id).ip;
    const args = [
      CLI(), 'namenode', '--bind', '0.0.0.0', '--rpc-port', String(NN_RPC_PORT), '--http-port', String(NN_HTTP_PORT),
      '--data-dir', path.join(this.root, id), '--heartbeat-interval-ms', String(p.heartbeatIntervalMs),
      '--stale-after', String(p.staleAfter), '--dead-after', String(p.deadAfter), '--replication', String(this.options.replication),
      '--block-size', String(this.options.blockSizeBytes), '--min-replication', String(this.options.minReplication ?? 2),
      '--ha-etcd', this.etcdEndpoints, '--ha-id', id, '--advertise-address', `${ip}:${NN_RPC_PORT}`,
      '--ha-lease-ttl-ms', String(this.options.ha!.leaseTtlMs),
      ...(p.namenodeArgs ?? []),
    ];
    const proc = this.spawnOn(id, id, args);
    n.lives.push(proc);
    this.namenodes.push(proc);
    this.rpcPort = NN_RPC_PORT;
    this.httpPort = NN_HTTP_PORT;
    proc.proc.on('exit', (code, signal) => this.supervise(n, proc, code, signal));
    await proc.waitForLine('started', (l) => l.event === 'started', 30_000);
    return proc;
  }

  /**
   * The supervisor (compose's `restart: on-failure`): a NameNode that exits on its own with a
   * non-zero code (75 after losing its leadership) is started again after a short delay. A process
   * the harness killed (a fault, or stop()) is not.
   */
  private supervise(n: HaNameNode, proc: HostProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopped || this.noSupervise.has(proc) || signal !== null || code === 0) return;
    this.log(`supervisor: ${n.id} exited with code ${code}${code === EXIT_DEPOSED ? ' (deposed)' : ''}; restarting in ${this.options.ha!.restartDelayMs ?? 500} ms`);
    setTimeout(() => {
      if (this.stopped || n.lives.at(-1) !== proc) return;
      n.supervisorRestarts += 1;
      this.startHaNameNode(n.id).catch((err: unknown) => this.log(`supervisor: ${n.id} restart failed: ${(err as Error).message}`));
    }, this.options.ha!.restartDelayMs ?? 500).unref();
  }

  /** kill -9 of HA NameNode `id` (default: the active). It stays down until restartHaNameNode (or healAll). */
  async killHaNameNode(id = this.activeId()): Promise<FaultRecord> {
    if (!id) throw new Error('no active NameNode to kill');
    const p = this.haProcess(id);
    const f = this.faults.begin('namenode-kill', id, { epoch: this.epochOf(id) });
    this.log(`fault: kill -9 ${id} (epoch ${this.epochOf(id)})`);
    this.noSupervise.add(p);
    await p.kill9();
    return f;
  }

  /** Starts a killed HA NameNode again on its data dir (the fault ends when it has started). */
  async restartHaNameNode(id: string): Promise<HostProcess> {
    if (this.haProcess(id).alive) throw new Error(`${id} is still running`);
    this.log(`heal: restart ${id}`);
    const p = await this.startHaNameNode(id);
    for (const f of this.faults.open('namenode-kill', id)) this.faults.end(f);
    return p;
  }

  /** SIGSTOP of HA NameNode `id` (default: the active). */
  pauseHaNameNode(id = this.activeId()): FaultRecord {
    if (!id) throw new Error('no active NameNode to pause');
    const f = this.faults.begin('namenode-pause', id, { epoch: this.epochOf(id) });
    this.log(`fault: SIGSTOP ${id} (epoch ${this.epochOf(id)})`);
    this.haProcess(id).signal('SIGSTOP');
    return f;
  }

  resumeHaNameNode(id: string): void {
    this.haProcess(id).signal('SIGCONT');
    for (const f of this.faults.open('namenode-pause', id)) this.faults.end(f);
    this.log(`heal: SIGCONT ${id}`);
  }

  /**
   * Cuts HA NameNode `id`'s host off from every etcd member ('partition-etcd') or from every
   * DataNode ('partition-datanodes'), both directions; clients and the other NameNodes still reach
   * it. The DataNode cut is also recorded per DataNode as 'partition-namenode' (with the NameNode
   * in `detail`): those nodes are inaudible to it, so the checker expects that NameNode to declare
   * them DEAD and does not count it as false.
   */
  async partitionNameNode(id: string, kind: 'partition-etcd' | 'partition-datanodes'): Promise<FaultRecord> {
    const key = `${id}:${kind}`;
    if (this.partitions.has(key)) throw new Error(`${key} is already on`);
    const peers = kind === 'partition-etcd' ? [...this.etcds.keys()] : this.ids;
    const tag = await this.net.drop(id, { peers });
    const f = this.faults.begin(kind, id, { tag, peers });
    this.partitions.set(key, { tag, fault: f, also: kind === 'partition-datanodes' ? this.ids.map((dn) => this.faults.begin('partition-namenode', dn, { namenode: id })) : [] });
    this.log(`fault: ${kind} ${id} (cut from ${peers.join(', ')})`);
    return f;
  }

  /** kill -9 of etcd member `id`; restartEtcd (or healAll) brings it back on its data dir. */
  async killEtcd(id: string): Promise<FaultRecord> {
    const p = this.etcds.get(id);
    if (!p?.alive) throw new Error(`${id} is not running`);
    const f = this.faults.begin('etcd-kill', id);
    this.log(`fault: kill -9 ${id}`);
    await p.kill9();
    return f;
  }

  /** The etcd member that is the raft leader now (its maintenance status through etcd's JSON gateway), if one answers. */
  async etcdLeader(): Promise<string | undefined> {
    for (const id of [...this.etcds.keys()].filter((x) => this.etcds.get(x)!.alive)) {
      try {
        const res = await fetch(`http://${this.net.host(id).ip}:${ETCD_CLIENT_PORT}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
        const st = (await res.json()) as { header?: { member_id?: string }; leader?: string };
        if (st.header?.member_id !== undefined && st.header.member_id === st.leader) return id;
      } catch { /* down or electing: ask the next */ }
    }
    return undefined;
  }

  async restartEtcd(id: string): Promise<void> {
    if (this.etcds.get(id)?.alive) throw new Error(`${id} is still running`);
    this.log(`heal: restart ${id}`);
    this.spawnEtcd(id);
    await this.waitForEtcd(id);
    for (const f of this.faults.open('etcd-kill', id)) this.faults.end(f);
  }

  /** What the HA checker (ha-checker.ts) judges, gathered from every process's log. */
  haCheckInput(endMs: number): HaCheckInput {
    const executed: ExecutedCommand[] = this.allDatanodeProcesses.flatMap((p) => p.lines.filter((l) => l.event === 'command-executed').map((l) => ({
      datanode: p.name, atMs: Date.parse(String(l.timestamp)), namenode: String(l.namenode), epoch: Number(l.epoch), role: String(l.role), kind: String(l.kind),
    })));
    const fencedCommands = this.allDatanodeProcesses.reduce((n, p) => n + p.lines.filter((l) => l.event === 'command-fenced').reduce((m, l) => m + Number(l.commands ?? 0), 0), 0);
    const promotions: Promotion[] = [];
    const elected: number[] = [];
    const transitions: HaTransition[] = [];
    const processes: HaProcessEnd[] = [];
    for (const n of this.haNamenodes.values()) {
      n.lives.forEach((p, life) => {
        for (const l of p.lines) {
          if (l.event === 'ha-role' && l.role === 'ACTIVE') {
            promotions.push({ namenode: n.id, address: `${this.net.host(n.id).ip}:${NN_RPC_PORT}`, epoch: Number(l.epoch), atMs: Date.parse(String(l.timestamp)), life });
          }
          if (l.event === 'ha-elected') elected.push(Number(l.epoch));
          if (l.event === 'transition') transitions.push({ namenode: n.id, nodeId: String(l.nodeId), to: String(l.to), atMs: Date.parse(String(l.timestamp)), reason: String(l.reason) });
        }
        processes.push({ namenode: n.id, life, running: p.alive, exitCode: p.exit?.code ?? null, signal: p.exit?.signal ?? null });
      });
    }
    const p = this.profile;
    return {
      executed, fencedCommands, promotions, elected, committedEdits: this.committedEdits(), transitions, processes, faults: this.faults.records,
      deadWindowMs: p.deadAfter * p.heartbeatIntervalMs + p.heartbeatIntervalMs, endMs,
    };
  }

  /** Every HA NameNode process's lines with the given event, with the NameNode id. */
  haEvents(event: string): Array<LogLine & { namenode: string; atMs: number }> {
    return [...this.haNamenodes.values()].flatMap((n) => n.lives.flatMap((p) => p.lines
      .filter((l) => l.event === event).map((l) => ({ ...l, namenode: n.id, atMs: Date.parse(String(l.timestamp)) }))));
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
    if (this.isHa) return this.namenodeAddress;
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
      if (this.isHa) {
        // During a failover there may be no active for a moment: keep asking.
        if (!this.activeId()) return undefined;
        const r = await this.report().catch(() => undefined);
        return r && pred(r) ? r : undefined;
      }
      if (!this.nn.alive) throw new Error(`namenode exited: ${this.nn.tail()}`);
      const r = await this.report();
      return pred(r) ? r : undefined;
    }, timeoutMs, 25);
  }

  /** Every transition every NameNode process logged, in order. */
  transitions(): Transition[] {
    return this.namenodes.flatMap((nn, incarnation) => nn.lines
      .filter((l) => l.event === 'transition')
      .map((l) => ({ ...(l as unknown as Omit<Transition, 'atMs' | 'incarnation' | 'namenode'>), atMs: Date.parse(String(l.timestamp)), incarnation, namenode: nn.name })));
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
    for (const f of p.also ?? []) this.faults.end(f);
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
    if (this.isHa) {
      for (const f of this.faults.open('namenode-pause')) this.resumeHaNameNode(f.target);
      for (const id of [...this.etcds.keys()].filter((x) => !this.etcds.get(x)!.alive)) await this.restartEtcd(id);
    } else if (this.faults.open('namenode-pause').length) this.resumeNameNode();
    for (const f of this.faults.open('pause')) this.resume(f.target);
    for (const id of [...this.partitions.keys()]) await this.healPartition(id);
    await this.healLoss();
    for (const f of this.faults.open('delay')) await this.delay(f.target, 0);
    for (const f of this.faults.open('disk-full')) this.freeDisk(f.target);
    const down = this.ids.filter((id) => !this.dn(id).alive);
    await Promise.all(down.map((id) => this.restartDataNode(id)));
    // A NameNode killed by a fault comes back (the supervisor restarts the ones that exited themselves).
    for (const id of this.haIds.filter((x) => this.faults.open('namenode-kill', x).length)) await this.restartHaNameNode(id);
    return Date.now();
  }

  /** SIGKILL to every process this cluster started (synchronous, for exit hooks). */
  killAllSync(): void {
    for (const p of [...this.namenodes, ...this.allDatanodeProcesses, ...this.etcds.values(), ...(this.editWatch ? [this.editWatch] : []), ...(this.proxy ? [this.proxy] : [])]) p.signal('SIGKILL');
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
    const all = [...this.namenodes, ...this.allDatanodeProcesses, ...this.etcds.values(), ...(this.editWatch ? [this.editWatch] : []), ...(this.proxy ? [this.proxy] : [])];
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
