/**
 * One NameNode core, two drivers: the same seeded input script (registrations, heartbeats with
 * gaps, a crash with its stream closed, a node silent for a while, full block reports, ticks) goes
 * through the process's path — DatanodeProtocolService's gRPC handlers with fake calls, a manual
 * clock, the Namesystem carrying out each Ready over an in-memory store — and through the
 * simulator's SimNameNode (with and without its heartbeat fast path). Both must produce the same
 * liveness transitions and the same commands to the same DataNodes at the same times.
 */
import { EventEmitter } from 'node:events';
import { ManualClock, fastTestLivenessConfig, silentLogger } from '@minidfs/common';
import {
  type Command, DatanodeManager, EventLog, NameNodeCore, Namesystem, type PushCommands, type Transition, defaultPeerEvidenceConfig,
  defaultReplicationConfig, tickPeriodMs,
} from '@minidfs/namenode';
import { SimNameNode } from '@minidfs/sim';
import { DatanodeProtocolService } from '../../packages/namenode/src/adapters/datanode-protocol-service';
import type { MetadataStore } from '../../packages/namenode/src/adapters/metadata-store';

const liveness = fastTestLivenessConfig();
const interval = liveness.heartbeatIntervalMs;
const tickMs = tickPeriodMs(liveness);
const NODES = 8;
const BLOCKS = 24;
const GEN = 1;
const LEN = 1024;

type Action =
  | { kind: 'register'; node: number }
  | { kind: 'beat'; node: number }
  | { kind: 'close'; node: number }
  | { kind: 'fullReport'; node: number }
  | { kind: 'tick' };

interface Step { at: number; action: Action }

/** Seeded LCG: the script is a function of the seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const id = (i: number) => `dn${i}`;
const reg = (i: number) => ({ id: id(i), uuid: `uuid-${i}`, host: `10.0.0.${i + 1}`, dataPort: 9866, httpPort: 9864, rack: `/r${i % 2}` });
const stats = { capacityBytes: 1 << 30, usedBytes: 0, remainingBytes: 1 << 30, activeTransfers: 0, failedVolumes: 0, blockCount: 0 };

/** Block b on three nodes over both racks (the same layout on both sides). */
function layout(seed: number): number[][] {
  const r = rng(seed * 7 + 1);
  const holders: number[][] = [];
  for (let b = 1; b <= BLOCKS; b++) {
    const first = Math.floor(r() * NODES);
    const chosen = [first];
    while (chosen.length < 3) {
      const c = Math.floor(r() * NODES);
      if (!chosen.includes(c) && (chosen.length > 1 || c % 2 !== first % 2)) chosen.push(c);
    }
    holders.push(chosen);
  }
  return holders;
}

function script(seed: number): Step[] {
  const r = rng(seed);
  const steps: Step[] = [];
  for (let i = 0; i < NODES; i++) steps.push({ at: 0, action: { kind: 'register', node: i } });
  const crashAt = 6 * interval;
  const silentFrom = 10 * interval;
  const silentTo = silentFrom + 6 * interval; // past deadAfterMissed: DEAD, then REREGISTER on its next beat
  const end = 40 * interval;
  for (let t = 0; t <= end; t += tickMs) {
    for (let i = 0; i < NODES; i++) {
      const phase = Math.floor((i * tickMs) / NODES);
      // One beat per interval, in the tick step its phase falls in.
      if (t % interval !== (Math.floor(phase / tickMs) * tickMs) % interval) continue;
      if (i === 3 && t >= crashAt) continue; // crashed
      if (i === 5 && t >= silentFrom && t < silentTo) continue; // silent (a pause): STALE, maybe DEAD, then back
      if (r() < 0.1) continue; // a lost beat
      steps.push({ at: t + phase, action: { kind: 'beat', node: i } });
    }
    if (t === interval) for (let i = 0; i < NODES; i++) steps.push({ at: t + 1, action: { kind: 'fullReport', node: i } });
    if (t === crashAt) steps.push({ at: t + 1, action: { kind: 'close', node: 3 } });
    steps.push({ at: t + tickMs - 1, action: { kind: 'tick' } });
  }
  return steps.sort((a, b) => a.at - b.at); // stable: same-time actions keep their order
}

function commandText(c: Command): string {
  switch (c.kind) {
    case 'replicate': return `replicate ${c.blockId} -> ${c.targetIds.join(',')}`;
    case 'invalidate': return `invalidate ${[...c.blockIds].sort((a, b) => a - b).join(',')}`;
    default: return c.kind;
  }
}

