/**
 * Process supervision for `minidfs cluster` and the nodes it starts: no child outlives its
 * supervisor, and a second cluster on the same data dir or ports is refused before it starts
 * anything.
 *
 * - A node started by the supervisor has an IPC channel to it; the channel closes when the
 *   supervisor exits for any reason (SIGKILL included), and the node then stops as on SIGTERM.
 * - The supervisor watches its own parent: `npm start` does not pass SIGTERM on, so when npm is
 *   killed the supervisor is re-parented and stops the cluster itself.
 * - Pid files (`cluster.pid`, a DataNode's `datanode.pid`) are locks: one live owner per data dir.
 *   A pid file whose process is gone is stale and taken over.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pidAlive } from '@minidfs/common';

/** How often the supervisor checks whether its parent process is still the one that started it. */
export const PARENT_WATCH_INTERVAL_MS = 500;

/** Calls onLost once when the IPC channel to the supervising process closes (the supervisor is gone). */
export function stopWithSupervisor(onLost: () => void): void {
  if (!process.channel) return;
  process.once('disconnect', onLost);
  // The channel must not keep the node alive by itself.
  process.channel.unref();
}

/** Calls onOrphaned once when this process's parent changes (it died and we were re-parented). */
export function watchParent(onOrphaned: () => void): () => void {
  const original = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== original) {
      clearInterval(timer);
      onOrphaned();
    }
  }, PARENT_WATCH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The live process holding `file`, or undefined when the file is absent or stale. */
export function lockHolder(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid) ? pid : undefined;
}

export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  constructor(readonly file: string, readonly pid: number) {
    super(`${path.dirname(file)} is in use by process ${pid} (${path.basename(file)})`);
  }
}

/**
 * Takes the pid-file lock `file` for this process; throws LockHeldError while another live
 * process holds it. Returns a release function (also run on exit).
 */
export function acquirePidLock(file: string): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      const release = () => {
        if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(file);
      if (holder !== undefined) throw new LockHeldError(file, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Resolves to the ports (of those given) that something already listens on at `host`. */
export async function busyPorts(host: string, ports: number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    if (port === 0) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}
