/**
 * File-system commands over DfsClient, like `hdfs dfs`: put, get, cat, ls, rm, mkdir, stat. Each
 * command opens one client, does its work and closes it. Output goes to stdout; nothing else is
 * printed except a progress bar on stderr for put/get of more than 1 MiB when stderr is a TTY.
 * Errors propagate to main.ts, which prints `minidfs: CODE: message` and exits 1. `get` writes to
 * `LOCAL._COPYING_` and renames on success (as hdfs does), so a failed get leaves no partial file.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as cliProgress from 'cli-progress';
import { Command } from 'commander';
import { DfsClient, type FileStatus, IsADirectoryError, baseName, joinPath } from '@minidfs/client';
import { DfsError, FileAlreadyExistsError, FileNotFoundError, createLogger, silentLogger } from '@minidfs/common';
import { type TlsFlags, addTlsOptions, intArg, opt, tlsFrom, namenodesOption } from '../options';
import { fetchFsck } from './fsck';

/** Transfers larger than this get a progress bar (when stderr is a TTY). */
export const PROGRESS_MIN_BYTES = 1024 * 1024;
/** Read size for local files fed to `put`. */
const LOCAL_READ_CHUNK_BYTES = 1024 * 1024;

interface NamenodeFlag extends TlsFlags { namenode: string }

function namenodeOption() {
  return namenodesOption();
}

/** Client logs (JSON on stderr) only when MINIDFS_LOG_LEVEL asks for them: commands print nothing extra. */
async function withClient<T>(o: NamenodeFlag, fn: (client: DfsClient) => Promise<T>): Promise<T> {
  const logger = process.env.MINIDFS_LOG_LEVEL ? createLogger('client') : silentLogger();
  const client = new DfsClient({ namenode: o.namenode, logger, tls: tlsFrom(o) });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function statOrUndefined(client: DfsClient, p: string): Promise<FileStatus | undefined> {
  try {
    return await client.stat(p);
  } catch (err) {
    if (err instanceof FileNotFoundError) return undefined;
    throw err;
  }
}

/** A pass-through that advances a progress bar, or nothing when no bar should be shown. */
function progress(totalBytes: number | undefined): { meter: Transform; stop: () => void } {
  const show = process.stderr.isTTY === true && totalBytes !== undefined && totalBytes > PROGRESS_MIN_BYTES;
  const bar = show
    ? new cliProgress.SingleBar(
      { stream: process.stderr, format: '{bar} {percentage}% | {value}/{total} bytes | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
    : undefined;
  bar?.start(totalBytes!, 0);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bar?.increment(chunk.length);
      callback(null, chunk);
    },
  });
  return { meter, stop: () => bar?.stop() };
}

