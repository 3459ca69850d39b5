/** The simulator's seeded randomness: reproducible, independent streams, sane distributions. */
import { Random, RandomStreams, formatDuration, parseBytes, parseDurationMs } from '@minidfs/sim';

describe('Random (sfc32 seeded by cyrb128)', () => {
  test('the same seed gives the same sequence; another seed another', () => {
    const a = new Random('seed');
    const b = new Random('seed');
    const c = new Random('seed2');
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(xs);
  });

  test('forks are independent of how much the parent drew', () => {
    const a = new Random('s');
    const b = new Random('s');
    for (let i = 0; i < 1000; i++) b.next();
    expect(a.fork('net/1').next()).toBe(b.fork('net/1').next());
    expect(a.fork('net/1').next()).not.toBe(a.fork('net/2').next());
  });

  test('RandomStreams stream i is Random(`${seed}/${label}/${i}`)', () => {
    const streams = new RandomStreams('s', 'net', 10);
    for (const i of [0, 3, 9]) {
      const r = new Random(`s/net/${i}`);
      for (let k = 0; k < 50; k++) expect(streams.nextUint32(i)).toBe(r.nextUint32());
    }
  });

  test('distributions have the right means', () => {
    const r = new Random('d');
    const streams = new RandomStreams('d', 'x', 1);
    const n = 200_000;
    let u = 0, e = 0, e2 = 0, g = 0, ln = 0;
    for (let i = 0; i < n; i++) {
      u += r.next();
      e += r.exponential(2);
      e2 += streams.exponential(0, 2);
      g += r.geometric(0.05);
      ln += Math.log(r.logNormal(3, 1));
    }
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(e / n).toBeCloseTo(2, 1);
    expect(e2 / n).toBeCloseTo(2, 1); // the table-based sampler
    expect(g / n).toBeCloseTo(20, 0);
    expect(ln / n).toBeCloseTo(Math.log(3), 1); // median 3
    expect(r.geometric(0)).toBe(Number.POSITIVE_INFINITY);
    expect(r.geometric(1)).toBe(1);
  });
});

describe('units', () => {
  test('durations and sizes parse as typed', () => {
    expect(parseDurationMs('24h')).toBe(86_400_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1d')).toBe(86_400_000);
    expect(parseDurationMs('40')).toBe(40);
    expect(() => parseDurationMs('soon')).toThrow(RangeError);
    expect(parseBytes('128MiB')).toBe(128 * 2 ** 20);
    expect(parseBytes('1TB')).toBe(1e12);
    expect(() => parseBytes('lots')).toThrow(RangeError);
    expect(formatDuration(3250)).toBe('3.25 s');
    expect(formatDuration(630_000)).toBe('10 m 30 s');
  });
});
