/**
 * The checker's rules on hand-made histories (pure, no cluster): lost writes, wrong reads, bad
 * replicas, fsck liveness, the audibility rule behind "false DEAD", and the detection deadline.
 */
import { check, type CheckInput } from './checker';
import type { FaultRecord } from './faults';
import type { Profile, Transition } from './harness';
import type { OpRecord } from './workload';

const PROFILE: Profile = { name: 'test', heartbeatIntervalMs: 200, staleAfter: 2, deadAfter: 5 }; // dead 1000 ms, bound 1200 ms
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

let opId = 0;
function write(path: string, sha: string, ok: boolean | undefined, atMs = T0): OpRecord {
  return { id: ++opId, kind: 'write', phase: 'fault', worker: 'w', path, bytes: 10, startMs: atMs, endMs: ok === undefined ? undefined : atMs + 5, ok, sha256: sha };
}
function read(path: string, sha: string | undefined, phase: OpRecord['phase'] = 'final', atMs = T0 + 60_000): OpRecord {
  return { id: ++opId, kind: 'read', phase, worker: 'r', path, bytes: 10, startMs: atMs, endMs: atMs + 5, ok: sha !== undefined, sha256: sha, error: sha ? undefined : 'UNAVAILABLE' };
}
function dead(nodeId: string, atMs: number, reason = 'missed-beats'): Transition {
  return { nodeId, from: 'STALE', to: 'DEAD', reason, missedBeats: 5, msSinceLastHeartbeat: 1010, timestamp: new Date(atMs).toISOString(), atMs, incarnation: 0 };
}
function fault(kind: FaultRecord['kind'], target: string, startMs: number, endMs?: number): FaultRecord {
  return { id: ++opId, kind, target, startMs, endMs };
}

function input(over: Partial<CheckInput>): CheckInput {
  return {
    profile: PROFILE, history: [write('/a', 'A', true), read('/a', 'A')], faults: [], transitions: [], nodeIds: ['dn1', 'dn2', 'dn3'],
    healedAtMs: T0 + 50_000, fsckHealthyAtMs: T0 + 51_000, fsckBoundMs: 30_000, endMs: T0 + 70_000, ...over,
  };
}

