/**
 * `minidfs datanode`: runs a DataNode in the foreground; SIGTERM says goodbye and exits 0.
 * Settings not given as flags or MINIDFS_* variables come from DATA_DIR/datanode.json when it
 * exists (`minidfs cluster` writes one per node, so `minidfs datanode --data-dir DIR` restarts a
 * node exactly as the cluster ran it). DATA_DIR/datanode.pid holds the data dir for one process.
 */
import dns from 'node:dns';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DfsError, Limits, parseHostPort, readSecretFile } from '@minidfs/common';
import { DEFAULT_DIRECTORY_SCAN_INTERVAL_MS, DataNode, defaultSwimConfig, MAX_CONFIGURED_SEEDS, MAX_NAMENODES_PER_DATANODE, parseNamenodeAddresses } from '@minidfs/datanode';
import { defaultNameNodeOptions } from '@minidfs/namenode';
import { type TlsFlags, addTlsOptions, envName, intArg, opt, port, secretFileOption, tlsFrom } from '../options';
import { LockHeldError, acquirePidLock, stopWithSupervisor } from '../supervision';

/** The per-node settings file in a DataNode's data dir (written by `minidfs cluster`). */
export const DATANODE_SETTINGS_FILE = 'datanode.json';
/** The pid-file lock in a DataNode's data dir. */
export const DATANODE_PID_FILE = 'datanode.pid';

/**
 * Fills options the user left at their defaults from DATA_DIR/datanode.json (keys are the
 * options' camelCase names, e.g. "metricsPort"). Flags and environment variables win.
 */
export function applySettingsFile(command: Command, options: object, dataDir: string): void {
  const o = options as Record<string, unknown>;
  const file = path.join(dataDir, DATANODE_SETTINGS_FILE);
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DfsError('INVALID_ARGUMENT', `cannot read ${file}: ${(err as Error).message}`);
  }
  const known = new Set(command.options.map((opt) => opt.attributeName()));
  for (const [key, value] of Object.entries(settings)) {
    if (!known.has(key)) throw new DfsError('INVALID_ARGUMENT', `${file}: unknown setting "${key}"`);
    const source = command.getOptionValueSource(key);
    if (source === undefined || source === 'default') o[key] = value;
  }
}

/** Most --peer seeds accepted (the SWIM core joins through at most 16 seeds, NameNode ones included). */
export const MAX_PEER_FLAGS = MAX_CONFIGURED_SEEDS;

/** Exit code when the NameNode refuses this node (id in use, wrong secret, bad request). */
export const EXIT_REFUSED = 2;
/** Exit code when the NameNode belongs to another cluster than the data dir (nothing was reported or deleted). */
export const EXIT_CLUSTER_ID_MISMATCH = 3;

/** `--peer HOST:PORT`, repeatable (env: comma-separated). */
function peerOption(): Option {
  return new Option('--peer <HOST:PORT>', `gossip seed: another DataNode's data-transfer address (repeatable, at most ${MAX_PEER_FLAGS}; comma-separated in the env variable); the NameNode hands out more on registration`)
    .env(envName('--peer'))
    .default([] as string[], 'none')
    .argParser((value: string, previous: string[]) => {
      const added = value.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
      for (const a of added) {
        try {
          parseHostPort(a);
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message);
        }
      }
      const all = [...previous, ...added];
      if (all.length > MAX_PEER_FLAGS) throw new InvalidArgumentError(`at most ${MAX_PEER_FLAGS} --peer seeds`);
      return all;
    });
}

/**
 * `--namenode HOST:PORT[,HOST:PORT...]` (env MINIDFS_NAMENODE): one NameNode, or every NameNode of
 * an HA pair, comma-separated (checked by parseNamenodeAddresses; the value stays the string).
 */
