/**
 * `minidfs ha status` and `minidfs ha failover`: the NameNode HA group named by --namenode
 * (comma-separated), like `hdfs haadmin -getAllServiceState` and `-failover`.
 *
 * `status` asks every configured NameNode for its role and epoch (GetHaStatus) in parallel, each
 * within HA_STATUS_DEADLINE_MS; one that does not answer is UNREACHABLE, a NameNode without HA is
 * NONE. Exit code 0 only when exactly one NameNode is ACTIVE (so 1 against NameNodes without HA).
 *
 * `failover` finds the ACTIVE (the highest epoch if several claim it), asks it to hand over
 * (HaFailover), then polls GetHaStatus until a NameNode is ACTIVE with a higher epoch than the
 * resigned one, and prints it; exit 1 if none is within --wait-ms. If the answer to HaFailover is
 * lost (no connection: a resigning NameNode may exit before answering), it waits the same way for
 * an epoch above the one the active held, saying so on stderr.
 */
import { Command } from 'commander';
import { DfsClient, type NameNodeHaStatus } from '@minidfs/client';
import { DfsError, NotActiveError, UnavailableError, createLogger, silentLogger } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, intArg, namenodesOption, opt, tlsFrom } from '../options';

/** How long `ha failover` waits for a new active by default. */
export const HA_FAILOVER_WAIT_MS = 15_000;
/** How often `ha failover` asks the NameNodes while it waits. */
export const HA_FAILOVER_POLL_MS = 200;

/** Roles as printed: NONE is a NameNode without HA, UNREACHABLE one that did not answer. */
export type HaRoleJson = NameNodeHaStatus['role'];

/** `ha status --json`, and `report --json`'s `namenodes`. */
export interface HaStatusJson {
  namenodes: Array<{ address: string; role: HaRoleJson; epoch: number; error?: string }>;
}

export function haStatusJson(statuses: readonly NameNodeHaStatus[]): HaStatusJson['namenodes'] {
  return statuses.map((s) => ({ address: s.address, role: s.role, epoch: s.epoch, ...(s.role === 'UNREACHABLE' ? { error: s.error ?? '' } : {}) }));
}

/** One line per NameNode: address, role, epoch (NONE: "NONE (HA off)"; UNREACHABLE: the error). */
export function formatHaStatus(namenodes: HaStatusJson['namenodes']): string[] {
  const width = Math.max(...namenodes.map((n) => n.address.length));
  return namenodes.map((n) => {
    const address = n.address.padEnd(width);
    if (n.role === 'UNREACHABLE') return `${address}  UNREACHABLE  ${n.error ?? ''}`.trimEnd();
    if (n.role === 'NONE') return `${address}  NONE (HA off)`;
    return `${address}  ${n.role.padEnd(7)}  epoch ${n.epoch}`;
  });
}

interface HaFlags extends TlsFlags { namenode: string }

async function withClient<T>(o: HaFlags, fn: (client: DfsClient) => Promise<T>): Promise<T> {
  const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
  const client = new DfsClient({ namenode: o.namenode, logger, tls: tlsFrom(o), safeModeWaitMs: 0 });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

function statusCommand(): Command {
  return addTlsOptions(new Command('status'))
    .description('each configured NameNode\'s role (ACTIVE, STANDBY, NONE without HA, UNREACHABLE) and epoch; exit code 0 only if exactly one is ACTIVE')
    .addOption(namenodesOption())
    .option('--json', 'print {"namenodes":[{"address","role":"ACTIVE"|"STANDBY"|"NONE"|"UNREACHABLE","epoch","error"}]} ("error" only when UNREACHABLE)')
    .action(async (o: HaFlags & { json?: boolean }) => {
      const namenodes = haStatusJson(await withClient(o, (client) => client.haStatus()));
      process.stdout.write((o.json ? JSON.stringify({ namenodes }) : formatHaStatus(namenodes).join('\n')) + '\n');
      if (namenodes.filter((n) => n.role === 'ACTIVE').length !== 1) process.exitCode = 1;
    });
}

function failoverCommand(): Command {
  return addTlsOptions(new Command('failover'))
    .description('graceful hand-over: the ACTIVE NameNode resigns, a STANDBY takes over with a higher epoch; prints the new active (exit 1 if none within --wait-ms)')
    .addOption(namenodesOption())
    .addOption(opt('--wait-ms <MS>', 'how long to wait for the new active', HA_FAILOVER_WAIT_MS, intArg(0, 24 * 3600_000)))
    .action(async (o: HaFlags & { waitMs: number }) => {
      await withClient(o, async (client) => {
        const before = await client.haStatus();
        const actives = before.filter((s) => s.role === 'ACTIVE').sort((a, b) => b.epoch - a.epoch);
        // Without an ACTIVE, a NameNode without HA answers HaFailover with INVALID_ARGUMENT and says why.
        const target = actives[0] ?? before.find((s) => s.role === 'NONE');
        if (!target) {
          throw new NotActiveError(`no ACTIVE NameNode to fail over: ${formatHaStatus(haStatusJson(before)).join('; ')}`);
        }
        const started = Date.now();
        let resignedEpoch: number;
        try {
          ({ resignedEpoch } = await client.haFailover(target.address));
        } catch (err) {
          // The answer was lost (the resigning NameNode may exit at once): it may have resigned; wait
          // for an active past the epoch it held. Any answer from the NameNode is the command's error.
          if (!(err instanceof UnavailableError) || target.role !== 'ACTIVE') throw err;
          resignedEpoch = target.epoch;
          process.stderr.write(`minidfs: no answer to HaFailover from ${target.address} (${err.message}); waiting for a new active past epoch ${resignedEpoch}\n`);
        }
        const deadline = started + o.waitMs;
        for (;;) {
          const now = await client.haStatus();
          const next = now.filter((s) => s.role === 'ACTIVE' && s.epoch > resignedEpoch).sort((a, b) => b.epoch - a.epoch)[0];
          if (next) {
            process.stdout.write(`${target.address} resigned epoch ${resignedEpoch}; new active ${next.address} (epoch ${next.epoch}) after ${Date.now() - started} ms\n`);
            return;
          }
          if (Date.now() >= deadline) {
            throw new DfsError('UNAVAILABLE', `${target.address} resigned epoch ${resignedEpoch}, but no NameNode became ACTIVE with a higher epoch within ${o.waitMs} ms: `
              + formatHaStatus(haStatusJson(now)).join('; '));
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(HA_FAILOVER_POLL_MS, Math.max(0, deadline - Date.now()))));
        }
      });
    });
}

export function haCommand(): Command {
  return new Command('ha')
    .description('NameNode high availability: role of each NameNode, graceful failover (give every NameNode in --namenode, comma-separated)')
    .addCommand(statusCommand())
    .addCommand(failoverCommand());
}
