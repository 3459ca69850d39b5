/**
 * The DataNode's side of ProbePeers and gossip seeding, end to end inside one process: a real
 * DataNode (`new DataNode`, open cluster, `membership` on) registers with a scripted stand-in
 * NameNode (a real gRPC DatanodeProtocol server) whose RegisterResponse names a gossip seed (a
 * MembershipAgent behind its own gRPC server). Checked: Register carries membership_address; the
 * DataNode joins through membership_seeds alone (no --peer); a probe_peers command on a heartbeat
 * answer is answered with peer_probes on a beat that goes out early (the interval is 10 s, the
 * answer must come well before), one reachable target and one that never answers; and at most
 * Limits.maxProbeTargetsPerCommand targets of a command are probed.
 */
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type DatanodeProtocolHandlers, type HeartbeatRequest__Output, type HeartbeatResponse, Limits, SERVER_OPTIONS, bindServer, loadProtos, silentLogger,
} from '@minidfs/common';
import { DataNode, MembershipAgent, type MembershipHandlers } from '@minidfs/datanode';
import { swimConfigForPeriod } from '@minidfs/membership';
import { waitFor } from '../support/wait';

/**
 * Three gRPC endpoints share this one Jest process (and the machine's 2 cores): a 100 ms period
 * (50 ms ping timeout) is shorter than this process's event-loop stalls, which made a live peer's
 * probe time out now and then, so this test runs SWIM at 500 ms.
 */
const PERIOD_MS = 500;
const HEARTBEAT_INTERVAL_MS = 10_000;

interface FakeNameNode {
  server: grpc.Server;
  address: string;
  registered: Array<{ id: string; membershipAddress: string }>;
  beats: Array<{ atMs: number; beat: HeartbeatRequest__Output }>;
  /** Answer the next beat with these commands. */
  send: (response: HeartbeatResponse) => void;
}

async function fakeNameNode(seeds: string[]): Promise<FakeNameNode> {
  const server = new grpc.Server(SERVER_OPTIONS);
  const fake = { server, registered: [], beats: [] } as unknown as FakeNameNode;
  let stream: Parameters<DatanodeProtocolHandlers['Heartbeat']>[0] | undefined;
  const handlers: DatanodeProtocolHandlers = {
    Register: (call, cb) => {
      const info = call.request.info!;
      fake.registered.push({ id: info.id, membershipAddress: info.membershipAddress });
      cb(null, {
        nodeId: info.id, registrationId: `r${fake.registered.length}`, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, staleAfterMissed: 2, deadAfterMissed: 3,
        blockSizeBytes: 1 << 20, blockReportIntervalMs: 3_600_000, clusterId: 'fake', sessionToken: '', membershipSeeds: seeds,
      });
    },
    Heartbeat: (call) => {
      stream = call;
      call.on('data', (beat: HeartbeatRequest__Output) => {
        fake.beats.push({ atMs: Date.now(), beat });
        call.write({ ackedSequence: beat.sequence, commands: [] });
      });
      call.on('error', () => undefined);
    },
    BlockReport: (_call, cb) => cb(null, { commands: [] }),
    BlockReceivedAndDeleted: (_call, cb) => cb(null, {}),
    ReportBadBlocks: (_call, cb) => cb(null, {}),
  };
  server.addService(loadProtos().DatanodeProtocol.service, handlers);
  fake.address = `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}`;
  fake.send = (response) => stream!.write(response);
  return fake;
}

async function seedAgent(id: string): Promise<{ agent: MembershipAgent; server: grpc.Server }> {
  const server = new grpc.Server(SERVER_OPTIONS);
  const box: { agent?: MembershipAgent } = {};
  const handlers: MembershipHandlers = {
    Deliver: (call, cb) => box.agent!.handlers().Deliver(call, cb),
    GetMembership: (call, cb) => box.agent!.handlers().GetMembership(call, cb),
  };
  server.addService(loadProtos().Membership.service, handlers);
  const port = await bindServer(server, '127.0.0.1:0');
  box.agent = new MembershipAgent({ id, address: `127.0.0.1:${port}`, config: swimConfigForPeriod(PERIOD_MS), key: undefined, logger: silentLogger() });
  box.agent.start();
  return { agent: box.agent, server };
}