function datanodeNamenodesOption(): Option {
  return opt('--namenode <HOST:PORT[,HOST:PORT...]>',
    `NameNode RPC address; for an HA pair a comma-separated list of every NameNode (at most ${MAX_NAMENODES_PER_DATANODE}): the DataNode registers, heartbeats and reports to each and executes commands only from the active one with the highest epoch`,
    `localhost:${defaultNameNodeOptions().rpcPort}`,
    (value: string) => {
      try {
        parseNamenodeAddresses(value);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
      return value;
    });
}

/** `--membership gossip|off` (default off); `minidfs cluster` takes it too and passes it on. */
export function membershipModeOption(): Option {
  return new Option('--membership <MODE>', 'peer failure detection among DataNodes: gossip (SWIM, served on the data port; docs/GOSSIP.md) or off')
    .env(envName('--membership')).choices(['gossip', 'off']).default('off');
}

/** `--gossip-period-ms MS` (default: the SWIM protocol period, membership/config.ts). */
export function gossipPeriodOption(): Option {
  return opt('--gossip-period-ms <MS>', 'SWIM protocol period with --membership gossip: one probe per period; ping timeout, suspicion and push-pull scale with it', defaultSwimConfig().protocolPeriodMs, intArg(20, 600_000));
}

export function datanodeCommand(): Command {
  return addTlsOptions(new Command('datanode'))
    .description('run a DataNode (block storage, heartbeats to the NameNode, optional SWIM gossip with peers) in the foreground')
    .addOption(datanodeNamenodesOption())
    .addOption(opt('--port <PORT>', 'gRPC data port (membership)', 9866, port))
    .addOption(opt('--transfer-port <PORT>', 'block transfer (TCP) port: block bytes of writes, reads and replication; advertised to the NameNode (0 = any free port)', 0, port))
    .addOption(opt('--data-dir <DIR>', 'block storage directory (created if missing)').makeOptionMandatory())
    .addOption(opt('--id <NAME>', 'node id (default: the one stored in --data-dir, else HOSTNAME-PORT)'))
    .addOption(opt('--id-from-dns <SERVICE>', 'docker compose replicas: take the id SERVICE-N from this container\'s reverse-DNS name (PROJECT_SERVICE_N or PROJECT-SERVICE-N); --id wins'))
    .addOption(opt('--advertise <HOST>', 'host name or address others use to reach this node (default: the --bind address, or the hostname when binding every interface)'))
    .addOption(opt('--bind <HOST>', 'address the data (and metrics) port listens on: loopback by default; 0.0.0.0 (or one interface\'s address) for a NameNode, clients and peers on other hosts', '127.0.0.1'))
    .addOption(opt('--rack <LABEL>', 'rack label for replica placement', '/default-rack'))
    .addOption(opt('--reconnect-max-ms <MS>', 'largest reconnect backoff towards the NameNode', 2000, intArg(10, 600_000)))
    .addOption(opt('--metrics-port <PORT>', 'HTTP port for GET /metrics (Prometheus); off when not given', undefined, port))
    .addOption(opt('--reserved-bytes <BYTES>', 'disk space kept free: reported remaining = free - reserved; a node with less than a block remaining gets no writes', 0, intArg(0, Number.MAX_SAFE_INTEGER)))
    .addOption(opt('--directory-scan-interval-ms <MS>', 'how often the block directory is compared with the replicas this node serves; a replica whose files are gone is reported deleted (0 = never; reads and copies still notice)', DEFAULT_DIRECTORY_SCAN_INTERVAL_MS, intArg(0, 2 ** 31 - 1)))
    .addOption(opt('--scan-bytes-per-second <BYTES>', 'block scanner rate: every replica\'s CRCs are verified in the background at most this fast, a corrupt replica is reported and replaced from a good copy (0 = off; reads and copies still notice)', Limits.defaultScanBytesPerSecond, intArg(0, Limits.maxScanBytesPerSecond)))
    .addOption(secretFileOption())
    .addOption(membershipModeOption())
    .addOption(peerOption())
    .addOption(gossipPeriodOption())
    .action(async (o: {
      metricsPort?: number; idFromDns?: string; namenode: string; port: number; transferPort: number; dataDir: string; id?: string; advertise?: string; bind: string; rack: string; reconnectMaxMs: number;
      secretFile?: string; reservedBytes: number; membership: 'gossip' | 'off'; peer: string[]; gossipPeriodMs: number; directoryScanIntervalMs: number; scanBytesPerSecond: number;
    } & TlsFlags, command: Command) => {
      applySettingsFile(command, o, o.dataDir);
      try {
        acquirePidLock(path.join(o.dataDir, DATANODE_PID_FILE));
      } catch (err) {
        if (err instanceof LockHeldError) throw new DfsError('INVALID_ARGUMENT', `${err.message}: another DataNode runs on this data dir (stop it first: kill ${err.pid})`);
        throw err;
      }
      if (o.id === undefined && o.idFromDns !== undefined) o.id = await idFromReverseDns(o.idFromDns);
      if (o.membership !== 'gossip' && o.peer.length > 0) throw new DfsError('INVALID_ARGUMENT', '--peer needs --membership gossip');
      const dn = new DataNode({
        namenode: o.namenode, bindHost: o.bind, port: o.port, transferPort: o.transferPort, dataDir: o.dataDir, id: o.id,
        advertiseHost: o.advertise ?? (o.bind === '0.0.0.0' || o.bind === '::' ? undefined : o.bind), rack: o.rack,
        backoff: { initialMs: Math.min(100, o.reconnectMaxMs), maxMs: o.reconnectMaxMs }, metricsPort: o.metricsPort,
        secret: o.secretFile ? readSecretFile(o.secretFile) : undefined, reservedBytes: o.reservedBytes, tls: tlsFrom(o),
        directoryScanIntervalMs: o.directoryScanIntervalMs, scanBytesPerSecond: o.scanBytesPerSecond,
        membership: o.membership === 'gossip' ? { seeds: o.peer, protocolPeriodMs: o.gossipPeriodMs } : undefined,
      });
      await dn.start((err) => {
        process.stderr.write(`minidfs datanode: ${err.message}\n`);
        const code = err instanceof DfsError && err.code === 'CLUSTER_ID_MISMATCH' ? EXIT_CLUSTER_ID_MISMATCH : EXIT_REFUSED;
        void dn.stop(false).finally(() => process.exit(code));
      });
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void dn.stop(true).then(() => process.exit(0));
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
      stopWithSupervisor(shutdown);
    });
}

/**
 * `SERVICE-N` from the reverse-DNS name of this host's first non-loopback IPv4 address, as docker
 * compose names the replicas of a scaled service (`PROJECT_SERVICE_N.NETWORK` with compose v1,
 * `PROJECT-SERVICE-N.NETWORK` with v2; Docker's DNS answers PTR queries for them).
 */
export async function idFromReverseDns(service: string): Promise<string> {
  const address = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new DfsError('INVALID_ARGUMENT', '--id-from-dns: this host has no non-loopback IPv4 address');
  const names = await dns.promises.resolvePtr(address.split('.').reverse().join('.') + '.in-addr.arpa').catch(() => [] as string[]);
  const escaped = service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const name of names) {
    const m = new RegExp(`(?:^|[_-])${escaped}[_-](\\d+)$`).exec(name.split('.')[0]);
    if (m) return `${service}-${m[1]}`;
  }
  throw new DfsError('INVALID_ARGUMENT', `--id-from-dns ${service}: the reverse-DNS name of ${address} (${names.join(', ') || 'none'}) does not end in ${service}_N or ${service}-N`);
}
