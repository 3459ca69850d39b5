/**
 * AdminStates: the operator's half of a DataNode's state (HDFS AdminStates), pure and clock-driven.
 * Liveness (heartbeat-monitor.ts) says whether the NameNode hears a node; the admin state says what
 * the operator wants from it. The two are independent: a DECOMMISSIONED node is still LIVE while
 * it heartbeats.
 *
 *   NORMAL --decommission--> DECOMMISSIONING --every block it holds counted enough without it--> DECOMMISSIONED
 *   DECOMMISSIONING|DECOMMISSIONED --recommission--> NORMAL
 *   NORMAL --maintenance(until)--> ENTERING_MAINTENANCE
 *       --every block it holds has >= min(replication, maintenanceMinReplicas) NORMAL replicas elsewhere--> IN_MAINTENANCE
 *   ENTERING_MAINTENANCE|IN_MAINTENANCE --end, or tick() at/after the expiry--> NORMAL
 *
 * Everything else is refused (InvalidArgumentError) and changes nothing; asking for the state a
 * node is already in (decommission a DECOMMISSIONING node, recommission a NORMAL one) is a no-op.
 * A node's progress is judged only once `ready(nodeId)` says its replicas are known (its full block
 * report is in since it registered, or it is DEAD): a node that has not reported yet holds no
 * blocks in the map and would look done. What a replica counts for (the planner's rules) is in
 * replication-monitor.ts; `judge` is its answer per block.
 *
 * No clock, no timers: expiry happens in tick(nowMs).
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';

export type AdminState = 'NORMAL' | 'DECOMMISSIONING' | 'DECOMMISSIONED' | 'ENTERING_MAINTENANCE' | 'IN_MAINTENANCE';

export const ADMIN_STATES: readonly AdminState[] = ['NORMAL', 'DECOMMISSIONING', 'DECOMMISSIONED', 'ENTERING_MAINTENANCE', 'IN_MAINTENANCE'];

export type AdminTransitionReason =
  | 'decommission' | 'recommission' | 'maintenance' | 'maintenance-ended' | 'maintenance-expired' | 'replicated';

export interface AdminTransition {
  nodeId: string;
  from: AdminState;
  to: AdminState;
  reason: AdminTransitionReason;
  atMs: number;
  /** ENTERING_MAINTENANCE / IN_MAINTENANCE only: when the window ends (the NameNode's clock). */
  maintenanceExpiresAtMs?: number;
}

export interface AdminRecord {
  state: AdminState;
  /** Set exactly in the maintenance states. */
  maintenanceExpiresAtMs?: number;
}

/** Allowed moves (anything else is a bug when asserted, or a refused request when asked for). */
const ALLOWED: Readonly<Record<AdminState, readonly AdminState[]>> = {
  NORMAL: ['DECOMMISSIONING', 'ENTERING_MAINTENANCE'],
  DECOMMISSIONING: ['DECOMMISSIONED', 'NORMAL'],
  DECOMMISSIONED: ['NORMAL'],
  ENTERING_MAINTENANCE: ['IN_MAINTENANCE', 'NORMAL'],
  IN_MAINTENANCE: ['NORMAL'],
};

export function isDecommissionState(s: AdminState | undefined): boolean {
  return s === 'DECOMMISSIONING' || s === 'DECOMMISSIONED';
}

export function isMaintenanceState(s: AdminState | undefined): boolean {
  return s === 'ENTERING_MAINTENANCE' || s === 'IN_MAINTENANCE';
}

/** Parses a stored record; throws on anything not a valid one. */
export function parseAdminRecord(key: string, value: unknown): AdminRecord {
  const v = value as { state?: unknown; maintenanceExpiresAtMs?: unknown } | null;
  if (!v || typeof v !== 'object' || !ADMIN_STATES.includes(v.state as AdminState) || v.state === 'NORMAL') {
    throw new InvalidArgumentError(`metadata store: ${key} is not an admin state record`);
  }
  const state = v.state as AdminState;
  if (isMaintenanceState(state)) {
    if (typeof v.maintenanceExpiresAtMs !== 'number' || !Number.isFinite(v.maintenanceExpiresAtMs)) {
      throw new InvalidArgumentError(`metadata store: ${key} is in maintenance without an expiry`);
    }
    return { state, maintenanceExpiresAtMs: v.maintenanceExpiresAtMs };
  }
  return { state };
}

export function validateMaintenanceDuration(durationMs: number): number {
  if (!Number.isSafeInteger(durationMs) || durationMs < 1 || durationMs > Limits.maxMaintenanceDurationMs) {
    throw new InvalidArgumentError(
      `maintenance needs a duration of 1 ms to ${Limits.maxMaintenanceDurationMs} ms (Limits.maxMaintenanceDurationMs), got ${durationMs}`,
    );
  }
  return durationMs;
}

export interface AdminJudge {
  /** The node's replicas are known (full report in since it registered, or it is DEAD). */
  ready(nodeId: string): boolean;
  /** Block ids the node holds (block map). */
  blocksOn(nodeId: string): Iterable<number>;
  /** DECOMMISSIONING: the block has its full replication counted on other nodes. */
  replicatedWithout(blockId: number, nodeId: string): boolean;
  /** ENTERING_MAINTENANCE: the block has min(replication, maintenanceMinReplicas) NORMAL live replicas elsewhere. */
  maintainableWithout(blockId: number, nodeId: string): boolean;
}

