/**
 * The chaos checker: pure, judges one run from its records (workload history, fault log, the
 * NameNode's transition log, fsck timing, the on-disk replica scan). Verdicts in three classes,
 * after TigerBeetle's VOPR:
 *
 * correctness
 *   - lost write: an acknowledged write that does not read back byte-identical at the end;
 *   - wrong read: any read, at any time, that returned bytes other than those written to the path
 *     (a read that fails is allowed: that is availability, not correctness);
 *   - corrupt replica: a replica the NameNode lists whose block file is not the bytes written.
 * liveness
 *   - after every fault is healed, fsck is healthy within `fsckBoundMs`;
 *   - the workload made progress (at least one acknowledged write).
 * detector
 *   - false DEAD: a DEAD transition of a node that was audible (see faults.ts) for the whole
 *     window [T − deadAfter × interval − one interval, T] before it;
 *   - late or missed detection: a node silenced (kill, SIGTERM, SIGSTOP, partition with the
 *     NameNode link dropped) for longer than the bound must be declared DEAD within
 *     deadAfter × interval + one interval (+ `detectionSlackMs` for process scheduling and
 *     logging) of the fault's start. Not judged while the NameNode itself was paused or restarting,
 *     nor for one-way NameNode→DataNode drops (TCP keeps delivering a window of beats), whose
 *     latency is reported only.
 *   - with peer evidence (`peerEvidence`: DataNodes gossip and the NameNode asks them before a
 *     DEAD, docs/PEER-EVIDENCE.md), a node cut off from the NameNode only (partition-namenode and
 *     the one-way kinds) is still heard by its peers: detection means UNREACHABLE_FROM_NAMENODE (or
 *     DEAD) within the same bound, and a DEAD before the grace has passed since it became
 *     UNREACHABLE_FROM_NAMENODE is a failure (that DEAD would start re-replication of a healthy node).
 */
import { DETECTION_BOUNDED, type FaultRecord, SILENCING, inaudibleIntervals, overlaps } from './faults';
import type { Fsck, Profile, Transition } from './harness';
import type { ReplicaCheck } from './verify';
import type { OpRecord } from './workload';

export interface CheckInput {
  profile: Profile;
  history: readonly OpRecord[];
  faults: readonly FaultRecord[];
  transitions: readonly Transition[];
  /** Node ids of the cluster's DataNodes. */
  nodeIds: readonly string[];
  /** When healAll() returned. */
  healedAtMs: number;
  /** When fsck was first seen healthy after the heal; undefined = not within the bound. */
  fsckHealthyAtMs: number | undefined;
  fsckBoundMs: number;
  lastFsck?: Fsck;
  replicas?: ReplicaCheck;
  /** The verify phase ran (final read-back and replica scan). False after a crash: no lost-write verdicts then. */
  verified?: boolean;
  /** End of the run (closes faults still open). */
  endMs: number;
  /** Added to the detection bound for scheduling and log latency. Default 250 ms. */
  detectionSlackMs?: number;
  /** The cluster ran gossip with the NameNode's peer-evidence rule and this grace. */
  peerEvidence?: { graceMs: number };
}

/** Faults that cut a DataNode off from the NameNode only: its peers still hear it. */
const PEER_AUDIBLE: ReadonlySet<string> = new Set(['partition-namenode', 'partition-to-namenode', 'partition-from-namenode']);
const UNREACHABLE = 'UNREACHABLE_FROM_NAMENODE';

export interface Detection {
  faultId: number;
  kind: string;
  nodeId: string;
  /** Fault start -> DEAD transition (NameNode log timestamp), ms; undefined = never. */
  latencyMs: number | undefined;
  msSinceLastHeartbeat: number | undefined;
  reason: string | undefined;
  /** The state the detection reached: DEAD, or UNREACHABLE_FROM_NAMENODE with peer evidence. */
  state: string | undefined;
  /** 'ok' | 'late' | 'missed' | 'not-judged (why)' */
  outcome: string;
}

export interface FalseDead {
  nodeId: string;
  atMs: number;
  timestamp: string;
  reason: string;
  missedBeats: number;
  msSinceLastHeartbeat: number;
}

export interface Verdict {
  ok: boolean;
  /** One line per violated property, prefixed with its class. */
  failures: string[];
  /** Noteworthy but not failures. */
  notes: string[];
  stats: {
    writes: number;
    acked: number;
    failedWrites: number;
    indeterminateWrites: number;
    reads: number;
    readErrors: number;
    wrongReads: number;
    lostWrites: number;
    corruptReplicas: number;
    replicasChecked: number;
    falseDeads: number;
    deads: number;
    detections: Detection[];
    fsckHealthyAfterHealMs: number | undefined;
  };
}

