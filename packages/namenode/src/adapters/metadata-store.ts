/**
 * MetadataStore: the NameNode's durable metadata, a thin layer over LevelDB (classic-level).
 * Keys are the core's flat strings, values JSON. `apply(records)` writes one mutation's records
 * as a single atomic batch with `sync: true` (fsync of the LevelDB log), so a mutation is either
 * wholly on disk or not at all, and one that was acknowledged survives kill -9 and power loss.
 *
 * Order: applies are written in call order (LevelDB runs async writes on a thread pool, which
 * would not keep it). Applies that arrive while a write is in flight are merged into the next
 * batch (group commit: one fsync for many mutations, each still all-or-nothing). An empty apply
 * resolves only once every earlier apply is durable, so "no change needed" answers never get
 * ahead of the state they describe. A failed write poisons the store: every later apply rejects,
 * because memory is now ahead of disk and the process should stop.
 */
import { ClassicLevel } from 'classic-level';
import { DfsError } from '@minidfs/common';
import type { StoredRecord } from '../core/namespace';

export interface StoredEntry {
  key: string;
  value: unknown;
}

/**
 * Where a NameNode's records are durable: this LevelDB store, or etcd for an HA pair
 * (adapters/etcd-edit-log.ts). `apply` resolves once the records and every earlier apply's are
 * durable; a rejection means memory is ahead of the store.
 */
export interface RecordStore {
  loadRecords(): Promise<StoredEntry[]>;
  apply(records: readonly StoredRecord[]): Promise<void>;
  close(): Promise<void>;
}

type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

interface PendingApply {
  ops: BatchOp[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class MetadataStore implements RecordStore {
  private queue: PendingApply[] = [];
  private writing = false;
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly db: ClassicLevel<string, string>) {}

  /** Opens (creating if missing) the store in `dir`. Fails if another process holds it. */
  static async open(dir: string): Promise<MetadataStore> {
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    return new MetadataStore(db);
  }

  /** Every record, in key order. */
  async loadRecords(): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for await (const [key, raw] of this.db.iterator()) {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new DfsError('INTERNAL', `metadata store: value of ${JSON.stringify(key)} is not JSON`);
      }
      out.push({ key, value });
    }
    return out;
  }

  /** Writes `records` atomically and durably; resolves once they (and all earlier applies) are on disk. */
  apply(records: readonly StoredRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new DfsError('UNAVAILABLE', 'metadata store is closed'));
    let ops: BatchOp[];
    try {
      ops = records.map((r): BatchOp => ('deleted' in r && r.deleted === true ? { type: 'del', key: r.key } : { type: 'put', key: r.key, value: JSON.stringify((r as { value: unknown }).value) }));
    } catch (err) {
      return Promise.reject(err);
    }
    if (ops.length === 0 && !this.writing) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  /** Waits for pending writes, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.apply([]);
    } finally {
      this.closed = true;
      await this.db.close();
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      const ops = group.flatMap((g) => g.ops);
      try {
        if (ops.length > 0) await this.db.batch(ops, { sync: true });
      } catch (err) {
        this.failure = new DfsError('INTERNAL', `metadata store write failed: ${err instanceof Error ? err.message : String(err)}`);
        for (const g of [...group, ...this.queue]) g.reject(this.failure);
        this.queue = [];
        break;
      }
      for (const g of group) g.resolve();
    }
    this.writing = false;
  }
}