function wireCommandText(c: Record<string, any>): string {
  if (c.replicate) return `replicate ${c.replicate.blockId} -> ${c.replicate.targets.map((t: { nodeId: string }) => t.nodeId).join(',')}`;
  if (c.invalidate) return `invalidate ${[...c.invalidate.blockIds].sort((a: number, b: number) => a - b).join(',')}`;
  return Object.keys(c)[0] === 'reregister' ? 'reregister' : Object.keys(c)[0];
}

const transitionText = (t: { atMs: number; nodeId: string; from: string; to: string; reason: string }) => `${t.atMs} ${t.nodeId} ${t.from}->${t.to} ${t.reason}`;

interface Outcome { transitions: string[]; commands: string[] }

class FakeStream extends EventEmitter {
  readonly writes: Array<{ ackedSequence: number; commands: Array<Record<string, unknown>> }> = [];
  ended = false;
  write(msg: { ackedSequence: number; commands: Array<Record<string, unknown>> }): boolean {
    if (this.ended) throw new Error('write after end');
    this.writes.push(msg);
    return true;
  }

  end(): void {
    this.ended = true;
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The process's path: gRPC handlers with fake calls, the Namesystem, an in-memory store. */
async function runProcess(seed: number): Promise<Outcome> {
  const clock = new ManualClock(0);
  let n = 0;
  const manager = new DatanodeManager(liveness, () => `reg-${++n}`, defaultPeerEvidenceConfig(liveness));
  const core = new NameNodeCore({
    manager, settings: { defaultReplication: 3, defaultBlockSizeBytes: LEN, minReplication: 1, safeModeThreshold: 0, racksWaitForFullReport: false },
    replicationConfig: defaultReplicationConfig(interval),
  });
  const holders = layout(seed);
  holders.forEach((nodes, b) => core.addCompleteBlock({ blockId: b + 1, generationStamp: GEN, lengthBytes: LEN, expectedReplication: 3 }, nodes.map(id)));
  const events = new EventLog(100_000);
  const store = { apply: async () => undefined } as unknown as MetadataStore;
  let service: DatanodeProtocolService | undefined;
  const commands: string[] = [];
  const namesystem = new Namesystem(core, { store, events, logger: silentLogger(), push: (p: PushCommands) => service!.push(p) });
  service = new DatanodeProtocolService({
    namesystem: () => namesystem, clock, logger: silentLogger(), settings: { blockSizeBytes: LEN, blockReportIntervalMs: 3_600_000, clusterId: 'CID-test' },
  });
  const handlers = service.handlers() as unknown as Record<string, (call: unknown, callback?: (err: unknown, value?: any) => void) => void>;
  const registration: string[] = new Array(NODES).fill('');
  const stream: Array<FakeStream | undefined> = new Array(NODES).fill(undefined);
  const seq: number[] = new Array(NODES).fill(0);
  const seen = new Map<FakeStream, number>();
  const collect = (at: number) => {
    for (const [s, i] of stream.map((x, k) => [x, k] as const)) {
      if (!s) continue;
      const from = seen.get(s) ?? 0;
      for (const w of s.writes.slice(from)) for (const c of w.commands) commands.push(`${at} ${id(i)} ${wireCommandText(c)}`);
      seen.set(s, s.writes.length);
    }
  };
  void namesystem.handle(core.tick(0));
  for (const { at, action } of script(seed)) {
    clock.set(at);
    const i = 'node' in action ? action.node : -1;
    switch (action.kind) {
      case 'register':
        handlers.Register({ request: { info: { ...reg(i), transferPort: 0, capacityBytes: stats.capacityBytes, usedBytes: 0, remainingBytes: stats.remainingBytes, softwareVersion: '', membershipAddress: '', filesystemId: '' } } },
          (err, value) => { if (err) throw err; registration[i] = value.registrationId; });
        break;
      case 'beat': {
        let s = stream[i];
        if (!s) {
          s = stream[i] = new FakeStream();
          handlers.Heartbeat(s);
        }
        s.emit('data', {
          nodeId: id(i), registrationId: registration[i], sequence: ++seq[i], capacityBytes: stats.capacityBytes, usedBytes: 0, remainingBytes: stats.remainingBytes,
          activeTransfers: 0, failedVolumes: 0, blockCount: 0, goodbye: false, peerProbes: [],
        });
        break;
      }
      case 'close': {
        const s = stream[i];
        if (s) { collect(at); s.emit('close'); stream[i] = undefined; }
        break;
      }
      case 'fullReport': {
        const blocks = holders.flatMap((nodes, b) => (nodes.includes(i) ? [{ blockId: b + 1, generationStamp: GEN, lengthBytes: LEN }] : []));
        handlers.BlockReport({ request: { nodeId: id(i), registrationId: registration[i], blocks, beingWritten: [] } }, (err, value) => {
          if (err) throw err;
          for (const c of value.commands) commands.push(`${at} ${id(i)} ${wireCommandText(c)}`);
        });
        break;
      }
      case 'tick':
        void namesystem.handle(core.tick(at));
        break;
    }
    await flush();
    collect(at);
  }
  const transitions = events.since(0).filter((e) => e.type === 'transition').map((e) => transitionText(e as unknown as Transition));
  return { transitions, commands };
}

/** The simulator's path: SimNameNode, its commands taken as the engine takes them. */
function runSim(seed: number, fast: boolean): Outcome {
  const transitions: string[] = [];
  const commands: string[] = [];
  const nn = new SimNameNode(liveness, undefined, defaultReplicationConfig(interval), {
    transition: (t: Transition) => transitions.push(transitionText(t)),
    replicaGained: () => undefined,
    replicasLost: () => undefined,
  });
  const holders = layout(seed);
  holders.forEach((nodes, b) => nn.addCompleteBlock({ blockId: b + 1, generationStamp: GEN, lengthBytes: LEN, expectedReplication: 3 }, nodes.map(id)));
  const registration: string[] = new Array(NODES).fill('');
  const streamId: number[] = new Array(NODES).fill(0);
  const seq: number[] = new Array(NODES).fill(0);
  let streams = 0;
  const drain = (at: number) => {
    for (const nodeId of nn.drainTouched()) for (const c of nn.drainCommands(nodeId)) commands.push(`${at} ${nodeId} ${commandText(c)}`);
  };
  nn.tick(0);
  for (const { at, action } of script(seed)) {
    const i = 'node' in action ? action.node : -1;
    switch (action.kind) {
      case 'register':
        registration[i] = nn.register(reg(i), stats, at);
        break;
      case 'beat': {
        if (streamId[i] === 0) streamId[i] = ++streams;
        seq[i] += 1;
        const acked = fast ? nn.heartbeatUneventful(id(i), seq[i], streamId[i], at) : -1;
        if (acked < 0) {
          const outcome = nn.heartbeat({ nodeId: id(i), registrationId: registration[i], sequence: seq[i], streamId: streamId[i], goodbye: false, stats, peerProbes: [] }, at);
          for (const c of outcome.commands) commands.push(`${at} ${id(i)} ${commandText(c)}`);
        }
        break;
      }
      case 'close':
        if (streamId[i] !== 0) { drain(at); nn.streamClosed(id(i), streamId[i], at); streamId[i] = 0; }
        break;
      case 'fullReport': {
        const blocks = holders.flatMap((nodes, b) => (nodes.includes(i) ? [{ blockId: b + 1, generationStamp: GEN, lengthBytes: LEN }] : []));
        const invalidate = nn.fullBlockReport(id(i), blocks, at);
        if (invalidate.length) commands.push(`${at} ${id(i)} ${commandText({ kind: 'invalidate', blockIds: invalidate })}`);
        break;
      }
      case 'tick':
        nn.tick(at);
        break;
    }
    drain(at);
  }
  return { transitions, commands };
}

describe('NameNodeCore: the process path and the simulator agree', () => {
  test.each([1, 7, 42])('seed %i: same transitions and commands', async (seed) => {
    const processed = await runProcess(seed);
    const simulated = runSim(seed, false);
    const fast = runSim(seed, true);
    // The script must exercise the interesting paths: STALE, DEAD, and re-replication.
    expect(processed.transitions.some((t) => t.includes('->DEAD'))).toBe(true);
    expect(processed.transitions.some((t) => t.includes('->STALE'))).toBe(true);
    expect(processed.commands.some((c) => c.includes('replicate'))).toBe(true);
    expect(simulated.transitions).toEqual(processed.transitions);
    expect([...simulated.commands].sort()).toEqual([...processed.commands].sort());
    expect(fast).toEqual(simulated);
  });
});
