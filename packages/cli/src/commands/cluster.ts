/**
 * `minidfs cluster`: a NameNode and N DataNodes as child processes on this machine (what
 * `npm start` runs). Child logs go to DATA_DIR/logs/*.log; state transitions (the NameNode's, and
 * with --membership gossip the DataNodes' views of each other) are echoed to the terminal as
 * readable lines.
 *
 * One foreground supervisor (its pid is printed): Ctrl-C or SIGTERM to it, or the death of its
 * parent (`npm start` killed by pid: npm does not pass signals on), stops every node, DataNodes
 * first, including a DataNode restarted by hand on one of the cluster's data dirs (its pid file).
 * Children hold an IPC channel to the supervisor and stop when it closes, so none outlives a
 * SIGKILLed supervisor either. A busy port or a data dir held by another cluster fails at once
 * with exit 1; so does a node that exits before the cluster is up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Command } from 'commander';
import { ensureSecretFile, pidAlive } from '@minidfs/common';
import { defaultNameNodeOptions } from '@minidfs/namenode';
import { type TlsFlags, addTlsOptions, intArg, opt, port, settingOpt } from '../options';
import { LockHeldError, acquirePidLock, busyPorts, lockHolder, watchParent } from '../supervision';
import { DATANODE_PID_FILE, DATANODE_SETTINGS_FILE, gossipPeriodOption, membershipModeOption } from './datanode';

/** The supervisor's pid-file lock in DATA_DIR. */
export const CLUSTER_PID_FILE = 'cluster.pid';
/** Longest wait for every node's `started` log line before the cluster start is declared failed. */
const CLUSTER_START_TIMEOUT_MS = 60_000;

/** Prints a one-line reason and exits 1 (nothing has been started, or everything was stopped). */
function fail(reason: string): never {
  process.stderr.write(`minidfs cluster: ${reason}\n`);
  process.exit(1);
}

interface ClusterOptions {
  datanodes: number; dataDir: string; rpcPort: number; httpPort: number; datanodePort: number;
  heartbeatIntervalMs: number; staleAfter: number; deadAfter: number; replication?: number; secretFile?: string; insecure?: boolean;
  membership: 'gossip' | 'off'; gossipPeriodMs: number; unreachableGraceMs: number; minPeerReporters: number;
  ha?: boolean; etcdPort: number; etcdBin: string;
}

/** With --ha: the NameNodes of the HA group (docs/HA.md); nn2 uses the RPC and HTTP ports after nn1's. */
const HA_NAMENODES = 2;
/** With --ha: the NameNode exit code that means "lost the leadership, restart me as a standby". */
const EXIT_FENCED = 75;
/** With --ha: how long the supervisor waits before restarting a NameNode that stepped down. */
const HA_RESTART_DELAY_MS = 500;
/**
 * Runs argv[1..] and ties it to the supervisor like our own nodes: SIGTERM on the IPC channel's
 * close (the supervisor died) or on our SIGTERM; exits with the program's code.
 */
const FOREIGN_KEEPER = `
const { spawn } = require('node:child_process');
const c = spawn(process.argv[1], process.argv.slice(2), { stdio: 'inherit' });
const stop = () => c.kill('SIGTERM');
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.channel && process.channel.unref();
c.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
c.on('error', (err) => { console.error(err.message); process.exit(1); });
`;
/** With --ha: longest wait for the etcd started here to answer /health. */
const ETCD_START_TIMEOUT_MS = 15_000;

/** With gossip on, each DataNode gets this many other DataNodes as --peer seeds (the NameNode may add more). */
const CLUSTER_GOSSIP_SEEDS = 2;

