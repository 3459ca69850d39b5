/** `minidfs datanode`: runs a DataNode in the foreground; SIGTERM says goodbye and exits 0. */
import { Command } from 'commander';
import { readSecretFile } from '@minidfs/common';
import { DataNode } from '@minidfs/datanode';
import { type TlsFlags, addTlsOptions, intArg, opt, port, secretFileOption, tlsFrom } from '../options';

export function datanodeCommand(): Command {
  return addTlsOptions(new Command('datanode'))
    .description('run a DataNode (block storage, heartbeats to the NameNode) in the foreground')
    .addOption(opt('--namenode <HOST:PORT>', 'NameNode RPC address', 'localhost:8020'))
    .addOption(opt('--port <PORT>', 'data-transfer port', 9866, port))
    .addOption(opt('--data-dir <DIR>', 'block storage directory (created if missing)').makeOptionMandatory())
    .addOption(opt('--id <NAME>', 'node id (default: the one stored in --data-dir, else HOSTNAME-PORT)'))
    .addOption(opt('--advertise <HOST>', 'host name or address others use to reach this node (default: hostname)'))
    .addOption(opt('--bind <HOST>', 'address to listen on', '0.0.0.0'))
    .addOption(opt('--rack <LABEL>', 'rack label for replica placement', '/default-rack'))
    .addOption(opt('--reconnect-max-ms <MS>', 'largest reconnect backoff towards the NameNode', 2000, intArg(10, 600_000)))
    .addOption(opt('--metrics-port <PORT>', 'HTTP port for GET /metrics (Prometheus); off when not given', undefined, port))
    .addOption(opt('--reserved-bytes <BYTES>', 'disk space kept free: reported remaining = free - reserved; a node with less than a block remaining gets no writes', 0, intArg(0, Number.MAX_SAFE_INTEGER)))
    .addOption(secretFileOption())
    .action(async (o: { metricsPort?: number; namenode: string; port: number; dataDir: string; id?: string; advertise?: string; bind: string; rack: string; reconnectMaxMs: number; secretFile?: string; reservedBytes: number } & TlsFlags) => {
      const dn = new DataNode({
        namenode: o.namenode, bindHost: o.bind, port: o.port, dataDir: o.dataDir, id: o.id, advertiseHost: o.advertise, rack: o.rack,
        backoff: { initialMs: Math.min(100, o.reconnectMaxMs), maxMs: o.reconnectMaxMs }, metricsPort: o.metricsPort,
        secret: o.secretFile ? readSecretFile(o.secretFile) : undefined, reservedBytes: o.reservedBytes, tls: tlsFrom(o),
      });
      await dn.start((err) => {
        process.stderr.write(`minidfs datanode: ${err.message}\n`);
        void dn.stop(false).finally(() => process.exit(2));
      });
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void dn.stop(true).then(() => process.exit(0));
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });
}
