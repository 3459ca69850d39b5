/**
 * Bounded in-memory log of cluster events (state transitions, registrations, later repair steps)
 * for the JSON API and the UI. Oldest entries fall off past `capacity`.
 */
export interface ClusterEvent {
  seq: number;
  atMs: number;
  type: string;
  nodeId?: string;
  [field: string]: unknown;
}

export class EventLog {
  /** Ring buffer: event with seq s sits at (s - 1) % capacity; O(1) append however full. */
  private readonly slots: Array<ClusterEvent | undefined>;
  private nextSeq = 1;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new RangeError(`EventLog capacity must be an integer >= 1, got ${capacity}`);
    this.slots = new Array<ClusterEvent | undefined>(capacity);
  }

  append(atMs: number, type: string, fields: Record<string, unknown> = {}): ClusterEvent {
    const event: ClusterEvent = { ...fields, seq: this.nextSeq++, atMs, type };
    this.slots[(event.seq - 1) % this.capacity] = event;
    return event;
  }

  /** Events with seq > afterSeq, oldest first, at most `limit` (the newest ones). */
  since(afterSeq = 0, limit = this.capacity): ClusterEvent[] {
    const last = this.nextSeq - 1;
    const oldestKept = Math.max(1, last - this.capacity + 1);
    const from = Math.max(oldestKept, Math.floor(afterSeq) + 1, last - Math.max(0, Math.floor(limit)) + 1);
    const out: ClusterEvent[] = [];
    for (let seq = from; seq <= last; seq += 1) out.push(this.slots[(seq - 1) % this.capacity]!);
    return out;
  }
}
