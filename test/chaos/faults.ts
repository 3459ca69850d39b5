/**
 * The fault schedule as it actually happened: every fault the harness injected, with wall-clock
 * start and end (Date.now(), the same clock the NameNode's log timestamps use on this machine).
 * The checker judges the NameNode's transition log against this record.
 *
 * Audibility (the rule for "false DEAD"): node X is AUDIBLE at time t when heartbeats from X can
 * reach the NameNode, i.e. none of these holds at t:
 *   - X's process is not running (kill -9, SIGTERM stop) — from the signal until X has
 *     re-registered after its restart (the harness records when it saw `registered`);
 *   - X is stopped (SIGSTOP) — until SIGCONT, plus one heartbeat interval;
 *   - packets between X and the NameNode are dropped in EITHER direction (full partition, partition
 *     from the NameNode, one-way either way: TCP needs both directions, a one-way drop stalls the
 *     heartbeat stream within a congestion window) — until heal, plus a TCP recovery grace equal
 *     to the partition's length + 1 s (retransmission backoff doubles, so the first retransmission
 *     after heal comes at most about one partition-length later).
 * Random loss, added delay below the dead timeout, a full disk, a corrupt replica, and the
 * NameNode itself being paused or restarted leave X audible.
 *
 * A DEAD transition of X at time T is FALSE when X was audible during the whole window
 * [T − deadAfter × interval − one interval, T]: the NameNode had a full dead timeout (plus a tick of
 * slack) in which X's heartbeats were getting through, and still declared it DEAD.
 */

export type FaultKind =
  | 'kill' // kill -9 of a DataNode
  | 'stop' // SIGTERM (goodbye) of a DataNode, e.g. a rolling restart
  | 'pause' // SIGSTOP ... SIGCONT of a DataNode
  | 'partition-full' // a DataNode cut off from everyone (NameNode, DataNodes, client)
  | 'partition-namenode' // a DataNode cut off from the NameNode only
  | 'partition-to-namenode' // one-way: the DataNode's packets to the NameNode are dropped
  | 'partition-from-namenode' // one-way: the NameNode's packets to the DataNode are dropped
  | 'partition-peer' // one-way between two DataNodes (gossip and pipelines only; both stay audible)
  | 'loss' // random packet loss on every link
  | 'delay' // added delay on a DataNode's link to the NameNode (TCP proxy)
  | 'namenode-pause' // SIGSTOP ... SIGCONT of the NameNode
  | 'namenode-restart' // kill -9 of the NameNode and a restart on the same data dir
  | 'corrupt' // bytes of one replica's block file flipped on disk
  | 'disk-full' // a DataNode's data disk (a small tmpfs) filled up
  // HA (target: a NameNode id nn1.. or an etcd member etcd1..); DataNodes stay audible to every NameNode they can reach
  | 'namenode-kill' // kill -9 of one HA NameNode (restarted later; comes back as a standby)
  | 'partition-etcd' // one NameNode's host cut from every etcd member
  | 'partition-datanodes' // one NameNode's host cut from every DataNode (also recorded per DataNode as partition-namenode)
  | 'etcd-kill'; // kill -9 of one etcd member

/** Faults that silence a DataNode towards the NameNode (it is inaudible while they last). */
export const SILENCING: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'kill', 'stop', 'pause', 'partition-full', 'partition-namenode', 'partition-to-namenode', 'partition-from-namenode',
]);

/** Silencing faults whose detection deadline is checked (one-way drops stall TCP only after a window of data). */
export const DETECTION_BOUNDED: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'kill', 'stop', 'pause', 'partition-full', 'partition-namenode', 'partition-to-namenode',
]);

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** DataNode id, 'namenode', or 'all'. */
  target: string;
  startMs: number;
  /** When the fault ended (healed, resumed, restarted and re-registered); undefined = still on at the end. */
  endMs?: number;
  detail?: Record<string, unknown>;
}

export interface Interval {
  fromMs: number;
  toMs: number;
}

export function isPartition(kind: FaultKind): boolean {
  return kind.startsWith('partition-');
}

/** How long after a silencing fault ends the node may still be unheard (see the rule above). */
export function recoveryGraceMs(f: FaultRecord, heartbeatIntervalMs: number, endMs: number): number {
  if (isPartition(f.kind)) return endMs - f.startMs + 1000;
  if (f.kind === 'pause') return heartbeatIntervalMs;
  return 0; // kill / stop: the fault ends when the restarted node has re-registered
}

/** Intervals during which `nodeId` was inaudible (merged, sorted). `untilMs` closes faults still on. */
export function inaudibleIntervals(faults: readonly FaultRecord[], nodeId: string, heartbeatIntervalMs: number, untilMs: number): Interval[] {
  const raw = faults
    .filter((f) => f.target === nodeId && SILENCING.has(f.kind))
    .map((f) => {
      const end = f.endMs ?? untilMs;
      return { fromMs: f.startMs, toMs: f.endMs === undefined ? Number.POSITIVE_INFINITY : end + recoveryGraceMs(f, heartbeatIntervalMs, end) };
    })
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: Interval[] = [];
  for (const i of raw) {
    const last = merged[merged.length - 1];
    if (last && i.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, i.toMs);
    else merged.push({ ...i });
  }
  return merged;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.fromMs <= b.toMs && b.fromMs <= a.toMs;
}

/** Records faults as the harness injects and heals them. */
export class FaultLog {
  readonly records: FaultRecord[] = [];
  private nextId = 1;

  begin(kind: FaultKind, target: string, detail?: Record<string, unknown>, atMs = Date.now()): FaultRecord {
    const f: FaultRecord = { id: this.nextId++, kind, target, startMs: atMs, ...(detail ? { detail } : {}) };
    this.records.push(f);
    return f;
  }

  end(f: FaultRecord, atMs = Date.now()): void {
    if (f.endMs === undefined) f.endMs = atMs;
  }

  /** Faults not yet ended, optionally of one kind / target. */
  open(kind?: FaultKind, target?: string): FaultRecord[] {
    return this.records.filter((f) => f.endMs === undefined && (kind === undefined || f.kind === kind) && (target === undefined || f.target === target));
  }
}
