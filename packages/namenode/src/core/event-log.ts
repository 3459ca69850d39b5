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
  private readonly events: ClusterEvent[] = [];
  private nextSeq = 1;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`EventLog capacity must be >= 1, got ${capacity}`);
  }

  append(atMs: number, type: string, fields: Record<string, unknown> = {}): ClusterEvent {
    const event: ClusterEvent = { ...fields, seq: this.nextSeq++, atMs, type };
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return event;
  }

  /** Events with seq > afterSeq, oldest first, at most `limit`. */
  since(afterSeq = 0, limit = this.capacity): ClusterEvent[] {
    const out = this.events.filter((e) => e.seq > afterSeq);
    return out.slice(Math.max(0, out.length - limit));
  }
}
