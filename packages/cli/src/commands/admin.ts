/**
 * `minidfs admin decommission|recommission NODE` and `minidfs admin maintenance NODE --for 30m|--end`:
 * a DataNode's admin state (HDFS decommission and maintenance; docs/ARCHITECTURE.md "Admin states").
 *
 * `minidfs admin safemode get|enter|leave|wait`: the NameNode's safe mode, like
 * `hdfs dfsadmin -safemode`. `enter` holds until `leave` (the NameNode's startup rules never end an
 * operator's safe mode); `leave` ends safe mode whatever kept it on (blocks without a reported
 * replica are then missing: see fsck); `wait` returns once safe mode is off (exit 1 if
 * --timeout-ms passes first).
 */
import { Argument, Command } from 'commander';
import { DfsClient, type SafeModeAction, type SafeModeStatus } from '@minidfs/client';
import { InvalidArgumentError as CliArgumentError } from 'commander';
import { InvalidArgumentError, SafeModeError, createLogger, silentLogger } from '@minidfs/common';
import { parseDurationMs } from '@minidfs/sim';
import { type TlsFlags, addTlsOptions, intArg, opt, tlsFrom, namenodesOption } from '../options';

/** How often `safemode wait` asks the NameNode. */
export const SAFE_MODE_POLL_MS = 500;

const ACTIONS = ['get', 'enter', 'leave', 'wait'] as const;

/** Pause between `admin recover-lease --retries` tries (HDFS waits 5 s; a recovery here takes about a heartbeat). */
const RECOVER_LEASE_RETRY_MS = 1_000;

/** One line like HDFS's ("Safe mode is ON"), plus why and how far the block reports are. */
export function describeSafeMode(s: SafeModeStatus): string {
  if (!s.on) return `Safe mode is OFF (${s.reportedBlocks}/${s.totalBlocks} blocks reported)`;
  const why: string[] = [];
  if (s.manual) why.push('entered by an operator: `minidfs admin safemode leave` ends it');
  if (s.startup) {
    const pct = (s.threshold * 100).toFixed(1);
    let startup = `waiting for block reports: ${s.reportedBlocks}/${s.totalBlocks} blocks reported (${pct}% ends it), `
      + `${s.reportedDatanodes}/${s.liveDatanodes} live DataNodes have reported`;
    if (s.autoExitInMs >= 0) startup += `; ends in ${(s.autoExitInMs / 1000).toFixed(1)} s unless a report changes something`;
    why.push(startup);
  }
  return `Safe mode is ON (${why.join('; ')})`;
}

type AdminActionName = 'decommission' | 'recommission' | 'start-maintenance' | 'end-maintenance';

const durationArg = (v: string): number => {
  let ms: number;
  try {
    ms = parseDurationMs(v);
  } catch (err) {
    throw new CliArgumentError((err as Error).message);
  }
  if (!Number.isSafeInteger(Math.round(ms)) || Math.round(ms) < 1) throw new CliArgumentError(`invalid duration ${JSON.stringify(v)}: must be at least 1 ms`);
  return Math.round(ms);
};

async function setAdminState(
  o: { namenode: string; json?: boolean } & TlsFlags, nodeId: string, action: AdminActionName, durationMs = 0,
): Promise<void> {
  const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
  const client = new DfsClient({ namenode: o.namenode, logger, tls: tlsFrom(o), safeModeWaitMs: 0 });
  try {
    const r = await client.setDatanodeAdminState(nodeId, action, durationMs);
    const left = r.adminState === 'ENTERING_MAINTENANCE' || r.adminState === 'IN_MAINTENANCE'
      ? ` (maintenance ends in ${(r.maintenanceExpiresInMs / 1000).toFixed(0)} s)` : '';
    process.stdout.write((o.json ? JSON.stringify(r) : `${r.nodeId}: ${r.adminState}${left}`) + '\n');
  } finally {
    client.close();
  }
}

function adminStateCommand(name: string, description: string): Command {
  return addTlsOptions(new Command(name))
    .description(description)
    .argument('<node>', 'DataNode id (as in minidfs report)')
    .addOption(namenodesOption())
    .option('--json', 'print {"nodeId","adminState","maintenanceExpiresInMs"}');
}

