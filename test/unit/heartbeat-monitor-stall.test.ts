/**
 * The DEAD bound after a NameNode stall, on the pure core under a manual clock: a crash right
 * after the NameNode resumes is DEAD as fast as any other crash. The bound is (deadAfter + 1) ×
 * interval measured from the crash (the DataNode's last beat left at most one interval before
 * it), which is deadAfter × interval from the last beat heard plus at most one tick.
 * The NameNode's tick runs every interval / 4, as namenode.ts runs it.
 */
import { type LivenessConfig, ManualClock } from '@minidfs/common';
import { HeartbeatMonitor, type LivenessDetector, PhiAccrualDetector, type Transition, defaultPhiAccrualConfig } from '@minidfs/namenode';

const cfg: LivenessConfig = { heartbeatIntervalMs: 200, staleAfterMissed: 2, deadAfterMissed: 3 };
const interval = cfg.heartbeatIntervalMs;
const tickMs = interval / 4;
const boundFromCrashMs = (cfg.deadAfterMissed + 1) * interval;

/** On resume, Node's event loop may run the tick timer or the socket reads first. */
type ResumeOrder = 'beats-first' | 'tick-first';

/**
 * Three DataNodes beating every interval (each at its own phase), a NameNode ticking every
 * interval / 4. Time only moves through `advanceTo`, which delivers beats and ticks in time order.
 */
function cluster(resumeOrder: ResumeOrder, detector?: LivenessDetector, phasesMs = [0, 70, 140]) {
  const clock = new ManualClock(1_000_000);
  const m = new HeartbeatMonitor(cfg);
  if (detector) m.useDetector(detector);
  const ids = phasesMs.map((_, k) => `dn${k + 1}`);
  const sequence = new Map<string, number>();
  const nextBeatMs = new Map<string, number>();
  const crashed = new Set<string>();
  const lastBeatMs = new Map<string, number>();
  /** Beats sent while the NameNode is stopped wait in its socket until it runs again. */
  const queued: Array<{ id: string; sentMs: number }> = [];
  let stoppedUntilMs = -1;
  let nextTickMs = clock.nowMs();
  const transitions: Transition[] = [];
  ids.forEach((id, k) => {
    m.register(id, clock.nowMs());
    nextBeatMs.set(id, clock.nowMs() + phasesMs[k]);
  });

  const deliver = (id: string, atMs: number) => {
    const s = (sequence.get(id) ?? 0) + 1;
    sequence.set(id, s);
    const v = m.heartbeat(id, s, 1, atMs);
    if (v.kind === 'accepted' && v.transition) transitions.push(v.transition);
  };

  /** Runs every beat and tick due up to targetMs, in time order. */
  const advanceTo = (targetMs: number) => {
    for (;;) {
      const beats = ids.filter((id) => !crashed.has(id)).map((id) => ({ id, at: nextBeatMs.get(id)! }));
      const beat = beats.sort((a, b) => a.at - b.at)[0];
      const tickAt = Math.max(nextTickMs, stoppedUntilMs);
      const at = Math.min(beat?.at ?? Infinity, tickAt);
      if (at > targetMs) break;
      clock.set(at);
      if (beat && beat.at === at) {
        lastBeatMs.set(beat.id, at);
        nextBeatMs.set(beat.id, at + interval);
        if (at < stoppedUntilMs) queued.push({ id: beat.id, sentMs: at });
        else deliver(beat.id, at);
        continue;
      }
      // The NameNode runs (again): what waited in its sockets and its tick, in either order.
      if (resumeOrder === 'tick-first') transitions.push(...m.tick(at));
      for (const q of queued.splice(0)) deliver(q.id, at);
      if (resumeOrder === 'beats-first') transitions.push(...m.tick(at));
      nextTickMs = at + tickMs;
    }
    clock.set(targetMs);
  };

  return {
    clock, m, transitions, lastBeatMs, advanceTo,
    /** The NameNode process is stopped from now for ms: no ticks, beats wait. */
    stopNameNode: (ms: number) => { stoppedUntilMs = clock.nowMs() + ms; },
    crash: (id: string) => { crashed.add(id); },
  };
}

function deadOf(transitions: Transition[], id: string): Transition | undefined {
  return transitions.find((t) => t.nodeId === id && t.to === 'DEAD');
}

describe('HeartbeatMonitor: DEAD bound after a NameNode stall', () => {
  test('without a stall: a crash is DEAD within (deadAfter + 1) x interval', () => {
    const c = cluster('beats-first');
    c.advanceTo(c.clock.nowMs() + 5000);
    const crashMs = c.clock.nowMs();
    c.crash('dn2');
    c.advanceTo(crashMs + 2000);
    const dead = deadOf(c.transitions, 'dn2')!;
    expect(dead.atMs - crashMs).toBeLessThanOrEqual(boundFromCrashMs);
    expect(dead.atMs - c.lastBeatMs.get('dn2')!).toBeLessThanOrEqual(cfg.deadAfterMissed * interval + tickMs);
  });

  const cases = (['beats-first', 'tick-first'] as const).flatMap((order) => [0, 50, 200, 400, 600, 1000].map((ms) => [order, ms] as const));
  test.each(cases)('a 1.8 s stall (on resume %s), beats resume, a crash %i ms later: DEAD within (deadAfter + 1) x interval of the crash', (order, crashAfterResumeMs) => {
    const c = cluster(order);
    c.advanceTo(c.clock.nowMs() + 5000);
    c.stopNameNode(1800);
    const resumeMs = c.clock.nowMs() + 1800;
    c.advanceTo(resumeMs + crashAfterResumeMs);
    expect(c.m.stallCount).toBe(1);
    expect(c.transitions).toEqual([]); // the stall itself costs nobody LIVE
    const crashMs = c.clock.nowMs();
    c.crash('dn2');
    c.advanceTo(crashMs + 3000);
    const dead = deadOf(c.transitions, 'dn2');
    expect(dead).toMatchObject({ reason: 'missed-beats' });
    expect(dead!.atMs - crashMs).toBeLessThanOrEqual(boundFromCrashMs);
    // deadAfter intervals after the last beat heard (received, maybe late: a beat sent during the stall), plus at most a tick.
    expect(dead!.msSinceLastHeartbeat).toBeLessThanOrEqual(cfg.deadAfterMissed * interval + tickMs);
    expect(c.transitions.filter((t) => t.nodeId !== 'dn2')).toEqual([]);
  });

  describe('with the phi accrual detector', () => {
    /** Silence before DEAD of a node crashed 600 ms after the NameNode resumed from a 1.8 s stall (or after no stall). */
    const deadSilenceMs = (order: ResumeOrder, stall: boolean) => {
      const c = cluster(order, new PhiAccrualDetector(defaultPhiAccrualConfig(cfg)));
      c.advanceTo(c.clock.nowMs() + 5000);
      if (stall) c.stopNameNode(1800);
      c.advanceTo(c.clock.nowMs() + (stall ? 1800 : 0) + 600);
      const crashMs = c.clock.nowMs();
      c.crash('dn2');
      c.advanceTo(crashMs + 5000);
      expect(c.transitions.filter((t) => t.nodeId !== 'dn2')).toEqual([]);
      return deadOf(c.transitions, 'dn2')!.msSinceLastHeartbeat;
    };

    test.each(['beats-first', 'tick-first'] as const)('the detector does not learn the stall (on resume %s): DEAD after the same silence as without one', (order) => {
      expect(deadSilenceMs(order, true)).toBeLessThanOrEqual(deadSilenceMs(order, false) + tickMs);
    });
  });
});
