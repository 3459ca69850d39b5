/**
 * The contract every benchmark suite follows. A suite measures, fills a SuiteResult, and never
 * decides pass/fail by timing out: targets are recorded as data (pass, measured, bound) and the
 * runner writes them into bench/results/ as JSON and a markdown table.
 */

export interface BenchContext {
  /** `--quick`: the smoke variant (whole run under 3 minutes); smaller sizes, fewer repetitions. */
  readonly quick: boolean;
  /** A fresh scratch directory for this suite (removed afterwards unless --keep). */
  readonly workDir: string;
  /** Seed for anything random the suite does (printed, replayable with --seed). */
  readonly seed: number;
  /** Results of suites that already ran in this same run (e.g. the peer reads minidfs's figures). */
  readonly earlier: ReadonlyMap<string, SuiteResult>;
  /** Progress to stderr, prefixed with the suite name. */
  log(message: string): void;
}

export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface Target {
  /** e.g. "DEAD p99 <= bound + 1 interval" */
  name: string;
  /** null = not measured in this run (say why in `note`). */
  pass: boolean | null;
  measured: string;
  bound: string;
  note?: string;
}

export interface SuiteResult {
  suite: string;
  title: string;
  /** How the figures were measured: sizes, repetitions, which statistic. Goes under the title. */
  method: string;
  /** Machine-readable figures, flat names with units in them (e.g. write_rep3_MBps). */
  metrics: Record<string, number | string | boolean | null>;
  tables: Table[];
  targets: Target[];
  notes: string[];
  startedAt?: string;
  durationMs?: number;
}

export interface Suite {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
