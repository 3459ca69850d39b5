/**
 * The RPC edge (namenode/adapters/request-limits.ts, wire.ts) and the pure pieces behind the
 * limits: every string and repeated field of every ClientProtocol and DatanodeProtocol request has
 * a named limit; over-long strings, oversized lists and wrapped uint64 values are refused with
 * INVALID_ARGUMENT; heartbeat values are range-checked; commands are never queued for a node that
 * never registered; bad-replica verifications are deduplicated and bounded; listings come in pages;
 * block sizes are checked by one rule.
 */
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { DfsError, Limits, fastTestLivenessConfig } from '@minidfs/common';
import { REPEATED_FIELD_LIMITS, STRING_FIELD_LIMITS, checkRequestLimits } from '../../packages/namenode/src/adapters/request-limits';
import { heartbeatFromWire, registrationFromWire } from '../../packages/namenode/src/adapters/wire';
import { DatanodeManager } from '../../packages/namenode/src/core/datanode-manager';
import { Namespace, NamespaceLimits, validateBlockSize } from '../../packages/namenode/src/core/namespace';
import { ReplicaVerifications } from '../../packages/namenode/src/core/replica-verifications';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof DfsError ? err.code : `not a DfsError: ${String(err)}`;
  }
}

describe('request field limits', () => {
  const def = protoLoader.loadSync(['minidfs/v1/client_protocol.proto', 'minidfs/v1/datanode_protocol.proto'], {
    longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [path.resolve(__dirname, '../../proto')],
  });
  type Field = { name: string; label: string; type: string; typeName: string };
  const messageFields = (typeName: string): Field[] => {
    const t = (def[typeName.replace(/^\./, '')] ?? def[`minidfs.v1.${typeName}`]) as { type: { field: Field[] } } | undefined;
    if (!t) throw new Error(`no message type ${typeName}`);
    return t.type.field;
  };
  const unlisted: string[] = [];
  const visit = (where: string, fields: Field[], depth: number) => {
    for (const f of fields) {
      if (f.label === 'LABEL_REPEATED' && !REPEATED_FIELD_LIMITS[f.name]) unlisted.push(`${where}.${f.name} (repeated)`);
      if (f.type === 'TYPE_STRING' && !STRING_FIELD_LIMITS[f.name]) unlisted.push(`${where}.${f.name} (string)`);
      if (f.type === 'TYPE_MESSAGE' && depth < 4) visit(`${where}.${f.name}`, messageFields(f.typeName), depth + 1);
    }
  };

  test('every string and repeated field of every request has its named limit', () => {
    for (const service of ['minidfs.v1.ClientProtocol', 'minidfs.v1.DatanodeProtocol']) {
      const methods = def[service] as Record<string, { requestType: { type: { name: string; field: Field[] } } }>;
      for (const [name, m] of Object.entries(methods)) visit(`${service}.${name}`, m.requestType.type.field, 0);
    }
    expect(unlisted).toEqual([]);
  });

  test('over-long strings, oversized lists and wrapped numbers are refused with INVALID_ARGUMENT', () => {
    expect(codeOf(() => checkRequestLimits('ReportBadReplicaRequest', { blockId: 1, nodeId: 'dn1', reason: 'x'.repeat(Limits.maxReportReasonLength) }))).toBeUndefined();
    expect(codeOf(() => checkRequestLimits('ReportBadReplicaRequest', { blockId: 1, nodeId: 'dn1', reason: 'x'.repeat(Limits.maxReportReasonLength + 1) }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('AddBlockRequest', { path: '/f', clientName: 'c', excludeNodeIds: Array(Limits.maxExcludedNodes + 1).fill('dn1') }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('RegisterRequest', { info: { id: 'dn1', host: 'h'.repeat(Limits.maxHostLength + 1) } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('AbandonBlockRequest', { path: '/f', clientName: 'c', blockId: 2 ** 64 - 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('AbandonBlockRequest', { path: '/f', clientName: 'c', blockId: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('CompleteRequest', { path: '/f', clientName: 'c', blocks: [{ blockId: 1, lengthBytes: 2 ** 63 }] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkRequestLimits('SomeNewRequest', { someNewField: 'x'.repeat(Limits.maxUnlistedStringLength + 1) }))).toBe('INVALID_ARGUMENT');
  });
});

describe('heartbeat and registration values', () => {
  const beat = { nodeId: 'dn1', registrationId: 'r', sequence: 5, capacityBytes: 100, usedBytes: 10, remainingBytes: 90, activeTransfers: 1, failedVolumes: 0, goodbye: false, blockCount: 3, sendLagMs: 0, peerProbes: [] };
  test('in-range values pass; wrapped negatives and huge sequences are refused', () => {
    expect(heartbeatFromWire(beat as never, 1).stats.capacityBytes).toBe(100);
    for (const [field, value] of [['capacityBytes', 2 ** 64 - 1], ['usedBytes', -1], ['remainingBytes', 1.5], ['blockCount', 2 ** 32], ['activeTransfers', -3],
      ['sequence', 2 ** 64 - 1], ['sequence', Limits.maxHeartbeatSequence + 1]] as const) {
      expect(codeOf(() => heartbeatFromWire({ ...beat, [field]: value } as never, 1))).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => registrationFromWire({ id: 'dn1', capacityBytes: 2 ** 64 - 1, usedBytes: 0, remainingBytes: 0 } as never))).toBe('INVALID_ARGUMENT');
  });
});

describe('heartbeat sequence leaps', () => {
  test('a beat leaping more than Limits.maxHeartbeatSequenceJump is refused and changes nothing', () => {
    const m = new DatanodeManager(fastTestLivenessConfig(), () => 'reg-1');
    const stats = { capacityBytes: 1, usedBytes: 0, remainingBytes: 1, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
    m.register({ id: 'dn1', uuid: 'u', host: 'h', dataPort: 1, httpPort: 0, rack: '/r' }, stats, 0);
    const beat = (sequence: number) => ({ nodeId: 'dn1', registrationId: 'reg-1', sequence, streamId: 1, goodbye: false, stats });
    expect(m.heartbeat(beat(1), 10).ackedSequence).toBe(1);
    expect(codeOf(() => m.heartbeat(beat(2 + Limits.maxHeartbeatSequenceJump), 20))).toBe('INVALID_ARGUMENT');
    expect(m.heartbeat(beat(2), 30).ackedSequence).toBe(2);
    expect(m.heartbeat(beat(2 + Limits.maxHeartbeatSequenceJump), 40).ackedSequence).toBe(2 + Limits.maxHeartbeatSequenceJump);
  });
});

describe('DatanodeManager command queues', () => {
  test('a node that never registered gets no queue', () => {
    const m = new DatanodeManager(fastTestLivenessConfig(), () => 'reg-1');
    for (let i = 0; i < 1000; i++) expect(m.enqueueCommand(`ghost-${i}`, { kind: 'invalidate', blockIds: [i] })).toBe(false);
    expect(m.queuedCommands()).toEqual({ nodes: 0, commands: 0 });
    m.register({ id: 'dn1', uuid: 'u', host: 'h', dataPort: 1, httpPort: 0, rack: '/r' },
      { capacityBytes: 1, usedBytes: 0, remainingBytes: 1, activeTransfers: 0, failedVolumes: 0, blockCount: 0 }, 0);
    for (let i = 0; i < Limits.maxQueuedCommandsPerNode + 10; i++) expect(m.enqueueCommand('dn1', { kind: 'invalidate', blockIds: [i] })).toBe(true);
    expect(m.queuedCommands()).toEqual({ nodes: 1, commands: Limits.maxQueuedCommandsPerNode });
    m.drainCommands('dn1');
    const ids = Array.from({ length: Limits.maxBlockIdsPerMessage * 2 + 5 }, (_, i) => i + 1);
    m.enqueueCommand('dn1', { kind: 'invalidate', blockIds: ids });
    const split = m.drainCommands('dn1');
    expect(split.map((c) => (c.kind === 'invalidate' ? c.blockIds.length : -1))).toEqual([Limits.maxBlockIdsPerMessage, Limits.maxBlockIdsPerMessage, 5]);
  });
});

describe('ReplicaVerifications', () => {
  test('one check per (block, node); a bounded number at once; RESOURCE_EXHAUSTED beyond', () => {
    const v = new ReplicaVerifications(2);
    expect(v.request(1, 'dn1')).toBe('started');
    expect(v.request(1, 'dn1')).toBe('joined');
    expect(v.request(1, 'dn2')).toBe('started');
    expect(codeOf(() => v.request(2, 'dn1'))).toBe('RESOURCE_EXHAUSTED');
    expect(v.size).toBe(2);
    v.finish(1, 'dn1');
    expect(v.isPending(1, 'dn1')).toBe(false);
    expect(v.request(2, 'dn1')).toBe('started');
  });
});

describe('listing pages and block sizes', () => {
  const T0 = 1_700_000_000_000;
  test('listStatusPage: sorted pages after startAfter, with the count remaining', () => {
    const ns = new Namespace();
    ns.mkdirs('/d', T0);
    const names = Array.from({ length: 25 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    for (const n of names.slice().reverse()) ns.mkdirs(`/d/${n}`, T0);
    const first = ns.listStatusPage('/d', '', 10);
    expect(first.entries.map((e) => e.path)).toEqual(names.slice(0, 10).map((n) => `/d/${n}`));
    expect(first.remaining).toBe(15);
    const third = ns.listStatusPage('/d', 'n19', 10);
    expect(third.entries.map((e) => e.path)).toEqual(names.slice(20).map((n) => `/d/${n}`));
    expect(third.remaining).toBe(0);
    expect(ns.listStatusPage('/d', 'n05x', 2).entries.map((e) => e.path)).toEqual(['/d/n06', '/d/n07']); // startAfter need not exist
    expect(ns.listStatusPage('/d', 'zzz', 10)).toEqual({ entries: [], remaining: 0 });
    expect(ns.listStatusPage('/d', '', 100, 60 + 64).entries).toHaveLength(1); // the byte budget, but always one entry
    expect(codeOf(() => ns.listStatusPage('/d', 'a/b', 10))).toBe('INVALID_ARGUMENT');
  });

  test('validateBlockSize: a multiple of 512 between the named limits', () => {
    expect(validateBlockSize(64 * 1024)).toBe(64 * 1024);
    expect(validateBlockSize(NamespaceLimits.maxBlockSizeBytes)).toBe(NamespaceLimits.maxBlockSizeBytes);
    for (const bad of [0, 1000, 256, 2 ** 40, NamespaceLimits.maxBlockSizeBytes + 512, 1.5, Number.NaN]) {
      expect(codeOf(() => validateBlockSize(bad))).toBe('INVALID_ARGUMENT');
    }
  });
});
