/**
 * The cluster foundation on real processes and real gRPC over 127.0.0.1, fast profile
 * (100 ms beats, STALE after 2 missed, DEAD after 4): detection of kill -9 and SIGSTOP, revival,
 * the NameNode stall guard, NameNode restart, goodbye on SIGTERM, and bad input.
 */
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import {
  CHANNEL_OPTIONS, SESSION_METADATA_KEY, deriveClusterKeys, issueSessionToken, loadProtos, readSecretFile, type HeartbeatResponse__Output,
} from '@minidfs/common';
import { FAST, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const deadBoundMs = FAST.deadAfter * FAST.heartbeatIntervalMs + FAST.heartbeatIntervalMs;

describe('liveness on a real cluster', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await TestCluster.start(3);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  test('three DataNodes register and stay LIVE', async () => {
    const r = await cluster.report();
    expect(r).toMatchObject({ live: 3, stale: 0, dead: 0 });
    expect(r.datanodes.map((d) => d.id)).toEqual(['dn1', 'dn2', 'dn3']);
    for (const d of r.datanodes) {
      expect(d.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(d.capacityBytes).toBeGreaterThan(0);
    }
    // Several intervals later still nobody has left LIVE.
    const from = cluster.nn.lines.length;
    const until = Date.now() + 10 * FAST.heartbeatIntervalMs;
    await waitFor('10 intervals to pass', () => Date.now() >= until);
    expect((await cluster.report()).live).toBe(3);
    expect(cluster.transitions(undefined, from).filter((t) => t.to !== 'LIVE')).toEqual([]);
  });

  test('kill -9: STALE at once (stream broke), DEAD within deadAfter x interval + 1 interval; others stay LIVE', async () => {
    const from = cluster.nn.lines.length;
    const killedAt = Date.now();
    await cluster.dn('dn2').kill9();
    const stale = await cluster.waitForTransition('dn2 STALE', (t) => t.nodeId === 'dn2' && t.to === 'STALE', 5000, from);
    // Normally the broken stream is noticed first; on a heavily loaded box the tick can win the race.
    expect(['stream-closed', 'missed-beats']).toContain(stale.reason);
    const dead = await cluster.waitForTransition('dn2 DEAD', (t) => t.nodeId === 'dn2' && t.to === 'DEAD', 5000, from);
    expect(dead.reason).toBe('missed-beats');
    expect(dead.missedBeats).toBeGreaterThanOrEqual(FAST.deadAfter);
    expect(dead.msSinceLastHeartbeat).toBeLessThanOrEqual(deadBoundMs);
    expect(Date.parse(dead.timestamp) - killedAt).toBeLessThanOrEqual(deadBoundMs + 250 /* log/scheduling slack */);
    const r = await cluster.waitForState('dn2', 'DEAD');
    expect(r.datanodes.filter((d) => d.id !== 'dn2').map((d) => d.state)).toEqual(['LIVE', 'LIVE']);
    expect(cluster.transitions(undefined, from).filter((t) => t.nodeId !== 'dn2')).toEqual([]);
  });

  test('SIGSTOP: DEAD by missed beats; SIGCONT: re-registers and is LIVE again', async () => {
    const from = cluster.nn.lines.length;
    const dn = cluster.dn('dn1');
    dn.signal('SIGSTOP');
    const stale = await cluster.waitForTransition('dn1 STALE', (t) => t.nodeId === 'dn1' && t.to === 'STALE', 5000, from);
    expect(stale.reason).toBe('missed-beats');
    const dead = await cluster.waitForTransition('dn1 DEAD', (t) => t.nodeId === 'dn1' && t.to === 'DEAD', 5000, from);
    expect(dead.msSinceLastHeartbeat).toBeLessThanOrEqual(deadBoundMs);
    const deadLine = cluster.nn.lines.length;
    dn.signal('SIGCONT');
    await cluster.waitForTransition('dn1 re-registered', (t) => t.nodeId === 'dn1' && t.from === 'DEAD' && t.to === 'LIVE' && t.reason === 'registered', 5000, deadLine);
    await dn.waitForLine('reregister command', (l) => l.event === 'reregister');
    const r = await cluster.waitForReport('all LIVE', (x) => x.live === 3);
    expect(r.dead).toBe(0);
  });

  test('NameNode SIGSTOP for 3x the dead timeout, then SIGCONT: nobody is declared DEAD', async () => {
    const from = cluster.nn.lines.length;
    const pauseMs = 3 * FAST.deadAfter * FAST.heartbeatIntervalMs;
    cluster.nn.signal('SIGSTOP');
    await new Promise((r) => setTimeout(r, pauseMs)); // the fault itself: a pause of a given length
    cluster.nn.signal('SIGCONT');
    // Let several dead timeouts pass after the resume, then check the transition log.
    const r = await waitFor('5 dead timeouts after resume', async () => {
      const rep = await cluster.report();
      return rep.datanodes.every((d) => d.lastHeartbeatMsAgo < FAST.heartbeatIntervalMs * 2) ? rep : undefined;
    });
    expect(r.live).toBe(3);
    const settle = Date.now() + 5 * FAST.deadAfter * FAST.heartbeatIntervalMs;
    await waitFor('settle window', () => Date.now() >= settle, 10_000, 50);
    expect(cluster.transitions(undefined, from).filter((t) => t.to === 'DEAD')).toEqual([]);
    expect((await cluster.report()).live).toBe(3);
  });

  test('NameNode restart: DataNodes reconnect and re-register', async () => {
    await cluster.nn.kill9();
    await cluster.startNameNode();
    const r = await cluster.waitForReport('3 LIVE after restart', (x) => x.live === 3);
    expect(r.datanodes.map((d) => d.id)).toEqual(['dn1', 'dn2', 'dn3']);
    // The new NameNode process saw each DataNode register (NEW -> LIVE in its own transition log).
    for (const id of ['dn1', 'dn2', 'dn3']) {
      await cluster.waitForTransition(`${id} registered with the new NameNode`, (t) => t.nodeId === id && t.from === 'NEW' && t.to === 'LIVE' && t.reason === 'registered');
    }
  });

  test('SIGTERM: the DataNode says goodbye and is marked DEAD without waiting, exit code 0', async () => {
    const from = cluster.nn.lines.length;
    const dn = cluster.dn('dn3');
    dn.signal('SIGTERM');
    expect(await dn.waitForExit()).toEqual({ code: 0, signal: null });
    const t = await cluster.waitForTransition('dn3 DEAD', (x) => x.nodeId === 'dn3' && x.to === 'DEAD', 5000, from);
    expect(t.reason).toBe('goodbye');
    expect(t.missedBeats).toBeLessThan(FAST.deadAfter);
  });

  test('a heartbeat from an unregistered id gets REREGISTER, not a crash', async () => {
    const client = new (loadProtos().DatanodeProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    // The cluster has a secret: the stream needs a session token, here a valid one for the unknown node.
    const metadata = new grpc.Metadata();
    const keys = deriveClusterKeys(readSecretFile(cluster.secretFile!));
    metadata.set(SESSION_METADATA_KEY, issueSessionToken(keys.session, { nodeId: 'ghost', registrationId: 'nope' }));
    const call = client.Heartbeat(metadata);
    const answer = new Promise<HeartbeatResponse__Output>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
    });
    call.write({ nodeId: 'ghost', registrationId: 'nope', sequence: 1 });
    const res = await answer;
    expect(res.ackedSequence).toBe(0);
    expect(res.commands).toEqual([expect.objectContaining({ reregister: expect.objectContaining({ reason: 'unknown node' }) })]);
    call.cancel();
    client.close();
    expect(cluster.nn.alive).toBe(true);
    expect((await cluster.report()).datanodes.map((d) => d.id)).toEqual(['dn1', 'dn2', 'dn3']);
  });

  test('a second node claiming a live node\'s id is refused with a clear error', async () => {
    const impostor = cluster.startDataNode('dn1', [], path.join(cluster.root, 'impostor'), 'dn1-impostor');
    const exit = await impostor.waitForExit();
    expect(exit.code).toBe(2);
    expect(impostor.stderrText.join('\n')).toMatch(/DataNode id dn1 is in use by 127\.0\.0\.1:\d+/);
    await cluster.nn.waitForLine('refusal logged', (l) => l.event === 'register-refused' && l.nodeId === 'dn1');
    const r = await cluster.report();
    expect(r.live).toBe(3);
  });
});