test('a DataNode joins through membership_seeds and answers probe_peers on an early beat', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-probe-'));
  const peer = await seedAgent('peer');
  const nn = await fakeNameNode([peer.agent.address]);
  const dn = new DataNode({
    namenode: nn.address, bindHost: '127.0.0.1', port: 0, dataDir: root, id: 'dn1', advertiseHost: '127.0.0.1', rack: '/r',
    backoff: { initialMs: 50, maxMs: 200 }, membership: { seeds: [], protocolPeriodMs: PERIOD_MS },
  }, silentLogger());
  try {
    await dn.start();
    await waitFor('registered', () => nn.registered[0], 10_000);
    expect(nn.registered[0]).toEqual({ id: 'dn1', membershipAddress: `127.0.0.1:${dn.port}` });
    await waitFor('dn1 and the seed see each other', () => peer.agent.member.stateOf('dn1') === 'ALIVE' && dn.membership!.member.stateOf('peer') === 'ALIVE', 10_000);
    await waitFor('first beat', () => nn.beats.length >= 1, 10_000);

    const targets = [
      { nodeId: 'peer', membershipAddress: peer.agent.address },
      { nodeId: 'ghost', membershipAddress: '127.0.0.1:1' },
      ...Array.from({ length: Limits.maxProbeTargetsPerCommand }, (_, i) => ({ nodeId: `extra${i}`, membershipAddress: `127.0.0.1:${2 + i}` })),
    ];
    const sentAtMs = Date.now();
    const beatsBefore = nn.beats.length;
    nn.send({ ackedSequence: 0, commands: [{ probePeers: { targets } }] });
    const answered = await waitFor('peer_probes for peer and ghost', () => {
      const results = nn.beats.slice(beatsBefore).flatMap((b) => b.beat.peerProbes.map((r) => ({ ...r, atMs: b.atMs })));
      const p = results.find((r) => r.nodeId === 'peer');
      const g = results.find((r) => r.nodeId === 'ghost');
      return p && g ? { p, g, results } : undefined;
    }, 10_000);
    console.log(`probe answers arrived ${answered.p.atMs - sentAtMs} ms (reachable) and ${answered.g.atMs - sentAtMs} ms (unreachable) after the command; heartbeat interval ${HEARTBEAT_INTERVAL_MS} ms`);
    console.log(`beats after the command (ms after it, peer_probes on it): ${JSON.stringify(nn.beats.slice(beatsBefore).map((b) => [b.atMs - sentAtMs, b.beat.peerProbes.length]))}; agent ${JSON.stringify(dn.membership!.counters)}`);
    expect(answered.p).toMatchObject({ reachable: true, msSinceHeard: 0, neverHeard: false, memberState: 'ALIVE' });
    expect(answered.g).toMatchObject({ reachable: false, neverHeard: true, memberState: 'MEMBER_STATE_UNSPECIFIED' });
    // Early beats, not the 5 s interval.
    expect(answered.g.atMs - sentAtMs).toBeLessThan(HEARTBEAT_INTERVAL_MS / 2);
    // The command named 2 + maxProbeTargetsPerCommand targets: only the first maxProbeTargetsPerCommand were probed.
    expect(dn.membership!.counters.probesRequested).toBe(Limits.maxProbeTargetsPerCommand);
    await waitFor('every probed target answered', () => {
      const ids = new Set(nn.beats.slice(beatsBefore).flatMap((b) => b.beat.peerProbes.map((r) => r.nodeId)));
      return ids.size === Limits.maxProbeTargetsPerCommand ? ids : undefined;
    }, 10_000);
    for (const b of nn.beats) expect(b.beat.peerProbes.length).toBeLessThanOrEqual(Limits.maxPeerProbeResultsPerBeat);
  } finally {
    await dn.stop(false);
    await peer.agent.stop(false);
    peer.server.forceShutdown();
    nn.server.forceShutdown();
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 30_000);
