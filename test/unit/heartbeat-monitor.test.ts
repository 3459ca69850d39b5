/**
 * HeartbeatMonitor under a manual clock: every transition, revival, stream breaks, goodbye,
 * duplicate sequences and the NameNode stall guard. No sleeps: time moves only when told.
 */
import { ManualClock, fastTestLivenessConfig, InvalidArgumentError } from '@minidfs/common';
import { HeartbeatMonitor, type Transition } from '@minidfs/namenode';

// The fast test profile, with DEAD pinned at 3 missed beats: the times below (DEAD at 300 ms) assume it.
const cfg = { ...fastTestLivenessConfig(), deadAfterMissed: 3 }; // 100 ms interval, STALE at 2 missed, DEAD at 3

function setup(nodes = ['dn1']) {
  const clock = new ManualClock(1_000_000);
  const m = new HeartbeatMonitor(cfg);
  const seq = new Map<string, number>();
  for (const n of nodes) m.register(n, clock.nowMs());
  m.tick(clock.nowMs());
  const beat = (n: string, streamId = 1) => {
    const s = (seq.get(n) ?? 0) + 1;
    seq.set(n, s);
    return m.heartbeat(n, s, streamId, clock.nowMs());
  };
  /** advance in tick-sized steps (25 ms, like the adapter's timer) collecting transitions */
  const run = (ms: number, beating: string[] = []) => {
    const out: Transition[] = [];
    for (let t = 0; t < ms; t += 25) {
      clock.advance(25);
      if (clock.nowMs() % cfg.heartbeatIntervalMs === 0) for (const n of beating) beat(n);
      out.push(...m.tick(clock.nowMs()));
    }
    return out;
  };
  return { clock, m, beat, run };
}

