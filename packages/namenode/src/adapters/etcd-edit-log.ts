/**
 * EtcdEditLog: the namespace of an HA NameNode pair, kept in etcd (docs/HA.md).
 *
 * Every namespace or admin record is one etcd key, `<prefix>ns/<record key>` = its JSON value;
 * the key space is the checkpoint, and etcd's revision history of that prefix is the ordered
 * edit log: one committed mutation (a group of them under load) is one etcd transaction, so one
 * revision. Standbys read the prefix at a revision and then watch it from the next one
 * (`tail`), applying each revision's records in order; compaction of etcd's history bounds the
 * log (a standby that falls behind a compaction reloads).
 *
 * Fencing: a write is a transaction that succeeds only while the leader key's create revision is
 * still this NameNode's epoch (`fence(epoch)`); a deposed active's write fails with
 * NotActiveError and changes nothing. Every write also sets `<prefix>edit` (epoch, time), whose
 * mod revision tells a new active how far it must have tailed before it takes over.
 *
 * Queue and grouping are MetadataStore's: applies are written in call order, those that arrive
 * while a transaction runs go into the next one, and one reply waits only for its own records
 * (and every earlier one). A group larger than MAX_TXN_OPS is split at mutation boundaries; a
 * single mutation larger than that (a recursive delete of a big directory) is split too, and is
 * then atomic per part only (its reply still waits for every part).
 */
import { type Etcd3, type IOperation } from 'etcd3';
import { DfsError, type Logger, NotActiveError } from '@minidfs/common';
import type { StoredRecord } from '../core/namespace';
import type { RecordStore, StoredEntry } from './metadata-store';

/** etcd's default --max-txn-ops; one op is kept for the `edit` marker. */
export const MAX_TXN_OPS = 128;
/**
 * Revisions of etcd history the active keeps: it compacts everything older once the log has
 * grown by as much again. A standby more than this far behind (stopped, cut off) reloads.
 */
export const EDIT_HISTORY_REVISIONS = 10_000;
/**
 * A write etcd did not answer (a member down, a leader election) is sent again, 50 ms doubling to
 * 1 s, for this long before the edit log gives up (the process then exits and reloads). Sending a
 * transaction again is safe: it sets keys to the values of one mutation group, nothing later was
 * queued behind it yet, and the fencing compare still applies.
 */
export const EDIT_RETRY_BUDGET_MS = 30_000;
const EDIT_RETRY_FIRST_MS = 50;
const EDIT_RETRY_MAX_MS = 1000;
/** Deadline of one etcd write or read. */
export const ETCD_CALL_TIMEOUT_MS = 5_000;

export interface EtcdKeys {
  /** `<prefix>leader`: the elected NameNode, bound to its lease; its create revision is the epoch. */
  leader: string;
  /** `<prefix>ns/`: the namespace records. */
  ns: string;
  /** `<prefix>edit`: set by every write (the last edit's epoch). */
  edit: string;
  /** `<prefix>cluster-id`: the cluster's storage identity, created once. */
  clusterId: string;
  /** `<prefix>members/<id>`: each running NameNode, bound to its lease. */
  members: string;
}

export function etcdKeys(prefix: string): EtcdKeys {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return { leader: `${p}leader`, ns: `${p}ns/`, edit: `${p}edit`, clusterId: `${p}cluster-id`, members: `${p}members/` };
}

type Op = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