function relay(child: ChildProcess, name: string, logFile: string, onEvent: (e: Record<string, unknown>) => void): void {
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(out);
  if (!child.stderr) return;
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    out.write(line + '\n');
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      onEvent(e);
      if (e.event === 'transition') {
        // With several NameNodes (HA) each reports what it sees: the line names which one.
        console.log(`${new Date().toISOString()}  ${name.startsWith('nn') ? `[${name}] ` : ''}${String(e.nodeId).padEnd(6)} ${e.from} -> ${e.to}  (${e.reason}; missed ${e.missedBeats}, ${e.msSinceLastHeartbeat} ms since last heartbeat)`);
      } else if (e.event === 'member-transition' && e.reason !== 'discovered') {
        // Gossip: what one DataNode now believes about a peer (first sightings are left to the log file).
        console.log(`${new Date().toISOString()}  ${String(e.observer).padEnd(6)} sees ${e.memberId} ${e.from} -> ${e.to}  (gossip: ${e.reason}, incarnation ${e.incarnation})`);
      } else if (e.event === 'ha-role' || e.event === 'ha-deposed') {
        console.log(`${new Date().toISOString()}  [${name}] ${e.event === 'ha-role' ? `ACTIVE, epoch ${String(e.epoch)}` : `steps down: ${String(e.reason)}`}`);
      } else if (e.level === 'error') {
        console.log(`${name}: ${e.message} ${e.error ?? ''}`);
      }
    } catch {
      if (name !== 'etcd') console.log(`${name}: ${line}`); // etcd's own log stays in its file
    }
  });
}

