/**
 * The HA part of the chaos verdict: pure, judges a run of an HA group (docs/HA.md) from the
 * processes' logs. The general checker (checker.ts) already judges the data (every acknowledged
 * write reads back byte-identical, replicas on disk) and false DEADs over all NameNodes' logs;
 * this one adds what only HA can break:
 *
 * epochs (split brain)
 *   - edits: every edit etcd committed (the `<prefix>edit` marker each edit transaction writes,
 *     watched from revision 1) names the epoch that wrote it; an edit of epoch e at revision r is
 *     from an old epoch when some NameNode was elected to an epoch e' with e < e' < r (the leader
 *     key was re-created between e and r, so e no longer led): no such edit may exist;
 *   - every command a DataNode executed (`command-executed`, with the epoch of the reply that
 *     carried it) came from an ACTIVE with an epoch > 0, from the NameNode that was promoted to
 *     that epoch (`ha-role` ACTIVE), and never before that promotion;
 *   - at most one epoch acts at any time: no command of epoch e is executed after a NameNode
 *     was promoted to an epoch e' > e (the old active must have stopped acting before its
 *     lease expired at etcd, and every DataNode fences it once it heard the new one);
 *   - on each DataNode the executed epochs never go down.
 * DEAD from a failover
 *   - a DEAD transition logged by a NameNode about a DataNode that NameNode could hear (no fault
 *     cut that DataNode from it in the window before) is a failure, naming the NameNode; the
 *     DataNodes of HA scenarios keep running, so such a DEAD can only come from the failover.
 * deposed actives
 *   - a NameNode process that was ACTIVE and was replaced by a higher epoch must not be running
 *     at the end (it exited 75, or was killed by the harness).
 */
import type { FaultRecord } from './faults';

export interface ExecutedCommand {
  datanode: string;
  atMs: number;
  /** The NameNode address the reply came from (HOST:PORT). */
  namenode: string;
  epoch: number;
  role: string;
  kind: string;
}

export interface Promotion {
  /** NameNode id (nn1, ...). */
  namenode: string;
  address: string;
  epoch: number;
  atMs: number;
  /** Index of the process (life) of that NameNode. */
  life: number;
}

export interface HaTransition {
  namenode: string;
  nodeId: string;
  to: string;
  atMs: number;
  reason: string;
}

export interface HaProcessEnd {
  namenode: string;
  life: number;
  /** Still running at the end of the run (before teardown). */
  running: boolean;
  exitCode: number | null;
  signal: string | null;
}

export interface HaCheckInput {
  executed: readonly ExecutedCommand[];
  /** `command-fenced` lines per DataNode (reported, not judged). */
  fencedCommands: number;
  promotions: readonly Promotion[];
  /** Epochs some NameNode won an election for (`ha-elected`; the leader key's create revisions). */
  elected: readonly number[];
  /** etcd's record of the committed edits (revision, epoch of the writer). */
  committedEdits: { edits: ReadonlyArray<{ revision: number; epoch: number }>; compacted: boolean; watching: boolean; skipped?: string };
  transitions: readonly HaTransition[];
  processes: readonly HaProcessEnd[];
  faults: readonly FaultRecord[];
  /** deadAfter × interval + one interval: a DEAD at T needs silence since T − this. */
  deadWindowMs: number;
  endMs: number;
}

export interface HaVerdict {
  failures: string[];
  notes: string[];
  stats: { executed: number; fenced: number; epochs: number[]; failovers: number; deadsFromFailover: number; edits: number };
}

/** A promoted NameNode may answer as ACTIVE a moment before its `ha-role` line is written. */
const PROMOTION_LOG_SLACK_MS = 100;