describe('HeartbeatMonitor', () => {
  test('register makes a node LIVE', () => {
    const m = new HeartbeatMonitor(cfg);
    const t = m.register('dn1', 0);
    expect(t).toMatchObject({ nodeId: 'dn1', from: 'NEW', to: 'LIVE', reason: 'registered' });
    expect(m.state('dn1')).toBe('LIVE');
  });

  test('a beating node stays LIVE indefinitely', () => {
    const { m, run } = setup(['dn1']);
    expect(run(10_000, ['dn1'])).toEqual([]);
    expect(m.state('dn1')).toBe('LIVE');
  });

  test('missed = floor((now - last)/interval): STALE at 2 missed, DEAD at 3', () => {
    const { clock, m } = setup();
    const t0 = clock.nowMs();
    clock.set(t0 + 199);
    expect(m.tick(clock.nowMs())).toEqual([]);
    expect(m.view('dn1', clock.nowMs())!.missedBeats).toBe(1);
    clock.set(t0 + 200);
    expect(m.tick(clock.nowMs())).toEqual([
      expect.objectContaining({ from: 'LIVE', to: 'STALE', reason: 'missed-beats', missedBeats: 2, msSinceLastHeartbeat: 200 }),
    ]);
    clock.set(t0 + 299);
    expect(m.tick(clock.nowMs())).toEqual([]);
    clock.set(t0 + 300);
    expect(m.tick(clock.nowMs())).toEqual([
      expect.objectContaining({ from: 'STALE', to: 'DEAD', reason: 'missed-beats', missedBeats: 3, msSinceLastHeartbeat: 300 }),
    ]);
    expect(m.tick(clock.nowMs() + 50)).toEqual([]); // DEAD is terminal until re-registration
  });

  test('a heartbeat revives a STALE node', () => {
    const { m, beat, run } = setup();
    run(200);
    expect(m.state('dn1')).toBe('STALE');
    const v = beat('dn1');
    expect(v).toMatchObject({ kind: 'accepted', transition: { from: 'STALE', to: 'LIVE', reason: 'heartbeat' } });
    expect(run(1000, ['dn1'])).toEqual([]);
  });

  test('a DEAD node is told to re-register, and registering revives it', () => {
    const { clock, m, beat, run } = setup();
    run(300);
    expect(m.state('dn1')).toBe('DEAD');
    expect(beat('dn1')).toEqual({ kind: 'reregister' });
    expect(m.register('dn1', clock.nowMs())).toMatchObject({ from: 'DEAD', to: 'LIVE', reason: 'registered' });
  });

  test('an unknown node is told to re-register', () => {
    const m = new HeartbeatMonitor(cfg);
    expect(m.heartbeat('ghost', 1, 1, 0)).toEqual({ kind: 'reregister' });
  });

  test('a broken stream makes the node STALE at once; DEAD still waits for the threshold', () => {
    const { clock, m, beat, run } = setup();
    beat('dn1', 7);
    const t = m.streamClosed('dn1', 7, clock.nowMs());
    expect(t).toMatchObject({ from: 'LIVE', to: 'STALE', reason: 'stream-closed', missedBeats: 0 });
    expect(run(275)).toEqual([]);
    expect(m.state('dn1')).toBe('STALE');
    expect(run(25)).toEqual([expect.objectContaining({ to: 'DEAD', reason: 'missed-beats' })]);
  });

  test('the close of a replaced stream is ignored', () => {
    const { clock, m, beat } = setup();
    beat('dn1', 1);
    beat('dn1', 2); // reconnected on stream 2
    expect(m.streamClosed('dn1', 1, clock.nowMs())).toBeUndefined();
    expect(m.state('dn1')).toBe('LIVE');
  });

  test('goodbye marks DEAD without waiting', () => {
    const { clock, m } = setup();
    expect(m.goodbye('dn1', clock.nowMs())).toMatchObject({ from: 'LIVE', to: 'DEAD', reason: 'goodbye' });
    expect(m.goodbye('dn1', clock.nowMs())).toBeUndefined();
  });

  test('replayed or out-of-order sequence numbers do not count as liveness', () => {
    const { clock, m } = setup();
    expect(m.heartbeat('dn1', 5, 1, clock.nowMs()).kind).toBe('accepted');
    for (let i = 0; i < 10; i++) m.tick(clock.advance(25));
    expect(m.state('dn1')).toBe('STALE');
    expect(m.heartbeat('dn1', 5, 1, clock.nowMs())).toEqual({ kind: 'duplicate' });
    expect(m.heartbeat('dn1', 3, 1, clock.nowMs())).toEqual({ kind: 'duplicate' });
    expect(m.state('dn1')).toBe('STALE');
    expect(m.heartbeat('dn1', 6, 1, clock.nowMs()).kind).toBe('accepted');
    expect(m.state('dn1')).toBe('LIVE');
  });

  test('stall guard: a NameNode paused for 3x the dead timeout declares nobody dead', () => {
    const { clock, m, run } = setup(['dn1', 'dn2', 'dn3']);
    run(500, ['dn1', 'dn2', 'dn3']);
    clock.advance(3 * cfg.deadAfterMissed * cfg.heartbeatIntervalMs); // the process was stopped
    expect(m.tick(clock.nowMs())).toEqual([]);
    expect(m.stallCount).toBe(1);
    // The buffered beats arrive right after resuming: everybody stays LIVE.
    expect(run(1000, ['dn1', 'dn2', 'dn3'])).toEqual([]);
  });

  test('stall guard still lets a node that really died during the stall go DEAD afterwards', () => {
    const { clock, m, run } = setup(['dn1', 'dn2']);
    run(500, ['dn1', 'dn2']);
    clock.advance(2000);
    expect(m.tick(clock.nowMs())).toEqual([]);
    const ts = run(400, ['dn1']);
    expect(ts.map((t) => `${t.nodeId}:${t.to}`)).toEqual(['dn2:STALE', 'dn2:DEAD']);
    expect(m.state('dn1')).toBe('LIVE');
  });

  test('silence before the stall still counts', () => {
    const { clock, m, run } = setup(['dn1']);
    run(150); // 1 missed beat before the stall
    clock.advance(5000);
    m.tick(clock.nowMs());
    expect(run(150).map((t) => t.to)).toEqual(['STALE', 'DEAD']);
  });

  test('tick going backwards is a bug, not a transition', () => {
    const m = new HeartbeatMonitor(cfg);
    m.tick(100);
    expect(() => m.tick(50)).toThrow(RangeError);
  });

  test('config is validated', () => {
    expect(() => new HeartbeatMonitor({ heartbeatIntervalMs: 100, staleAfterMissed: 3, deadAfterMissed: 3 })).toThrow(InvalidArgumentError);
    expect(() => new HeartbeatMonitor({ heartbeatIntervalMs: 0, staleAfterMissed: 1, deadAfterMissed: 3 })).toThrow(InvalidArgumentError);
  });

  describe('with peer evidence (UNREACHABLE_FROM_NAMENODE)', () => {
    /** A gate whose verdict the test sets: vouchers present or not. */
    function gated(probeable = true) {
      const { clock, m, beat, run } = setup(['dn1']);
      let vouch = true;
      const gate = {
        verdict: (_id: string) => (vouch ? [{ nodeId: 'dn2', host: 'h2' }, { nodeId: 'dn3', host: 'h3' }] : undefined),
        stalled: jest.fn(),
        probeable: () => probeable,
        config: { unreachableGraceMs: 1000, peerProbeIntervalMs: 100, peerProbeAfterMs: 150 },
      };
      m.usePeerEvidence(gate);
      m.register('dn1', clock.nowMs()); // re-read probeable
      return { clock, m, beat, run, gate, setVouch: (v: boolean) => { vouch = v; } };
    }

    test('vouched at the DEAD deadline -> UNREACHABLE with the reporters; grace over -> DEAD', () => {
      const { m, run } = gated();
      const ts = run(300);
      expect(ts.map((t) => `${t.from}->${t.to}:${t.reason}`)).toEqual(['LIVE->STALE:missed-beats', 'STALE->UNREACHABLE_FROM_NAMENODE:peers-hear-it']);
      expect(ts[1]).toMatchObject({ missedBeats: 3, msSinceLastHeartbeat: 300, reporters: [{ nodeId: 'dn2', host: 'h2' }, { nodeId: 'dn3', host: 'h3' }] });
      expect(m.unreachableForMs('dn1', ts[1].atMs + 40)).toBe(40);
      expect(run(975)).toEqual([]);
      expect(run(25)).toEqual([expect.objectContaining({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'unreachable-grace-expired' })]);
    });

    test('vouchers gone -> DEAD at the next re-check (peers-lost-it); recheck() acts at once', () => {
      const { clock, m, run, setVouch } = gated();
      run(300);
      setVouch(false);
      expect(m.recheck('dn1', clock.nowMs())).toMatchObject({ to: 'DEAD', reason: 'peers-lost-it' });
      const g = gated();
      g.run(300);
      g.setVouch(false);
      const ts = g.run(100);
      expect(ts).toEqual([expect.objectContaining({ from: 'UNREACHABLE_FROM_NAMENODE', to: 'DEAD', reason: 'peers-lost-it' })]);
    });

    test('a heartbeat revives it; a closed stream does not make it STALE (impossible transition)', () => {
      const { m, beat, run } = gated();
      run(300);
      expect(m.streamClosed('dn1', 1, 0)).toBeUndefined();
      expect(m.state('dn1')).toBe('UNREACHABLE_FROM_NAMENODE');
      expect(beat('dn1')).toMatchObject({ kind: 'accepted', transition: { from: 'UNREACHABLE_FROM_NAMENODE', to: 'LIVE', reason: 'heartbeat' } });
    });

    test('early silence (peerProbeAfterMs) is reported once per silence, only for probeable nodes', () => {
      const { m, beat, run } = gated();
      run(125);
      expect(m.drainSilent()).toEqual([]);
      run(50);
      expect(m.drainSilent()).toEqual(['dn1']);
      run(25);
      expect(m.drainSilent()).toEqual([]);
      beat('dn1');
      run(175);
      expect(m.drainSilent()).toEqual(['dn1']);
      const off = gated(false);
      off.run(200);
      expect(off.m.drainSilent()).toEqual([]);
    });

    test('without vouchers: DEAD at the usual moment, exactly as without the gate', () => {
      const { run, setVouch } = gated();
      setVouch(false);
      expect(run(300).map((t) => `${t.to}:${t.reason}:${t.msSinceLastHeartbeat}`)).toEqual(['STALE:missed-beats:200', 'DEAD:missed-beats:300']);
    });

    test('stall guard: the grace counts observed time; the gate hears about the stall', () => {
      const { clock, m, run, gate } = gated();
      run(300);
      clock.advance(5000);
      expect(m.tick(clock.nowMs())).toEqual([]);
      expect(gate.stalled).toHaveBeenCalledTimes(1);
      expect(run(900)).toEqual([]);
      expect(run(200).map((t) => t.reason)).toEqual(['unreachable-grace-expired']);
    });
  });
});
