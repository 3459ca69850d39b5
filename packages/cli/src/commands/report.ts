/**
 * `minidfs report`: DataNode states as the NameNode sees them, like `hdfs dfsadmin -report`; with
 * `--peer HOST:PORT`, one DataNode's own gossip view instead (Membership.GetMembership,
 * docs/GOSSIP.md): which peers it holds ALIVE / SUSPECT / DEAD / LEFT and when it last heard them.
 */
import { Command } from 'commander';
import { CHANNEL_OPTIONS, type TlsMaterial, channelCredentials, fromGrpcError, loadProtos, parseHostPort } from '@minidfs/common';
import type { GetMembershipResponseIn } from '@minidfs/datanode';
import type { SafeModeStatus } from '@minidfs/client';
import { type TlsFlags, addTlsOptions, opt, tlsFrom } from '../options';
import { describeSafeMode } from './admin';

/** NameNode-side states; UNREACHABLE_FROM_NAMENODE: the NameNode cannot hear the node but its peers can (docs/GOSSIP.md). */
export type DatanodeState = 'LIVE' | 'STALE' | 'DEAD' | 'UNREACHABLE_FROM_NAMENODE';

export interface ReportJson {
  datanodes: Array<{
    id: string; address: string; state: DatanodeState; lastHeartbeatMsAgo: number; missedBeats: number;
    blocks: number; capacityBytes: number; usedBytes: number;
  }>;
  live: number;
  stale: number;
  dead: number;
  /** Nodes in UNREACHABLE_FROM_NAMENODE (added with gossip; older consumers can ignore it). */
  unreachable: number;
}

export async function fetchReport(
  namenode: string, timeoutMs = 5000, tls?: TlsMaterial,
): Promise<ReportJson & { safeMode: boolean; safeModeStatus?: SafeModeStatus }> {
  const { host, port } = parseHostPort(namenode, 8020);
  const client = new (loadProtos().ClientProtocol)(`${host}:${port}`, channelCredentials(tls), CHANNEL_OPTIONS);
  try {
    const res = await new Promise<import('@minidfs/common').GetDatanodeReportResponse__Output>((resolve, reject) =>
      client.GetDatanodeReport({}, { deadline: Date.now() + timeoutMs }, (err, r) => (err || !r ? reject(fromGrpcError(err)) : resolve(r))));
    const datanodes = res.datanodes.map((d) => ({
      id: d.id, address: d.address, state: d.state as DatanodeState, lastHeartbeatMsAgo: d.lastHeartbeatMsAgo,
      missedBeats: d.missedBeats, blocks: d.blocks, capacityBytes: d.capacityBytes, usedBytes: d.usedBytes,
    }));
    const count = (s: DatanodeState) => datanodes.filter((d) => d.state === s).length;
    return {
      datanodes, live: count('LIVE'), stale: count('STALE'), dead: count('DEAD'), unreachable: count('UNREACHABLE_FROM_NAMENODE'), safeMode: res.safeMode,
      safeModeStatus: res.safeModeStatus ? {
        ...res.safeModeStatus, reportedBlocks: Number(res.safeModeStatus.reportedBlocks), totalBlocks: Number(res.safeModeStatus.totalBlocks),
        extensionMs: Number(res.safeModeStatus.extensionMs), autoExitInMs: Number(res.safeModeStatus.autoExitInMs),
      } : undefined,
    };
  } finally {
    client.close();
  }
}

export interface PeerViewJson {
  self: { id: string; address: string; incarnation: number };
  /** Every member the DataNode tracks, itself included, sorted by id. lastHeardMsAgo is null when it never heard the member itself. */
  members: Array<{ id: string; address: string; state: string; incarnation: number; msInState: number; lastHeardMsAgo: number | null }>;
  alive: number;
  suspect: number;
  dead: number;
  left: number;
  protocolPeriodMs: number;
  suspicionTimeoutMinMs: number;
  suspicionTimeoutMaxMs: number;
}

