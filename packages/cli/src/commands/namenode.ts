/** `minidfs namenode`: runs a NameNode in the foreground until SIGTERM/SIGINT. */
import { Command, InvalidArgumentError } from 'commander';
import { DfsClient } from '@minidfs/client';
import { readSecretFile } from '@minidfs/common';
import {
  DEFAULT_HA_LEASE_TTL_MS, DEFAULT_HA_PREFIX, DEFAULT_SAFE_MODE_EXTENSION_BEATS, InvalidSettingError, type NameNodeHaOptions, NAMENODE_FLAGS, NameNode, type NameNodeOptions, defaultNameNodeOptions,
  validateBlockSize, validateNameNodeOptions,
} from '@minidfs/namenode';
import { type TlsFlags, addTlsOptions, opt, secretFileOption, settingArg, settingOpt, tlsFrom } from '../options';
import { stopWithSupervisor } from '../supervision';

/** --block-size: the NameNode's own rule (validateBlockSize), refused before anything starts. */
function blockSizeArg(v: string): number {
  const n = Number(v);
  try {
    return validateBlockSize(n, '--block-size');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** --safe-mode-threshold: a fraction in (0, 1]. */
function thresholdArg(v: string): number {
  const n = settingArg('safeModeThreshold')(v);
  if (n <= 0) throw new InvalidArgumentError(`${NAMENODE_FLAGS.safeModeThreshold} must be in (0, 1], got ${v}`);
  return n;
}

interface NameNodeFlags extends TlsFlags {
  rpcPort: number; httpPort: number; dataDir: string; bind: string; heartbeatIntervalMs: number;
  staleAfter: number; deadAfter: number; replication: number; blockSize: number; blockReportIntervalMs: number; minReplication: number;
  safeModeThreshold: number; safeModeExtensionMs?: number; detector: 'threshold' | 'phi'; phiThreshold: number; secretFile?: string;
  minPeerReporters: number; unreachableGraceMs: number; peerProbeFanout: number; maintenanceMinReplicas: number;
  leaseSoftLimitMs: number; leaseHardLimitMs: number;
  haEtcd?: string; haId?: string; haPrefix: string; haLeaseTtlMs: number; advertiseAddress?: string;
}

/** --ha-* flags -> NameNodeHaOptions (the id defaults to the advertised address; the port is filled in once known if it is 0). */
function haOptions(o: NameNodeFlags): NameNodeHaOptions {
  const host = o.bind === '0.0.0.0' || o.bind === '::' ? '127.0.0.1' : o.bind;
  const address = o.advertiseAddress ?? (o.rpcPort !== 0 ? `${host}:${o.rpcPort}` : undefined);
  return {
    etcdEndpoints: (o.haEtcd ?? '').split(',').map((e) => e.trim()).filter((e) => e !== ''),
    id: o.haId ?? address ?? `${host}-${process.pid}`, prefix: o.haPrefix, leaseTtlMs: o.haLeaseTtlMs, ...(address ? { address } : {}),
  };
}

/** Every flag's default and range come from the NameNode's settings (defaultNameNodeOptions, NAMENODE_SETTING_RANGES). */
export function namenodeCommand(): Command {
  const d = defaultNameNodeOptions();
  const command = addTlsOptions(new Command('namenode'));
  return command
    .description('run a NameNode (metadata, liveness, replication) in the foreground')
    .addOption(settingOpt('rpcPort', 'PORT', 'gRPC port for DataNodes and clients (0 = any free port)', d.rpcPort))
    .addOption(settingOpt('httpPort', 'PORT', 'HTTP port for the web UI and JSON API (0 = any free port)', d.httpPort))
    .addOption(opt(`${NAMENODE_FLAGS.dataDir} <DIR>`, 'metadata directory (created if missing)').makeOptionMandatory())
    .addOption(opt(`${NAMENODE_FLAGS.bindHost} <HOST>`, 'address the RPC and HTTP ports listen on: loopback by default; 0.0.0.0 (or one interface\'s address) for DataNodes and clients on other hosts', d.bindHost))
    .addOption(settingOpt('heartbeatIntervalMs', 'MS', 'heartbeat interval DataNodes are told to use', d.liveness.heartbeatIntervalMs))
    .addOption(settingOpt('staleAfterMissed', 'BEATS', 'missed beats before a DataNode is STALE (no new writes, read last)', d.liveness.staleAfterMissed))
    .addOption(settingOpt('deadAfterMissed', 'BEATS', 'missed beats before a DataNode is DEAD (no I/O, blocks re-replicated); more than --stale-after', d.liveness.deadAfterMissed))
    .addOption(settingOpt('replication', 'N', 'default replication factor for new files', d.replication))
    .addOption(opt(`${NAMENODE_FLAGS.blockSizeBytes} <BYTES>`, 'default block size for new files: a multiple of 512 in 512..32 GiB', d.blockSizeBytes, blockSizeArg))
    .addOption(settingOpt('blockReportIntervalMs', 'MS', 'how often DataNodes send a full block report (incremental reports carry the changes in between)', d.blockReportIntervalMs))
    .addOption(settingOpt('minReplication', 'N', 'replicas each block needs reported before a write is acknowledged (capped at the file replication); at most --replication, and lowered to it when not given', d.minReplication))
    .addOption(opt(`${NAMENODE_FLAGS.safeModeThreshold} <FRACTION>`, 'fraction of complete blocks that must be reported before startup safe mode ends, in (0, 1]', d.safeModeThreshold, thresholdArg))
    .addOption(settingOpt('safeModeExtensionMs', 'MS', `after a start, safe mode also ends below --safe-mode-threshold once every live DataNode has sent its block report and nothing changed for this long (default: ${DEFAULT_SAFE_MODE_EXTENSION_BEATS} heartbeat intervals, ${d.safeModeExtensionMs} ms at the default beat, like the HDFS safe mode extension)`))
    .addOption(opt(`${NAMENODE_FLAGS.detector} <KIND>`, 'failure detector for DEAD: threshold (missed beats) or phi (phi accrual)', d.detector).choices(['threshold', 'phi']))
    .addOption(settingOpt('phiThreshold', 'PHI', 'with --detector phi: phi at which a DataNode is DEAD', d.phiThreshold))
    .addOption(settingOpt('minPeerReporters', 'N',
      'gossip peers on distinct hosts that must still hear a DataNode the NameNode cannot hear for it to be UNREACHABLE_FROM_NAMENODE instead of DEAD (0 = off; docs/PEER-EVIDENCE.md)',
      d.minPeerReporters))
    .addOption(settingOpt('unreachableGraceMs', 'MS', 'longest stay in UNREACHABLE_FROM_NAMENODE before DEAD and re-replication', d.unreachableGraceMs))
    .addOption(settingOpt('peerProbeFanout', 'N', 'gossip peers asked about one silent DataNode per round', d.peerProbeFanout))
    .addOption(settingOpt('maintenanceMinReplicas', 'N', 'a block with a replica on a DataNode in maintenance keeps at least min(its replication, N) replicas on other live NORMAL nodes (copied before the node enters maintenance)', d.maintenanceMinReplicas))
    .addOption(settingOpt('leaseSoftLimitMs', 'MS', 'writer lease soft limit: a writer silent this long (no call, no lease renewal) may have its files recovered by another client (admin recover-lease)', d.leaseSoftLimitMs))
    .addOption(settingOpt('leaseHardLimitMs', 'MS', 'writer lease hard limit: the NameNode itself closes the files of a writer silent this long, at the bytes their replicas hold', d.leaseHardLimitMs))
    .addOption(secretFileOption())
    .addOption(opt(`${NAMENODE_FLAGS.ha} <HOST:PORT,...>`, 'high availability (docs/HA.md): etcd endpoints; the namespace lives in etcd and the NameNodes started with the same --ha-etcd and --ha-prefix elect one ACTIVE, the others are STANDBY'))
    .addOption(opt('--ha-id <ID>', 'with --ha-etcd: this NameNode\'s id in the group (default: its advertised address)'))
    .addOption(opt('--ha-prefix <PREFIX>', 'with --ha-etcd: the cluster\'s key prefix in etcd', DEFAULT_HA_PREFIX))
    .addOption(opt('--ha-lease-ttl-ms <MS>', 'with --ha-etcd: lease TTL, whole seconds: an active unheard by etcd this long is replaced', DEFAULT_HA_LEASE_TTL_MS, (v) => Number(v)))
    .addOption(opt('--advertise-address <HOST:PORT>', 'with --ha-etcd: the RPC address clients reach this NameNode at (default: --bind and --rpc-port)'))
    .action(async (o: NameNodeFlags) => {
      const tls = tlsFrom(o);
      const liveness = { heartbeatIntervalMs: o.heartbeatIntervalMs, staleAfterMissed: o.staleAfter, deadAfterMissed: o.deadAfter };
      // --min-replication not given: its default, lowered to --replication (a 1-replica cluster acknowledges at 1).
      const minReplicationGiven = command.getOptionValueSource('minReplication') !== 'default';
      const defaults = defaultNameNodeOptions(liveness);
      const options: NameNodeOptions = {
        ...defaults,
        bindHost: o.bind, rpcPort: o.rpcPort, httpPort: o.httpPort, dataDir: o.dataDir, liveness,
        replication: o.replication, blockSizeBytes: o.blockSize, blockReportIntervalMs: o.blockReportIntervalMs,
        minReplication: minReplicationGiven ? o.minReplication : Math.min(o.minReplication, o.replication),
        safeModeThreshold: o.safeModeThreshold, safeModeExtensionMs: o.safeModeExtensionMs ?? defaults.safeModeExtensionMs,
        detector: o.detector, phiThreshold: o.phiThreshold, minPeerReporters: o.minPeerReporters, unreachableGraceMs: o.unreachableGraceMs,
        peerProbeFanout: o.peerProbeFanout, maintenanceMinReplicas: o.maintenanceMinReplicas,
        leaseSoftLimitMs: o.leaseSoftLimitMs, leaseHardLimitMs: o.leaseHardLimitMs,
        secret: o.secretFile ? readSecretFile(o.secretFile) : undefined, tls,
        ...(o.haEtcd ? { ha: haOptions(o) } : {}),
      };
      try {
        validateNameNodeOptions(options);
      } catch (err) {
        // Settings that only conflict with each other (--dead-after vs --stale-after): said like a bad flag.
        if (err instanceof InvalidSettingError) command.error(`error: ${err.message}`);
        throw err;
      }
      const nn = new NameNode(options);
      await nn.start();
      // The UI's download link reads through the ordinary client path (verified, with failover).
      const reader = new DfsClient({ namenode: `${o.bind === '0.0.0.0' || o.bind === '::' ? '127.0.0.1' : o.bind}:${nn.rpcPort}`, safeModeWaitMs: 0, tls });
      nn.openFile = (p) => reader.createReadStream(p);
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void nn.stop().then(() => { reader.close(); process.exit(0); });
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
      stopWithSupervisor(shutdown);
    });
}