/** The NameNode flags take their defaults from the NameNode's settings (defaultNameNodeOptions). */
export function clusterCommand(): Command {
  const d = defaultNameNodeOptions();
  return addTlsOptions(new Command('cluster'))
    .description('run a local cluster: a NameNode and N DataNodes as child processes; Ctrl-C stops all')
    .addOption(opt('--datanodes <N>', 'number of DataNodes', 3, intArg(1, 64)))
    .addOption(opt('--data-dir <DIR>', 'root directory for all nodes\' data and logs', '.minidfs/cluster'))
    .addOption(settingOpt('rpcPort', 'PORT', 'NameNode gRPC port', d.rpcPort))
    .addOption(settingOpt('httpPort', 'PORT', 'NameNode HTTP port (web UI)', d.httpPort))
    .addOption(opt('--datanode-port <PORT>', 'first DataNode data port; the others follow', 9866, port))
    .addOption(settingOpt('heartbeatIntervalMs', 'MS', 'heartbeat interval', d.liveness.heartbeatIntervalMs))
    .addOption(settingOpt('staleAfterMissed', 'BEATS', 'missed beats before STALE', d.liveness.staleAfterMissed))
    .addOption(settingOpt('deadAfterMissed', 'BEATS', 'missed beats before DEAD', d.liveness.deadAfterMissed))
    .addOption(settingOpt('replication', 'N', `default replication factor (default: min(${d.replication}, datanodes - 1), so a dead node can be healed around)`))
    .addOption(opt('--secret-file <FILE>', 'cluster secret shared by every node (default: DATA_DIR/secret, generated with mode 0600 if missing)'))
    .option('--insecure', 'run the cluster open: no secret, no DataNode authentication, no block access tokens')
    .addOption(membershipModeOption())
    .addOption(gossipPeriodOption())
    .addOption(settingOpt('unreachableGraceMs', 'MS', 'NameNode: how long a node its peers still hear stays UNREACHABLE_FROM_NAMENODE before DEAD (docs/PEER-EVIDENCE.md)', d.unreachableGraceMs))
    .addOption(settingOpt('minPeerReporters', 'N', 'NameNode: peers on distinct hosts that must still hear a silent node to hold it UNREACHABLE_FROM_NAMENODE (0 = off)', d.minPeerReporters))
    .addOption(opt('--ha', 'NameNode high availability (docs/HA.md): two NameNodes (nn1 on --rpc-port/--http-port, nn2 on the next ports) elected through an etcd started here; a NameNode that steps down is restarted as a standby'))
    .addOption(opt('--etcd-port <PORT>', 'with --ha: client port of the etcd started here (its peer port is the next one)', 2379, port))
    .addOption(opt('--etcd-bin <PATH>', 'with --ha: the etcd binary (Debian: apt-get install etcd-server)', '/usr/bin/etcd'))
    .action(async (o: ClusterOptions & TlsFlags) => {
      const replication = o.replication ?? Math.max(1, Math.min(d.replication, o.datanodes - 1));
      const main = path.resolve(__dirname, '../main.js');
      const root = path.resolve(o.dataDir);
      fs.mkdirSync(path.join(root, 'logs'), { recursive: true });
      // A closed terminal or pipe must not crash the supervisor (the nodes would lose it).
      process.stdout.on('error', () => {});
      try {
        acquirePidLock(path.join(root, CLUSTER_PID_FILE));
      } catch (err) {
        if (err instanceof LockHeldError) fail(`${root} is in use by another minidfs cluster (pid ${err.pid}); stop it first (kill ${err.pid}) or use --data-dir`);
        throw err;
      }
      for (let i = 1; i <= o.datanodes; i++) {
        const holder = lockHolder(path.join(root, `dn${i}`, DATANODE_PID_FILE));
        if (holder !== undefined) fail(`${path.join(root, `dn${i}`)} is in use by DataNode process ${holder}; stop it first (kill ${holder})`);
      }
      const portNames = new Map<number, string>();
      const usePort = (p: number, what: string) => {
        if (portNames.has(p)) fail(`port ${p} would serve both ${portNames.get(p)} and ${what}; choose ports that do not overlap`);
        portNames.set(p, what);
      };
      usePort(o.rpcPort, 'NameNode RPC (--rpc-port)');
      usePort(o.httpPort, 'NameNode HTTP (--http-port)');
      if (o.ha) {
        if (!fs.existsSync(o.etcdBin)) fail(`--ha needs etcd: ${o.etcdBin} not found (apt-get install etcd-server, or --etcd-bin PATH)`);
        for (let i = 1; i < HA_NAMENODES; i++) {
          usePort(o.rpcPort + i, `nn${i + 1} RPC (--rpc-port + ${i})`);
          usePort(o.httpPort + i, `nn${i + 1} HTTP (--http-port + ${i})`);
        }
        usePort(o.etcdPort, 'etcd client (--etcd-port)');
        usePort(o.etcdPort + 1, 'etcd peer (--etcd-port + 1)');
      }
      for (let i = 1; i <= o.datanodes; i++) {
        usePort(o.datanodePort + i - 1, `dn${i} data (--datanode-port)`);
        usePort(o.datanodePort + i - 1 + 100, `dn${i} metrics (--datanode-port + 100)`);
        usePort(o.datanodePort + i - 1 + 200, `dn${i} block transfer (--datanode-port + 200)`);
      }
      const busy = await busyPorts('127.0.0.1', [...portNames.keys()]);
      if (busy.length > 0) {
        fail(`port ${busy.map((p) => `${p} (${portNames.get(p)})`).join(', ')} already in use on 127.0.0.1; is another cluster running? Stop it or choose other ports`);
      }
      const secretFile = o.insecure ? undefined : o.secretFile ? path.resolve(o.secretFile) : ensureSecretFile(path.join(root, 'secret'));
      const nodeArgs = [
        ...(secretFile ? ['--secret-file', secretFile] : []),
        // One certificate for every node (it must name 127.0.0.1): docs/SECURITY.md.
        ...(o.tlsCert ? ['--tls-cert', path.resolve(o.tlsCert)] : []), ...(o.tlsKey ? ['--tls-key', path.resolve(o.tlsKey)] : []),
        ...(o.tlsCa ? ['--tls-ca', path.resolve(o.tlsCa)] : []),
      ];
      const children: Array<{ name: string; child: ChildProcess }> = [];
      /** Nodes that have logged `started`; the cluster is up when every node has. */
      const started = new Set<string>();
      let up = false;
      let onStartProgress = () => {};
      const lastError = new Map<string, string>();
      const start = (name: string, args: string[], command?: string) => {
        // The 'ipc' channel ties the child's life to ours (supervision.ts); a foreign program (etcd)
        // runs under a small node keeper that has the channel and stops it when the channel closes.
        const child = spawn(process.execPath, command ? ['-e', FOREIGN_KEEPER, command, ...args] : [main, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        relay(child, name, path.join(root, 'logs', `${name}.log`), (e) => {
          if (e.event === 'started') { started.add(name); onStartProgress(); }
          if (e.level === 'error' || e.level === 'warn') lastError.set(name, `${String(e.message)}${e.error ? `: ${String(e.error)}` : ''}`);
        });
        child.stderr?.on('data', (d: Buffer) => {
          const text = d.toString().trim();
          if (text.startsWith('minidfs')) lastError.set(name, text.split('\n')[0]);
        });
        child.on('exit', (code, signal) => {
          if (stopping) return;
          if (!up) {
            const why = lastError.get(name);
            void stop(1, `${name} exited (${signal ?? code}) before the cluster was up${why ? `: ${why}` : ''}; see ${path.join(root, 'logs', `${name}.log`)}`);
            return;
          }
          if (code === EXIT_FENCED && restartable.has(name)) {
            console.log(`${new Date().toISOString()}  ${name} stepped down (exit ${EXIT_FENCED}): restarting it as a standby`);
            const i = children.findIndex((c) => c.child === child);
            if (i >= 0) children.splice(i, 1);
            setTimeout(() => { if (!stopping) start(name, restartable.get(name)!); }, HA_RESTART_DELAY_MS);
            return;
          }
          const again = restartable.get(name);
          console.log(`${name} exited (${signal ?? code}); the cluster keeps running without it`
            + (again ? `. Restart it (it rejoins as a standby): npx minidfs ${again.join(' ')}` : ''));
        });
        children.push({ name, child });
        return child;
      };
      /** With --ha: NameNodes the supervisor restarts when they step down, with their arguments. */
      const restartable = new Map<string, string[]>();
      let stopping = false;
      const namenodeArgs = (rpcPort: number, httpPort: number, dir: string) => [
        'namenode', '--rpc-port', String(rpcPort), '--http-port', String(httpPort), '--data-dir', path.join(root, dir),
        '--heartbeat-interval-ms', String(o.heartbeatIntervalMs), '--stale-after', String(o.staleAfter), '--dead-after', String(o.deadAfter),
        '--replication', String(replication), ...nodeArgs,
        '--unreachable-grace-ms', String(o.unreachableGraceMs), '--min-peer-reporters', String(o.minPeerReporters),
      ];
      const namenodes: Array<{ name: string; rpcPort: number; httpPort: number; pid: number | undefined }> = [];
      if (o.ha) {
        const client = `http://127.0.0.1:${o.etcdPort}`;
        const peer = `http://127.0.0.1:${o.etcdPort + 1}`;
        start('etcd', [
          '--name', 'etcd0', '--data-dir', path.join(root, 'etcd'), '--listen-client-urls', client, '--advertise-client-urls', client,
          '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `etcd0=${peer}`, '--logger', 'zap', '--log-level', 'error',
        ], o.etcdBin);
        started.add('etcd'); // etcd logs no `started` line: its /health answers instead
        const deadline = Date.now() + ETCD_START_TIMEOUT_MS;
        while (!(await fetch(`${client}/health`).then((r) => r.ok, () => false))) {
          if (Date.now() > deadline) {
            stopping = true;
            for (const { child } of children) child.kill('SIGKILL');
            fail(`etcd did not answer ${client}/health within ${ETCD_START_TIMEOUT_MS} ms; see ${path.join(root, 'logs', 'etcd.log')}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        for (let i = 0; i < HA_NAMENODES; i++) {
          const name = `nn${i + 1}`;
          const args = [...namenodeArgs(o.rpcPort + i, o.httpPort + i, name),
            '--ha-etcd', `127.0.0.1:${o.etcdPort}`, '--ha-id', name, '--advertise-address', `127.0.0.1:${o.rpcPort + i}`];
          restartable.set(name, args);
          namenodes.push({ name, rpcPort: o.rpcPort + i, httpPort: o.httpPort + i, pid: start(name, args).pid });
        }
      } else {
        namenodes.push({ name: 'namenode', rpcPort: o.rpcPort, httpPort: o.httpPort, pid: start('namenode', namenodeArgs(o.rpcPort, o.httpPort, 'namenode')).pid });
      }
      const namenodeList = namenodes.map((n) => `127.0.0.1:${n.rpcPort}`).join(',');
      const pids: string[] = [];
      // With gossip on Linux every DataNode gets its own loopback address (127.0.0.2, .3, ...: all of
      // 127/8 is local there), so the NameNode's peer-evidence rule, which counts reporters on
      // distinct hosts, can apply on one machine. Elsewhere they share 127.0.0.1 and it never does.
      // (Not with TLS: the one certificate names 127.0.0.1.)
      const ownAddresses = o.membership === 'gossip' && process.platform === 'linux' && !o.tlsCert;
      const hostOf = (i: number) => (ownAddresses ? `127.0.0.${1 + i}` : '127.0.0.1');
      for (let i = 1; i <= o.datanodes; i++) {
        const p = o.datanodePort + i - 1;
        // Gossip seeds: the first DataNodes other than this one.
        const peers = Array.from({ length: o.datanodes }, (_, j) => j + 1).filter((j) => j !== i).slice(0, CLUSTER_GOSSIP_SEEDS)
          .flatMap((j) => ['--peer', `${hostOf(j)}:${o.datanodePort + j - 1}`]);
        const gossipArgs = o.membership === 'gossip' ? ['--membership', 'gossip', '--gossip-period-ms', String(o.gossipPeriodMs), ...peers] : ['--membership', 'off'];
        // The node's settings go to its data dir, so `minidfs datanode --data-dir DIR` restarts it as run here.
        const dnDir = path.join(root, `dn${i}`);
        writeSettings(dnDir, {
          id: `dn${i}`, namenode: namenodeList, port: p, transferPort: p + 200, advertise: hostOf(i), bind: hostOf(i), metricsPort: p + 100,
          ...(secretFile ? { secretFile } : {}),
          ...(o.tlsCert ? { tlsCert: path.resolve(o.tlsCert) } : {}), ...(o.tlsKey ? { tlsKey: path.resolve(o.tlsKey) } : {}),
          ...(o.tlsCa ? { tlsCa: path.resolve(o.tlsCa) } : {}),
          membership: o.membership, gossipPeriodMs: o.gossipPeriodMs,
          peer: o.membership === 'gossip' ? peers.filter((_, k) => k % 2 === 1) : [],
        });
        const dn = start(`dn${i}`, [
          'datanode', '--id', `dn${i}`, '--namenode', namenodeList, '--port', String(p), '--transfer-port', String(p + 200), '--advertise', hostOf(i),
          '--bind', hostOf(i), '--data-dir', dnDir, '--metrics-port', String(p + 100), ...nodeArgs, ...gossipArgs,
        ]);
        pids.push(`  dn${i}  ${hostOf(i)}:${p}  pid ${dn.pid}  metrics http://${hostOf(i)}:${p + 100}/metrics`);
      }
      const stop = async (exitCode = 0, reason?: string) => {
        if (stopping) return;
        stopping = true;
        if (reason) process.stderr.write(`minidfs cluster: ${reason}\n`);
        else console.log('stopping cluster ...');
        const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
        const dns = children.filter((c) => c.name.startsWith('dn'));
        for (const { child } of dns) child.kill('SIGTERM');
        // DataNodes restarted by hand on this cluster's data dirs are stopped too (their pid files).
        const ours = new Set(children.map((c) => c.child.pid));
        const strays: number[] = [];
        for (let i = 1; i <= o.datanodes; i++) {
          const pid = lockHolder(path.join(root, `dn${i}`, DATANODE_PID_FILE));
          if (pid !== undefined && !ours.has(pid)) { strays.push(pid); process.kill(pid, 'SIGTERM'); }
        }
        await Promise.all([...dns.map(({ child }) => exited(child)), ...strays.map((pid) => processGone(pid))]);
        // NameNodes next (an HA active releases its lease in etcd as it stops), etcd last.
        const rest = children.filter((c) => c.name !== 'etcd');
        for (const { child } of rest) child.kill('SIGTERM');
        await Promise.all(rest.map(({ child }) => exited(child)));
        for (const { child } of children) child.kill('SIGTERM');
        await Promise.all(children.map(({ child }) => exited(child)));
        process.exit(exitCode);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      process.once('SIGHUP', () => void stop());
      watchParent(() => void stop(0, 'parent process gone (npm killed?): stopping the cluster'));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void stop(1, `not every node started within ${CLUSTER_START_TIMEOUT_MS} ms (started: ${[...started].join(', ') || 'none'}); logs in ${path.join(root, 'logs')}`), CLUSTER_START_TIMEOUT_MS);
        onStartProgress = () => {
          if (started.size === children.length) { clearTimeout(timer); resolve(); }
        };
      });
      up = true;
      console.log([
        `minidfs cluster: ${o.ha ? `${HA_NAMENODES} NameNodes (HA on etcd 127.0.0.1:${o.etcdPort})` : '1 NameNode'}, ${o.datanodes} DataNodes, replication ${replication} (data and logs in ${root})`,
        `  Supervisor    pid ${process.pid}  (Ctrl-C or kill ${process.pid} stops every node)`,
        ...namenodes.map((n) => `  ${(o.ha ? n.name : 'NameNode') + ' RPC'}${' '.repeat(Math.max(1, 10 - (o.ha ? n.name.length : 8)))}127.0.0.1:${n.rpcPort}  pid ${n.pid}${o.ha ? `  web UI http://localhost:${n.httpPort}/` : ''}`),
        ...(o.ha ? [`  HA            npx minidfs ha status --namenode ${namenodeList}   (kill -9 the ACTIVE's pid and watch the other take over)`] : []),
        `  Secret        ${secretFile ?? 'none (--insecure: open cluster)'}`,
        `  Gossip        ${o.membership === 'gossip' ? `SWIM among DataNodes, period ${o.gossipPeriodMs} ms (npx minidfs report --peer ${hostOf(1)}:${o.datanodePort})` : 'off (--membership gossip turns it on)'}`,
        o.tlsCert
          ? `  Web UI        https://localhost:${o.httpPort}/   (HTTPS with the TLS certificate${o.tlsCa ? '; the browser needs a client certificate from the CA: docs/SECURITY.md' : ''})`
          : `  Web UI        http://localhost:${o.httpPort}/   (JSON: http://localhost:${o.httpPort}/api/datanodes)`,
        ...pids,
        `Try: npx minidfs report     (kill -9 a DataNode pid above and watch it go STALE, then DEAD)`,
        `Restart a killed DataNode: npx minidfs datanode --data-dir ${path.join(path.relative(process.cwd(), root) || '.', 'dn2')}   (settings from its datanode.json)`,
        `Ctrl-C stops the cluster.`,
      ].join('\n'));
    });
}

function writeSettings(dir: string, settings: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DATANODE_SETTINGS_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(settings, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/** Resolves once process `pid` no longer exists (polled; it is not our child). */
function processGone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (pidAlive(pid) ? setTimeout(check, 50) : resolve());
    check();
  });
}
