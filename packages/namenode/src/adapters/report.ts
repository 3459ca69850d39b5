/** The `report --json` / `GET /api/datanodes` shape, built from the core's report entries. */
import { type ClusterCapacity, clusterCapacity } from '@minidfs/common';
import type { DatanodeReportEntry } from '../core/datanode-manager';
import type { SafeModeState } from '../core/safe-mode';

export interface DatanodeReportJson {
  datanodes: DatanodeReportEntry[];
  live: number;
  stale: number;
  dead: number;
  /**
   * Nodes in UNREACHABLE_FROM_NAMENODE (peers hear them, the NameNode does not; docs/PEER-EVIDENCE.md).
   * Always set by toReportJson; optional only so that hand-built reports (tests, older callers) still type-check.
   */
  unreachable?: number;
  /** Totals over the non-DEAD nodes, each filesystem counted once (common/capacity.ts). */
  cluster?: ClusterCapacity;
  safeMode: boolean;
  /** Why safe mode is on and how far the block reports are (absent while the NameNode is starting). */
  safeModeStatus?: SafeModeState;
}

export function toReportJson(entries: DatanodeReportEntry[], safeMode: boolean, safeModeStatus?: SafeModeState): DatanodeReportJson {
  const count = (s: string) => entries.filter((e) => e.state === s).length;
  return {
    datanodes: entries, live: count('LIVE'), stale: count('STALE'), dead: count('DEAD'), unreachable: count('UNREACHABLE_FROM_NAMENODE'),
    cluster: clusterCapacity(entries), safeMode,
    ...(safeModeStatus ? { safeModeStatus } : {}),
  };
}
