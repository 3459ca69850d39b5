/**
 * `minidfs report`: DataNode states as the NameNode sees them, like `hdfs dfsadmin -report`, and
 * each configured NameNode's HA role and epoch (as `minidfs ha status`); with
 * `--peer HOST:PORT`, one DataNode's own gossip view instead (Membership.GetMembership,
 * docs/GOSSIP.md): which peers it holds ALIVE / SUSPECT / DEAD / LEFT and when it last heard them.
 */
import { Command } from 'commander';
import {
  CHANNEL_OPTIONS, type ClusterCapacity, type TlsMaterial, channelCredentials, clusterCapacity, createLogger, formatBytes, fromGrpcError,
  loadProtos, parseHostPort, silentLogger,
} from '@minidfs/common';
import type { GetMembershipResponseIn } from '@minidfs/datanode';
import { NameNodeRpc, haStatusOfEach, type SafeModeStatus, parseNameNodeAddresses } from '@minidfs/client';
import { type TlsFlags, addTlsOptions, tlsFrom, namenodesOption } from '../options';
import { describeSafeMode } from './admin';
import { fetchFsck } from './fsck';
import { type HaStatusJson, formatHaStatus, haStatusJson } from './ha';

/** NameNode-side states; UNREACHABLE_FROM_NAMENODE: the NameNode cannot hear the node but its peers can (docs/GOSSIP.md). */
export type DatanodeState = 'LIVE' | 'STALE' | 'DEAD' | 'UNREACHABLE_FROM_NAMENODE';

export interface ReportJson {
  datanodes: Array<{
    id: string; address: string; state: DatanodeState; lastHeartbeatMsAgo: number; missedBeats: number;
    blocks: number; capacityBytes: number; usedBytes: number; remainingBytes: number; rack: string;
    /** The filesystem of the node's data dir: nodes sharing one are counted once in `cluster`. */
    filesystemId: string;
    /** NORMAL, DECOMMISSIONING, DECOMMISSIONED, ENTERING_MAINTENANCE or IN_MAINTENANCE. */
    adminState: string;
    /** In a maintenance state: ms until the window ends. */
    maintenanceExpiresInMs?: number;
  }>;
  /** Totals over the non-DEAD nodes, each filesystem once (capacity, used by minidfs, remaining). */
  cluster: ClusterCapacity;
  live: number;
  stale: number;
  dead: number;
  /** Nodes in UNREACHABLE_FROM_NAMENODE (added with gossip; older consumers can ignore it). */
  unreachable: number;
  /** Each configured NameNode's HA role and epoch, as `minidfs ha status --json` prints them. */
  namenodes: HaStatusJson['namenodes'];
}

