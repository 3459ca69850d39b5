/**
 * The `minidfs` command line. Every flag can also come from MINIDFS_<FLAG> (flags win).
 * Errors from the cluster are printed as `minidfs: CODE: message` with exit code 1.
 */
import { Command, CommanderError } from 'commander';
import { DfsError } from '@minidfs/common';
import { adminCommand } from './commands/admin';
import { clusterCommand } from './commands/cluster';
import { datanodeCommand } from './commands/datanode';
import { fsCommands } from './commands/fs';
import { fsckCommand } from './commands/fsck';
import { haCommand } from './commands/ha';
import { loadgenCommand } from './commands/loadgen';
import { namenodeCommand } from './commands/namenode';
import { reportCommand } from './commands/report';
import { simCommand } from './commands/sim';

export function buildProgram(): Command {
  const program = new Command('minidfs')
    .description('minidfs: an HDFS-style distributed block store with heartbeat-based failure detection')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(clusterCommand())
    .addCommand(namenodeCommand())
    .addCommand(datanodeCommand())
    .addCommand(reportCommand())
    .addCommand(fsckCommand())
    .addCommand(adminCommand())
    .addCommand(haCommand())
    .addCommand(simCommand())
    .addCommand(loadgenCommand());
  for (const c of fsCommands()) program.addCommand(c);
  return program;
}

/** HDFS's single-dash long options that users type from habit, as this CLI spells them. */
const HDFS_SPELLINGS: Readonly<Record<string, string>> = { '-openforwrite': '--openforwrite' };

function hdfsSpellings(argv: readonly string[]): string[] {
  return argv.map((a) => HDFS_SPELLINGS[a] ?? a);
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(hdfsSpellings(process.argv));
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    const message = err instanceof DfsError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`minidfs: ${message}\n`);
    process.exit(1);
  }
}

void main();
