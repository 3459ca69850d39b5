/** `minidfs fsck [PATH]`: block health like `hdfs fsck` (exit code 1 when not healthy). */
import { Command } from 'commander';
import { NameNodeRpc, parseNameNodeAddresses } from '@minidfs/client';
import { type TlsMaterial, channelCredentials, type FsckResponse__Output, silentLogger } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, tlsFrom, namenodesOption } from '../options';

/** Fsck on the active NameNode of `namenode` (one address, or several comma-separated: failover as in any client call). */
export async function fetchFsck(namenode: string, path = '/', timeoutMs = 10_000, tls?: TlsMaterial): Promise<FsckResponse__Output> {
  const rpc = new NameNodeRpc({
    addresses: parseNameNodeAddresses(namenode), logger: silentLogger(), safeModeWaitMs: 0, deadlineMs: timeoutMs, credentials: channelCredentials(tls),
  });
  try {
    return await rpc.call('Fsck', { path });
  } finally {
    rpc.close();
  }
}

/**
 * HEALTHY; CORRUPT (missing or corrupt blocks); NO-TARGET (under-replicated blocks that no repair
 * can fix now: every LIVE DataNode holds them); UNDER-REPAIR (the rest: copies are running or
 * queued, mis-replicated blocks included: an extra replica is being placed on another rack).
 */
function status(r: FsckResponse__Output): string {
  if (r.healthy) return 'HEALTHY';
  if (r.missing || r.corrupt) return 'CORRUPT';
  if (r.noTarget) return `NO-TARGET (${r.noTarget} under-replicated blocks have no DataNode to be copied to)`;
  return 'UNDER-REPAIR';
}

export function fsckCommand(): Command {
  return addTlsOptions(new Command('fsck'))
    .description('check block health under PATH (default /), like hdfs fsck; exit code 1 unless healthy')
    .argument('[path]', 'directory or file to check', '/')
    .addOption(namenodesOption())
    .option('--openforwrite', 'list the files open for write, each with its writer (lease holder) and lease age (HDFS -openforwrite, also accepted)')
    .option('--json', 'print JSON: {"files","blocks","underReplicated","overReplicated","missing","corrupt","pendingReplications","noTarget","misReplicated","openForWrite","openFiles","openFileLeases":[{"path","holder","leaseAgeMs"}],"healthy"}; files open for write are listed with their writer (lease holder), not unhealthy')
    .action(async (path: string, o: { namenode: string; json?: boolean; openforwrite?: boolean } & TlsFlags) => {
      const r = await fetchFsck(o.namenode, path, undefined, tlsFrom(o));
      if (o.json) {
        const { path: _p, ...json } = r;
        process.stdout.write(JSON.stringify(json) + '\n');
      } else {
        process.stdout.write([
          `Status: ${status(r)}   (${r.path})`,
          ` Total files:             ${r.files}`,
          ` Total blocks:            ${r.blocks}`,
          ` Under-replicated blocks: ${r.underReplicated}`,
          ` Over-replicated blocks:  ${r.overReplicated}`,
          ` Missing blocks:          ${r.missing}`,
          ` Corrupt blocks:          ${r.corrupt}`,
          ` Pending replications:    ${r.pendingReplications}`,
          ` No repair target:        ${r.noTarget}${r.noTarget ? '   (every LIVE DataNode holds these blocks: add or restart DataNodes, or lower the replication)' : ''}`,
          ` Mis-replicated blocks:   ${r.misReplicated}${r.misReplicated ? '   (all replicas on one rack while another rack has LIVE DataNodes: a copy is being placed there)' : ''}`,
          ` Open for write:          ${r.openForWrite}${r.openForWrite ? `   (created, not completed: a writer is running or died; not counted as unhealthy${o.openforwrite ? '' : '; --openforwrite lists them'})` : ''}`,
          ...(o.openforwrite ? r.openFiles.map((file, i) => {
            const l = r.openFileLeases?.[i];
            return `   ${file}  OPENFORWRITE${l && l.path === file ? `  holder ${l.holder}, lease renewed ${(Number(l.leaseAgeMs) / 1000).toFixed(1)} s ago` : ''}`;
          }) : []),
          ...(o.openforwrite && r.openForWrite > r.openFiles.length ? [`   ... and ${r.openForWrite - r.openFiles.length} more`] : []),
          '',
        ].join('\n'));
      }
      if (!r.healthy) process.exitCode = 1;
    });
}
