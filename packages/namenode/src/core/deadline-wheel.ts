/**
 * DeadlineWheel: "which items may be due by now?" without looking at every item. Pure, no clock.
 *
 * Items sit in buckets of `granularityMs` keyed by floor(atMs / granularityMs). `drainDue(now)`
 * hands back every item scheduled in a bucket up to and including now's bucket, so an item comes
 * back at the first drain at or after its time, possibly a little before it (same bucket): the
 * caller re-checks its own exact condition and schedules again what is not due yet. Scheduling
 * is lazy: an item keeps its earliest schedule (`schedule` with a later time is a no-op, with an
 * earlier one it moves), so a deadline that only moves later — a heartbeat pushing a node's
 * STALE deadline — costs nothing until the old bucket comes up; one re-check then moves it on.
 * Stale references left in buckets by a move or `cancel` are skipped by key. HeartbeatMonitor
 * uses it so that tick() looks at the few nodes whose deadline may have passed, not all of them.
 *
 * Invariant: an item whose `wheelKey` is not NOT_SCHEDULED is in the bucket of that key (maybe
 * more than once, and maybe also as stale references elsewhere); the first drain at or after
 * its key returns it exactly once and marks it NOT_SCHEDULED.
 */

export const NOT_SCHEDULED = -1;

export interface WheelItem {
  /** Bucket the item is scheduled in, or NOT_SCHEDULED. Owned by the wheel. */
  wheelKey: number;
}

/** Bucket arrays kept for reuse instead of being left to the garbage collector. */
const MAX_SPARE_BUCKETS = 64;

export class DeadlineWheel<T extends WheelItem> {
  private readonly buckets = new Map<number, T[]>();
  private readonly spare: T[][] = [];
  /** Bucket of the last drain: earlier times are scheduled here (due at the next drain). */
  private floorKey = 0;
  /** The bucket scheduled into last (consecutive schedules mostly share one): saves a Map lookup. */
  private lastKey = NOT_SCHEDULED;
  private lastBucket: T[] | undefined;

  constructor(readonly granularityMs: number) {
    if (!(granularityMs > 0) || !Number.isFinite(granularityMs)) throw new RangeError(`granularityMs must be > 0, got ${granularityMs}`);
  }

  /** Makes `item` come back from the first drainDue(now) with now >= atMs, or earlier. */
  schedule(item: T, atMs: number): void {
    let key = Math.floor(atMs / this.granularityMs);
    if (!(key >= this.floorKey)) key = this.floorKey; // also NaN and -Infinity
    const current = item.wheelKey;
    if (current !== NOT_SCHEDULED && current <= key) return;
    let bucket = key === this.lastKey ? this.lastBucket : this.buckets.get(key);
    if (!bucket) {
      bucket = this.spare.pop() ?? [];
      this.buckets.set(key, bucket);
    }
    this.lastKey = key;
    this.lastBucket = bucket;
    bucket.push(item);
    item.wheelKey = key;
  }

  cancel(item: T): void {
    item.wheelKey = NOT_SCHEDULED;
  }

  /**
   * Appends to `out` every item scheduled in a bucket at or before nowMs's, each once, and
   * unschedules them. Later times scheduled by the caller go to the future; earlier ones (or
   * ones inside now's bucket) land in now's bucket and come back from the next drain.
   */
  drainDue(nowMs: number, out: T[]): void {
    const last = Math.floor(nowMs / this.granularityMs);
    if (last < this.floorKey) return;
    if (last - this.floorKey <= 4 * this.buckets.size + 64) {
      for (let key = this.floorKey; key <= last; key++) this.drainBucket(key, out);
    } else {
      // A long gap between drains (the NameNode stalled): visit the buckets that exist.
      const keys: number[] = [];
      for (const key of this.buckets.keys()) if (key <= last) keys.push(key);
      for (const key of keys) this.drainBucket(key, out);
    }
    this.floorKey = last;
  }

  /** Buckets currently held (for tests). */
  bucketCount(): number {
    return this.buckets.size;
  }

  private drainBucket(key: number, out: T[]): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    this.buckets.delete(key);
    if (key === this.lastKey) {
      this.lastKey = NOT_SCHEDULED;
      this.lastBucket = undefined;
    }
    for (let i = 0; i < bucket.length; i++) {
      const item = bucket[i];
      if (item.wheelKey !== key) continue; // moved earlier, cancelled, or already returned
      item.wheelKey = NOT_SCHEDULED;
      out.push(item);
    }
    bucket.length = 0;
    if (this.spare.length < MAX_SPARE_BUCKETS) this.spare.push(bucket);
  }
}
