/**
 * DeadlineWheel (the structure behind HeartbeatMonitor.tick) and the monitor built on it: an item
 * comes back at the first drain at or after its time, never later; and, over random sequences of
 * registrations, beats, stream breaks, goodbyes, forgets, ticks and NameNode stalls, the monitor
 * gives exactly the transitions of the plain scan-every-node model it replaced.
 */
import fc from 'fast-check';
import { HeartbeatMonitor, type Transition } from '@minidfs/namenode';
import { DeadlineWheel, NOT_SCHEDULED } from '../../packages/namenode/src/core/deadline-wheel';

interface Item { wheelKey: number; id: number }
const item = (id: number): Item => ({ wheelKey: NOT_SCHEDULED, id });

describe('DeadlineWheel', () => {
  test('returns an item at the first drain at or after its time, once', () => {
    const w = new DeadlineWheel<Item>(10);
    const a = item(1);
    w.schedule(a, 35);
    const out: Item[] = [];
    w.drainDue(29, out);
    expect(out).toEqual([]);
    w.drainDue(30, out); // same bucket as 35: may come back early, the caller re-checks
    expect(out).toEqual([a]);
    out.length = 0;
    w.drainDue(100, out);
    expect(out).toEqual([]);
  });

  test('a later schedule keeps the earlier one; an earlier one moves it; cancel drops it', () => {
    const w = new DeadlineWheel<Item>(10);
    const a = item(1);
    const b = item(2);
    w.schedule(a, 50);
    w.schedule(a, 500); // no-op
    w.schedule(b, 500);
    w.schedule(b, 20); // moves
    const out: Item[] = [];
    w.drainDue(25, out);
    expect(out).toEqual([b]);
    w.cancel(a);
    w.drainDue(1000, out);
    expect(out).toEqual([b]);
    expect(w.bucketCount()).toBe(0);
  });

  test('times before the last drain come back from the next drain; a long gap visits only existing buckets', () => {
    const w = new DeadlineWheel<Item>(1);
    const out: Item[] = [];
    w.drainDue(1000, out);
    const a = item(1);
    w.schedule(a, 3);
    w.drainDue(1000, out);
    expect(out).toEqual([a]);
    const b = item(2);
    w.schedule(b, 1e12);
    w.drainDue(1e12 + 5, out);
    expect(out).toEqual([a, b]);
  });

  test('never late, each item once per schedule (random schedules and drains)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ id: fc.integer({ min: 0, max: 9 }), at: fc.integer({ min: 0, max: 2000 }), drainBy: fc.integer({ min: 0, max: 300 }) }), { maxLength: 200 }),
      (ops) => {
        const w = new DeadlineWheel<Item>(7);
        const items = Array.from({ length: 10 }, (_, i) => item(i));
        const wanted = new Map<number, number>(); // id -> earliest scheduled time not yet returned
        let now = 0;
        const out: Item[] = [];
        for (const op of ops) {
          const at = now + op.at;
          w.schedule(items[op.id], at);
          wanted.set(op.id, Math.min(wanted.get(op.id) ?? Infinity, at));
          now += op.drainBy;
          out.length = 0;
          w.drainDue(now, out);
          expect(new Set(out.map((x) => x.id)).size).toBe(out.length);
          for (const x of out) wanted.delete(x.id);
          for (const [, t] of wanted) expect(t).toBeGreaterThan(now); // nothing due was left behind
        }
      },
    ), { numRuns: 200 });
  });
});

/** The monitor as it was before the wheel: a scan of every node on every tick (missed-beat threshold). */
class ScanModel {
  private readonly nodes = new Map<string, { state: string; last: number; seq: number; stream: number | undefined }>();
  private lastTick: number | undefined;
  constructor(private readonly interval: number, private readonly staleAt: number, private readonly deadAt: number) {}
  register(id: string, now: number): void {
    const prev = this.nodes.get(id);
    this.nodes.set(id, { state: 'LIVE', last: now, seq: -1, stream: prev?.stream });
  }
  heartbeat(id: string, seq: number, stream: number, now: number): void {
    const e = this.nodes.get(id);
    if (!e || e.state === 'DEAD' || seq <= e.seq) return;
    e.seq = seq;
    e.last = Math.max(e.last, now);
    e.stream = stream;
    if (e.state === 'STALE') e.state = 'LIVE';
  }
  streamClosed(id: string, stream: number): void {
    const e = this.nodes.get(id);
    if (!e || e.stream !== stream) return;
    e.stream = undefined;
    if (e.state === 'LIVE') e.state = 'STALE';
  }
  goodbye(id: string): void {
    const e = this.nodes.get(id);
    if (e && e.state !== 'DEAD') e.state = 'DEAD';
  }
  forget(id: string): void {
    this.nodes.delete(id);
  }
  tick(now: number): string[] {
    if (this.lastTick !== undefined && now - this.lastTick > 2 * this.interval) {
      const gap = now - this.lastTick;
      for (const e of this.nodes.values()) e.last = Math.min(now, e.last + gap);
    }
    this.lastTick = now;
    const out: string[] = [];
    for (const [id, e] of this.nodes) {
      if (e.state === 'DEAD') continue;
      const missed = Math.max(0, Math.floor((now - e.last) / this.interval));
      if (missed >= this.deadAt) { out.push(`${id}:${e.state}->DEAD`); e.state = 'DEAD'; }
      else if (missed >= this.staleAt && e.state === 'LIVE') { out.push(`${id}:LIVE->STALE`); e.state = 'STALE'; }
    }
    return out;
  }
}

describe('HeartbeatMonitor on the wheel = the scan model', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('register' as const), node: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('beat' as const), node: fc.integer({ min: 0, max: 7 }), stream: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ kind: fc.constant('close' as const), node: fc.integer({ min: 0, max: 7 }), stream: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ kind: fc.constant('goodbye' as const), node: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('forget' as const), node: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 2000 })) }),
  );

  test('same transitions, in the same order, for random runs', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 3 }), (ops, staleAt) => {
      const cfg = { heartbeatIntervalMs: 100, staleAfterMissed: staleAt, deadAfterMissed: staleAt + 1 + (ops.length % 3) };
      const m = new HeartbeatMonitor(cfg);
      const model = new ScanModel(cfg.heartbeatIntervalMs, cfg.staleAfterMissed, cfg.deadAfterMissed);
      const seq = new Map<number, number>();
      let now = 1000;
      for (const o of ops) {
        const id = o.kind === 'tick' ? '' : `dn${o.node}`;
        switch (o.kind) {
          case 'register': m.register(id, now); model.register(id, now); seq.set(o.node, 0); break;
          case 'beat': {
            const s = (seq.get(o.node) ?? 0) + 1;
            seq.set(o.node, s);
            m.heartbeat(id, s, o.stream, now);
            model.heartbeat(id, s, o.stream, now);
            break;
          }
          case 'close': m.streamClosed(id, o.stream, now); model.streamClosed(id, o.stream); break;
          case 'goodbye': m.goodbye(id, now); model.goodbye(id); break;
          case 'forget': m.forget(id); model.forget(id); break;
          case 'tick': {
            now += o.advanceMs;
            const got = m.tick(now).map((t: Transition) => `${t.nodeId}:${t.from}->${t.to}`);
            expect(got).toEqual(model.tick(now));
            break;
          }
        }
      }
    }), { numRuns: 300 });
  });
});
