/** `minidfs report`: DataNode states, like `hdfs dfsadmin -report`. */
import { Command } from 'commander';
import { CHANNEL_OPTIONS, type TlsMaterial, channelCredentials, fromGrpcError, loadProtos, parseHostPort } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, opt, tlsFrom } from '../options';

export interface ReportJson {
  datanodes: Array<{
    id: string; address: string; state: 'LIVE' | 'STALE' | 'DEAD'; lastHeartbeatMsAgo: number; missedBeats: number;
    blocks: number; capacityBytes: number; usedBytes: number;
  }>;
  live: number;
  stale: number;
  dead: number;
}

export async function fetchReport(namenode: string, timeoutMs = 5000, tls?: TlsMaterial): Promise<ReportJson & { safeMode: boolean }> {
  const { host, port } = parseHostPort(namenode, 8020);
  const client = new (loadProtos().ClientProtocol)(`${host}:${port}`, channelCredentials(tls), CHANNEL_OPTIONS);
  try {
    const res = await new Promise<import('@minidfs/common').GetDatanodeReportResponse__Output>((resolve, reject) =>
      client.GetDatanodeReport({}, { deadline: Date.now() + timeoutMs }, (err, r) => (err || !r ? reject(fromGrpcError(err)) : resolve(r))));
    const datanodes = res.datanodes.map((d) => ({
      id: d.id, address: d.address, state: d.state as 'LIVE' | 'STALE' | 'DEAD', lastHeartbeatMsAgo: d.lastHeartbeatMsAgo,
      missedBeats: d.missedBeats, blocks: d.blocks, capacityBytes: d.capacityBytes, usedBytes: d.usedBytes,
    }));
    const count = (s: string) => datanodes.filter((d) => d.state === s).length;
    return { datanodes, live: count('LIVE'), stale: count('STALE'), dead: count('DEAD'), safeMode: res.safeMode };
  } finally {
    client.close();
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

export function reportCommand(): Command {
  return addTlsOptions(new Command('report'))
    .description('show DataNodes and their liveness (like hdfs dfsadmin -report)')
    .addOption(opt('--namenode <HOST:PORT>', 'NameNode RPC address', 'localhost:8020'))
    .option('--json', 'print JSON: {"datanodes":[{"id","address","state","lastHeartbeatMsAgo","missedBeats","blocks","capacityBytes","usedBytes"}],"live","stale","dead"}')
    .action(async (o: { namenode: string; json?: boolean } & TlsFlags) => {
      const r = await fetchReport(o.namenode, undefined, tlsFrom(o));
      if (o.json) {
        const { safeMode: _safeMode, ...json } = r;
        process.stdout.write(JSON.stringify(json) + '\n');
        return;
      }
      const lines = [`DataNodes: ${r.live} live, ${r.stale} stale, ${r.dead} dead${r.safeMode ? '   (NameNode in safe mode)' : ''}`, ''];
      const rows = [['ID', 'ADDRESS', 'STATE', 'LAST BEAT', 'MISSED', 'BLOCKS', 'USED / CAPACITY']];
      for (const d of r.datanodes) {
        rows.push([d.id, d.address, d.state, `${(d.lastHeartbeatMsAgo / 1000).toFixed(1)}s ago`, String(d.missedBeats), String(d.blocks), `${gib(d.usedBytes)} / ${gib(d.capacityBytes)}`]);
      }
      const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
      for (const row of rows) lines.push(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
      process.stdout.write(lines.join('\n') + '\n');
    });
}