const WINDOW_TOLERANCE_INTERVALS = 1;

export function check(input: CheckInput): Verdict {
  const failures: string[] = [];
  const notes: string[] = [];
  const { profile } = input;
  const interval = profile.heartbeatIntervalMs;
  const deadTimeout = profile.deadAfter * interval;
  const bound = deadTimeout + interval;
  const slack = input.detectionSlackMs ?? 250;

  // ------------------------------------------------------------ correctness
  const writes = input.history.filter((o) => o.kind === 'write');
  const contentOf = new Map<string, string>();
  for (const w of writes) {
    const prev = contentOf.get(w.path);
    if (prev !== undefined && prev !== w.sha256) failures.push(`harness: path ${w.path} written twice with different contents`);
    contentOf.set(w.path, w.sha256!);
  }
  const reads = input.history.filter((o) => o.kind === 'read');
  const wrong = reads.filter((r) => r.ok && r.sha256 !== contentOf.get(r.path));
  for (const r of wrong.slice(0, 10)) {
    failures.push(`correctness: wrong read of ${r.path} (op ${r.id}, ${r.phase}, ${new Date(r.startMs).toISOString()}): got ${r.bytes} bytes sha ${r.sha256?.slice(0, 12)}, written sha ${contentOf.get(r.path)?.slice(0, 12) ?? 'never written'}`);
  }
  if (wrong.length > 10) failures.push(`correctness: ... and ${wrong.length - 10} more wrong reads`);

  const acked = writes.filter((w) => w.ok === true);
  const finalReads = new Map<string, OpRecord[]>();
  for (const r of reads.filter((x) => x.phase === 'final')) finalReads.set(r.path, [...(finalReads.get(r.path) ?? []), r]);
  const verified = input.verified ?? true;
  if (!verified) failures.push('correctness: not judged — the run crashed before the verify phase');
  const lost = verified ? acked.filter((w) => !(finalReads.get(w.path) ?? []).some((r) => r.ok && r.sha256 === w.sha256)) : [];
  for (const w of lost.slice(0, 10)) {
    const last = (finalReads.get(w.path) ?? []).at(-1);
    failures.push(`correctness: lost acknowledged write ${w.path} (op ${w.id}, ${w.bytes} bytes): final read ${last ? (last.ok ? 'returned other bytes' : `failed: ${last.error}`) : 'missing'}`);
  }
  if (lost.length > 10) failures.push(`correctness: ... and ${lost.length - 10} more lost writes`);

  const corrupt = input.replicas?.mismatched ?? [];
  for (const m of corrupt.slice(0, 10)) failures.push(`correctness: replica of blk_${m.blockId} (${m.path}) on ${m.nodeId} is listed by the NameNode but differs: ${m.detail}`);
  for (const m of (input.replicas?.listedButMissing ?? []).slice(0, 5)) notes.push(`replica of blk_${m.blockId} on ${m.nodeId} listed but not on disk (${m.detail})`);
  for (const e of (input.replicas?.errors ?? []).slice(0, 5)) failures.push(`correctness: could not locate blocks of an acknowledged file: ${e}`);

  // ------------------------------------------------------------ liveness
  let fsckHealthyAfterHealMs: number | undefined;
  if (input.fsckHealthyAtMs === undefined) {
    failures.push(`liveness: fsck not healthy within ${input.fsckBoundMs} ms after heal${input.lastFsck ? ` (last: ${JSON.stringify(input.lastFsck)})` : ''}`);
  } else {
    fsckHealthyAfterHealMs = Math.max(0, input.fsckHealthyAtMs - input.healedAtMs);
  }
  if (acked.length === 0) failures.push('liveness: no write was acknowledged during the whole run');

  // ------------------------------------------------------------ detector: false DEADs
  const deads = input.transitions.filter((t) => t.to === 'DEAD');
  const falseDeads: FalseDead[] = [];
  for (const t of deads) {
    const windowStart = t.atMs - deadTimeout - WINDOW_TOLERANCE_INTERVALS * interval;
    const silent = inaudibleIntervals(input.faults, t.nodeId, interval, input.endMs);
    if (!silent.some((i) => overlaps(i, { fromMs: windowStart, toMs: t.atMs }))) {
      falseDeads.push({ nodeId: t.nodeId, atMs: t.atMs, timestamp: t.timestamp, reason: t.reason, missedBeats: t.missedBeats, msSinceLastHeartbeat: t.msSinceLastHeartbeat });
    }
  }
  for (const f of falseDeads.slice(0, 10)) {
    failures.push(`detector: false DEAD of audible ${f.nodeId} at ${f.timestamp} (${f.reason}, missed ${f.missedBeats}, ${f.msSinceLastHeartbeat} ms since last heartbeat)`);
  }
  if (falseDeads.length > 10) failures.push(`detector: ... and ${falseDeads.length - 10} more false DEADs`);

  // ------------------------------------------------------------ detector: detection of silenced nodes
  const namenodeTrouble = input.faults.filter((f) => f.kind === 'namenode-pause' || f.kind === 'namenode-restart')
    .map((f) => ({ fromMs: f.startMs, toMs: (f.endMs ?? input.endMs) + bound }));
  const detections: Detection[] = [];
  for (const f of input.faults.filter((x) => SILENCING.has(x.kind) && input.nodeIds.includes(x.target))) {
    const end = f.endMs ?? input.endMs;
    const judgedWindow = { fromMs: f.startMs, toMs: f.startMs + bound + slack };
    const peerAudible = input.peerEvidence !== undefined && PEER_AUDIBLE.has(f.kind);
    const inFault = (t: Transition) => t.nodeId === f.target && t.atMs >= f.startMs - 20 && t.atMs <= end + bound + slack;
    const finalDead = deads.find(inFault);
    // With peer evidence the first answer to the silence is UNREACHABLE_FROM_NAMENODE (or DEAD).
    const dead = peerAudible ? input.transitions.find((t) => inFault(t) && (t.to === UNREACHABLE || t.to === 'DEAD')) : finalDead;
    if (peerAudible && dead?.to === UNREACHABLE && finalDead && finalDead.atMs < dead.atMs + input.peerEvidence!.graceMs - interval) {
      failures.push(
        `detector: ${f.target} (${f.kind}, still heard by its peers) was declared DEAD ${finalDead.atMs - dead.atMs} ms after ` +
        `${UNREACHABLE}, before the ${input.peerEvidence!.graceMs} ms grace (${finalDead.reason})`,
      );
    }
    const d: Detection = {
      faultId: f.id, kind: f.kind, nodeId: f.target, latencyMs: dead ? Math.max(0, dead.atMs - f.startMs) : undefined,
      msSinceLastHeartbeat: dead?.msSinceLastHeartbeat, reason: dead?.reason, state: dead?.to, outcome: 'ok',
    };
    const priorState = [...input.transitions].filter((t) => t.nodeId === f.target && t.atMs < f.startMs - 20).at(-1)?.to;
    if (end - f.startMs < bound + slack) d.outcome = !dead ? 'not-judged (fault shorter than the bound)' : DETECTION_BOUNDED.has(f.kind) ? 'ok' : 'ok (latency not bounded)';
    else if (priorState === 'DEAD') d.outcome = 'not-judged (already DEAD)';
    else if (namenodeTrouble.some((i) => overlaps(i, judgedWindow))) d.outcome = 'not-judged (NameNode paused or restarting)';
    else if (!DETECTION_BOUNDED.has(f.kind)) d.outcome = dead ? 'ok (latency not bounded)' : 'missed';
    else if (!dead) d.outcome = 'missed';
    else if (d.latencyMs! > bound + slack) d.outcome = 'late';
    detections.push(d);
    if (d.outcome === 'missed') failures.push(`detector: ${f.target} silenced by ${f.kind} for ${end - f.startMs} ms was never declared DEAD (bound ${bound} ms)`);
    if (d.outcome === 'late') failures.push(`detector: ${f.target} (${f.kind}) declared DEAD after ${d.latencyMs} ms > bound ${bound} ms + ${slack} ms slack (${d.msSinceLastHeartbeat} ms since last heartbeat)`);
  }

  // ------------------------------------------------------------ stats
  const failedWrites = writes.filter((w) => w.ok === false).length;
  const indeterminate = writes.filter((w) => w.ok === undefined).length;
  if (indeterminate) notes.push(`${indeterminate} write(s) still running when the workload was stopped (treated as unacknowledged)`);
  return {
    ok: failures.length === 0,
    failures,
    notes,
    stats: {
      writes: writes.length, acked: acked.length, failedWrites, indeterminateWrites: indeterminate,
      reads: reads.length, readErrors: reads.filter((r) => r.ok === false).length, wrongReads: wrong.length, lostWrites: lost.length,
      corruptReplicas: corrupt.length, replicasChecked: input.replicas?.replicasChecked ?? 0,
      falseDeads: falseDeads.length, deads: deads.length, detections, fsckHealthyAfterHealMs,
    },
  };
}
