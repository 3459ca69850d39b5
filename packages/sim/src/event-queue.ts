/**
 * The simulator's agenda for everything except heartbeat arrivals (those go through a bucket
 * wheel in simulation.ts): a binary min-heap ordered by (time, insertion sequence), so events at
 * the same virtual time run in the order they were scheduled — deterministic by construction.
 */

export interface SimEvent {
  timeMs: number;
  /** Insertion order; ties in time are broken by it. */
  seq: number;
  kind: number;
  /** DataNode index the event belongs to, or -1. */
  node: number;
  /** Kind-specific payload. */
  data: unknown;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(timeMs: number, kind: number, node: number, data: unknown = undefined): void {
    if (Number.isNaN(timeMs)) throw new RangeError('event time is NaN');
    const e: SimEvent = { timeMs, seq: this.nextSeq++, kind, node, data };
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  /** Time of the earliest event, or Infinity. */
  peekTimeMs(): number {
    return this.heap.length ? this.heap[0].timeMs : Number.POSITIVE_INFINITY;
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[child], last)) break;
        h[i] = h[child];
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
