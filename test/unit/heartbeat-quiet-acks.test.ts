/**
 * Quiet acks (common/link-policy.ts, DatanodeProtocolService): a Heartbeat stream that asked for an
 * ack gap (ACK_GAP_METADATA_KEY) gets no answer to a beat that changed nothing while its last
 * answer is younger than the gap; a beat with commands, with a liveness transition or under a new
 * HA role or epoch is answered at once; a stream without the metadata gets every beat answered.
 * The gRPC handlers run with fake calls, a manual clock and the Namesystem over an in-memory store.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { ACK_GAP_METADATA_KEY, MAX_ACK_GAP_MS, ManualClock, fastTestLivenessConfig, silentLogger } from '@minidfs/common';
import { DatanodeManager, EventLog, NameNodeCore, Namesystem, type PushCommands, defaultPeerEvidenceConfig, defaultReplicationConfig } from '@minidfs/namenode';
import { DatanodeProtocolService, ackGapFrom } from '../../packages/namenode/src/adapters/datanode-protocol-service';
import type { MetadataStore } from '../../packages/namenode/src/adapters/metadata-store';

const liveness = fastTestLivenessConfig();
const interval = liveness.heartbeatIntervalMs;

class FakeStream extends EventEmitter {
  readonly writes: Array<{ ackedSequence: number; commands: unknown[]; haRole?: string; epoch?: number }> = [];
  constructor(readonly metadata: grpc.Metadata) {
    super();
  }

  write(msg: { ackedSequence: number; commands: unknown[] }): boolean {
    this.writes.push(msg);
    return true;
  }

  end(): void {}
}

function setup(ha?: { role: 'ACTIVE' | 'STANDBY'; epoch: number }) {
  const clock = new ManualClock(0);
  let n = 0;
  const manager = new DatanodeManager(liveness, () => `reg-${++n}`, defaultPeerEvidenceConfig(liveness));
  const core = new NameNodeCore({
    manager, settings: { defaultReplication: 1, defaultBlockSizeBytes: 1024, minReplication: 1, safeModeThreshold: 0, racksWaitForFullReport: false },
    replicationConfig: defaultReplicationConfig(interval),
  });
  let service: DatanodeProtocolService | undefined;
  const store = { apply: async () => undefined } as unknown as MetadataStore;
  const namesystem = new Namesystem(core, { store, events: new EventLog(1000), logger: silentLogger(), push: (p: PushCommands) => service!.push(p) });
  service = new DatanodeProtocolService({
    namesystem: () => namesystem, clock, logger: silentLogger(), settings: { blockSizeBytes: 1024, blockReportIntervalMs: 3_600_000, clusterId: 'CID-test' },
    ...(ha ? { ha: { role: () => ha.role, epoch: () => ha.epoch, mayAct: () => ha.role === 'ACTIVE', fenced: () => undefined } } : {}),
  });
  const handlers = service.handlers() as unknown as Record<string, (call: unknown, callback?: (err: unknown, value?: any) => void) => void>;
  let registrationId = '';
  handlers.Register({
    request: {
      info: {
        id: 'dn1', uuid: 'uuid-1', host: '10.0.0.1', dataPort: 9866, httpPort: 0, rack: '/r', transferPort: 0, capacityBytes: 1 << 30, usedBytes: 0,
        remainingBytes: 1 << 30, softwareVersion: '', membershipAddress: '', filesystemId: '',
      },
    },
  }, (err, value) => { if (err) throw err; registrationId = value.registrationId; });
  let sequence = 0;
  const open = (gapMs?: number) => {
    const metadata = new grpc.Metadata();
    if (gapMs !== undefined) metadata.set(ACK_GAP_METADATA_KEY, String(gapMs));
    const s = new FakeStream(metadata);
    handlers.Heartbeat(s);
    return s;
  };
  /** One beat at `atMs`; returns the answers written for it. */
  const beat = (s: FakeStream, atMs: number) => {
    clock.set(atMs);
    const before = s.writes.length;
    s.emit('data', {
      nodeId: 'dn1', registrationId, sequence: ++sequence, capacityBytes: 1 << 30, usedBytes: 0, remainingBytes: 1 << 30,
      activeTransfers: 0, failedVolumes: 0, blockCount: 0, goodbye: false, sendLagMs: 0, peerProbes: [],
    });
    return s.writes.slice(before);
  };
  return { clock, manager, core, namesystem, open, beat, seq: () => sequence };
}

