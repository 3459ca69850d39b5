/**
 * TestCluster: a real NameNode and real DataNodes as separate processes on 127.0.0.1 with free
 * ports and temp dirs, in the fast liveness profile. State is read from the NameNode's JSON API
 * and its transition log (one JSON line per transition).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { type LivenessConfig, fastTestLivenessConfig } from '@minidfs/common';
import { NAMENODE_FLAGS } from '@minidfs/namenode';
import { CLI, type LogLine, NodeProcess } from './processes';
import { type TestPki, makeTestPki } from './tls';
import { waitFor } from './wait';

export interface Liveness {
  heartbeatIntervalMs: number;
  staleAfter: number;
  deadAfter: number;
}

/** A LivenessConfig as the NameNode's flags count it (--heartbeat-interval-ms, --stale-after, --dead-after). */
export function livenessFlags(c: LivenessConfig): Liveness {
  return { heartbeatIntervalMs: c.heartbeatIntervalMs, staleAfter: c.staleAfterMissed, deadAfter: c.deadAfterMissed };
}

/** The fast test profile (fastTestLivenessConfig in @minidfs/common): 100 ms beats; STALE after 2 missed, DEAD after 4. */
export const FAST: Liveness = livenessFlags(fastTestLivenessConfig());

export interface ReportEntry {
  id: string; address: string; state: 'LIVE' | 'STALE' | 'DEAD' | 'UNREACHABLE_FROM_NAMENODE'; lastHeartbeatMsAgo: number; missedBeats: number;
  blocks: number; capacityBytes: number; usedBytes: number;
}
/** `unreachable`: nodes in UNREACHABLE_FROM_NAMENODE (absent from NameNodes built before gossip). */
export interface Report { datanodes: ReportEntry[]; live: number; stale: number; dead: number; unreachable?: number; safeMode: boolean }

export interface Transition { nodeId: string; from: string; to: string; reason: string; missedBeats: number; msSinceLastHeartbeat: number; timestamp: string }

export interface TestClusterOptions {
  /**
   * Run with a cluster secret (DataNode authentication, block access tokens): default true, so the
   * suite runs authenticated. false = an open cluster (raw block transfer clients without tokens).
   */
  secret?: boolean;
  /**
   * Extra arguments for every DataNode this cluster starts (before startDataNode's own extraArgs),
   * e.g. `['--membership', 'gossip']`; a function gets the DataNode's id. Default none.
   */
  datanodeArgs?: string[] | ((id: string) => string[]);
}

export class TestCluster {
  nn!: NodeProcess;
  readonly datanodes = new Map<string, NodeProcess>();
  rpcPort = 0;
  httpPort = 0;
  readonly root: string;
  /** The cluster secret file every node gets (undefined: an open cluster). */
  readonly secretFile: string | undefined;
  /**
   * Set when the NameNode runs with TLS: its HTTP port then speaks HTTPS, verified against `ca`,
   * and (mutual TLS) needs the client certificate `cert` + `key`.
   */
  httpsFiles: { ca: string; cert?: string; key?: string } | undefined;

  constructor(readonly liveness: Liveness = FAST, readonly nnArgs: string[] = [], private readonly options: TestClusterOptions = {}) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-it-'));
    if (options.secret !== false) {
      this.secretFile = path.join(this.root, 'secret');
      fs.writeFileSync(this.secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    }
  }

  /** `--secret-file FILE` when the cluster has a secret, else nothing. */
  get secretArgs(): string[] {
    return this.secretFile ? ['--secret-file', this.secretFile] : [];
  }

  static async start(datanodes = 3, liveness: Liveness = FAST, nnArgs: string[] = [], options: TestClusterOptions = {}): Promise<TestCluster> {
    const c = new TestCluster(liveness, nnArgs, options);
    await c.startNameNode();
    for (let i = 1; i <= datanodes; i++) c.startDataNode(`dn${i}`);
    await c.waitForReport(`${datanodes} LIVE`, (r) => r.live === datanodes);
    return c;
  }

