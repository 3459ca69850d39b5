/** DatanodeManager: identity rules, REREGISTER for unknown/superseded registrations, command queue. */
import { fastTestLivenessConfig, InvalidArgumentError, NodeIdInUseError } from '@minidfs/common';
import { DatanodeManager } from '@minidfs/namenode';

const stats = { capacityBytes: 100, usedBytes: 10, remainingBytes: 90, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
const reg = (id: string, uuid: string, dataPort = 9866) => ({ id, uuid, host: '127.0.0.1', dataPort, httpPort: 0, rack: '/r1' });

function setup() {
  let n = 0;
  return new DatanodeManager(fastTestLivenessConfig(), () => `reg-${++n}`);
}

describe('DatanodeManager', () => {
  test('the same id with the same uuid re-registers; another uuid is refused while the first lives', () => {
    const m = setup();
    const first = m.register(reg('dn1', 'u1'), stats, 0).node;
    expect(first.registrationId).toBe('reg-1');
    expect(() => m.register(reg('dn1', 'u2', 9999), stats, 10)).toThrow(NodeIdInUseError);
    expect(m.get('dn1')!.uuid).toBe('u1'); // nothing changed
    expect(m.register(reg('dn1', 'u1'), stats, 20).node.registrationId).toBe('reg-2');
  });

  test('a DEAD node\'s id can be taken over by a new node', () => {
    const m = setup();
    m.register(reg('dn1', 'u1'), stats, 0);
    const { heartbeatIntervalMs, deadAfterMissed } = fastTestLivenessConfig();
    const deadMs = deadAfterMissed * heartbeatIntervalMs;
    for (let t = 0; t <= deadMs; t += 25) m.tick(t);
    expect(m.state('dn1')).toBe('DEAD');
    expect(m.register(reg('dn1', 'u2'), stats, deadMs + 10).node.uuid).toBe('u2');
  });

  test('heartbeats from unknown nodes or old registrations get REREGISTER', () => {
    const m = setup();
    const beat = (nodeId: string, registrationId: string, sequence = 1) =>
      m.heartbeat({ nodeId, registrationId, sequence, streamId: 1, goodbye: false, stats }, 5);
    expect(beat('ghost', 'x').commands).toEqual([{ kind: 'reregister', reason: 'unknown node' }]);
    m.register(reg('dn1', 'u1'), stats, 0);
    m.register(reg('dn1', 'u1'), stats, 1);
    expect(beat('dn1', 'reg-1').commands).toEqual([{ kind: 'reregister', reason: 'registration superseded' }]);
    expect(beat('dn1', 'reg-2')).toEqual({ ackedSequence: 1, commands: [], transitions: [] });
  });

  test('invalid ids are refused', () => {
    const m = setup();
    for (const id of ['', '../x', 'a b', 'x'.repeat(200), '-dn']) {
      expect(() => m.register(reg(id, 'u'), stats, 0)).toThrow(InvalidArgumentError);
    }
    expect(m.all()).toHaveLength(0);
  });

  test('queued commands are delivered on the next beat, bounded', () => {
    const m = setup();
    m.register(reg('dn1', 'u1'), stats, 0);
    m.enqueueCommand('dn1', { kind: 'invalidate', blockIds: [1] });
    const out = m.heartbeat({ nodeId: 'dn1', registrationId: 'reg-1', sequence: 1, streamId: 1, goodbye: false, stats }, 1);
    expect(out.commands).toEqual([{ kind: 'invalidate', blockIds: [1] }]);
    expect(m.drainCommands('dn1')).toEqual([]);
    for (let i = 0; i < 5000; i++) m.enqueueCommand('dn1', { kind: 'invalidate', blockIds: [i] });
    expect(m.drainCommands('dn1').length).toBeLessThanOrEqual(1024);
  });

  test('report lists state, missed beats and capacity', () => {
    const m = setup();
    m.register(reg('dn2', 'u2', 9867), stats, 0);
    m.register(reg('dn1', 'u1'), stats, 0);
    for (let t = 0; t <= 250; t += 25) m.tick(t);
    expect(m.report(250)).toEqual([
      expect.objectContaining({ id: 'dn1', address: '127.0.0.1:9866', state: 'STALE', missedBeats: 2, lastHeartbeatMsAgo: 250, capacityBytes: 100, usedBytes: 10 }),
      expect.objectContaining({ id: 'dn2', state: 'STALE' }),
    ]);
  });

  test('peer evidence: a silent gossip node has its peers on other hosts asked, pushed outside their own beats', () => {
    let n = 0;
    const m = new DatanodeManager(fastTestLivenessConfig(), () => `reg-${++n}`);
    const gossip = (id: string, host: string) => ({ ...reg(id, `u-${id}`), host, membershipAddress: `${host}:7946` });
    const r1 = m.register(gossip('dn1', 'h1'), stats, 0);
    expect(r1.membershipSeeds).toEqual([]); // nobody else yet
    m.register(gossip('dn2', 'h2'), stats, 0);
    const r3 = m.register(gossip('dn3', 'h3'), stats, 0);
    expect(r3.membershipSeeds.sort()).toEqual(['h1:7946', 'h2:7946']);
    m.register(reg('dn4', 'u4'), stats, 0); // no gossip: never asked, never probed
    const beat = (id: string, seq: number, t: number) => m.heartbeat({ nodeId: id, registrationId: m.get(id)!.registrationId, sequence: seq, streamId: 1, goodbye: false, stats }, t);
    for (let t = 25, s = 1; t <= 150; t += 25) {
      if (t % 100 === 0) { beat('dn2', s, t); beat('dn3', s, t); beat('dn4', s, t); s++; }
      m.tick(t);
    }
    expect(m.drainTouched().sort()).toEqual(['dn2', 'dn3']);
    expect(m.drainCommands('dn2')).toEqual([{ kind: 'probe-peers', targets: [{ nodeId: 'dn1', membershipAddress: 'h1:7946' }] }]);
    expect(m.drainCommands('dn4')).toEqual([]);
    expect(m.report(150).find((e) => e.id === 'dn1')).toMatchObject({ state: 'LIVE', membershipAddress: 'h1:7946' });
  });
});
