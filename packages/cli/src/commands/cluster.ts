/**
 * `minidfs cluster`: a NameNode and N DataNodes as child processes on this machine (what
 * `npm start` runs). Child logs go to DATA_DIR/logs/*.log; state transitions (the NameNode's, and
 * with --membership gossip the DataNodes' views of each other) are echoed to the terminal as readable lines. Ctrl-C (or SIGTERM) stops every child, DataNodes first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Command } from 'commander';
import { ensureSecretFile } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, intArg, opt, port } from '../options';
import { gossipPeriodOption, membershipModeOption } from './datanode';

interface ClusterOptions {
  datanodes: number; dataDir: string; rpcPort: number; httpPort: number; datanodePort: number;
  heartbeatIntervalMs: number; staleAfter: number; deadAfter: number; replication?: number; secretFile?: string; insecure?: boolean;
  membership: 'gossip' | 'off'; gossipPeriodMs: number; unreachableGraceMs?: number; minPeerReporters?: number;
}

/** With gossip on, each DataNode gets this many other DataNodes as --peer seeds (the NameNode may add more). */
const CLUSTER_GOSSIP_SEEDS = 2;

function relay(child: ChildProcess, name: string, logFile: string): void {
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(out);
  if (!child.stderr) return;
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    out.write(line + '\n');
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (e.event === 'transition') {
        console.log(`${new Date().toISOString()}  ${String(e.nodeId).padEnd(6)} ${e.from} -> ${e.to}  (${e.reason}; missed ${e.missedBeats}, ${e.msSinceLastHeartbeat} ms since last heartbeat)`);
      } else if (e.event === 'member-transition' && e.reason !== 'discovered') {
        // Gossip: what one DataNode now believes about a peer (first sightings are left to the log file).
        console.log(`${new Date().toISOString()}  ${String(e.observer).padEnd(6)} sees ${e.memberId} ${e.from} -> ${e.to}  (gossip: ${e.reason}, incarnation ${e.incarnation})`);
      } else if (e.level === 'error') {
        console.log(`${name}: ${e.message} ${e.error ?? ''}`);
      }
    } catch {
      console.log(`${name}: ${line}`);
    }
  });
}