interface PendingApply {
  ops: Op[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One revision of the edit log as a standby applies it. */
export interface TailedEdit {
  revision: number;
  records: StoredRecord[];
}

export class EtcdEditLog implements RecordStore {
  private queue: PendingApply[] = [];
  private writing = false;
  private failure: Error | undefined;
  private closed = false;
  private epoch: number | undefined;
  /** The revision the namespace was loaded at (loadRecords), then the last revision tailed. */
  revision = 0;
  private watcher: { cancel(): Promise<void> } | undefined;

  /** Transactions etcd refused because another NameNode leads (for /metrics). */
  fencedEdits = 0;
  /** The revision history was last compacted to (the active's bound on the log). */
  private compactedTo = 0;
  private compacting = false;

  constructor(
    private readonly client: Etcd3, private readonly keys: EtcdKeys, private readonly logger: Logger,
    private readonly historyRevisions = EDIT_HISTORY_REVISIONS,
  ) {}

  /** Every record under the ns/ prefix, in key order, at one revision (kept in `revision`). */
  async loadRecords(): Promise<StoredEntry[]> {
    const res = await this.client.getAll().prefix(this.keys.ns).options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).exec();
    this.revision = Number(res.header.revision);
    return res.kvs.map((kv) => ({ key: kv.key.toString().slice(this.keys.ns.length), value: parseValue(kv.key.toString(), kv.value) }));
  }

  /** From now on writes are made as leader of `epoch` (the leader key's create revision). */
  fence(epoch: number): void {
    this.epoch = epoch;
  }

  apply(records: readonly StoredRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new DfsError('UNAVAILABLE', 'edit log is closed'));
    if (records.length && this.epoch === undefined) return Promise.reject(new NotActiveError('this NameNode is a standby: it writes no edits'));
    const ops = records.map((r): Op => ('deleted' in r && r.deleted === true
      ? { type: 'del', key: this.keys.ns + r.key }
      : { type: 'put', key: this.keys.ns + r.key, value: JSON.stringify((r as { value: unknown }).value) }));
    if (ops.length === 0 && !this.writing) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Groups of whole mutations up to MAX_TXN_OPS - 1 ops (one is the edit marker).
      let n = 0;
      let size = 0;
      while (n < this.queue.length && (n === 0 || size + this.queue[n]!.ops.length < MAX_TXN_OPS)) size += this.queue[n++]!.ops.length;
      const group = this.queue.splice(0, n);
      try {
        const ops = group.flatMap((g) => g.ops);
        for (let i = 0; i === 0 || i < ops.length; i += MAX_TXN_OPS - 1) await this.commit(ops.slice(i, i + MAX_TXN_OPS - 1));
      } catch (err) {
        this.failure = err instanceof NotActiveError ? err
          : new DfsError('UNAVAILABLE', `edit log write failed: ${err instanceof Error ? err.message : String(err)}`);
        for (const g of [...group, ...this.queue]) g.reject(this.failure);
        this.queue = [];
        break;
      }
      for (const g of group) g.resolve();
    }
    this.writing = false;
  }

  /** One fenced transaction. An empty one (only waiting for earlier writes) writes nothing. */
  private async commit(ops: Op[]): Promise<void> {
    if (ops.length === 0) return;
    const epoch = this.epoch;
    if (epoch === undefined) throw new NotActiveError('this NameNode is a standby: it writes no edits');
    // etcd refuses a transaction naming a key twice; grouped mutations may (a parent's time): the last write wins.
    const last = new Map<string, Op>();
    for (const o of ops) {
      last.delete(o.key);
      last.set(o.key, o);
    }
    const txOps: IOperation[] = [...last.values()].map((o) => (o.type === 'put' ? this.client.put(o.key).value(o.value) : this.client.delete().key(o.key)));
    txOps.push(this.client.put(this.keys.edit).value(JSON.stringify({ epoch })));
    const res = await this.sendWithRetry(() => this.client.if(this.keys.leader, 'Create', '==', epoch).then(...txOps)
      .options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).commit(), ops.length);
    if (res.succeeded) this.maybeCompact(Number(res.header.revision));
    if (!res.succeeded) {
      this.fencedEdits += 1;
      this.logger.error('edit refused by etcd: this NameNode is no longer the leader', { event: 'ha-edit-fenced', epoch, ops: ops.length });
      throw new NotActiveError(`edit of epoch ${epoch} refused: another NameNode leads now`);
    }
  }

  private async sendWithRetry<T>(send: () => Promise<T>, ops: number): Promise<T> {
    const started = Date.now();
    for (let delay = EDIT_RETRY_FIRST_MS, attempt = 1; ; delay = Math.min(EDIT_RETRY_MAX_MS, delay * 2), attempt++) {
      try {
        return await send();
      } catch (err) {
        if (Date.now() - started + delay > EDIT_RETRY_BUDGET_MS) throw err;
        this.logger.warn('edit log write not answered; sending it again', {
          event: 'ha-edit-retry', attempt, ops, delayMs: delay, error: (err as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Compacts etcd's history to `historyRevisions` behind `revision` once it has grown that much past the last compaction. */
  private maybeCompact(revision: number): void {
    const target = revision - this.historyRevisions;
    if (this.compacting || target - this.compactedTo < this.historyRevisions) return;
    this.compacting = true;
    this.client.kv.compact({ revision: String(target) }, { deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).then(() => {
      this.compactedTo = target;
      this.logger.info('edit log history compacted', { event: 'ha-compacted', revision: target });
    }, (err: Error) => {
      // Already compacted further (another active did), or etcd busy: next time.
      this.logger.warn('edit log compaction failed', { event: 'ha-compaction-failed', revision: target, error: err.message });
      if (/compacted/i.test(err.message)) this.compactedTo = target;
    }).finally(() => { this.compacting = false; });
  }

  /**
   * Standby: applies every revision after `revision` as it is committed. `onEdit` gets one
   * revision's records in order; `onError` a watch that cannot go on (e.g. compacted history).
   */
  async tail(onEdit: (edit: TailedEdit) => void, onError: (err: Error) => void): Promise<void> {
    const watcher = await this.client.watch().prefix(this.keys.ns).startRevision(String(this.revision + 1)).create();
    this.watcher = watcher;
    watcher.on('data', (res) => {
      let current: TailedEdit | undefined;
      for (const ev of res.events) {
        const rev = Number(ev.kv.mod_revision);
        if (rev <= this.revision) continue; // already applied (a resumed watch may repeat)
        if (!current || current.revision !== rev) {
          if (current) this.deliver(current, onEdit);
          current = { revision: rev, records: [] };
        }
        const key = ev.kv.key.toString().slice(this.keys.ns.length);
        current.records.push(ev.type === 'Delete' ? { key, deleted: true } : { key, value: parseValue(ev.kv.key.toString(), ev.kv.value) });
      }
      if (current) this.deliver(current, onEdit);
    });
    watcher.on('error', (err) => onError(err));
  }

  private deliver(edit: TailedEdit, onEdit: (edit: TailedEdit) => void): void {
    this.revision = edit.revision;
    onEdit(edit);
  }

  /** Stops tailing (a standby being promoted: from now on it writes the log). */
  async stopTailing(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel();
  }

  /** The mod revision of the last edit (0 if none yet): a new active tails at least this far. */
  async lastEditRevision(): Promise<number> {
    const res = await this.client.get(this.keys.edit).options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).exec();
    const kv = res.kvs[0];
    return kv ? Number(kv.mod_revision) : 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.apply([]).catch(() => undefined);
    } finally {
      this.closed = true;
      await this.stopTailing();
    }
  }
}

function parseValue(key: string, raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString());
  } catch {
    throw new DfsError('INTERNAL', `edit log: value of ${JSON.stringify(key)} is not JSON`);
  }
}