export async function fetchReport(
  namenode: string, timeoutMs = 5000, tls?: TlsMaterial,
): Promise<ReportJson & { safeMode: boolean; safeModeStatus?: SafeModeStatus }> {
  const addresses = parseNameNodeAddresses(namenode);
  const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
  const rpc = new NameNodeRpc({ addresses, logger, safeModeWaitMs: 0, deadlineMs: timeoutMs, credentials: channelCredentials(tls) });
  try {
    const [res, namenodes] = await Promise.all([rpc.call('GetDatanodeReport', {}), haStatusOfEach(rpc)]);
    const datanodes = res.datanodes.map((d) => ({
      id: d.id, address: d.address, state: d.state as DatanodeState, lastHeartbeatMsAgo: Number(d.lastHeartbeatMsAgo),
      missedBeats: d.missedBeats, blocks: d.blocks, capacityBytes: Number(d.capacityBytes), usedBytes: Number(d.usedBytes),
      remainingBytes: Number(d.remainingBytes), rack: d.rack, filesystemId: d.filesystemId, adminState: d.adminState || 'NORMAL',
      ...(d.adminState === 'ENTERING_MAINTENANCE' || d.adminState === 'IN_MAINTENANCE' ? { maintenanceExpiresInMs: Number(d.maintenanceExpiresInMs) } : {}),
    }));
    const count = (s: DatanodeState) => datanodes.filter((d) => d.state === s).length;
    return {
      datanodes, cluster: clusterCapacity(datanodes), live: count('LIVE'), stale: count('STALE'), dead: count('DEAD'), unreachable: count('UNREACHABLE_FROM_NAMENODE'),
      namenodes: haStatusJson(namenodes), safeMode: res.safeMode,
      safeModeStatus: res.safeModeStatus ? {
        ...res.safeModeStatus, reportedBlocks: Number(res.safeModeStatus.reportedBlocks), totalBlocks: Number(res.safeModeStatus.totalBlocks),
        extensionMs: Number(res.safeModeStatus.extensionMs), autoExitInMs: Number(res.safeModeStatus.autoExitInMs),
      } : undefined,
    };
  } finally {
    rpc.close();
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
    .addOption(namenodesOption())
    // No MINIDFS_PEER fallback here: that variable configures a DataNode's gossip seeds.
    .option('--peer <HOST:PORT>', 'ask this DataNode (its data-transfer address; needs --membership gossip on it) for its SWIM view instead of the NameNode')
    .option('--json', 'print JSON: {"datanodes":[{"id","address","state","lastHeartbeatMsAgo","missedBeats","blocks","capacityBytes","usedBytes","remainingBytes","rack","filesystemId","adminState","maintenanceExpiresInMs"}],'
      + '"cluster":{"capacityBytes","usedBytes","remainingBytes","filesystems","datanodes"},"live","stale","dead","unreachable",'
      + '"namenodes":[{"address","role","epoch","error"}] (as ha status --json)}; '
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
      const fsck = await fetchFsck(o.namenode, '/', undefined, tlsFrom(o)).catch(() => undefined);
      const unreachable = r.unreachable > 0 ? `, ${r.unreachable} unreachable from the NameNode` : '';
      const c = r.cluster;
      const shared = c.filesystems < c.datanodes ? ` (${c.datanodes} DataNodes share ${c.filesystems === 1 ? 'it' : 'them'}: counted once)` : '';
      const lines = [
        `DataNodes: ${r.live} live, ${r.stale} stale, ${r.dead} dead${unreachable}${r.safeMode ? '   (NameNode in safe mode)' : ''}`,
        `Capacity:  ${formatBytes(c.capacityBytes)} on ${c.filesystems} filesystem${c.filesystems === 1 ? '' : 's'}${shared}`,
        `Used:      ${formatBytes(c.usedBytes)} by minidfs blocks   Remaining: ${formatBytes(c.remainingBytes)}`,
      ];
      if (fsck) {
        lines.push(`Blocks:    ${fsck.blocks} in ${fsck.files} files; under-replicated ${fsck.underReplicated}, missing ${fsck.missing}, corrupt ${fsck.corrupt}`
          + `${fsck.noTarget ? `, no repair target ${fsck.noTarget}` : ''}${fsck.misReplicated ? `, mis-replicated ${fsck.misReplicated}` : ''}   (minidfs fsck for details)`);
      }
      if (r.safeMode && r.safeModeStatus) lines.push(describeSafeMode(r.safeModeStatus));
      lines.push('NameNodes:', ...formatHaStatus(r.namenodes).map((l) => `  ${l}`));
      lines.push('');
      // A DEAD node's figures are its last heartbeat's and its replicas are gone: not shown, not counted.
      const rows = [['ID', 'ADDRESS', 'STATE', 'ADMIN', 'LAST BEAT', 'MISSED', 'BLOCKS', 'USED', 'REMAINING', 'CAPACITY']];
      for (const d of r.datanodes) {
        const dead = d.state === 'DEAD';
        rows.push([
          d.id, d.address, d.state,
          d.maintenanceExpiresInMs !== undefined ? `${d.adminState} (${seconds(d.maintenanceExpiresInMs)} left)` : d.adminState,
          `${seconds(d.lastHeartbeatMsAgo)} ago`, String(d.missedBeats), dead ? '-' : String(d.blocks),
          dead ? '-' : formatBytes(d.usedBytes), dead ? '-' : formatBytes(d.remainingBytes), dead ? '-' : formatBytes(d.capacityBytes),
        ]);
      }
      process.stdout.write([...lines, ...table(rows)].join('\n') + '\n');
    });
}
