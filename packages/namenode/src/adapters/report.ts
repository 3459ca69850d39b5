/** The `report --json` / `GET /api/datanodes` shape, built from the core's report entries. */
import type { DatanodeReportEntry } from '../core/datanode-manager';

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
  safeMode: boolean;
}

export function toReportJson(entries: DatanodeReportEntry[], safeMode: boolean): DatanodeReportJson {
  const count = (s: string) => entries.filter((e) => e.state === s).length;
  return { datanodes: entries, live: count('LIVE'), stale: count('STALE'), dead: count('DEAD'), unreachable: count('UNREACHABLE_FROM_NAMENODE'), safeMode };
}