function pad(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** Entries `ls` formats and prints at once (columns are aligned within one batch). */
const LS_BATCH_ENTRIES = 1000;

/** Marks a file in `ls` that is still open for write (created, not completed), as HDFS fsck -openforwrite names it. */
export const OPEN_FOR_WRITE_MARKER = '[OPENFORWRITE]';

/** `ls` lines: type, replication ('-' for directories), size, mtime, path, and OPEN_FOR_WRITE_MARKER after an open file's path. */
export function formatListing(entries: readonly FileStatus[]): string[] {
  return pad(entries.map((e) => [
    e.isDirectory ? 'd' : '-', e.isDirectory ? '-' : String(e.replication), String(e.lengthBytes), formatTime(e.modificationTimeMs),
    !e.isDirectory && !e.complete ? `${e.path} ${OPEN_FOR_WRITE_MARKER}` : e.path,
  ]), new Set([1, 2]));
}

function putCommand(): Command {
  return new Command('put')
    .description('copy a local file (or - for stdin) into minidfs; into REMOTE/<name> if REMOTE is a directory')
    .argument('<LOCAL>', 'local file, or - for stdin')
    .argument('<REMOTE>', 'absolute minidfs path')
    .addOption(namenodeOption())
    .addOption(opt('--replication <N>', "replication factor (default: the NameNode's)", undefined, intArg(1, 32)))
    .addOption(opt('--block-size <BYTES>', "block size, a multiple of 512 (default: the NameNode's)", undefined, intArg(512, 32 * 2 ** 30)))
    .action(async (local: string, remote: string, o: NamenodeFlag & { replication?: number; blockSize?: number }) => {
      const size = local === '-' ? undefined : (await fsp.stat(local)).size;
      await withClient(o, async (client) => {
        const existing = await statOrUndefined(client, remote);
        const target = existing?.isDirectory && local !== '-' ? joinPath(remote, path.basename(local)) : remote;
        const source: Readable = local === '-' ? process.stdin : fs.createReadStream(local, { highWaterMark: LOCAL_READ_CHUNK_BYTES });
        const sink = client.createWriteStream(target, { replication: o.replication, blockSizeBytes: o.blockSize });
        const bar = progress(size);
        try {
          await pipeline(source, bar.meter, sink);
        } finally {
          bar.stop();
        }
      });
    });
}

function getCommand(): Command {
  return new Command('get')
    .description('copy a minidfs file to a local file (into LOCAL/<name> if LOCAL is a directory)')
    .argument('<REMOTE>', 'absolute minidfs path')
    .argument('<LOCAL>', 'local file or directory')
    .option('-f, --force', 'overwrite an existing local file')
    .addOption(namenodeOption())
    .action(async (remote: string, local: string, o: NamenodeFlag & { force?: boolean }) => {
      await withClient(o, async (client) => {
        const status = await client.stat(remote);
        if (status.isDirectory) throw new IsADirectoryError(`${remote} is a directory`);
        const localStat = await fsp.stat(local).catch(() => undefined);
        const target = localStat?.isDirectory() ? path.join(local, baseName(remote)) : local;
        if (!o.force && (await fsp.stat(target).catch(() => undefined))) throw new FileAlreadyExistsError(`local file ${target} exists (use -f to overwrite)`);
        const copying = `${target}._COPYING_`;
        const bar = progress(status.lengthBytes);
        try {
          await pipeline(client.createReadStream(remote), bar.meter, fs.createWriteStream(copying));
          await fsp.rename(copying, target);
        } catch (err) {
          await fsp.rm(copying, { force: true });
          throw err;
        } finally {
          bar.stop();
        }
      });
    });
}

function catCommand(): Command {
  return new Command('cat')
    .description('print a minidfs file to stdout')
    .argument('<REMOTE>', 'absolute minidfs path')
    .addOption(namenodeOption())
    .action(async (remote: string, o: NamenodeFlag) => {
      await withClient(o, async (client) => {
        try {
          await pipeline(client.createReadStream(remote), process.stdout);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EPIPE') return; // reader went away (`| head`)
          throw err;
        }
      });
    });
}

function lsCommand(): Command {
  return new Command('ls')
    .description('list a directory (or a file): type, replication, size, modification time, path; a file still open for write ends with [OPENFORWRITE]')
    .argument('[PATH]', 'absolute minidfs path', '/')
    .option('-R, --recursive', 'list subdirectories recursively')
    .addOption(namenodeOption())
    .action(async (p: string, o: NamenodeFlag & { recursive?: boolean }) => {
      await withClient(o, async (client) => {
        const top = await client.stat(p);
        // Streams: the NameNode lists in pages (1,000 entries); lines go out in batches of
        // LS_BATCH_ENTRIES, columns aligned within a batch, so a huge directory is never held whole.
        let batch: FileStatus[] = [];
        const flush = () => {
          if (batch.length > 0) process.stdout.write(formatListing(batch).join('\n') + '\n');
          batch = [];
        };
        let first = true;
        const walk = async (dir: string): Promise<void> => {
          for await (const page of client.listPages(dir)) {
            if (first && top.isDirectory && !o.recursive) process.stdout.write(`Found ${page.entries.length + page.remaining} items\n`);
            first = false;
            for (const e of page.entries) {
              batch.push(e);
              if (batch.length >= LS_BATCH_ENTRIES) flush();
              if (o.recursive && e.isDirectory) await walk(e.path);
            }
          }
        };
        await walk(p);
        flush();
      });
    });
}

function rmCommand(): Command {
  return new Command('rm')
    .description('delete a file, or a directory with -r')
    .argument('<PATH>', 'absolute minidfs path')
    .option('-r, --recursive', 'delete a directory and everything below it')
    .addOption(namenodeOption())
    .action(async (p: string, o: NamenodeFlag & { recursive?: boolean }) => {
      await withClient(o, async (client) => {
        const status = await client.stat(p);
        if (status.isDirectory && !o.recursive) throw new IsADirectoryError(`${p} is a directory (use -r)`);
        if (!(await client.delete(p, { recursive: o.recursive === true }))) throw new FileNotFoundError(`${p} does not exist`);
        process.stdout.write(`Deleted ${p}\n`);
      });
    });
}

/** How often `setrep -w` asks fsck whether the replicas match the new factor. */
const SETREP_POLL_MS = 500;

function setrepCommand(): Command {
  return new Command('setrep')
    .description('change the replication factor of a file, or with -R of every file below a directory (like hdfs dfs -setrep); -w waits until the replicas match')
    .argument('<N>', 'replication factor', intArg(1, 32))
    .argument('<PATH>', 'absolute minidfs path')
    .option('-R, --recursive', 'every file below a directory')
    .option('-w, --wait', 'wait until every block has exactly N live replicas (fsck healthy under PATH)')
    .addOption(namenodeOption())
    .action(async (n: number, p: string, o: NamenodeFlag & { recursive?: boolean; wait?: boolean }) => {
      await withClient(o, async (client) => {
        const status = await client.stat(p);
        if (status.isDirectory && !o.recursive) throw new IsADirectoryError(`${p} is a directory (use -R)`);
        const files: string[] = [];
        const walk = async (dir: string): Promise<void> => {
          for await (const page of client.listPages(dir)) {
            for (const e of page.entries) {
              if (e.isDirectory) await walk(e.path);
              else files.push(e.path);
            }
          }
        };
        if (status.isDirectory) await walk(status.path);
        else files.push(status.path);
        for (const f of files) {
          await client.setReplication(f, n);
          process.stdout.write(`Replication ${n} set: ${f}\n`);
        }
        if (!o.wait) return;
        process.stdout.write(`Waiting for ${files.length} file(s) to reach replication ${n} ...`);
        for (;;) {
          const f = await fetchFsck(o.namenode, status.path, undefined, tlsFrom(o));
          if (f.underReplicated + f.overReplicated + f.pendingReplications === 0) break;
          if (f.noTarget > 0) throw new DfsError('NOT_ENOUGH_DATANODES', `${f.noTarget} block(s) under ${status.path} have no DataNode to be copied to`);
          await new Promise((r) => setTimeout(r, SETREP_POLL_MS));
        }
        process.stdout.write(' done\n');
      });
    });
}

function mkdirCommand(): Command {
  return new Command('mkdir')
    .description('create a directory')
    .argument('<PATH>', 'absolute minidfs path')
    .option('-p, --parents', 'create missing parents; no error if the directory exists')
    .addOption(namenodeOption())
    .action(async (p: string, o: NamenodeFlag & { parents?: boolean }) => {
      await withClient(o, (client) => client.mkdir(p, { parents: o.parents === true }));
    });
}

function statCommand(): Command {
  return new Command('stat')
    .description('print a file or directory status as JSON: {"path","isDirectory","lengthBytes","replication","blockSizeBytes","modificationTimeMs","complete","blockCount"}')
    .argument('<PATH>', 'absolute minidfs path')
    .addOption(namenodeOption())
    .action(async (p: string, o: NamenodeFlag) => {
      await withClient(o, async (client) => {
        process.stdout.write(JSON.stringify(await client.stat(p)) + '\n');
      });
    });
}

/** put, get, cat, ls, rm, mkdir, stat. */
export function fsCommands(): Command[] {
  return [putCommand(), getCommand(), catCommand(), lsCommand(), rmCommand(), mkdirCommand(), statCommand(), setrepCommand()].map(addTlsOptions);
}
