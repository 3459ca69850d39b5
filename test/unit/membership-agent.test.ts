/**
 * MembershipAgent (the DataNode's SWIM adapter, docs/GOSSIP.md) over real gRPC on loopback: each
 * agent serves the Membership service on its own grpc.Server (as the DataNode does on its data
 * port) and reaches its peers with real Deliver calls. Scenarios: the wire encoding round-trips
 * every message type; three agents joined through one seed see each other ALIVE in
 * GetMembership; a ProbePeers request is answered reachable for a live peer and unreachable
 * (with the time since last heard and the view's state) for a stopped one; on a secured cluster
 * an envelope with a bad or missing MAC is refused UNAUTHENTICATED and changes nothing,
 * undecodable bytes are INVALID_ARGUMENT; agents with different secrets never join; and every
 * transition is one JSON log entry with the documented fields. Time is real (the agents tick on
 * timers); every wait is a poll with a deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import {
  CHANNEL_OPTIONS, ERROR_METADATA_KEY, type Logger, SERVER_OPTIONS, bindServer, deriveClusterKeys, loadProtos,
} from '@minidfs/common';
import {
  type GetMembershipResponseIn, MembershipAgent, type MembershipClient, type MembershipHandlers, decodeSwimMessage, encodeSwimMessage, membershipMac,
} from '@minidfs/datanode';
import { type SwimMessage, swimConfigForPeriod } from '@minidfs/membership';
import { waitFor } from '../support/wait';

/** 200 ms: several agents share this Jest process; a shorter period (ping timeout) is within its event-loop stalls on a loaded machine. */
const PERIOD_MS = 200;

interface Logged { level: string; message: string; meta: Record<string, unknown> }

function captureLogger(lines: Logged[]): Logger {
  const log = (level: string) => (message: string, meta: Record<string, unknown> = {}) => { lines.push({ level, message, meta }); };
  return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') } as unknown as Logger;
}

interface Node {
  agent: MembershipAgent;
  server: grpc.Server;
  address: string;
  logs: Logged[];
  stopped: boolean;
}

const nodes: Node[] = [];
const clients: MembershipClient[] = [];

/** One agent behind its own gRPC server on 127.0.0.1 (the handlers reach the agent once it exists, as in DataNode). */
async function startNode(id: string, o: { key?: Buffer; seeds?: string[] } = {}): Promise<Node> {
  const server = new grpc.Server(SERVER_OPTIONS);
  const node = { server, logs: [] as Logged[], stopped: false } as Partial<Node> as Node;
  const handlers: MembershipHandlers = {
    Deliver: (call, cb) => node.agent.handlers().Deliver(call, cb),
    GetMembership: (call, cb) => node.agent.handlers().GetMembership(call, cb),
  };
  server.addService(loadProtos().Membership.service, handlers);
  const port = await bindServer(server, '127.0.0.1:0');
  node.address = `127.0.0.1:${port}`;
  node.agent = new MembershipAgent({
    id, address: node.address, config: swimConfigForPeriod(PERIOD_MS), key: o.key, logger: captureLogger(node.logs), seeds: o.seeds,
  });
  node.agent.start();
  nodes.push(node);
  return node;
}

/** Crash-like stop: the server goes away at once, the agent stops ticking without leaving. */
async function crash(node: Node): Promise<void> {
  node.stopped = true;
  node.server.forceShutdown();
  await node.agent.stop(false);
}

function client(address: string): MembershipClient {
  const c = new (loadProtos().Membership)(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  clients.push(c);
  return c;
}

type View = GetMembershipResponseIn;

function getMembership(address: string): Promise<View> {
  return new Promise<View>((resolve, reject) => {
    client(address).GetMembership({}, { deadline: Date.now() + 2000 }, (err, res) => (err || !res ? reject(err ?? new Error('empty')) : resolve(res)));
  });
}

function stateIn(view: View, id: string): string | undefined {
  return view.members.find((m) => m.id === id)?.state;
}

function deliver(address: string, message: Uint8Array, mac: Uint8Array): Promise<{ code: number; minidfsError?: string }> {
  return new Promise((resolve) => {
    client(address).Deliver({ message, mac }, { deadline: Date.now() + 2000 }, (err) => {
      if (!err) return resolve({ code: grpc.status.OK });
      const e = err.metadata?.get(ERROR_METADATA_KEY)[0];
      resolve({ code: err.code, minidfsError: typeof e === 'string' ? e : undefined });
    });
  });
}

async function allSee(ns: Node[], ids: string[], state: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`${ns.map((n) => n.agent.id).join(',')} see ${ids.join(',')} ${state}`, async () => {
    for (const n of ns) {
      const v = await getMembership(n.address);
      if (!ids.every((id) => stateIn(v, id) === state)) return false;
    }
    return true;
  }, timeoutMs);
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes.splice(0)) {
    if (!n.stopped) {
      await n.agent.stop(false);
      n.server.forceShutdown();
    }
  }
});

