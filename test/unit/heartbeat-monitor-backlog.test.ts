/**
 * Backlog guard of the HeartbeatMonitor (pure, manual times): while the NameNode reports that its
 * tick timer fires late by a quarter interval or more (noteLag), a node past its dead limit goes
 * STALE, not DEAD; its beats that waited in the NameNode's buffers bring it back LIVE; a node that
 * really stopped is DEAD at the first tick once the hold (two intervals after the last late tick)
 * is over. Ticks every interval / 4, as namenode.ts runs them.
 */
import type { LivenessConfig } from '@minidfs/common';
import { BACKLOG_LAG_INTERVALS, HeartbeatMonitor, type Transition } from '@minidfs/namenode';

const cfg: LivenessConfig = { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 };
const interval = cfg.heartbeatIntervalMs;
const tickMs = interval / 4;
const late = BACKLOG_LAG_INTERVALS * interval;

/** Ticks from `fromMs` to `toMs` (every tickMs); `lagMs(t)` is how late the timer of the tick at t fired. */
function ticks(m: HeartbeatMonitor, fromMs: number, toMs: number, lagMs: (t: number) => number = () => 0): Transition[] {
  const out: Transition[] = [];
  for (let t = fromMs; t <= toMs; t += tickMs) {
    m.noteLag(t, lagMs(t));
    out.push(...m.tick(t));
  }
  return out;
}

const moves = (ts: Transition[]) => ts.map((t) => `${t.atMs} ${t.nodeId} ${t.from}->${t.to}`);

describe('HeartbeatMonitor backlog guard', () => {
  test('without a late timer a silent node is DEAD at its dead limit (control)', () => {
    const m = new HeartbeatMonitor(cfg);
    m.register('dn1', 0);
    expect(moves(ticks(m, 0, 3 * interval))).toEqual(['2000 dn1 LIVE->STALE', '3000 dn1 STALE->DEAD']);
    expect(m.backlogCount).toBe(0);
  });

  test('while the NameNode is behind, a node past its dead limit is STALE; its late beats bring it back LIVE, no DEAD', () => {
    const m = new HeartbeatMonitor(cfg);
    m.register('dn1', 0);
    // From 1.5 s to 4 s every tick fires half an interval late: the node's beats sit in the NameNode's buffers.
    const behind = (t: number) => (t >= 1500 && t <= 4000 ? interval / 2 : 0);
    const during = ticks(m, 0, 4000, behind);
    expect(moves(during)).toEqual(['2000 dn1 LIVE->STALE']);
    expect(m.state('dn1')).toBe('STALE');
    expect(m.holdingDead(4000)).toBe(true);
    // The backlog drains: the beats that waited arrive.
    const back = m.heartbeat('dn1', 1, 1, 4100);
    expect(back).toMatchObject({ kind: 'accepted', transition: { from: 'STALE', to: 'LIVE' } });
    for (let s = 2; s <= 4; s++) m.heartbeat('dn1', s, 1, 4100 + (s - 1) * interval);
    expect(moves(ticks(m, 4250, 8000))).toEqual([]);
    expect(m.state('dn1')).toBe('LIVE');
    expect(m.backlogCount).toBe(1);
  });

  test('a node that really stopped during a backlog is DEAD at the first tick after the hold', () => {
    const m = new HeartbeatMonitor(cfg);
    m.register('dn1', 0);
    m.register('dn2', 0);
    let seq = 0;
    const behind = (t: number) => (t >= 1000 && t <= 5000 ? late : 0);
    const out: Transition[] = [];
    for (let t = 0; t <= 9000; t += tickMs) {
      if (t % interval === 0 && t > 0) m.heartbeat('dn2', ++seq, 1, t); // dn2 keeps beating; dn1 stopped at 0
      m.noteLag(t, behind(t));
      out.push(...m.tick(t));
    }
    // The last late tick is at 5000: the hold lasts two intervals, to 7000.
    expect(moves(out)).toEqual(['2000 dn1 LIVE->STALE', '7000 dn1 STALE->DEAD']);
    expect(m.state('dn2')).toBe('LIVE');
  });

  test('a lag under a quarter interval holds nothing; one report per episode says so', () => {
    const m = new HeartbeatMonitor(cfg);
    expect(m.noteLag(0, late - 1)).toBe(false);
    expect(m.holdingDead(0)).toBe(false);
    expect(m.noteLag(100, late)).toBe(true);
    expect(m.noteLag(200, 5 * late)).toBe(false); // the same episode, hold extended
    expect(m.holdingDead(200 + 2 * interval - 1)).toBe(true);
    expect(m.holdingDead(200 + 2 * interval)).toBe(false);
    expect(m.noteLag(200 + 2 * interval, late)).toBe(true);
    expect(m.backlogCount).toBe(2);
    expect(m.noteLag(0, Number.NaN)).toBe(false);
  });
});
