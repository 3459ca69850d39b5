/** `minidfs fsck [PATH]`: block health like `hdfs fsck` (exit code 1 when not healthy). */
import { Command } from 'commander';
import { DEFAULT_NAMENODE_PORT, NameNodeRpc } from '@minidfs/client';
import { type TlsMaterial, channelCredentials, type FsckResponse__Output, formatHostPort, parseHostPort, silentLogger } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, opt, tlsFrom } from '../options';

export async function fetchFsck(namenode: string, path = '/', timeoutMs = 10_000, tls?: TlsMaterial): Promise<FsckResponse__Output> {
  const { host, port } = parseHostPort(namenode, DEFAULT_NAMENODE_PORT);
  const rpc = new NameNodeRpc({ address: formatHostPort(host, port), logger: silentLogger(), safeModeWaitMs: 0, deadlineMs: timeoutMs, credentials: channelCredentials(tls) });
  try {
    return await rpc.call('Fsck', { path });
  } finally {
    rpc.close();
  }
}

export function fsckCommand(): Command {
  return addTlsOptions(new Command('fsck'))
    .description('check block health under PATH (default /), like hdfs fsck; exit code 1 unless healthy')
    .argument('[path]', 'directory or file to check', '/')
    .addOption(opt('--namenode <HOST:PORT>', 'NameNode RPC address', 'localhost:8020'))
    .option('--json', 'print JSON: {"files","blocks","underReplicated","overReplicated","missing","corrupt","pendingReplications","healthy"}')
    .action(async (path: string, o: { namenode: string; json?: boolean } & TlsFlags) => {
      const r = await fetchFsck(o.namenode, path, undefined, tlsFrom(o));
      if (o.json) {
        const { path: _p, ...json } = r;
        process.stdout.write(JSON.stringify(json) + '\n');
      } else {
        process.stdout.write([
          `Status: ${r.healthy ? 'HEALTHY' : r.missing || r.corrupt ? 'CORRUPT' : 'UNDER-REPAIR'}   (${r.path})`,
          ` Total files:             ${r.files}`,
          ` Total blocks:            ${r.blocks}`,
          ` Under-replicated blocks: ${r.underReplicated}`,
          ` Over-replicated blocks:  ${r.overReplicated}`,
          ` Missing blocks:          ${r.missing}`,
          ` Corrupt blocks:          ${r.corrupt}`,
          ` Pending replications:    ${r.pendingReplications}`,
          '',
        ].join('\n'));
      }
      if (!r.healthy) process.exitCode = 1;
    });
}
