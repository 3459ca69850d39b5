/**
 * NameNodeCore as a state machine: inputs in, one Ready out. Client operations through the core
 * (records to persist, replies), the tick rhythm, the shared quiet heartbeat Ready, and one block
 * classification for fsck and counts().
 */
import { fastTestLivenessConfig } from '@minidfs/common';
import {
  DatanodeManager, NameNodeCore, type NodeState, TICKS_PER_HEARTBEAT_INTERVAL, defaultReplicationConfig, replyValue,
} from '@minidfs/namenode';

const liveness = fastTestLivenessConfig();
const stats = { capacityBytes: 1 << 30, usedBytes: 0, remainingBytes: 1 << 30, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
const reg = (i: number) => ({ id: `dn${i}`, uuid: `u${i}`, host: `10.0.0.${i}`, dataPort: 9866, httpPort: 9864, rack: `/r${i % 2}` });

/** A DatanodeManager whose liveness view a test can override per node. */
class ForcedStates extends DatanodeManager {
  readonly forced = new Map<string, NodeState>();
  override state(nodeId: string): NodeState | undefined {
    return this.forced.get(nodeId) ?? super.state(nodeId);
  }
}

function setup() {
  let n = 0;
  const manager = new ForcedStates(liveness, () => `reg-${++n}`);
  let r = 0;
  const core = new NameNodeCore({
    manager, settings: { defaultReplication: 2, defaultBlockSizeBytes: 1024, minReplication: 1, safeModeThreshold: 0.999 },
    replicationConfig: defaultReplicationConfig(liveness.heartbeatIntervalMs), random: () => ((r = (r * 9301 + 49297) % 233280) / 233280),
  });
  return { core, manager };
}

/** /f with one complete block of 10 bytes on two nodes; returns the block and its holders. */
function writeFile(core: NameNodeCore, nowMs: number) {
  const created = core.create('/f', 2, 1024, true, 'c1', nowMs);
  expect(created.records.length).toBeGreaterThan(0); // the inode to persist before the answer
  const located = replyValue(core.addBlock('/f', 'c1', [], undefined, nowMs));
  const { block } = located;
  for (const l of located.locations) {
    const regId = core.manager.get(l.nodeId)!.registrationId;
    const ready = core.incrementalBlockReport(l.nodeId, regId, [{ blockId: block.blockId, generationStamp: block.generationStamp, lengthBytes: 10 }], [], nowMs);
    expect(ready.reply).toEqual({ ok: true, value: undefined });
  }
  expect(replyValue(core.complete('/f', 'c1', [{ blockId: block.blockId, lengthBytes: 10 }], nowMs))).toBe(true);
  return { blockId: block.blockId, holders: located.locations.map((l) => l.nodeId) };
}

describe('NameNodeCore', () => {
  test('client operations return their records and a typed error reply instead of throwing', () => {
    const { core } = setup();
    for (let i = 1; i <= 3; i++) replyValue(core.register(reg(i), stats, 0));
    const ready = core.mkdirs('/a', 5);
    expect(ready.reply).toMatchObject({ ok: true, value: { path: '/a', isDirectory: true } });
    expect(ready.records.length).toBeGreaterThan(0);
    const bad = core.create('/a', 2, 1024, false, 'c1', 6); // a directory is there
    expect(bad.reply?.ok).toBe(false);
    expect(bad.records).toHaveLength(0);
    expect(() => replyValue(bad)).toThrow();
  });

  test('a replica set all on UNREACHABLE_FROM_NAMENODE nodes is under-replicated for fsck and counts() alike', () => {
    const { core, manager } = setup();
    for (let i = 1; i <= 3; i++) replyValue(core.register(reg(i), stats, 0));
    const { holders } = writeFile(core, 1);
    expect(core.fsck('/')).toMatchObject({ blocks: 1, underReplicated: 0, missing: 0, healthy: true });
    for (const h of holders) manager.forced.set(h, 'UNREACHABLE_FROM_NAMENODE');
    const fsck = core.fsck('/');
    expect(fsck).toMatchObject({ blocks: 1, underReplicated: 1, missing: 0, waitingOnUnreachable: 1 });
    expect(core.counts()).toMatchObject({ blocks: 1, underReplicated: fsck.underReplicated, missing: fsck.missing, overReplicated: fsck.overReplicated });
    for (const h of holders) manager.forced.set(h, 'DEAD');
    expect(core.fsck('/')).toMatchObject({ underReplicated: 0, missing: 1 });
    expect(core.counts()).toMatchObject({ underReplicated: 0, missing: 1 });
  });

  test('liveness on every tick, the planner on every fourth after the first; a quiet beat reuses one Ready', () => {
    const { core } = setup();
    const plans: boolean[] = [];
    for (let k = 0; k <= 2 * TICKS_PER_HEARTBEAT_INTERVAL; k++) {
      core.tick(k * 25);
      plans.push(core.plans);
    }
    expect(plans).toEqual([false, false, false, false, true, false, false, false, true]);
    const registered = replyValue(core.register(reg(1), stats, 200));
    const beat = (sequence: number, at: number) =>
      core.heartbeat({ nodeId: 'dn1', registrationId: registered.node.registrationId, sequence, streamId: 1, goodbye: false, stats }, at);
    const first = beat(1, 210);
    const second = beat(2, 220);
    expect(second).toBe(first); // the shared quiet Ready
    expect(second.reply).toEqual({ ok: true, value: expect.objectContaining({ ackedSequence: 2, commands: [] }) });
    expect(second.records).toHaveLength(0);
  });

  test('a rack that gains its first LIVE, reported DataNode makes the planner spread the blocks of a one-rack cluster onto it', () => {
    const { core } = setup();
    const regIds: string[] = [];
    for (const i of [2, 4]) regIds[i] = replyValue(core.register(reg(i), stats, 0)).node.registrationId; // both on /r0
    for (const i of [2, 4]) replyValue(core.fullBlockReport(`dn${i}`, regIds[i]!, [], 0));
    const { blockId } = writeFile(core, 1);
    const beatAll = (at: number) => {
      for (const d of core.manager.all()) core.heartbeat({ nodeId: d.id, registrationId: d.registrationId, sequence: at + 1, streamId: 1, goodbye: false, stats }, at);
    };
    const orders: unknown[] = [];
    const run = (from: number, to: number) => {
      for (let t = from; t <= to; t += liveness.heartbeatIntervalMs / TICKS_PER_HEARTBEAT_INTERVAL) {
        beatAll(t);
        for (const p of core.tick(t).commands) orders.push(...p.commands.filter((c) => c.kind === 'replicate'));
      }
    };
    run(2, 2000);
    expect(orders).toEqual([]); // one rack: nothing to spread to
    regIds[1] = replyValue(core.register(reg(1), stats, 2001)).node.registrationId; // /r1
    run(2002, 2400);
    expect(orders).toEqual([]); // LIVE but not reported yet: its rack does not count
    replyValue(core.fullBlockReport('dn1', regIds[1]!, [], 2401));
    run(2402, 4000);
    expect(orders).toEqual([expect.objectContaining({ kind: 'replicate', blockId, targetIds: ['dn1'] })]);
  });

  test('a delete queues INVALIDATE for the holders, pushed on their streams in the same Ready as the records', () => {
    const { core } = setup();
    const regIds: string[] = [];
    for (let i = 1; i <= 3; i++) regIds[i] = replyValue(core.register(reg(i), stats, 0)).node.registrationId;
    // Sessions: each node's stream of its last accepted beat.
    for (let i = 1; i <= 3; i++) core.heartbeat({ nodeId: `dn${i}`, registrationId: regIds[i], sequence: 1, streamId: 10 + i, goodbye: false, stats }, 1);
    const { blockId, holders } = writeFile(core, 2);
    const ready = core.delete('/f', false, undefined, 3);
    expect(ready.reply).toEqual({ ok: true, value: true });
    expect(ready.records.length).toBeGreaterThan(0);
    expect(ready.commands.map((p) => p.nodeId).sort()).toEqual([...holders].sort());
    for (const p of ready.commands) {
      expect(p.streamId).toBe(10 + Number(p.nodeId.slice(2)));
      expect(p.commands).toEqual([{ kind: 'invalidate', blockIds: [blockId] }]);
    }
  });
});