export class AdminStates {
  private readonly records = new Map<string, AdminRecord>();

  /** Rebuilds from stored records (NORMAL nodes have none). */
  constructor(initial: Iterable<[string, AdminRecord]> = []) {
    for (const [id, r] of initial) if (r.state !== 'NORMAL') this.records.set(id, { ...r });
  }

  state(nodeId: string): AdminState {
    return this.records.get(nodeId)?.state ?? 'NORMAL';
  }

  record(nodeId: string): AdminRecord {
    return this.records.get(nodeId) ?? { state: 'NORMAL' };
  }

  /** Sets a node's record as another NameNode persisted it (an HA standby applying the active's edits); undefined = NORMAL. */
  applyRecord(nodeId: string, record: AdminRecord | undefined): void {
    if (!record || record.state === 'NORMAL') this.records.delete(nodeId);
    else this.records.set(nodeId, { ...record });
  }

  /** Nodes not NORMAL. */
  entries(): Array<[string, AdminRecord]> {
    return [...this.records.entries()].map(([id, r]) => [id, { ...r }]);
  }

  decommission(nodeId: string, nowMs: number): AdminTransition | undefined {
    const s = this.state(nodeId);
    if (isDecommissionState(s)) return undefined;
    if (s !== 'NORMAL') throw new InvalidArgumentError(`DataNode ${nodeId} is ${s}: end its maintenance (admin maintenance ${nodeId} --end) before decommissioning it`);
    return this.move(nodeId, 'DECOMMISSIONING', 'decommission', nowMs);
  }

  recommission(nodeId: string, nowMs: number): AdminTransition | undefined {
    const s = this.state(nodeId);
    if (s === 'NORMAL') return undefined;
    if (!isDecommissionState(s)) throw new InvalidArgumentError(`DataNode ${nodeId} is ${s}, not decommissioning or decommissioned: use admin maintenance ${nodeId} --end`);
    return this.move(nodeId, 'NORMAL', 'recommission', nowMs);
  }

  /** Starts (or, in a maintenance state, extends or shortens) a maintenance window of durationMs from now. */
  startMaintenance(nodeId: string, durationMs: number, nowMs: number): AdminTransition | undefined {
    validateMaintenanceDuration(durationMs);
    const s = this.state(nodeId);
    const until = nowMs + durationMs;
    if (isMaintenanceState(s)) {
      this.records.get(nodeId)!.maintenanceExpiresAtMs = until;
      return undefined;
    }
    if (s !== 'NORMAL') throw new InvalidArgumentError(`DataNode ${nodeId} is ${s}: recommission it before putting it in maintenance`);
    return this.move(nodeId, 'ENTERING_MAINTENANCE', 'maintenance', nowMs, until);
  }

  endMaintenance(nodeId: string, nowMs: number): AdminTransition | undefined {
    const s = this.state(nodeId);
    if (s === 'NORMAL') return undefined;
    if (!isMaintenanceState(s)) throw new InvalidArgumentError(`DataNode ${nodeId} is ${s}, not in maintenance: use admin recommission ${nodeId}`);
    return this.move(nodeId, 'NORMAL', 'maintenance-ended', nowMs);
  }

  /** Expired windows end; nodes whose blocks are now covered move on. */
  tick(nowMs: number, judge: AdminJudge): AdminTransition[] {
    const out: AdminTransition[] = [];
    for (const [nodeId, r] of [...this.records]) {
      if (isMaintenanceState(r.state) && nowMs >= r.maintenanceExpiresAtMs!) {
        out.push(this.move(nodeId, 'NORMAL', 'maintenance-expired', nowMs));
        continue;
      }
      if (r.state !== 'DECOMMISSIONING' && r.state !== 'ENTERING_MAINTENANCE') continue;
      if (!judge.ready(nodeId)) continue;
      const covered = r.state === 'DECOMMISSIONING'
        ? (b: number) => judge.replicatedWithout(b, nodeId)
        : (b: number) => judge.maintainableWithout(b, nodeId);
      let done = true;
      for (const b of judge.blocksOn(nodeId)) if (!covered(b)) { done = false; break; }
      if (!done) continue;
      out.push(this.move(nodeId, r.state === 'DECOMMISSIONING' ? 'DECOMMISSIONED' : 'IN_MAINTENANCE', 'replicated', nowMs, r.maintenanceExpiresAtMs));
    }
    return out;
  }

  private move(nodeId: string, to: AdminState, reason: AdminTransitionReason, nowMs: number, expiresAtMs?: number): AdminTransition {
    const from = this.state(nodeId);
    if (!ALLOWED[from].includes(to)) throw new Error(`impossible admin transition of ${nodeId}: ${from} -> ${to}`);
    if (isMaintenanceState(to) !== (expiresAtMs !== undefined)) throw new Error(`admin state ${to} of ${nodeId} with expiry ${String(expiresAtMs)}`);
    if (to === 'NORMAL') this.records.delete(nodeId);
    else this.records.set(nodeId, expiresAtMs === undefined ? { state: to } : { state: to, maintenanceExpiresAtMs: expiresAtMs });
    return { nodeId, from, to, reason, atMs: nowMs, ...(expiresAtMs !== undefined ? { maintenanceExpiresAtMs: expiresAtMs } : {}) };
  }
}