/** One DataNode's gossip view (GetMembership on its data port). */
export async function fetchPeerView(peer: string, timeoutMs = 5000, tls?: TlsMaterial): Promise<PeerViewJson> {
  const { host, port } = parseHostPort(peer);
  const client = new (loadProtos().Membership)(`${host.includes(':') ? `[${host}]` : host}:${port}`, channelCredentials(tls), CHANNEL_OPTIONS);
  try {
    const res = await new Promise<GetMembershipResponseIn>((resolve, reject) =>
      client.GetMembership({}, { deadline: Date.now() + timeoutMs }, (err, r) => (err || !r ? reject(fromGrpcError(err)) : resolve(r))));
    const members = res.members.map((m) => ({
      id: m.id, address: m.address, state: m.state, incarnation: m.incarnation, msInState: m.msInState, lastHeardMsAgo: m.neverHeard ? null : m.msSinceHeard,
    }));
    const count = (s: string) => members.filter((m) => m.state === s).length;
    return {
      self: { id: res.selfId, address: res.selfAddress, incarnation: res.selfIncarnation }, members,
      alive: count('ALIVE'), suspect: count('SUSPECT'), dead: count('DEAD'), left: count('LEFT'),
      protocolPeriodMs: res.protocolPeriodMs, suspicionTimeoutMinMs: res.suspicionTimeoutMinMs, suspicionTimeoutMaxMs: res.suspicionTimeoutMaxMs,
    };
  } finally {
    client.close();
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

export function reportCommand(): Command {
  return addTlsOptions(new Command('report'))
    .description('show DataNodes and their liveness as the NameNode sees them (like hdfs dfsadmin -report), or with --peer one DataNode\'s gossip view')
    .addOption(opt('--namenode <HOST:PORT>', 'NameNode RPC address', 'localhost:8020'))
    // No MINIDFS_PEER fallback here: that variable configures a DataNode's gossip seeds.
    .option('--peer <HOST:PORT>', 'ask this DataNode (its data-transfer address; needs --membership gossip on it) for its SWIM view instead of the NameNode')
    .option('--json', 'print JSON: {"datanodes":[{"id","address","state","lastHeartbeatMsAgo","missedBeats","blocks","capacityBytes","usedBytes"}],"live","stale","dead","unreachable"}; '
      + 'with --peer: {"self":{"id","address","incarnation"},"members":[{"id","address","state","incarnation","msInState","lastHeardMsAgo"}],"alive","suspect","dead","left","protocolPeriodMs","suspicionTimeoutMinMs","suspicionTimeoutMaxMs"}')
    .action(async (o: { namenode: string; peer?: string; json?: boolean } & TlsFlags) => {
      if (o.peer) {
        const v = await fetchPeerView(o.peer, undefined, tlsFrom(o));
        if (o.json) {
          process.stdout.write(JSON.stringify(v) + '\n');
          return;
        }
        const lines = [
          `Gossip view of ${v.self.id} (${v.self.address}, incarnation ${v.self.incarnation}): ${v.alive} alive, ${v.suspect} suspect, ${v.dead} dead, ${v.left} left`,
          `  protocol period ${v.protocolPeriodMs} ms, suspicion timeout ${v.suspicionTimeoutMinMs}-${v.suspicionTimeoutMaxMs} ms`, '',
        ];
        const rows = [['ID', 'ADDRESS', 'STATE', 'INCARNATION', 'IN-STATE', 'LAST-HEARD']];
        for (const m of v.members) {
          const heard = m.id === v.self.id ? '(self)' : m.lastHeardMsAgo === null ? 'never' : `${seconds(m.lastHeardMsAgo)} ago`;
          rows.push([m.id, m.address, m.state, String(m.incarnation), seconds(m.msInState), heard]);
        }
        process.stdout.write([...lines, ...table(rows)].join('\n') + '\n');
        return;
      }
      const r = await fetchReport(o.namenode, undefined, tlsFrom(o));
      if (o.json) {
        const { safeMode: _safeMode, safeModeStatus: _safeModeStatus, ...json } = r;
        process.stdout.write(JSON.stringify(json) + '\n');
        return;
      }
      const unreachable = r.unreachable > 0 ? `, ${r.unreachable} unreachable from the NameNode` : '';
      const lines = [`DataNodes: ${r.live} live, ${r.stale} stale, ${r.dead} dead${unreachable}${r.safeMode ? '   (NameNode in safe mode)' : ''}`];
      if (r.safeMode && r.safeModeStatus) lines.push(describeSafeMode(r.safeModeStatus));
      lines.push('');
      const rows = [['ID', 'ADDRESS', 'STATE', 'LAST BEAT', 'MISSED', 'BLOCKS', 'USED / CAPACITY']];
      for (const d of r.datanodes) {
        rows.push([d.id, d.address, d.state, `${seconds(d.lastHeartbeatMsAgo)} ago`, String(d.missedBeats), String(d.blocks), `${gib(d.usedBytes)} / ${gib(d.capacityBytes)}`]);
      }
      process.stdout.write([...lines, ...table(rows)].join('\n') + '\n');
    });
}
