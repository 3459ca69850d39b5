/**
 * The detector comparison in docs/SIMULATION.md: several detector settings (minidfs threshold and
 * phi at a few thresholds, and the HDFS, Akka and Cassandra defaults) against the same seeded
 * scenarios — message loss 0 / 5 / 20% and process pauses — reporting detection time against
 * false DEADs. Every row sees the same crashes, pauses and per-link losses (seeded streams).
 */
import { type DetectorSpec, LIVENESS_PROFILES, type SimConfig, defaultSimConfig } from './config';
import { runSimulation, type SimResult } from './simulation';
import { formatDuration } from './units';

export interface ComparisonRow {
  name: string;
  liveness: SimConfig['liveness'];
  detector: DetectorSpec;
}

export interface ComparisonScenario {
  name: string;
  apply(c: SimConfig): void;
}

const oneSecond = (deadAfterMissed: number) => ({ heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed });
const minidfsPhi = (threshold: number): DetectorSpec => ({ kind: 'phi', phi: { threshold } });

export const COMPARISON_ROWS: ComparisonRow[] = [
  { name: 'minidfs threshold, 1 s x 3 missed (default)', liveness: oneSecond(3), detector: { kind: 'threshold' } },
  { name: 'threshold, 1 s x 5 missed', liveness: oneSecond(5), detector: { kind: 'threshold' } },
  { name: 'threshold, 1 s x 10 missed', liveness: oneSecond(10), detector: { kind: 'threshold' } },
  { name: 'minidfs phi 4 (1 s, min std 100 ms, pause 2 s)', liveness: oneSecond(3), detector: minidfsPhi(4) },
  { name: 'minidfs phi 8 (--detector phi)', liveness: oneSecond(3), detector: minidfsPhi(8) },
  { name: 'minidfs phi 12', liveness: oneSecond(3), detector: minidfsPhi(12) },
  { name: 'Akka cluster default (phi 8, pause 3 s)', liveness: LIVENESS_PROFILES.akka.liveness, detector: LIVENESS_PROFILES.akka.detector },
  { name: 'Cassandra default (exp. phi 8)', liveness: LIVENESS_PROFILES.cassandra.liveness, detector: LIVENESS_PROFILES.cassandra.detector },
  { name: 'HDFS default (3 s, dead 630 s)', liveness: LIVENESS_PROFILES.hdfs.liveness, detector: LIVENESS_PROFILES.hdfs.detector },
];

export const COMPARISON_SCENARIOS: ComparisonScenario[] = [
  { name: 'loss 0%', apply: (c) => { c.network.loss = 0; } },
  { name: 'loss 5%', apply: (c) => { c.network.loss = 0.05; } },
  { name: 'loss 20%', apply: (c) => { c.network.loss = 0.2; } },
  {
    name: 'pauses',
    apply: (c) => {
      c.network.loss = 0;
      c.faults.pausesPerNodeDay = 24;
      c.faults.pauseMedianMs = 2000;
      c.faults.pauseSigma = 1;
    },
  },
];

export interface ComparisonOptions {
  seed: string;
  nodes: number;
  durationMs: number;
  /** Crashes per node-day, for the detection-time samples. Default 0.05. */
  crashesPerNodeDay: number;
  rows?: ComparisonRow[];
  scenarios?: ComparisonScenario[];
}

export interface ComparisonCell {
  row: string;
  scenario: string;
  result: SimResult;
}

export function comparisonConfig(o: ComparisonOptions, row: ComparisonRow, scenario: ComparisonScenario): SimConfig {
  const c = defaultSimConfig();
  c.seed = o.seed;
  c.nodes = o.nodes;
  c.blocks = 0;
  c.durationMs = o.durationMs;
  c.liveness = { ...row.liveness };
  c.detector = row.detector;
  c.faults.crashesPerNodeDay = o.crashesPerNodeDay;
  c.faults.downtimeMeanMs = 30 * 60_000;
  c.faults.diskLossFraction = 0;
  c.profile = row.name;
  scenario.apply(c);
  return c;
}

export function runComparison(o: ComparisonOptions, onCell?: (cell: ComparisonCell) => void): ComparisonCell[] {
  const cells: ComparisonCell[] = [];
  for (const row of o.rows ?? COMPARISON_ROWS) {
    for (const scenario of o.scenarios ?? COMPARISON_SCENARIOS) {
      const cell = { row: row.name, scenario: scenario.name, result: runSimulation(comparisonConfig(o, row, scenario)) };
      cells.push(cell);
      onCell?.(cell);
    }
  }
  return cells;
}

const d = (ms: number) => (Number.isNaN(ms) ? '—' : formatDuration(ms));

function perThousandNodeDays(count: number, r: SimResult): string {
  const nodeDays = r.figures.qos.upNodeTimeMs / 86_400_000;
  const v = (count * 1000) / nodeDays;
  return v === 0 ? '0' : v < 0.1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

/** Compact table: one row per detector, per scenario "T_D p50 / p99 · false DEADs per 1000 node-days". */
export function formatComparisonSummary(cells: ComparisonCell[]): string {
  const rows = [...new Set(cells.map((c) => c.row))];
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const get = (row: string, scenario: string) => cells.find((c) => c.row === row && c.scenario === scenario)?.result;
  const out = [
    `| detector | ${scenarios.map((s) => `${s}: T_D p50 / p99 · false DEAD`).join(' | ')} |`,
    `| --- | ${scenarios.map(() => '---').join(' | ')} |`,
  ];
  for (const row of rows) {
    const cols = scenarios.map((s) => {
      const r = get(row, s);
      if (!r) return '';
      const q = r.figures.qos;
      return `${d(q.detection.p50)} / ${d(q.detection.p99)} · ${perThousandNodeDays(q.conviction.mistakes, r)}`;
    });
    out.push(`| ${row} | ${cols.join(' | ')} |`);
  }
  return out.join('\n');
}

/** Long table: every QoS figure per detector and scenario. */
export function formatComparisonDetail(cells: ComparisonCell[]): string {
  const out = [
    '| detector | scenario | crashes | T_D p50 | T_D p99 | T_D max | false DEAD / 1000 node-days | E(T_MR) DEAD | T_M DEAD p50 | suspicions / 1000 node-days | E(T_MR) suspicion | T_M suspicion p50 / p99 | P_A suspicion |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const c of cells) {
    const q = c.result.figures.qos;
    const s = q.suspicion;
    const v = q.conviction;
    out.push(`| ${c.row} | ${c.scenario} | ${q.crashes} | ${d(q.detection.p50)} | ${d(q.detection.p99)} | ${d(q.detection.max)} | ` +
      `${perThousandNodeDays(v.mistakes, c.result)} | ${v.mistakes ? d(v.meanRecurrenceMs) : '∞'} | ${d(v.duration.p50)} | ` +
      `${perThousandNodeDays(s.mistakes, c.result)} | ${s.mistakes ? d(s.meanRecurrenceMs) : '∞'} | ${d(s.duration.p50)} / ${d(s.duration.p99)} | ` +
      `${s.accuracy.toFixed(6)} |`);
  }
  return out.join('\n');
}