  /** Runs `minidfs ARGS --namenode <this cluster>` to completion: exit code, stdout, stderr. */
  cli(...args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, [CLI, ...args, '--namenode', this.namenodeAddress], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  /**
   * A cluster with mutual TLS on every port (one test CA; the NameNode's HTTP port too), `datanodes`
   * DataNodes dn1..dnN at `replication`, waited for until all are LIVE.
   */
  static async startMutualTls(datanodes: number, replication: number, liveness: Liveness = FAST): Promise<{ cluster: TestCluster; pki: TestPki }> {
    const cluster = new TestCluster(liveness, []);
    const pki = makeTestPki(path.join(cluster.root, 'pki'));
    const tlsArgs = ['--tls-cert', pki.cert, '--tls-key', pki.key, '--tls-ca', pki.ca];
    cluster.nnArgs.push(...tlsArgs, '--replication', String(replication));
    cluster.httpsFiles = { ca: pki.ca, cert: pki.cert, key: pki.key };
    await cluster.startNameNode();
    for (let i = 1; i <= datanodes; i++) cluster.startDataNode(`dn${i}`, tlsArgs);
    await cluster.waitForReport(`${datanodes} LIVE`, (r) => r.live === datanodes);
    return { cluster, pki };
  }

  get namenodeAddress(): string {
    return `127.0.0.1:${this.rpcPort}`;
  }

  async startNameNode(): Promise<NodeProcess> {
    const l = this.liveness;
    this.nn = new NodeProcess('namenode', [
      'namenode', '--bind', '127.0.0.1', '--rpc-port', String(this.rpcPort), '--http-port', String(this.httpPort),
      '--data-dir', path.join(this.root, 'namenode'), NAMENODE_FLAGS.heartbeatIntervalMs, String(l.heartbeatIntervalMs),
      NAMENODE_FLAGS.staleAfterMissed, String(l.staleAfter), NAMENODE_FLAGS.deadAfterMissed, String(l.deadAfter), ...this.secretArgs, ...this.nnArgs,
    ]);
    const started = await this.nn.waitForLine('namenode started', (x) => x.event === 'started');
    this.rpcPort = Number(started.rpcPort);
    this.httpPort = Number(started.httpPort);
    return this.nn;
  }

  startDataNode(id: string, extraArgs: string[] = [], dataDir = path.join(this.root, id), name = id): NodeProcess {
    const dn = new NodeProcess(name, [
      'datanode', '--id', id, '--namenode', this.namenodeAddress, '--port', '0', '--bind', '127.0.0.1', '--advertise', '127.0.0.1',
      '--data-dir', dataDir, '--reconnect-max-ms', '200',
      // The background block scanner is off unless a test turns it on (datanodeArgs / extraArgs
      // come later and win): tests that corrupt a replica on disk check the read path's own report.
      '--scan-bytes-per-second', '0',
      ...this.secretArgs, ...this.datanodeArgsFor(id), ...extraArgs,
    ]);
    this.datanodes.set(name, dn);
    return dn;
  }

  private datanodeArgsFor(id: string): string[] {
    const a = this.options.datanodeArgs;
    return a === undefined ? [] : typeof a === 'function' ? a(id) : a;
  }

  /** The gRPC data (membership) port a DataNode bound, from its `started` log line. */
  async dataPort(name: string, timeoutMs = 15_000): Promise<number> {
    const started = await this.dn(name).waitForLine(`${name} started`, (l) => l.event === 'started', timeoutMs);
    return Number(started.port);
  }

  /** The block transfer (TCP) port a DataNode bound, from its `started` log line. */
  async transferPort(name: string, timeoutMs = 15_000): Promise<number> {
    const started = await this.dn(name).waitForLine(`${name} started`, (l) => l.event === 'started', timeoutMs);
    return Number(started.transferPort);
  }

  dn(id: string): NodeProcess {
    const p = this.datanodes.get(id);
    if (!p) throw new Error(`no datanode ${id}`);
    return p;
  }

  async report(): Promise<Report> {
    const res = await this.httpGet('/api/datanodes');
    if (res.status !== 200) throw new Error(`GET /api/datanodes: ${res.status}`);
    return JSON.parse(res.body.toString('utf8')) as Report;
  }

  /** GET on the NameNode's HTTP port: plain HTTP, or HTTPS with httpsFiles. */
  async httpGet(urlPath: string): Promise<{ status: number; body: Buffer }> {
    const files = this.httpsFiles;
    if (!files) {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}${urlPath}`);
      return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
    }
    return httpsGet(`https://127.0.0.1:${this.httpPort}${urlPath}`, {
      ca: fs.readFileSync(files.ca), ...(files.cert && files.key ? { cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) } : {}),
    });
  }

  async waitForReport(what: string, pred: (r: Report) => boolean, timeoutMs = 15_000): Promise<Report> {
    return waitFor(what, async () => {
      const r = await this.report();
      return pred(r) ? r : undefined;
    }, timeoutMs);
  }

  async waitForState(id: string, state: ReportEntry['state'], timeoutMs = 15_000): Promise<Report> {
    return this.waitForReport(`${id} ${state}`, (r) => r.datanodes.some((d) => d.id === id && d.state === state), timeoutMs);
  }

  /** Transitions the current NameNode process logged, optionally for one node. */
  transitions(nodeId?: string, fromLine = 0): Transition[] {
    return this.nn.lines.slice(fromLine)
      .filter((l: LogLine) => l.event === 'transition' && (nodeId === undefined || l.nodeId === nodeId)) as unknown as Transition[];
  }

  async waitForTransition(what: string, pred: (t: Transition) => boolean, timeoutMs = 15_000, fromLine = 0): Promise<Transition> {
    return waitFor(what, () => this.transitions(undefined, fromLine).find(pred), timeoutMs);
  }

  async stop(): Promise<void> {
    const all = [...this.datanodes.values(), ...(this.nn ? [this.nn] : [])];
    for (const p of all) {
      if (!p.alive) continue;
      p.signal('SIGCONT');
      p.signal('SIGKILL');
    }
    await Promise.all(all.map((p) => p.waitForExit().catch(() => undefined)));
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** One HTTPS GET with the given TLS options (CA, client certificate); rejects on a TLS or connection failure. */
export function httpsGet(url: string, tls: https.RequestOptions): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { servername: 'localhost', ...tls, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}
