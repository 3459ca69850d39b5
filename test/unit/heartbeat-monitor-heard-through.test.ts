/**
 * HeartbeatMonitor.heardThrough: a run of accepted beats set in one call leaves the monitor where
 * the beats one by one leave it (same transitions at the same ticks afterwards), a promise may be
 * moved back, and the call is refused where it would not be equal (not LIVE, a detector).
 */
import { HeartbeatMonitor, PhiAccrualDetector, type Transition, defaultPhiAccrualConfig } from '@minidfs/namenode';

const cfg = { heartbeatIntervalMs: 100, staleAfterMissed: 2, deadAfterMissed: 3 };
const TICK = 25;

/** Ticks every 25 ms from `from` to `to` (inclusive), collecting transitions. */
function ticks(m: HeartbeatMonitor, from: number, to: number): Transition[] {
  const out: Transition[] = [];
  for (let t = from; t <= to; t += TICK) out.push(...m.tick(t));
  return out;
}

describe('HeartbeatMonitor.heardThrough', () => {
  test('a promised run of beats gives the transitions of the beats one by one', () => {
    const beats = Array.from({ length: 20 }, (_, k) => 1000 + 100 * k + 3); // every 100 ms, heard at ..03
    const oneByOne = new HeartbeatMonitor(cfg);
    const promised = new HeartbeatMonitor(cfg);
    for (const m of [oneByOne, promised]) {
      m.register('dn1', 1000);
      m.tick(1000);
    }
    // one by one: each beat at its arrival, ticks between
    let t = 1000;
    for (let k = 0; k < beats.length; k++) {
      const next = Math.ceil(beats[k] / TICK) * TICK;
      expect(ticks(oneByOne, t + TICK, next - TICK)).toEqual([]);
      oneByOne.heartbeat('dn1', k + 1, 7, beats[k]);
      oneByOne.tick(next);
      t = next;
    }
    // promised: the first beat delivered, the rest in one call, then the same ticks
    promised.heartbeat('dn1', 1, 7, beats[0]);
    expect(promised.heardThrough('dn1', beats.length, 7, beats[beats.length - 1])).toBe(true);
    expect(ticks(promised, 1000 + TICK, t)).toEqual([]);
    // then silence: STALE and DEAD at the same ticks, with the same silence
    const a = ticks(oneByOne, t + TICK, t + 1000);
    const b = ticks(promised, t + TICK, t + 1000);
    expect(a.map((x) => x.to)).toEqual(['STALE', 'DEAD']);
    expect(b).toEqual(a);
    // DEAD on both: a beat is answered with REREGISTER
    expect(promised.heartbeat('dn1', beats.length + 1, 7, t + 1000).kind).toBe('reregister');
  });

  test('moved back: the node is judged from the beat it was moved back to', () => {
    const m = new HeartbeatMonitor(cfg);
    m.register('dn1', 0);
    m.tick(0);
    m.heartbeat('dn1', 1, 1, 90);
    expect(m.heardThrough('dn1', 30, 1, 2990)).toBe(true);
    expect(ticks(m, 100, 250)).toEqual([]);
    expect(m.heardThrough('dn1', 2, 1, 190)).toBe(true); // only beat 2 had arrived
    expect(m.heartbeat('dn1', 2, 1, 260)).toEqual({ kind: 'duplicate' });
    const out = ticks(m, 275, 500);
    expect(out.map((x) => [x.to, x.atMs, x.msSinceLastHeartbeat])).toEqual([['STALE', 400, 210], ['DEAD', 500, 310]]);
  });

  test('refused, changing nothing, for a node that is not LIVE and under a detector', () => {
    const m = new HeartbeatMonitor(cfg);
    expect(m.heardThrough('nobody', 1, 1, 10)).toBe(false);
    m.register('dn1', 0);
    const stale = ticks(m, 0, 200);
    expect(stale.map((x) => x.to)).toEqual(['STALE']);
    expect(m.heardThrough('dn1', 1, 1, 210)).toBe(false);
    expect(ticks(m, 225, 300).map((x) => x.to)).toEqual(['DEAD']);

    const phi = new HeartbeatMonitor(cfg);
    phi.useDetector(new PhiAccrualDetector(defaultPhiAccrualConfig(cfg)));
    phi.register('dn1', 0);
    expect(phi.heardThrough('dn1', 5, 1, 500)).toBe(false);
  });
});