export function checkHa(input: HaCheckInput): HaVerdict {
  const failures: string[] = [];
  const notes: string[] = [];
  const promotions = [...input.promotions].sort((a, b) => a.atMs - b.atMs);

  // ------------------------------------------------------------ epochs
  const byEpoch = new Map<number, Promotion>();
  for (const p of promotions) {
    const prev = byEpoch.get(p.epoch);
    if (prev && prev.namenode !== p.namenode) failures.push(`ha: epoch ${p.epoch} claimed by ${prev.namenode} and ${p.namenode}`);
    byEpoch.set(p.epoch, p);
  }
  const bad: string[] = [];
  const lastEpoch = new Map<string, number>();
  for (const c of [...input.executed].sort((a, b) => a.atMs - b.atMs)) {
    const when = new Date(c.atMs).toISOString();
    const p = byEpoch.get(c.epoch);
    if (c.role !== 'ACTIVE' || c.epoch <= 0) bad.push(`${c.datanode} executed ${c.kind} from ${c.namenode} (role ${c.role}, epoch ${c.epoch}) at ${when}`);
    else if (!p) bad.push(`${c.datanode} executed ${c.kind} of epoch ${c.epoch}, which no NameNode was promoted to, at ${when}`);
    else if (p.address !== c.namenode) bad.push(`${c.datanode} executed ${c.kind} of epoch ${c.epoch} from ${c.namenode}, but ${p.namenode} (${p.address}) holds that epoch`);
    else if (c.atMs < p.atMs - PROMOTION_LOG_SLACK_MS) bad.push(`${c.datanode} executed ${c.kind} of epoch ${c.epoch} at ${when}, before ${p.namenode}'s promotion`);
    const newer = promotions.find((q) => q.epoch > c.epoch && q.atMs < c.atMs);
    if (newer) bad.push(`split brain: ${c.datanode} executed ${c.kind} of epoch ${c.epoch} at ${when}, after ${newer.namenode} became active with epoch ${newer.epoch} at ${new Date(newer.atMs).toISOString()}`);
    const before = lastEpoch.get(c.datanode) ?? 0;
    if (c.epoch < before) bad.push(`${c.datanode} executed ${c.kind} of epoch ${c.epoch} at ${when} after one of epoch ${before}`);
    lastEpoch.set(c.datanode, Math.max(before, c.epoch));
  }
  for (const b of bad.slice(0, 10)) failures.push(`ha: ${b}`);
  if (bad.length > 10) failures.push(`ha: ... and ${bad.length - 10} more epoch violations`);

  // ------------------------------------------------------------ edits (etcd's record)
  const elected = [...new Set(input.elected)].sort((a, b) => a - b);
  const { edits, compacted, watching, skipped } = input.committedEdits;
  const badEdits: string[] = [];
  for (const e of edits) {
    if (!elected.includes(e.epoch)) badEdits.push(`edit at revision ${e.revision} names epoch ${e.epoch}, which no NameNode was elected to`);
    const newer = elected.find((x) => x > e.epoch && x < e.revision);
    if (newer !== undefined && elected.includes(e.epoch)) badEdits.push(`split brain: edit of epoch ${e.epoch} committed at revision ${e.revision}, after epoch ${newer} began`);
  }
  for (const b of badEdits.slice(0, 10)) failures.push(`ha: ${b}`);
  if (skipped) notes.push(`edits not checked: ${skipped}`);
  else {
    if (edits.length === 0 && elected.length > 0) failures.push('ha: no committed edit seen in etcd (the edit watch saw nothing)');
    if (compacted) notes.push('etcd compacted part of the edit history before the watch read it: the edit check saw only the rest');
    if (!watching) notes.push('the etcd edit watch ended before the run did: edits after that were not checked');
  }

  // ------------------------------------------------------------ DEAD from a failover
  // A DataNode is inaudible to NameNode N while a fault cut it from N (partition-namenode with
  // detail.namenode = N, or any silencing fault on the DataNode itself), plus a TCP recovery grace.
  const cutFrom = (nodeId: string, namenode: string, fromMs: number, toMs: number) => input.faults.some((f) => {
    if (f.target !== nodeId) return false;
    const only = (f.detail as { namenode?: string } | undefined)?.namenode;
    if (only !== undefined && only !== namenode) return false;
    const end = f.endMs ?? input.endMs;
    return f.startMs <= toMs && fromMs <= end + (end - f.startMs) + 1000;
  });
  const deadsFromFailover = input.transitions.filter((t) => t.to === 'DEAD' && !cutFrom(t.nodeId, t.namenode, t.atMs - input.deadWindowMs, t.atMs));
  for (const t of deadsFromFailover.slice(0, 10)) {
    failures.push(`ha: ${t.namenode} declared ${t.nodeId} DEAD at ${new Date(t.atMs).toISOString()} (${t.reason}) though nothing cut it from ${t.namenode}`);
  }

  // ------------------------------------------------------------ deposed actives
  for (const p of promotions) {
    const replaced = promotions.find((q) => q.epoch > p.epoch);
    const end = input.processes.find((x) => x.namenode === p.namenode && x.life === p.life);
    if (replaced && end?.running) failures.push(`ha: ${p.namenode} (life ${p.life}) was active with epoch ${p.epoch}, replaced by ${replaced.namenode} (epoch ${replaced.epoch}), and is still running`);
    if (replaced && end && !end.running && end.signal === null && end.exitCode !== 75) {
      notes.push(`${p.namenode} (life ${p.life}, epoch ${p.epoch}) exited with code ${end.exitCode}, not 75`);
    }
  }

  const epochs = [...new Set(promotions.map((p) => p.epoch))].sort((a, b) => a - b);
  return {
    failures, notes,
    stats: {
      executed: input.executed.length, fenced: input.fencedCommands, epochs, failovers: Math.max(0, epochs.length - 1), deadsFromFailover: deadsFromFailover.length, edits: edits.length,
    },
  };
}