describe('chaos checker', () => {
  test('a clean run passes', () => {
    const v = check(input({}));
    expect(v.failures).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.stats).toMatchObject({ acked: 1, lostWrites: 0, wrongReads: 0, falseDeads: 0, fsckHealthyAfterHealMs: 1000 });
  });

  test('correctness: an acknowledged write that does not read back is lost; an unacknowledged one is not', () => {
    const v = check(input({ history: [write('/a', 'A', true), read('/a', undefined), write('/b', 'B', false), write('/c', 'C', undefined)] }));
    expect(v.ok).toBe(false);
    expect(v.stats.lostWrites).toBe(1);
    expect(v.failures).toEqual([expect.stringContaining('lost acknowledged write /a')]);
    expect(v.stats.indeterminateWrites).toBe(1);
  });

  test('a run that crashed before verifying is not judged for lost writes, and fails', () => {
    const v = check(input({ history: [write('/a', 'A', true)], verified: false }));
    expect(v.stats.lostWrites).toBe(0);
    expect(v.failures).toEqual(['correctness: not judged — the run crashed before the verify phase']);
  });

  test('correctness: any read returning other bytes is wrong, even during faults; a failed read is not', () => {
    const v = check(input({ history: [write('/a', 'A', true), read('/a', 'X', 'fault', T0 + 100), read('/a', undefined, 'fault', T0 + 200), read('/a', 'A')] }));
    expect(v.stats.wrongReads).toBe(1);
    expect(v.stats.readErrors).toBe(1);
    expect(v.failures).toEqual([expect.stringContaining('wrong read of /a')]);
  });

  test('correctness: a listed replica whose block file differs fails the run', () => {
    const v = check(input({ replicas: { files: 1, blocks: 1, replicasChecked: 3, mismatched: [{ path: '/a', blockId: 7, nodeId: 'dn2', detail: 'x' }], listedButMissing: [], errors: [] } }));
    expect(v.failures).toEqual([expect.stringContaining('replica of blk_7 (/a) on dn2')]);
  });

  test('liveness: fsck not healthy within the bound fails the run', () => {
    const v = check(input({ fsckHealthyAtMs: undefined }));
    expect(v.failures).toEqual([expect.stringContaining('liveness: fsck not healthy within 30000 ms')]);
  });

  test('false DEAD: a DEAD of a node nobody silenced, also while the NameNode was paused or under loss', () => {
    const v = check(input({
      transitions: [dead('dn1', T0 + 10_000), dead('dn2', T0 + 20_500)],
      faults: [fault('namenode-pause', 'namenode', T0 + 18_000, T0 + 21_000), fault('loss', 'all', T0, T0 + 40_000)],
    }));
    expect(v.stats.falseDeads).toBe(2);
    expect(v.failures).toEqual([expect.stringContaining('false DEAD of audible dn1'), expect.stringContaining('false DEAD of audible dn2')]);
  });

  test('not a false DEAD: the node was killed, paused, or cut off from the NameNode in the window before', () => {
    const v = check(input({
      transitions: [dead('dn1', T0 + 1000), dead('dn2', T0 + 11_000), dead('dn3', T0 + 21_000), dead('dn1', T0 + 31_000, 'goodbye')],
      faults: [
        fault('kill', 'dn1', T0, T0 + 5000),
        fault('pause', 'dn2', T0 + 10_000, T0 + 12_000),
        fault('partition-to-namenode', 'dn3', T0 + 20_000, T0 + 22_000),
        fault('stop', 'dn1', T0 + 31_000, T0 + 32_000),
      ],
    }));
    expect(v.stats.falseDeads).toBe(0);
  });

  test('audibility after a partition heals: a grace of the partition length + 1 s, then audible again', () => {
    const partition = fault('partition-namenode', 'dn1', T0, T0 + 3000); // grace until T0 + 3000 + 4000
    // DEAD 1.5 s after heal: window [T0+3300, T0+4500] overlaps the grace -> not false.
    expect(check(input({ faults: [partition], transitions: [dead('dn1', T0 + 4500)] })).stats.falseDeads).toBe(0);
    // DEAD 10 s after heal: window [T0+11800, T0+13000] is past the grace -> false.
    expect(check(input({ faults: [partition], transitions: [dead('dn1', T0 + 13_000)] })).stats.falseDeads).toBe(1);
  });

  test('detection: within deadAfter × interval + one interval (+ slack) is ok; later is late; never is missed', () => {
    const faults = [fault('kill', 'dn1', T0, T0 + 5000), fault('pause', 'dn2', T0, T0 + 5000), fault('partition-full', 'dn3', T0, T0 + 5000)];
    const v = check(input({ faults, transitions: [dead('dn1', T0 + 1100), dead('dn2', T0 + 1700)] }));
    expect(v.stats.detections.map((d) => [d.nodeId, d.outcome])).toEqual([['dn1', 'ok'], ['dn2', 'late'], ['dn3', 'missed']]);
    expect(v.failures).toEqual([
      expect.stringContaining('dn2 (pause) declared DEAD after 1700 ms > bound 1200 ms'),
      expect.stringContaining('dn3 silenced by partition-full for 5000 ms was never declared DEAD'),
    ]);
  });

  test('detection is not judged for faults shorter than the bound or while the NameNode was restarting', () => {
    const v = check(input({
      faults: [fault('pause', 'dn1', T0, T0 + 800), fault('namenode-restart', 'namenode', T0 + 9000, T0 + 9500), fault('kill', 'dn2', T0 + 9200, T0 + 15_000)],
      transitions: [],
    }));
    expect(v.stats.detections.map((d) => d.outcome)).toEqual(['not-judged (fault shorter than the bound)', 'not-judged (NameNode paused or restarting)']);
    expect(v.ok).toBe(true);
  });

  describe('with peer evidence (gossip): a node cut off from the NameNode only', () => {
    const at = (nodeId: string, to: string, atMs: number, reason: string): Transition => ({
      nodeId, from: 'STALE', to, reason, missedBeats: 5, msSinceLastHeartbeat: 1010, timestamp: new Date(atMs).toISOString(), atMs, incarnation: 0,
    });
    const partition = fault('partition-namenode', 'dn1', T0 + 10_000, T0 + 30_000);

    test('UNREACHABLE_FROM_NAMENODE within the bound is the detection; DEAD after the grace passes', () => {
      const v = check(input({
        faults: [partition], peerEvidence: { graceMs: 8000 },
        transitions: [at('dn1', 'UNREACHABLE_FROM_NAMENODE', T0 + 11_000, 'peers-hear-it'), at('dn1', 'DEAD', T0 + 19_050, 'unreachable-grace-expired')],
      }));
      expect(v.failures).toEqual([]);
      expect(v.stats.detections[0]).toMatchObject({ outcome: 'ok', latencyMs: 1000 });
    });

    test('a DEAD before the grace has passed is a failure', () => {
      const v = check(input({
        faults: [partition], peerEvidence: { graceMs: 8000 },
        transitions: [at('dn1', 'UNREACHABLE_FROM_NAMENODE', T0 + 11_000, 'peers-hear-it'), at('dn1', 'DEAD', T0 + 13_000, 'peers-lost-it')],
      }));
      expect(v.failures.some((f) => f.includes('before the 8000 ms grace'))).toBe(true);
    });

    test('without peer evidence the same partition must end in DEAD within the bound', () => {
      const v = check(input({ faults: [partition], transitions: [at('dn1', 'UNREACHABLE_FROM_NAMENODE', T0 + 11_000, 'peers-hear-it')] }));
      expect(v.failures.some((f) => f.includes('never declared DEAD'))).toBe(true);
    });
  });
});
