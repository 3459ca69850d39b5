/**
 * NameNodeCore as an HA standby: it applies the active's committed records (applyEdits) and
 * follows the DataNodes' reports, orders nothing and persists nothing, keeps replicas reported
 * before their edit arrived, and on promotion carries on from its own view (no node judged anew).
 */
import { NotActiveError, fastTestLivenessConfig } from '@minidfs/common';
import { DatanodeManager, NameNodeCore, type Ready, type StoredRecord, defaultReplicationConfig, replyValue } from '@minidfs/namenode';

const liveness = fastTestLivenessConfig();
const stats = { capacityBytes: 1 << 30, usedBytes: 0, remainingBytes: 1 << 30, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
const reg = (i: number) => ({ id: `dn${i}`, uuid: `u${i}`, host: `10.0.0.${i}`, dataPort: 9866, httpPort: 9864, rack: `/r${i % 2}` });

function makeCore(standby: boolean): NameNodeCore {
  let n = 0;
  let r = 0;
  const core = new NameNodeCore({
    manager: new DatanodeManager(liveness, () => `reg-${++n}`),
    settings: { defaultReplication: 3, defaultBlockSizeBytes: 1024, minReplication: 1, safeModeThreshold: 0.999 },
    replicationConfig: defaultReplicationConfig(liveness.heartbeatIntervalMs), random: () => ((r = (r * 9301 + 49297) % 233280) / 233280),
  });
  if (standby) core.becomeStandby();
  return core;
}

/** An active and a standby that both heard three DataNodes register; `ship` feeds the active's records to the standby. */
function pair() {
  const active = makeCore(false);
  const standby = makeCore(true);
  for (let i = 1; i <= 3; i++) {
    replyValue(active.register(reg(i), stats, 0));
    replyValue(standby.register(reg(i), stats, 0));
  }
  const log: StoredRecord[][] = [];
  const shipped = { edits: 0 };
  const run = <T>(ready: Ready<T>): T => {
    if (ready.records.length) log.push([...ready.records]);
    return replyValue(ready);
  };
  const ship = (nowMs: number): void => {
    for (const edit of log.splice(0)) {
      shipped.edits += 1;
      const r = standby.applyEdits(edit, nowMs);
      expect(r.records).toHaveLength(0);
      expect(r.commands).toHaveLength(0);
    }
  };
  const report = (core: NameNodeCore, nodeId: string, blockId: number, generationStamp: number, lengthBytes: number, nowMs: number) =>
    replyValue(core.incrementalBlockReport(nodeId, core.manager.get(nodeId)!.registrationId, [{ blockId, generationStamp, lengthBytes }], [], nowMs));
  return { active, standby, run, ship, report, shipped };
}

function tree(core: NameNodeCore, dir = '/'): unknown[] {
  return core.listStatus(dir).flatMap((s) => (s.isDirectory ? [s, ...tree(core, s.path)] : [s, core.getBlockLocations(s.path).blocks.map((b) => b.block)]));
}

describe('NameNodeCore standby', () => {
  test('applies the active\'s edits: same namespace, replicas reported before their edit are kept', () => {
    const { active, standby, run, ship, report } = pair();
    run(active.create('/d/f', 3, 1024, true, 'c1', 1));
    const located = run(active.addBlock('/d/f', 'c1', [], undefined, 2));
    const { blockId, generationStamp } = located.block;
    // The DataNodes report to both NameNodes; the standby hears them before the edit reaches it.
    for (const l of located.locations) {
      report(active, l.nodeId, blockId, generationStamp, 10, 3);
      report(standby, l.nodeId, blockId, generationStamp, 10, 3);
    }
    expect(standby.blockMap.has(blockId)).toBe(false);
    ship(4);
    expect(standby.blockMap.replicas(blockId).sort()).toEqual(located.locations.map((l) => l.nodeId).sort());
    expect(run(active.complete('/d/f', 'c1', [{ blockId, lengthBytes: 10 }], 5))).toBe(true);
    run(active.mkdirs('/e/g', 6));
    ship(7);
    expect(tree(standby)).toEqual(tree(active));
    expect(standby.blockMap.get(blockId)).toMatchObject({ complete: true, lengthBytes: 10, expectedReplication: 3 });
    run(active.setReplication('/d/f', 2, 8));
    ship(9);
    expect(standby.blockMap.get(blockId)?.expectedReplication).toBe(2);
    run(active.delete('/d', true, undefined, 10));
    ship(11);
    expect(tree(standby)).toEqual(tree(active));
    expect(standby.blockMap.has(blockId)).toBe(false);
  });

  test('refuses every mutation with NOT_ACTIVE and orders nothing', () => {
    const { standby } = pair();
    const refused = standby.create('/x', 3, 1024, true, 'c1', 1);
    expect(refused.reply).toMatchObject({ ok: false });
    expect(() => replyValue(refused)).toThrow(NotActiveError);
    expect(refused.records).toHaveLength(0);
    expect(standby.mkdirs('/y', 1).reply?.ok).toBe(false);
    // A full report of a block the standby does not know: no invalidation.
    const dn = standby.manager.get('dn1')!;
    expect(replyValue(standby.fullBlockReport('dn1', dn.registrationId, [{ blockId: 777, generationStamp: 1, lengthBytes: 5 }], 2))).toEqual([]);
    for (let t = 0; t < 40; t++) expect(standby.tick(t * 25).commands).toHaveLength(0);
  });

  test('a randomized history of mutations leaves the standby equal to the active', () => {
    const { active, standby, run, ship, report, shipped } = pair();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const open = new Map<string, number[]>();
    let now = 1;
    for (let step = 0; step < 300; step++) {
      now += 1;
      const p = `/r${Math.floor(rand() * 3)}/f${Math.floor(rand() * 8)}`;
      const op = rand();
      try {
        if (op < 0.3) { run(active.create(p, 1 + Math.floor(rand() * 3), 1024, true, 'c1', now)); open.set(p, []); }
        else if (op < 0.55 && open.has(p)) {
          const b = run(active.addBlock(p, 'c1', [], undefined, now));
          for (const l of b.locations) { report(active, l.nodeId, b.block.blockId, b.block.generationStamp, 7, now); report(standby, l.nodeId, b.block.blockId, b.block.generationStamp, 7, now); }
          open.get(p)!.push(b.block.blockId);
        } else if (op < 0.75 && open.has(p)) {
          if (run(active.complete(p, 'c1', open.get(p)!.map((blockId) => ({ blockId, lengthBytes: 7 })), now))) open.delete(p);
        } else if (op < 0.85) { run(active.delete(p, false, undefined, now)); open.delete(p); }
        else if (op < 0.9) { run(active.delete(p.slice(0, 3), true, undefined, now)); for (const k of [...open.keys()]) if (k.startsWith(p.slice(0, 3))) open.delete(k); }
        else run(active.mkdirs(`${p}d`, now));
      } catch { /* typed refusals (exists, not found) change nothing */ }
      if (rand() < 0.5) ship(now);
    }
    ship(now);
    expect(shipped.edits).toBeGreaterThan(100);
    expect(tree(standby)).toEqual(tree(active));
    for (const id of active.blockMap.blockIds()) expect(standby.blockMap.replicas(id).sort()).toEqual(active.blockMap.replicas(id).sort());
    expect([...standby.blockMap.blockIds()].sort()).toEqual([...active.blockMap.blockIds()].sort());
  });

  test('promotion: the new active serves at once, keeps its liveness view and judges no node anew', () => {
    const { active, standby, run, ship } = pair();
    run(active.mkdirs('/a', 1));
    ship(2);
    // Both have heard every node recently; the standby is promoted.
    const promoted = standby.promote(7, 3);
    expect(promoted.transitions).toHaveLength(0);
    expect(standby.haRole).toBe('active');
    expect(standby.manager.all().map((n) => standby.manager.state(n.id))).toEqual(['LIVE', 'LIVE', 'LIVE']);
    expect(replyValue(standby.mkdirs('/b', 4)).path).toBe('/b');
    expect(standby.getFileInfo('/a').isDirectory).toBe(true);
  });

  test('retried Create, AddBlock and Complete (answers lost in a failover) repeat the first outcome', () => {
    const { active, run } = pair();
    const first = active.create('/r', 3, 1024, true, 'c1', 1);
    expect(first.records.length).toBeGreaterThan(0);
    const again = active.create('/r', 3, 1024, true, 'c1', 2);
    expect(replyValue(again).path).toBe('/r');
    expect(again.records).toHaveLength(0);
    expect(() => replyValue(active.create('/r', 3, 1024, true, 'other', 3))).toThrow(/already exists/);
    const b1 = run(active.addBlock('/r', 'c1', [], undefined, 4));
    const b1again = run(active.addBlock('/r', 'c1', [], undefined, 5));
    expect(b1again.block.blockId).toBe(b1.block.blockId);
    for (const l of b1again.locations) {
      replyValue(active.incrementalBlockReport(l.nodeId, active.manager.get(l.nodeId)!.registrationId,
        [{ blockId: b1.block.blockId, generationStamp: b1.block.generationStamp, lengthBytes: 10 }], [], 6));
    }
    const b2 = run(active.addBlock('/r', 'c1', [], { blockId: b1.block.blockId, lengthBytes: 10 }, 7));
    expect(b2.block.blockId).not.toBe(b1.block.blockId);
    expect(run(active.addBlock('/r', 'c1', [], { blockId: b1.block.blockId, lengthBytes: 10 }, 8)).block.blockId).toBe(b2.block.blockId);
    for (const l of b2.locations) {
      replyValue(active.incrementalBlockReport(l.nodeId, active.manager.get(l.nodeId)!.registrationId,
        [{ blockId: b2.block.blockId, generationStamp: b2.block.generationStamp, lengthBytes: 5 }], [], 9));
    }
    const list = [{ blockId: b1.block.blockId, lengthBytes: 10 }, { blockId: b2.block.blockId, lengthBytes: 5 }];
    expect(run(active.complete('/r', 'c1', list, 10))).toBe(true);
    const completeAgain = active.complete('/r', 'c1', list, 11);
    expect(replyValue(completeAgain)).toBe(true);
    expect(completeAgain.records).toHaveLength(0);
  });
});