export function clusterCommand(): Command {
  return addTlsOptions(new Command('cluster'))
    .description('run a local cluster: a NameNode and N DataNodes as child processes; Ctrl-C stops all')
    .addOption(opt('--datanodes <N>', 'number of DataNodes', 3, intArg(1, 64)))
    .addOption(opt('--data-dir <DIR>', 'root directory for all nodes\' data and logs', '.minidfs/cluster'))
    .addOption(opt('--rpc-port <PORT>', 'NameNode gRPC port', 8020, port))
    .addOption(opt('--http-port <PORT>', 'NameNode HTTP port (web UI)', 9870, port))
    .addOption(opt('--datanode-port <PORT>', 'first DataNode data port; the others follow', 9866, port))
    .addOption(opt('--heartbeat-interval-ms <MS>', 'heartbeat interval', 1000, intArg(10, 600_000)))
    .addOption(opt('--stale-after <BEATS>', 'missed beats before STALE', 2, intArg(1, 10_000)))
    .addOption(opt('--dead-after <BEATS>', 'missed beats before DEAD', 3, intArg(2, 10_000)))
    .addOption(opt('--replication <N>', 'default replication factor (default: min(3, datanodes - 1), so a dead node can be healed around)', undefined, intArg(1, 32)))
    .addOption(opt('--secret-file <FILE>', 'cluster secret shared by every node (default: DATA_DIR/secret, generated with mode 0600 if missing)'))
    .option('--insecure', 'run the cluster open: no secret, no DataNode authentication, no block access tokens')
    .addOption(membershipModeOption())
    .addOption(gossipPeriodOption())
    .addOption(opt('--unreachable-grace-ms <MS>', 'NameNode: how long a node its peers still hear stays UNREACHABLE_FROM_NAMENODE before DEAD (docs/PEER-EVIDENCE.md; default 60000)', undefined, intArg(0, 24 * 3600 * 1000)))
    .addOption(opt('--min-peer-reporters <N>', 'NameNode: peers on distinct hosts that must still hear a silent node to hold it UNREACHABLE_FROM_NAMENODE (0 = off; default 2)', undefined, intArg(0, 64)))
    .action(async (o: ClusterOptions & TlsFlags) => {
      const replication = o.replication ?? Math.max(1, Math.min(3, o.datanodes - 1));
      const main = path.resolve(__dirname, '../main.js');
      const root = path.resolve(o.dataDir);
      fs.mkdirSync(path.join(root, 'logs'), { recursive: true });
      const secretFile = o.insecure ? undefined : o.secretFile ? path.resolve(o.secretFile) : ensureSecretFile(path.join(root, 'secret'));
      const nodeArgs = [
        ...(secretFile ? ['--secret-file', secretFile] : []),
        // One certificate for every node (it must name 127.0.0.1): docs/SECURITY.md.
        ...(o.tlsCert ? ['--tls-cert', path.resolve(o.tlsCert)] : []), ...(o.tlsKey ? ['--tls-key', path.resolve(o.tlsKey)] : []),
        ...(o.tlsCa ? ['--tls-ca', path.resolve(o.tlsCa)] : []),
      ];
      const children: Array<{ name: string; child: ChildProcess }> = [];
      const start = (name: string, args: string[]) => {
        const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        relay(child, name, path.join(root, 'logs', `${name}.log`));
        child.on('exit', (code, signal) => {
          if (!stopping) console.log(`${name} exited (${signal ?? code}); the cluster keeps running without it`);
        });
        children.push({ name, child });
        return child;
      };
      let stopping = false;
      start('namenode', [
        'namenode', '--rpc-port', String(o.rpcPort), '--http-port', String(o.httpPort), '--data-dir', path.join(root, 'namenode'),
        '--heartbeat-interval-ms', String(o.heartbeatIntervalMs), '--stale-after', String(o.staleAfter), '--dead-after', String(o.deadAfter),
        '--replication', String(replication), ...nodeArgs,
        ...(o.unreachableGraceMs !== undefined ? ['--unreachable-grace-ms', String(o.unreachableGraceMs)] : []),
        ...(o.minPeerReporters !== undefined ? ['--min-peer-reporters', String(o.minPeerReporters)] : []),
      ]);
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
        const dn = start(`dn${i}`, [
          'datanode', '--id', `dn${i}`, '--namenode', `127.0.0.1:${o.rpcPort}`, '--port', String(p), '--advertise', hostOf(i),
          '--bind', hostOf(i), '--data-dir', path.join(root, `dn${i}`), '--metrics-port', String(p + 100), ...nodeArgs, ...gossipArgs,
        ]);
        pids.push(`  dn${i}  ${hostOf(i)}:${p}  pid ${dn.pid}  metrics http://${hostOf(i)}:${p + 100}/metrics`);
      }
      console.log([
        `minidfs cluster: 1 NameNode, ${o.datanodes} DataNodes, replication ${replication} (data and logs in ${root})`,
        `  NameNode RPC  127.0.0.1:${o.rpcPort}`,
        `  Secret        ${secretFile ?? 'none (--insecure: open cluster)'}`,
        `  Gossip        ${o.membership === 'gossip' ? `SWIM among DataNodes, period ${o.gossipPeriodMs} ms (npx minidfs report --peer ${hostOf(1)}:${o.datanodePort})` : 'off (--membership gossip turns it on)'}`,
        `  Web UI        http://localhost:${o.httpPort}/   (JSON: http://localhost:${o.httpPort}/api/datanodes)`,
        ...pids,
        `Try: npx minidfs report     (kill -9 a DataNode pid above and watch it go STALE, then DEAD)`,
        `Ctrl-C stops the cluster.`,
      ].join('\n'));
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        console.log('stopping cluster ...');
        const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
        const dns = children.filter((c) => c.name !== 'namenode');
        for (const { child } of dns) child.kill('SIGTERM');
        await Promise.all(dns.map(({ child }) => exited(child)));
        for (const { child } of children) child.kill('SIGTERM');
        await Promise.all(children.map(({ child }) => exited(child)));
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