export function adminCommand(): Command {
  const admin = new Command('admin').description('cluster administration, like hdfs dfsadmin');
  admin.addCommand(adminStateCommand('decommission',
    'drain a DataNode: no new replicas or pipelines, each of its blocks gets its full replication elsewhere, then DECOMMISSIONED (safe to remove)')
    .action(async (node: string, o: { namenode: string; json?: boolean } & TlsFlags) => setAdminState(o, node, 'decommission')));
  admin.addCommand(adminStateCommand('recommission', 'return a decommissioning or decommissioned DataNode to NORMAL (the excess replicas are trimmed)')
    .action(async (node: string, o: { namenode: string; json?: boolean } & TlsFlags) => setAdminState(o, node, 'recommission')));
  admin.addCommand(adminStateCommand('maintenance',
    'put a DataNode in maintenance for a while (--for 30m): once its blocks have enough replicas elsewhere, its silence re-replicates nothing until the window ends; --end ends it now')
    .addOption(opt('--for <DURATION>', 'length of the maintenance window: 500ms, 90s, 30m, 4h, 1d', undefined, durationArg))
    .option('--end', 'end the maintenance window now')
    .action(async (node: string, o: { namenode: string; json?: boolean; for?: number; end?: boolean } & TlsFlags) => {
      if (o.end && o.for !== undefined) throw new InvalidArgumentError('give either --for DURATION or --end, not both');
      if (!o.end && o.for === undefined) throw new InvalidArgumentError('maintenance needs a duration (--for 30m) or --end');
      await setAdminState(o, node, o.end ? 'end-maintenance' : 'start-maintenance', o.for ?? 0);
    }));
  admin.addCommand(addTlsOptions(new Command('recover-lease'))
    .description('close a file whose writer died (like hdfs debug recoverLease): once its writer\'s lease soft limit has passed, the file is completed with the bytes its replicas hold; a last block cut mid-write is first recovered (its replicas finalized at the shortest length they hold), which takes a moment; exit 1 if the file is still open after the last try')
    .argument('<path>', 'file open for write (minidfs fsck lists them with their holder)')
    .addOption(namenodesOption())
    .addOption(opt('--retries <N>', 'ask this many times, 1 s apart, until the file is closed', 1, intArg(1, 3600)))
    .option('--json', 'print {"closed","holder","softLimitRemainingMs"}')
    .action(async (p: string, o: { namenode: string; retries: number; json?: boolean } & TlsFlags) => {
      const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
      const client = new DfsClient({ namenode: o.namenode, logger, tls: tlsFrom(o), safeModeWaitMs: 0 });
      try {
        let r = await client.recoverLease(p);
        for (let tries = 1; !r.closed && tries < o.retries; tries += 1) {
          await new Promise((resolve) => setTimeout(resolve, RECOVER_LEASE_RETRY_MS));
          r = await client.recoverLease(p);
        }
        const open = r.softLimitRemainingMs > 0
          ? `still held by ${r.holder}; recoverable in ${Math.ceil(r.softLimitRemainingMs / 1000)} s`
          : `block recovery in progress (was held by ${r.holder}); ask again`;
        process.stdout.write((o.json ? JSON.stringify(r) : r.closed ? `${p}: closed${r.holder ? ` (was held by ${r.holder})` : ''}` : `${p}: ${open}`) + '\n');
        if (!r.closed) process.exitCode = 1;
      } finally {
        client.close();
      }
    }));
  admin.addCommand(addTlsOptions(new Command('safemode'))
    .description('NameNode safe mode (read-only): get the state, enter (held until leave), leave, or wait until it is off')
    .addArgument(new Argument('<action>', 'what to do').choices(ACTIONS))
    .addOption(namenodesOption())
    .addOption(opt('--timeout-ms <MS>', 'wait: give up (exit 1) after this long; 0 = wait for ever', 0, intArg(0, 7 * 24 * 3600_000)))
    .option('--json', 'print the state as JSON: {"on","manual","startup","reportedBlocks","totalBlocks","threshold","liveDatanodes","reportedDatanodes","extensionMs","autoExitInMs"}')
    .action(async (action: string, o: { namenode: string; timeoutMs: number; json?: boolean } & TlsFlags) => {
      const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
      const client = new DfsClient({ namenode: o.namenode, logger, tls: tlsFrom(o), safeModeWaitMs: 0 });
      try {
        let status: SafeModeStatus;
        if (action === 'wait') {
          const deadline = o.timeoutMs > 0 ? Date.now() + o.timeoutMs : Number.POSITIVE_INFINITY;
          for (;;) {
            status = await client.safeMode('get');
            if (!status.on) break;
            if (Date.now() >= deadline) throw new SafeModeError(`still in safe mode after ${o.timeoutMs} ms. ${describeSafeMode(status)}`);
            await new Promise((resolve) => setTimeout(resolve, Math.min(SAFE_MODE_POLL_MS, Math.max(0, deadline - Date.now()))));
          }
        } else {
          status = await client.safeMode(action as SafeModeAction);
        }
        process.stdout.write((o.json ? JSON.stringify(status) : describeSafeMode(status)) + '\n');
      } finally {
        client.close();
      }
    }));
  return admin;
}
