/**
 * Writer leases (HDFS LeaseManager): the heartbeat pattern applied to clients. A client holding
 * files open for write holds one lease, renewed by every call it makes for them and by its
 * RenewLease heartbeat. Past the soft limit another client may recover its files (RecoverLease);
 * past the hard limit the NameNode recovers them itself (NameNodeCore, planner tick). Pure: time
 * comes in as nowMs. Leases are not persisted: a NameNode that starts (or is promoted) gives every
 * file open in its namespace a lease renewed at its first tick, as HDFS does.
 */
import { InvalidArgumentError } from '@minidfs/common';

export interface LeaseConfig {
  /** Another client may recover the holder's files after this long without renewal, ms. Default 60 s (HDFS). */
  softLimitMs: number;
  /** The NameNode recovers them itself after this long, ms. Default 20 min (HDFS). */
  hardLimitMs: number;
}

export const DEFAULT_LEASE_SOFT_LIMIT_MS = 60_000;
export const DEFAULT_LEASE_HARD_LIMIT_MS = 20 * 60_000;

export function defaultLeaseConfig(): LeaseConfig {
  return { softLimitMs: DEFAULT_LEASE_SOFT_LIMIT_MS, hardLimitMs: DEFAULT_LEASE_HARD_LIMIT_MS };
}

export function validateLeaseConfig(c: LeaseConfig): LeaseConfig {
  for (const [name, v] of [['softLimitMs', c.softLimitMs], ['hardLimitMs', c.hardLimitMs]] as const) {
    if (!Number.isSafeInteger(v) || v < 100 || v > 7 * 24 * 3600_000) throw new InvalidArgumentError(`lease ${name} must be an integer in [100, 604800000] ms, got ${String(v)}`);
  }
  if (c.hardLimitMs < c.softLimitMs) throw new InvalidArgumentError(`lease hard limit (${c.hardLimitMs} ms) must be at least the soft limit (${c.softLimitMs} ms)`);
  return c;
}

interface Lease {
  /** undefined: not renewed since this NameNode started; counts as renewed at its first tick. */
  renewedMs: number | undefined;
  paths: Set<string>;
}

export class Leases {
  private readonly byHolder = new Map<string, Lease>();
  private readonly byPath = new Map<string, string>();
  /** The latest tick's time (observe), which holder() measures lease ages against. */
  private lastNowMs = 0;

  constructor(readonly config: LeaseConfig = defaultLeaseConfig()) {}

  /** A file open for write by `holder` (created now, or found open at start: nowMs undefined). */
  open(path: string, holder: string, nowMs: number | undefined): void {
    this.close(path);
    let lease = this.byHolder.get(holder);
    if (!lease) this.byHolder.set(holder, (lease = { renewedMs: nowMs, paths: new Set() }));
    else if (nowMs !== undefined) lease.renewedMs = nowMs;
    lease.paths.add(path);
    this.byPath.set(path, holder);
  }

  /** The file is closed or gone. */
  close(path: string): void {
    const holder = this.byPath.get(path);
    if (holder === undefined) return;
    this.byPath.delete(path);
    const lease = this.byHolder.get(holder)!;
    lease.paths.delete(path);
    if (lease.paths.size === 0) this.byHolder.delete(holder);
  }

  /** Renews `holder`'s lease; returns the number of files it holds open (0: no lease). */
  renew(holder: string, nowMs: number): number {
    const lease = this.byHolder.get(holder);
    if (!lease) return 0;
    lease.renewedMs = nowMs;
    return lease.paths.size;
  }

  /** Every lease counts as renewed now (a standby promoted: clients renewed at the old active). */
  renewAll(nowMs: number): void {
    for (const lease of this.byHolder.values()) lease.renewedMs = nowMs;
  }

  /** Leases found at start count as renewed now (the first tick). */
  start(nowMs: number): void {
    for (const lease of this.byHolder.values()) lease.renewedMs ??= nowMs;
  }

  holder(path: string): { holder: string; ageMs: number } | undefined {
    const holder = this.byPath.get(path);
    if (holder === undefined) return undefined;
    const renewed = this.byHolder.get(holder)!.renewedMs;
    return { holder, ageMs: renewed === undefined ? 0 : Math.max(0, this.lastNowMs - renewed) };
  }

  /** ms until another client may recover `path` (0: it may now; undefined: not open under a lease). */
  softLimitRemainingMs(path: string, nowMs: number): number | undefined {
    const holder = this.byPath.get(path);
    if (holder === undefined) return undefined;
    const renewed = this.byHolder.get(holder)!.renewedMs ?? nowMs;
    return Math.max(0, renewed + this.config.softLimitMs - nowMs);
  }

  /** Files of holders past the hard limit, oldest lease first. */
  hardExpired(nowMs: number): Array<{ path: string; holder: string }> {
    const out: Array<{ path: string; holder: string }> = [];
    for (const [holder, lease] of this.byHolder) {
      if (lease.renewedMs === undefined || nowMs - lease.renewedMs < this.config.hardLimitMs) continue;
      for (const path of lease.paths) out.push({ path, holder });
    }
    return out;
  }

  get holders(): number {
    return this.byHolder.size;
  }

  get files(): number {
    return this.byPath.size;
  }

  /** The time `holder()` measures ages against (the latest tick). */
  observe(nowMs: number): void {
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
  }
}