describe('quiet heartbeat acks', () => {
  test('without the metadata every beat is answered', () => {
    const t = setup();
    const s = t.open();
    for (let k = 0; k < 5; k++) expect(t.beat(s, k * interval).map((w) => w.ackedSequence)).toEqual([k + 1]);
  });

  test('with a gap, a beat that changed nothing is answered once per gap; the answer acknowledges its own sequence', () => {
    const t = setup();
    const gap = 4 * interval;
    const s = t.open(gap);
    const answered: number[] = [];
    for (let k = 0; k <= 9; k++) if (t.beat(s, k * interval).length) answered.push(k);
    // The first beat on the stream, then one whenever the last answer is a whole gap old.
    expect(answered).toEqual([0, 4, 8]);
    expect(s.writes.map((w) => w.ackedSequence)).toEqual([1, 5, 9]);
  });

  test('a beat with commands waiting is answered at once', async () => {
    const t = setup();
    const s = t.open(4 * interval);
    expect(t.beat(s, 0)).toHaveLength(1);
    expect(t.beat(s, interval)).toHaveLength(0);
    t.manager.enqueueCommand('dn1', { kind: 'invalidate', blockIds: [7] });
    const before = s.writes.length;
    t.beat(s, 2 * interval);
    await new Promise<void>((resolve) => setImmediate(resolve)); // an answer with commands leaves once the Ready is carried out
    const w = s.writes.slice(before);
    expect(w).toHaveLength(1);
    expect(w[0]!.ackedSequence).toBe(t.seq());
    expect(w[0]!.commands).toEqual([{ invalidate: { blockIds: [7] } }]);
    expect(t.beat(s, 3 * interval)).toHaveLength(0); // the gap counts from that answer
  });

  test('the beat that brings a STALE node back LIVE is answered at once', () => {
    const t = setup();
    const s = t.open(MAX_ACK_GAP_MS);
    expect(t.beat(s, 0)).toHaveLength(1);
    const silentUntil = liveness.staleAfterMissed * interval + 1;
    void t.namesystem.handle(t.core.tick(silentUntil));
    expect(t.manager.state('dn1')).toBe('STALE');
    expect(t.beat(s, silentUntil + 1)).toHaveLength(1);
    expect(t.manager.state('dn1')).toBe('LIVE');
    expect(t.beat(s, silentUntil + 2)).toHaveLength(0);
  });

  test('a new HA role or epoch is answered at once', () => {
    const ha = { role: 'STANDBY' as 'ACTIVE' | 'STANDBY', epoch: 3 };
    const t = setup(ha);
    const s = t.open(MAX_ACK_GAP_MS);
    expect(t.beat(s, 0)).toEqual([expect.objectContaining({ haRole: 'STANDBY', epoch: 3 })]);
    expect(t.beat(s, interval)).toHaveLength(0);
    ha.role = 'ACTIVE';
    expect(t.beat(s, 2 * interval)).toEqual([expect.objectContaining({ haRole: 'ACTIVE', epoch: 3 })]);
    expect(t.beat(s, 3 * interval)).toHaveLength(0);
    ha.epoch = 4;
    expect(t.beat(s, 4 * interval)).toEqual([expect.objectContaining({ haRole: 'ACTIVE', epoch: 4 })]);
  });

  test('the gap a stream asks for: a positive integer, capped at MAX_ACK_GAP_MS; anything else means every beat', () => {
    const md = (v?: string) => {
      const m = new grpc.Metadata();
      if (v !== undefined) m.set(ACK_GAP_METADATA_KEY, v);
      return m;
    };
    expect(ackGapFrom(md('4000'))).toBe(4000);
    expect(ackGapFrom(md(String(MAX_ACK_GAP_MS + 1)))).toBe(MAX_ACK_GAP_MS);
    expect(['', '0', '-5', '1.5', 'x'].map((v) => ackGapFrom(md(v)))).toEqual([0, 0, 0, 0, 0]);
    expect(ackGapFrom(md())).toBe(0);
    expect(ackGapFrom(undefined)).toBe(0);
  });
});