describe('membership wire', () => {
  test('every message type round-trips through its protobuf encoding', () => {
    const head = { from: 'dn1', fromAddress: '127.0.0.1:1', fromIncarnation: 3, updates: [
      { id: 'dn2', address: '127.0.0.1:2', state: 'SUSPECT' as const, incarnation: 7, by: 'dn1' },
      { id: 'dn3', address: '127.0.0.1:3', state: 'DEAD' as const, incarnation: 0 },
    ] };
    const messages: SwimMessage[] = [
      { ...head, type: 'PING', seq: 1, target: 'dn2' },
      { ...head, type: 'PING_REQ', seq: 2 ** 40, target: 'dn2', targetAddress: '127.0.0.1:2' },
      { ...head, type: 'ACK', seq: 0, target: 'dn1' },
      { ...head, type: 'ACK', seq: 9, target: 'dn3', nack: true },
      { ...head, type: 'SYNC', reply: true, members: [{ id: 'dn4', address: 'h:4', state: 'LEFT', incarnation: 1 }] },
      { ...head, type: 'GOSSIP', updates: [] },
    ];
    for (const m of messages) expect(decodeSwimMessage(encodeSwimMessage(m))).toEqual(m);
  });

  test('bytes that are not a SwimMessage, or one without a body, are INVALID_ARGUMENT', () => {
    expect(() => decodeSwimMessage(Buffer.from([0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => decodeSwimMessage(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('MembershipAgent over gRPC', () => {
  test('three agents joined through one seed see each other ALIVE; each transition is one log entry', async () => {
    const a = await startNode('dn1');
    const b = await startNode('dn2', { seeds: [a.address] });
    const c = await startNode('dn3', { seeds: [a.address] });
    await allSee([a, b, c], ['dn1', 'dn2', 'dn3'], 'ALIVE');
    const v = await getMembership(b.address);
    expect(v.selfId).toBe('dn2');
    expect(v.selfAddress).toBe(b.address);
    expect(v.protocolPeriodMs).toBe(PERIOD_MS);
    expect(v.suspicionTimeoutMinMs).toBeGreaterThanOrEqual(100);
    expect(v.suspicionTimeoutMaxMs).toBeGreaterThanOrEqual(v.suspicionTimeoutMinMs);
    expect(v.members.map((m) => m.id)).toEqual(['dn1', 'dn2', 'dn3']);
    const seen = a.logs.filter((l) => l.meta.event === 'member-transition');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const l of seen) {
      expect(Object.keys(l.meta).sort()).toEqual(['event', 'from', 'incarnation', 'memberId', 'msSinceLastHeard', 'observer', 'reason', 'to']);
      expect(l.meta.observer).toBe('dn1');
    }
    expect(seen.some((l) => l.meta.memberId === 'dn2' && l.meta.from === 'NEW' && l.meta.to === 'ALIVE' && l.meta.reason === 'discovered')).toBe(true);
  });

  test('ProbePeers: a live peer is reachable; a crashed one is unreachable within a period, with last-heard age and view state', async () => {
    const a = await startNode('dn1');
    const b = await startNode('dn2', { seeds: [a.address] });
    const c = await startNode('dn3', { seeds: [a.address] });
    await allSee([a, b, c], ['dn1', 'dn2', 'dn3'], 'ALIVE');
    let nudges = 0;
    (a.agent as unknown as { options: { onProbeResults?: () => void } }).options.onProbeResults = () => { nudges += 1; };

    a.agent.requestProbes([{ nodeId: 'dn2', membershipAddress: b.address }]);
    const live = await waitFor('probe answer for dn2', () => a.agent.takeProbeResults(64)[0], 5000);
    expect(live).toEqual({ nodeId: 'dn2', reachable: true, msSinceHeard: 0, neverHeard: false, memberState: 'ALIVE' });
    expect(nudges).toBeGreaterThanOrEqual(1);

    await crash(c);
    const startMs = Date.now();
    a.agent.requestProbes([{ nodeId: 'dn3', membershipAddress: c.address }]);
    const dead = await waitFor('probe answer for dn3', () => a.agent.takeProbeResults(64)[0], 5000);
    const tookMs = Date.now() - startMs;
    console.log(`probe of a crashed peer answered unreachable after ${tookMs} ms (period ${PERIOD_MS} ms)`);
    expect(dead.nodeId).toBe('dn3');
    expect(dead.reachable).toBe(false);
    expect(dead.neverHeard).toBe(false);
    expect(dead.msSinceHeard).toBeGreaterThan(0);
    expect(['ALIVE', 'SUSPECT', 'DEAD']).toContain(dead.memberState);
    expect(tookMs).toBeLessThan(PERIOD_MS * 3 + 500);
    expect(a.agent.takeProbeResults(64)).toEqual([]);
  });

  test('probe requests beyond Limits.maxPendingPeerProbes are dropped and counted', async () => {
    const a = await startNode('dn1');
    const targets = Array.from({ length: 300 }, (_, i) => ({ nodeId: `ghost${i}`, membershipAddress: `127.0.0.1:${1 + i}` }));
    a.agent.requestProbes(targets);
    expect(a.agent.counters.probesRequested).toBe(300);
    expect(a.agent.counters.probesDropped).toBe(300 - 256);
    a.agent.requestProbes([{ nodeId: 'x', membershipAddress: '' }]);
    expect(a.agent.counters.probesDropped).toBe(300 - 256 + 1);
  });

  test('secured: a bad or missing MAC is refused UNAUTHENTICATED and changes nothing; garbage is INVALID_ARGUMENT', async () => {
    const secret = randomBytes(32);
    console.log(`secret (hex, replays this test): ${secret.toString('hex')}`);
    const key = deriveClusterKeys(secret).membership;
    const a = await startNode('dn1', { key });
    const b = await startNode('dn2', { key, seeds: [a.address] });
    await allSee([a, b], ['dn1', 'dn2'], 'ALIVE');
    const before = await getMembership(a.address);

    // A forged DEAD about dn2 (the attack the MAC exists for), and a new member, from "dn9".
    const forged = encodeSwimMessage({
      type: 'GOSSIP', from: 'dn9', fromAddress: '127.0.0.1:9', fromIncarnation: 0,
      updates: [{ id: 'dn2', address: b.address, state: 'DEAD', incarnation: 1_000 }],
    });
    const wrongKey = deriveClusterKeys(randomBytes(32)).membership;
    expect(await deliver(a.address, forged, membershipMac(wrongKey, forged))).toEqual({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    expect(await deliver(a.address, forged, Buffer.alloc(0))).toEqual({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    const flipped = Buffer.from(membershipMac(key, forged));
    flipped[0] ^= 1;
    expect(await deliver(a.address, forged, flipped)).toEqual({ code: grpc.status.UNAUTHENTICATED, minidfsError: 'UNAUTHENTICATED' });
    const garbage = Buffer.from([0xff, 0xff, 0xff]);
    expect(await deliver(a.address, garbage, membershipMac(key, garbage))).toEqual({ code: grpc.status.INVALID_ARGUMENT, minidfsError: 'INVALID_ARGUMENT' });
    // Well-formed bytes but an invalid message (empty sender id): INVALID_ARGUMENT from validateMessage.
    const invalid = encodeSwimMessage({ type: 'GOSSIP', from: '', fromAddress: 'x:1', fromIncarnation: 0, updates: [] });
    expect(await deliver(a.address, invalid, membershipMac(key, invalid))).toEqual({ code: grpc.status.INVALID_ARGUMENT, minidfsError: 'INVALID_ARGUMENT' });

    const after = await getMembership(a.address);
    expect(after.members.map((m) => [m.id, m.state, m.incarnation])).toEqual(before.members.map((m) => [m.id, m.state, m.incarnation]));
    expect(stateIn(after, 'dn9')).toBeUndefined();
    expect(a.agent.counters.refusedUnauthenticated).toBe(3);
    expect(a.agent.counters.refusedInvalid).toBe(2);
    expect(a.logs.some((l) => l.meta.event === 'member-transition' && l.meta.memberId === 'dn9')).toBe(false);
    expect(a.logs.filter((l) => l.meta.event === 'membership-refused').length).toBeGreaterThanOrEqual(1);
  });

  test('agents with different secrets never join; an open agent accepts envelopes without a MAC', async () => {
    const a = await startNode('dn1', { key: deriveClusterKeys(randomBytes(32)).membership });
    const b = await startNode('dn2', { key: deriveClusterKeys(randomBytes(32)).membership, seeds: [a.address] });
    await waitFor('dn1 refused dn2 several times', () => a.agent.counters.refusedUnauthenticated >= 3, 5000);
    expect(stateIn(await getMembership(a.address), 'dn2')).toBeUndefined();
    expect(stateIn(await getMembership(b.address), 'dn1')).toBeUndefined();

    const open = await startNode('dn3');
    const hello = encodeSwimMessage({ type: 'GOSSIP', from: 'dn4', fromAddress: '127.0.0.1:4', fromIncarnation: 0, updates: [] });
    expect(await deliver(open.address, hello, Buffer.alloc(0))).toEqual({ code: grpc.status.OK });
    expect(stateIn(await getMembership(open.address), 'dn4')).toBe('ALIVE');
  });

  test('clean stop leaves: the others see LEFT', async () => {
    const a = await startNode('dn1');
    const b = await startNode('dn2', { seeds: [a.address] });
    await allSee([a, b], ['dn1', 'dn2'], 'ALIVE');
    await b.agent.stop(true);
    b.stopped = true;
    b.server.forceShutdown();
    await waitFor('dn1 sees dn2 LEFT', async () => stateIn(await getMembership(a.address), 'dn2') === 'LEFT', 5000);
  });
});
