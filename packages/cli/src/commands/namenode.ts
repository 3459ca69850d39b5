/** `minidfs namenode`: runs a NameNode in the foreground until SIGTERM/SIGINT. */
import { Command, InvalidArgumentError } from 'commander';
import { DfsClient } from '@minidfs/client';
import { readSecretFile } from '@minidfs/common';
import { NameNode, defaultNameNodeOptions, defaultPeerEvidenceConfig, validateBlockSize } from '@minidfs/namenode';
import { type TlsFlags, addTlsOptions, intArg, opt, port, secretFileOption, tlsFrom } from '../options';
import { stopWithSupervisor } from '../supervision';

function floatArg(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${v}`);
    return n;
  };
}

/** --block-size: the NameNode's own rule (validateBlockSize), refused before anything starts. */
function blockSizeArg(v: string): number {
  const n = Number(v);
  try {
    return validateBlockSize(n, '--block-size');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function namenodeCommand(): Command {
  const d = defaultNameNodeOptions();
  const pe = defaultPeerEvidenceConfig({ heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 });
  return addTlsOptions(new Command('namenode'))
    .description('run a NameNode (metadata, liveness, replication) in the foreground')
    .addOption(opt('--rpc-port <PORT>', 'gRPC port for DataNodes and clients', d.rpcPort, port))
    .addOption(opt('--http-port <PORT>', 'HTTP port for the web UI and JSON API', d.httpPort, port))
    .addOption(opt('--data-dir <DIR>', 'metadata directory (created if missing)').makeOptionMandatory())
    .addOption(opt('--bind <HOST>', 'address the RPC and HTTP ports listen on: loopback by default; 0.0.0.0 (or one interface\'s address) for DataNodes and clients on other hosts', d.bindHost))
    .addOption(opt('--heartbeat-interval-ms <MS>', 'heartbeat interval DataNodes are told to use', 1000, intArg(10, 600_000)))
    .addOption(opt('--stale-after <BEATS>', 'missed beats before a DataNode is STALE (no new writes, read last)', 2, intArg(1, 10_000)))
    .addOption(opt('--dead-after <BEATS>', 'missed beats before a DataNode is DEAD (no I/O, blocks re-replicated)', 3, intArg(2, 10_000)))
    .addOption(opt('--replication <N>', 'default replication factor for new files', d.replication, intArg(1, 32)))
    .addOption(opt('--block-size <BYTES>', 'default block size for new files: a multiple of 512 in 512..32 GiB', d.blockSizeBytes, blockSizeArg))
    .addOption(opt('--min-replication <N>', 'replicas each block needs reported before a write is acknowledged (capped at the file replication)', d.minReplication, intArg(1, 32)))
    .addOption(opt('--safe-mode-extension-ms <MS>', 'after a start, safe mode also ends below 99.9% of blocks reported once every live DataNode has sent its block report and nothing changed for this long (default: 30 heartbeat intervals, 30 s at the default beat, like the HDFS safe mode extension)', undefined, intArg(0, 24 * 3600_000)))
    .addOption(opt('--detector <KIND>', 'failure detector for DEAD: threshold (missed beats) or phi (phi accrual)', 'threshold').choices(['threshold', 'phi']))
    .addOption(opt('--phi-threshold <PHI>', 'with --detector phi: phi at which a DataNode is DEAD', 8, floatArg(0.5, 300)))
    .addOption(opt('--min-peer-reporters <N>',
      'gossip peers on distinct hosts that must still hear a DataNode the NameNode cannot hear for it to be UNREACHABLE_FROM_NAMENODE instead of DEAD (0 = off; docs/PEER-EVIDENCE.md)',
      pe.minPeerReporters, intArg(0, 16)))
    .addOption(opt('--unreachable-grace-ms <MS>', 'longest stay in UNREACHABLE_FROM_NAMENODE before DEAD and re-replication', pe.unreachableGraceMs, intArg(0, 24 * 3600_000)))
    .addOption(opt('--maintenance-min-replicas <N>', 'a block with a replica on a DataNode in maintenance keeps at least min(its replication, N) replicas on other live NORMAL nodes (copied before the node enters maintenance)', 1, intArg(1, 32)))
    .addOption(secretFileOption())
    .action(async (o: {
      rpcPort: number; httpPort: number; dataDir: string; bind: string; heartbeatIntervalMs: number;
      staleAfter: number; deadAfter: number; replication: number; blockSize: number; minReplication: number; safeModeExtensionMs?: number;
      detector: 'threshold' | 'phi'; phiThreshold: number; secretFile?: string; minPeerReporters: number; unreachableGraceMs: number;
      maintenanceMinReplicas: number;
    } & TlsFlags) => {
      const tls = tlsFrom(o);
      const nn = new NameNode({
        ...d,
        bindHost: o.bind, rpcPort: o.rpcPort, httpPort: o.httpPort, dataDir: o.dataDir,
        liveness: { heartbeatIntervalMs: o.heartbeatIntervalMs, staleAfterMissed: o.staleAfter, deadAfterMissed: o.deadAfter },
        replication: o.replication, blockSizeBytes: o.blockSize, minReplication: o.minReplication, safeModeExtensionMs: o.safeModeExtensionMs,
        detector: o.detector, phiThreshold: o.phiThreshold, minPeerReporters: o.minPeerReporters, unreachableGraceMs: o.unreachableGraceMs, maintenanceMinReplicas: o.maintenanceMinReplicas, secret: o.secretFile ? readSecretFile(o.secretFile) : undefined, tls,
      });
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
