/** EventLog: a ring buffer that must answer `since` exactly like keeping the last `capacity` events in an array. */
import fc from 'fast-check';
import { EventLog } from '@minidfs/namenode';

describe('EventLog', () => {
  it('keeps the newest capacity events and answers since(after, limit) like the naive model', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -2, max: 70 }), fc.integer({ min: 0, max: 25 }),
      (capacity, appends, after, limit) => {
        const log = new EventLog(capacity);
        const model: number[] = [];
        for (let i = 0; i < appends; i++) {
          const e = log.append(i * 10, 'x', { i });
          expect(e.seq).toBe(i + 1);
          model.push(e.seq);
        }
        const kept = model.slice(Math.max(0, model.length - capacity)).filter((seq) => seq > after);
        const expected = kept.slice(Math.max(0, kept.length - limit));
        expect(log.since(after, limit).map((e) => e.seq)).toEqual(expected);
        expect(log.since(after).map((e) => e.seq)).toEqual(kept);
      },
    ), { numRuns: 500 });
  });

  it('rejects a capacity below 1', () => {
    expect(() => new EventLog(0)).toThrow(RangeError);
  });
});
