/**
 * Writer leases: the lease table (core/leases.ts) and lease recovery in NameNodeCore. A writer's
 * calls and RenewLease keep its files; past the soft limit another client may recover them; past
 * the hard limit the NameNode closes them itself, each block at the length its replicas reported,
 * trailing blocks no replica reported dropped (and invalidated). A last block cut mid-write is
 * recovered first: its holders finalize their replicas being written at the shortest length.
 */
import { fastTestLivenessConfig } from '@minidfs/common';
import {
  DatanodeManager, Leases, NameNodeCore, type Ready, TICKS_PER_HEARTBEAT_INTERVAL, defaultReplicationConfig, replyValue,
} from '@minidfs/namenode';

const liveness = fastTestLivenessConfig();
const stats = { capacityBytes: 1 << 30, usedBytes: 0, remainingBytes: 1 << 30, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
const reg = (i: number) => ({ id: `dn${i}`, uuid: `u${i}`, host: `10.0.0.${i}`, dataPort: 9866, httpPort: 9864, rack: '/r' });

describe('Leases (table)', () => {
  test('open, renew, close; hard expiry per holder; files found at start count from the first tick', () => {
    const l = new Leases({ softLimitMs: 1000, hardLimitMs: 5000 });
    l.open('/a', 'c1', 0);
    l.open('/b', 'c1', 0);
    l.open('/c', 'c2', undefined); // found open at start
    l.start(100);
    expect(l.renew('c1', 2000)).toBe(2);
    expect(l.renew('nobody', 2000)).toBe(0);
    expect(l.softLimitRemainingMs('/a', 2500)).toBe(500);
    expect(l.softLimitRemainingMs('/c', 2500)).toBe(0);
    expect(l.hardExpired(5099)).toEqual([]);
    expect(l.hardExpired(5100)).toEqual([{ path: '/c', holder: 'c2' }]);
    l.close('/a');
    expect(l.hardExpired(7000)).toEqual([{ path: '/b', holder: 'c1' }, { path: '/c', holder: 'c2' }]);
    expect(l.files).toBe(2);
    expect(l.holders).toBe(2);
  });
});

describe('NameNodeCore lease recovery', () => {
  function setup() {
    let n = 0;
    const core = new NameNodeCore({
      manager: new DatanodeManager(liveness, () => `reg-${++n}`),
      settings: { defaultReplication: 2, defaultBlockSizeBytes: 1024, minReplication: 1, safeModeThreshold: 0.999, leases: { softLimitMs: 1000, hardLimitMs: 3000 } },
      replicationConfig: defaultReplicationConfig(liveness.heartbeatIntervalMs),
    });
    for (let i = 1; i <= 3; i++) replyValue(core.register(reg(i), stats, 0));
    let now = 0;
    const events: string[] = [];
    /** Commands the core sent each node, on its stream or in a heartbeat answer (taken by commandsFor). */
    const sent = new Map<string, unknown[]>();
    const collect = <T>(ready: Ready<T>): Ready<T> => {
      for (const p of ready.commands) sent.set(p.nodeId, [...(sent.get(p.nodeId) ?? []), ...p.commands]);
      return ready;
    };
    /** Ticks to `to`, beating every node so none goes STALE; the events are kept in `events`. */
    const advance = (to: number) => {
      for (; now <= to; now += liveness.heartbeatIntervalMs / TICKS_PER_HEARTBEAT_INTERVAL) {
        for (const d of core.manager.all()) {
          const beat = collect(core.heartbeat({ nodeId: d.id, registrationId: d.registrationId, sequence: Math.floor(now) + 1, streamId: 1, stats, goodbye: false }, now));
          const answer = beat.reply?.ok ? beat.reply.value.commands : [];
          if (answer.length) sent.set(d.id, [...(sent.get(d.id) ?? []), ...answer]);
        }
        for (const e of collect(core.tick(now)).events) events.push(e.event);
      }
    };
    const report = (nodeId: string, blockId: number, generationStamp: number, lengthBytes: number) =>
      replyValue(core.incrementalBlockReport(nodeId, core.manager.get(nodeId)!.registrationId, [{ blockId, generationStamp, lengthBytes }], [], now));
    const beingWritten = (nodeId: string, blockId: number, generationStamp: number, lengthBytes: number) =>
      replyValue(collect(core.incrementalBlockReport(nodeId, core.manager.get(nodeId)!.registrationId, [], [], now, [{ blockId, generationStamp, lengthBytes }])));
    const commandsFor = (nodeId: string) => {
      const out = sent.get(nodeId) ?? [];
      sent.delete(nodeId);
      return out;
    };
    return { core, advance, report, beingWritten, commandsFor, collect, now: () => now, events };
  }

  test('a writer that died mid-file: closed at the hard limit with the bytes its replicas hold; the unreported last block dropped', () => {
    const { core, advance, report, now, events } = setup();
    advance(0);
    replyValue(core.create('/w', 2, 1024, true, 'dead-writer', now()));
    const b1 = replyValue(core.addBlock('/w', 'dead-writer', [], undefined, now()));
    for (const l of b1.locations) report(l.nodeId, b1.block.blockId, b1.block.generationStamp, 1024);
    const b2 = replyValue(core.addBlock('/w', 'dead-writer', [], { blockId: b1.block.blockId, lengthBytes: 1024 }, now()));
    // The writer dies before any replica of b2 is finalized.
    expect(core.fsck('/').openFileLeases).toEqual([{ path: '/w', holder: 'dead-writer', leaseAgeMs: expect.any(Number) }]);
    advance(2500);
    expect(core.getFileInfo('/w').complete).toBe(false); // before the hard limit
    expect(events).not.toContain('lease-recovered');
    advance(now() + 1500);
    expect(events).toContain('lease-recovered');
    const info = core.getFileInfo('/w');
    expect(info).toMatchObject({ complete: true, lengthBytes: 1024 });
    expect(core.getBlockLocations('/w').blocks.map((b) => b.block.blockId)).toEqual([b1.block.blockId]);
    expect(core.blockMap.has(b2.block.blockId)).toBe(false);
    expect(core.fsck('/').openForWrite).toBe(0);
  });

  test('a writer that died mid-block: its holders finalize the replicas being written at the shortest length, then the file closes with it', () => {
    const { core, advance, report, beingWritten, commandsFor, collect, now, events } = setup();
    advance(0);
    replyValue(core.create('/m', 2, 1024, true, 'dead-writer', now()));
    const b1 = replyValue(core.addBlock('/m', 'dead-writer', [], undefined, now()));
    for (const l of b1.locations) report(l.nodeId, b1.block.blockId, b1.block.generationStamp, 1024);
    const b2 = replyValue(core.addBlock('/m', 'dead-writer', [], { blockId: b1.block.blockId, lengthBytes: 1024 }, now()));
    const [p1, p2] = b2.locations.map((l) => l.nodeId) as [string, string];
    const gs = b2.block.generationStamp;
    // The pipeline is cut: each node keeps what it wrote (p2 had one packet fewer).
    beingWritten(p1, b2.block.blockId, gs, 700);
    beingWritten(p2, b2.block.blockId, gs, 512);
    beingWritten(p2, 999_999, 1, 10); // a block the NameNode does not know: deleted
    expect(commandsFor(p2)).toEqual([{ kind: 'invalidate', blockIds: [999_999] }]);
    advance(3500); // past the hard limit
    expect(events).toContain('block-recovery');
    expect(events).not.toContain('lease-recovered');
    expect(core.getFileInfo('/m').complete).toBe(false);
    const order = { kind: 'recover-block', blockId: b2.block.blockId, generationStamp: gs, lengthBytes: 512 };
    expect(commandsFor(p1)).toEqual([order]);
    expect(commandsFor(p2)).toEqual([order]);
    // Asked again, the recovery is running: not closed, orders not repeated before the retry time.
    expect(replyValue(collect(core.recoverLease('/m', 'other', now())))).toEqual({ closed: false, holder: 'dead-writer', softLimitRemainingMs: 0 });
    expect(commandsFor(p1)).toEqual([]);
    // p1 finalizes first: the file closes at its length (asked again, as a client's retry or the
    // next planner tick would); p2's finalized replica matches it. No tick runs in between, so the
    // planner has not copied the block elsewhere meanwhile (it may, and that is fine).
    report(p1, b2.block.blockId, gs, 512);
    const closing = collect(core.recoverLease('/m', 'other', now()));
    expect(replyValue(closing)).toEqual({ closed: true, holder: 'dead-writer', softLimitRemainingMs: 0 });
    expect(closing.events.map((e) => e.event)).toContain('lease-recovered');
    expect(core.getFileInfo('/m')).toMatchObject({ complete: true, lengthBytes: 1024 + 512 });
    report(p2, b2.block.blockId, gs, 512);
    expect(core.fsck('/m')).toMatchObject({ healthy: true, underReplicated: 0, openForWrite: 0 });
  });

  test('an abandoned block: replicas being written of it are deleted wherever they were reported', () => {
    const { core, advance, beingWritten, commandsFor, collect, now } = setup();
    advance(0);
    replyValue(core.create('/a', 2, 1024, true, 'w', now()));
    const b = replyValue(core.addBlock('/a', 'w', [], undefined, now()));
    const holder = b.locations[1]!.nodeId;
    beingWritten(holder, b.block.blockId, b.block.generationStamp, 100);
    replyValue(collect(core.abandonBlock('/a', 'w', b.block.blockId, now())));
    expect(commandsFor(holder)).toEqual([{ kind: 'invalidate', blockIds: [b.block.blockId] }]);
  });

  test('a writer that keeps renewing keeps its file; another client recovers it only after the soft limit', () => {
    const { core, advance, report, now } = setup();
    advance(0);
    replyValue(core.create('/x', 2, 1024, true, 'slow', now()));
    const b = replyValue(core.addBlock('/x', 'slow', [], undefined, now()));
    for (const l of b.locations) report(l.nodeId, b.block.blockId, b.block.generationStamp, 300);
    for (let t = 500; t <= 6000; t += 500) {
      advance(t);
      expect(replyValue(core.renewLease('slow', now()))).toBe(1);
    }
    expect(core.getFileInfo('/x').complete).toBe(false);
    expect(replyValue(core.recoverLease('/x', 'other', now()))).toMatchObject({ closed: false, holder: 'slow' });
    advance(now() + 1200); // the writer goes quiet past the soft limit
    expect(replyValue(core.recoverLease('/x', 'other', now()))).toEqual({ closed: true, holder: 'slow', softLimitRemainingMs: 0 });
    expect(core.getFileInfo('/x')).toMatchObject({ complete: true, lengthBytes: 300 });
    expect(replyValue(core.recoverLease('/x', 'other', now()))).toMatchObject({ closed: true });
  });
});
