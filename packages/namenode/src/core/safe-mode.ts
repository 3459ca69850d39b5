/**
 * SafeMode: when the NameNode is read-only (HDFS FSNamesystem.SafeModeInfo). Pure: the caller
 * passes the block and DataNode counts and, on its timer, the time.
 *
 * Two independent reasons keep it on:
 *   - startup: the NameNode (re)started and block locations are still coming back from block
 *     reports. It ends on its own, for one of two reasons:
 *       'threshold'        reportedBlocks / totalBlocks >= threshold (or there are no complete blocks);
 *       'reports-complete' every LIVE/STALE DataNode has sent a full block report since the start
 *                          (and there is at least one), and nothing changed (reported blocks, nodes,
 *                          reports processed) for `extensionMs`: the fraction cannot improve any
 *                          more, so waiting longer would keep the cluster read-only for good (a block
 *                          whose every replica is gone). The blocks still unreported are missing
 *                          (fsck counts them).
 *   - manual: an operator entered it (`admin safemode enter`); only `leave` ends it. The startup
 *     rules never end a manual safe mode.
 * `leave` ends both. Nothing else turns safe mode on after the start.
 */
import { InvalidArgumentError } from '@minidfs/common';

export interface SafeModeConfig {
  /** Fraction of complete blocks that must have a reported replica (HDFS dfs.namenode.safemode.threshold-pct, 0.999). */
  threshold: number;
  /**
   * Quiet time, ms, after every live DataNode has reported before startup safe mode ends below the
   * threshold (HDFS dfs.namenode.safemode.extension plays the same role above the threshold).
   */
  extensionMs: number;
}

/** What the NameNode knows now, counted by the caller. */
export interface SafeModeProgress {
  /** Complete blocks with at least one non-corrupt reported replica. */
  reportedBlocks: number;
  /** Complete blocks the namespace knows. */
  totalBlocks: number;
  /** DataNodes that are LIVE or STALE. */
  liveNodes: number;
  /** Of those, the ones whose full block report was processed since this NameNode started. */
  reportedNodes: number;
  /** Full block reports processed since the start (a new report restarts the quiet time). */
  fullReports: number;
}

export type SafeModeExitReason = 'threshold' | 'reports-complete' | 'manual-leave';

export interface SafeModeState extends SafeModeProgress {
  on: boolean;
  /** Entered by an operator; held until `leave`. */
  manual: boolean;
  /** Waiting for block reports after the start. */
  startup: boolean;
  threshold: number;
  extensionMs: number;
  /**
   * ms until startup safe mode ends by 'reports-complete' if nothing changes; -1 when that clock is
   * not running (not every live node has reported, or startup safe mode is over).
   */
  autoExitInMs: number;
}

export function validateSafeModeConfig(config: SafeModeConfig): SafeModeConfig {
  if (typeof config.threshold !== 'number' || !(config.threshold >= 0 && config.threshold <= 1)) {
    throw new InvalidArgumentError(`safe mode threshold must be in [0, 1], got ${String(config.threshold)}`);
  }
  if (!Number.isSafeInteger(config.extensionMs) || config.extensionMs < 0) {
    throw new InvalidArgumentError(`safe mode extension must be a whole number of ms >= 0, got ${String(config.extensionMs)}`);
  }
  return config;
}

export class SafeMode {
  private startup: boolean;
  private manual = false;
  /** When the current quiet stretch began (every live node reported, nothing changed since); undefined = not quiet. */
  private quietSinceMs: number | undefined;
  private lastProgressKey = '';
  private lastProgress: SafeModeProgress;

  constructor(readonly config: SafeModeConfig, initial: SafeModeProgress) {
    validateSafeModeConfig(config);
    this.lastProgress = { ...initial };
    this.startup = !this.thresholdMet(initial);
  }

  get on(): boolean {
    return this.startup || this.manual;
  }

  get isManual(): boolean {
    return this.manual;
  }

  get isStartup(): boolean {
    return this.startup;
  }

  /** Operator: enter (or stay in) safe mode until leave(). Returns whether it was off before. */
  enter(): boolean {
    const wasOn = this.on;
    this.manual = true;
    return !wasOn;
  }

  /** Operator: leave safe mode, whatever kept it on. Returns whether it was on before. */
  leave(): boolean {
    const wasOn = this.on;
    this.manual = false;
    this.startup = false;
    this.quietSinceMs = undefined;
    return wasOn;
  }

  /**
   * New counts (after a report, or on the timer with `nowMs`). Returns why startup safe mode just
   * ended, or undefined. Without `nowMs` only the threshold rule is checked; the quiet-time rule
   * needs the time and runs on the timer.
   */
  update(progress: SafeModeProgress, nowMs?: number): SafeModeExitReason | undefined {
    this.lastProgress = { ...progress };
    if (!this.startup) return undefined;
    if (this.thresholdMet(progress)) {
      this.startup = false;
      this.quietSinceMs = undefined;
      return 'threshold';
    }
    if (nowMs === undefined) return undefined;
    if (!this.everyNodeReported(progress)) {
      this.quietSinceMs = undefined;
      return undefined;
    }
    const key = `${progress.reportedBlocks}/${progress.totalBlocks}/${progress.liveNodes}/${progress.reportedNodes}/${progress.fullReports}`;
    if (this.quietSinceMs === undefined || key !== this.lastProgressKey) {
      this.lastProgressKey = key;
      this.quietSinceMs = nowMs;
    }
    if (nowMs - this.quietSinceMs >= this.config.extensionMs) {
      this.startup = false;
      this.quietSinceMs = undefined;
      return 'reports-complete';
    }
    return undefined;
  }

  state(nowMs?: number): SafeModeState {
    const p = this.lastProgress;
    const autoExitInMs = this.startup && this.quietSinceMs !== undefined && nowMs !== undefined
      ? Math.max(0, this.quietSinceMs + this.config.extensionMs - nowMs) : -1;
    return {
      ...p, on: this.on, manual: this.manual, startup: this.startup, threshold: this.config.threshold,
      extensionMs: this.config.extensionMs, autoExitInMs,
    };
  }

  private thresholdMet(p: SafeModeProgress): boolean {
    return p.totalBlocks === 0 || p.reportedBlocks / p.totalBlocks >= this.config.threshold;
  }

  private everyNodeReported(p: SafeModeProgress): boolean {
    return p.liveNodes > 0 && p.reportedNodes >= p.liveNodes;
  }
}
