/**
 * The chaos workload: writer loops create new files (write-once, unique paths, seeded contents)
 * and reader loops read back files already acknowledged, for as long as the fault phase runs.
 * Every operation is recorded in `history`: kind, path, start/end (wall clock), acknowledged or
 * not, and the SHA-256 of the bytes written or returned. The checker judges that history; this
 * file only records it.
 *
 * Each loop has its own DfsClient (its own NameNode channel), so one stuck call (a pipeline into a
 * SIGSTOPped node waits for the client's 30 s idle timeout) does not stall the others. stop()
 * stops issuing operations, waits for those in flight (bounded) and closes the clients; an
 * operation still running then is left without an end (indeterminate), which the checker treats
 * like an unacknowledged write.
 */
import crypto from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import type { Prng } from './prng';

export type OpKind = 'write' | 'read';
export type Phase = 'warmup' | 'fault' | 'final';

export interface OpRecord {
  id: number;
  kind: OpKind;
  phase: Phase;
  worker: string;
  path: string;
  /** write: bytes in the file; read: bytes returned. */
  bytes: number;
  startMs: number;
  endMs?: number;
  /** write: acknowledged (writeFile resolved); read: returned bytes. undefined = never finished. */
  ok?: boolean;
  /** write: SHA-256 of the content sent; read: of the bytes returned. */
  sha256?: string;
  error?: string;
}

export interface WorkloadOptions {
  namenode: string;
  /** Directory all files go under (one per scenario). */
  dir: string;
  writers: number;
  readers: number;
  minBytes: number;
  maxBytes: number;
  blockSizeBytes: number;
  replication: number;
  /** Pause between one loop's operations, ms. */
  thinkMs: number;
}

export const DEFAULT_WORKLOAD: Omit<WorkloadOptions, 'namenode' | 'dir'> = {
  writers: 2, readers: 1, minBytes: 1, maxBytes: 200 * 1024, blockSizeBytes: 64 * 1024, replication: 3, thinkMs: 40,
};

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export interface WrittenFile {
  path: string;
  data: Buffer;
  sha256: string;
  /** The write was acknowledged (the NameNode completed the file and writeFile resolved). */
  acked: boolean;
  opId: number;
}

export class Workload {
  readonly history: OpRecord[] = [];
  /** Every file a write was attempted for, acknowledged or not. */
  readonly files = new Map<string, WrittenFile>();
  phase: Phase = 'warmup';
  private readonly clients: DfsClient[] = [];
  private loops: Promise<void>[] = [];
  private stopping = false;
  private nextId = 1;
  private readonly wakeups = new Set<() => void>();

  constructor(readonly options: WorkloadOptions, private readonly rng: Prng) {}

  /** Acknowledged files so far. */
  acked(): WrittenFile[] {
    return [...this.files.values()].filter((f) => f.acked);
  }

  start(): void {
    for (let w = 1; w <= this.options.writers; w++) this.loops.push(this.writerLoop(`writer${w}`, this.rng.fork(`writer${w}`)));
    for (let r = 1; r <= this.options.readers; r++) this.loops.push(this.readerLoop(`reader${r}`, this.rng.fork(`reader${r}`)));
  }

  newClient(): DfsClient {
    const c = new DfsClient({ namenode: this.options.namenode });
    this.clients.push(c);
    return c;
  }

  /** Writes one file and records it (also used by scenarios for their own writes, e.g. a large one). */
  async write(client: DfsClient, worker: string, path: string, data: Buffer, options: { blockSizeBytes?: number; replication?: number } = {},
    onStream?: (stream: ReturnType<DfsClient['createWriteStream']>) => void): Promise<OpRecord> {
    const op: OpRecord = { id: this.nextId++, kind: 'write', phase: this.phase, worker, path, bytes: data.length, startMs: Date.now(), sha256: sha256(data) };
    this.history.push(op);
    const file: WrittenFile = { path, data, sha256: op.sha256!, acked: false, opId: op.id };
    this.files.set(path, file);
    try {
      const stream = client.createWriteStream(path, {
        blockSizeBytes: options.blockSizeBytes ?? this.options.blockSizeBytes, replication: options.replication ?? this.options.replication,
      });
      onStream?.(stream);
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(data);
      });
      op.ok = true;
      file.acked = true;
    } catch (err) {
      op.ok = false;
      op.error = errorText(err);
    }
    op.endMs = Date.now();
    return op;
  }

  /** Reads one file and records what came back. */
  async read(client: DfsClient, worker: string, path: string): Promise<OpRecord> {
    const op: OpRecord = { id: this.nextId++, kind: 'read', phase: this.phase, worker, path, bytes: 0, startMs: Date.now() };
    this.history.push(op);
    try {
      const data = await client.readFile(path);
      op.ok = true;
      op.bytes = data.length;
      op.sha256 = sha256(data);
    } catch (err) {
      op.ok = false;
      op.error = errorText(err);
    }
    op.endMs = Date.now();
    return op;
  }

  private async writerLoop(worker: string, rng: Prng): Promise<void> {
    const client = this.newClient();
    for (let seq = 1; !this.stopping; seq++) {
      const size = rng.int(this.options.minBytes, this.options.maxBytes);
      const op = await this.write(client, worker, `${this.options.dir}/${worker}/f${seq}`, rng.bytes(size));
      // After a failure (NameNode down, no pipeline) back off a little instead of spinning.
      await this.think(op.ok ? this.options.thinkMs : this.options.thinkMs * 5);
    }
  }

  private async readerLoop(worker: string, rng: Prng): Promise<void> {
    const client = this.newClient();
    while (!this.stopping) {
      const acked = this.acked();
      if (acked.length === 0) {
        await this.think(this.options.thinkMs);
        continue;
      }
      const op = await this.read(client, worker, rng.pick(acked).path);
      await this.think(op.ok ? this.options.thinkMs : this.options.thinkMs * 5);
    }
  }

  private think(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.wakeups.delete(done); resolve(); };
      const timer = setTimeout(done, ms);
      this.wakeups.add(done);
    });
  }

  /**
   * Stops issuing operations and waits up to `drainTimeoutMs` for those in flight; then closes the
   * clients (cancelling anything left). Returns how long the drain took and how many were left.
   */
  async stop(drainTimeoutMs: number): Promise<{ drainMs: number; pending: number }> {
    this.stopping = true;
    for (const wake of [...this.wakeups]) wake();
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, drainTimeoutMs); }),
    ]);
    clearTimeout(timer);
    const pending = this.history.filter((o) => o.endMs === undefined).length;
    this.close();
    return { drainMs: Date.now() - t0, pending };
  }

  close(): void {
    for (const c of this.clients.splice(0)) c.close();
  }

  /** Stops at once without draining (the cluster is gone): loops end, clients close, calls in flight fail. */
  abort(): void {
    this.stopping = true;
    for (const wake of [...this.wakeups]) wake();
    this.close();
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}${(err as { code?: string }).code ? ` ${(err as { code?: string }).code}` : ''}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
