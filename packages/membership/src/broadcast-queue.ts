/**
 * The piggyback queue (memberlist TransmitLimitedQueue): at most one pending update per member
 * (a newer fact about a member replaces the older one), each sent a bounded number of times,
 * least-sent first and, among equals, newest first — so fresh news (a suspicion, a refutation, a
 * joiner) goes out at once even behind a backlog of a mass join. Entries sit in per-transmit-count
 * buckets (intrusive lists, newest at the head), so take() touches only what it returns.
 * Size ≤ members tracked.
 */
import type { MemberUpdate } from './messages';

interface Entry {
  update: MemberUpdate;
  transmits: number;
  newer: Entry | undefined;
  older: Entry | undefined;
}

/** Head = newest entry of a bucket. */
interface Bucket {
  head: Entry | undefined;
}

export class BroadcastQueue {
  private readonly byId = new Map<string, Entry>();
  /** buckets[t]: entries sent t times. */
  private readonly buckets: Bucket[] = [];

  get size(): number {
    return this.byId.size;
  }

  /** Queue `update` to be sent; replaces whatever was pending about the same member. */
  enqueue(update: MemberUpdate): void {
    this.remove(update.id);
    const e: Entry = { update, transmits: 0, newer: undefined, older: undefined };
    this.byId.set(update.id, e);
    this.link(e);
  }

  remove(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.byId.delete(id);
    this.unlink(e);
  }

  /** The pending update about `id`, if any (not counted as a transmission). */
  peek(id: string): MemberUpdate | undefined {
    return this.byId.get(id)?.update;
  }

  /** Count one transmission of the pending update about `id` (sent by the caller out of order). */
  takeOne(id: string, transmitLimit: number): void {
    const e = this.byId.get(id);
    if (e) this.sent(e, transmitLimit);
  }

  /**
   * Up to `max` updates, least-transmitted first, newest first among equals, each counted as
   * sent once; entries that reach `transmitLimit` leave the queue. `skipId` is not taken (the
   * caller already put a fact about that member first).
   */
  take(max: number, transmitLimit: number, skipId?: string): MemberUpdate[] {
    const chosen: Entry[] = [];
    for (let t = 0; t < this.buckets.length && chosen.length < max; t++) {
      if (t >= transmitLimit) {
        // The limit shrank (fewer members): these have been sent enough.
        for (let e = this.buckets[t].head; e; e = e.older) this.byId.delete(e.update.id);
        this.buckets[t].head = undefined;
        continue;
      }
      for (let e = this.buckets[t].head; e && chosen.length < max; e = e.older) {
        if (e.update.id !== skipId) chosen.push(e);
      }
    }
    const out: MemberUpdate[] = new Array(chosen.length);
    for (let i = 0; i < chosen.length; i++) {
      out[i] = chosen[i].update;
      this.sent(chosen[i], transmitLimit);
    }
    return out;
  }

  private sent(e: Entry, transmitLimit: number): void {
    this.unlink(e);
    e.transmits += 1;
    if (e.transmits >= transmitLimit) this.byId.delete(e.update.id);
    else this.link(e);
  }

  private link(e: Entry): void {
    while (this.buckets.length <= e.transmits) this.buckets.push({ head: undefined });
    const b = this.buckets[e.transmits];
    e.newer = undefined;
    e.older = b.head;
    if (b.head) b.head.newer = e;
    b.head = e;
  }

  private unlink(e: Entry): void {
    const b = this.buckets[e.transmits];
    if (e.newer) e.newer.older = e.older;
    else b.head = e.older;
    if (e.older) e.older.newer = e.newer;
    e.newer = undefined;
    e.older = undefined;
  }
}
