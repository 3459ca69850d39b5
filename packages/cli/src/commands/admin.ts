/**
 * `minidfs admin safemode get|enter|leave|wait`: the NameNode's safe mode, like
 * `hdfs dfsadmin -safemode`. `enter` holds until `leave` (the NameNode's startup rules never end an
 * operator's safe mode); `leave` ends safe mode whatever kept it on (blocks without a reported
 * replica are then missing: see fsck); `wait` returns once safe mode is off (exit 1 if
 * --timeout-ms passes first).
 */
import { Argument, Command } from 'commander';
import { DfsClient, type SafeModeAction, type SafeModeStatus } from '@minidfs/client';
import { SafeModeError, createLogger, silentLogger } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, intArg, opt, tlsFrom } from '../options';

/** How often `safemode wait` asks the NameNode. */
export const SAFE_MODE_POLL_MS = 500;

const ACTIONS = ['get', 'enter', 'leave', 'wait'] as const;

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

export function adminCommand(): Command {
  const admin = new Command('admin').description('cluster administration, like hdfs dfsadmin');
  admin.addCommand(addTlsOptions(new Command('safemode'))
    .description('NameNode safe mode (read-only): get the state, enter (held until leave), leave, or wait until it is off')
    .addArgument(new Argument('<action>', 'what to do').choices(ACTIONS))
    .addOption(opt('--namenode <HOST:PORT>', 'NameNode RPC address', 'localhost:8020'))
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
