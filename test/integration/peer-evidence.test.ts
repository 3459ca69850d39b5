/**
 * Peer evidence over real gRPC: a real NameNode process, fake DataNodes as raw DatanodeProtocol
 * clients with distinct `host`s and membership addresses (no gossip runs: each fake answers a
 * ProbePeers command at once, with an extra beat, from a `hears` policy). One node stops beating:
 *  - its peers still hear it -> UNREACHABLE_FROM_NAMENODE at the DEAD deadline, no REPLICATE
 *    within the grace, DEAD (unreachable-grace-expired) after it, then its block is repaired;
 *  - its peers cannot reach it either -> DEAD at the usual time.
 * No sleeps: poll-until with deadlines.
 */
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS, loadProtos, type DatanodeProtocolClient, type HeartbeatResponse__Output, type ClientProtocolClient,
} from '@minidfs/common';
import { type Liveness, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const LIVENESS: Liveness = { heartbeatIntervalMs: 100, staleAfter: 2, deadAfter: 4 };
const GRACE_MS = 3000;

jest.setTimeout(60_000);

const unary = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res as Res))));

class FakeDatanode {
  private readonly client: DatanodeProtocolClient;
  private call: grpc.ClientDuplexStream<object, HeartbeatResponse__Output> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  registrationId = '';
  seeds: string[] = [];
  readonly replicates: Array<{ atMs: number; blockId: number; targets: string[] }> = [];
  readonly probed: string[] = [];

  constructor(readonly id: string, readonly host: string, address: string, private readonly hears: (target: string) => boolean) {
    this.client = new (loadProtos().DatanodeProtocol)(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as DatanodeProtocolClient;
  }

  async start(): Promise<void> {
    const res = await unary<object, { registrationId: string; membershipSeeds: string[] }>(this.client.Register.bind(this.client) as never, {
      info: {
        id: this.id, uuid: `uuid-${this.id}`, host: this.host, dataPort: 50010, httpPort: 0, rack: '/r',
        capacityBytes: 1e12, usedBytes: 0, remainingBytes: 1e12, membershipAddress: `${this.host}:7946`,
      },
    });
    this.registrationId = res.registrationId;
    this.seeds = res.membershipSeeds;
    const call = this.client.Heartbeat() as unknown as grpc.ClientDuplexStream<object, HeartbeatResponse__Output>;
    this.call = call;
    call.on('data', (r: HeartbeatResponse__Output) => {
      const answers = [];
      for (const c of r.commands) {
        if (c.replicate) this.replicates.push({ atMs: Date.now(), blockId: Number(c.replicate.blockId), targets: c.replicate.targets.map((t) => t.nodeId) });
        for (const t of c.probePeers?.targets ?? []) {
          this.probed.push(t.nodeId);
          const reachable = this.hears(t.nodeId);
          answers.push({ nodeId: t.nodeId, reachable, msSinceHeard: reachable ? 0 : 800, neverHeard: false, memberState: reachable ? 'ALIVE' : 'SUSPECT' });
        }
      }
      if (answers.length) this.beat(answers); // promptly, on an extra beat
    });
    call.on('error', () => undefined);
    this.beat();
    this.timer = setInterval(() => this.beat(), LIVENESS.heartbeatIntervalMs);
  }

  beat(peerProbes: object[] = []): void {
    this.call?.write({
      nodeId: this.id, registrationId: this.registrationId, sequence: ++this.sequence,
      capacityBytes: 1e12, usedBytes: 0, remainingBytes: 1e12, peerProbes,
    });
  }

  async blockReceived(blockId: number, generationStamp: number): Promise<void> {
    await unary(this.client.BlockReceivedAndDeleted.bind(this.client) as never, {
      nodeId: this.id, registrationId: this.registrationId, received: [{ blockId, generationStamp, lengthBytes: 10 }], deleted: [],
    });
  }

  /** The NameNode stops hearing it (its stream stays open: a silent partition, not a reset). */
  silence(): void {
    clearInterval(this.timer);
  }

  stop(): void {
    clearInterval(this.timer);
    this.call?.cancel();
    this.client.close();
  }
}

interface Scenario {
  cluster: TestCluster;
  nodes: FakeDatanode[];
  client: ClientProtocolClient;
  holders: string[];
  blockId: number;
}

/** dn1..dn4 on hosts 127.0.0.2..5, a complete 3-replica file whose block dn1 holds. */
async function scenario(hears: (reporter: string, target: string) => boolean): Promise<Scenario> {
  const cluster = await TestCluster.start(0, LIVENESS, ['--unreachable-grace-ms', String(GRACE_MS), '--min-peer-reporters', '2'], { secret: false });
  const nodes = [1, 2, 3, 4].map((i) => new FakeDatanode(`dn${i}`, `127.0.0.${i + 1}`, cluster.namenodeAddress, (t) => hears(`dn${i}`, t)));
  for (const n of nodes) await n.start();
  await cluster.waitForReport('4 LIVE', (r) => r.live === 4);
  const client = new (loadProtos().ClientProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as ClientProtocolClient;
  const call = <Res>(m: keyof ClientProtocolClient, req: object) => unary<object, Res>((client[m] as (...a: unknown[]) => unknown).bind(client) as never, req);
  await call('Create', { path: '/f', replication: 3, blockSizeBytes: 1024, createParent: true, clientName: 'it' });
  // dn1 must hold the block: exclude one of the others from the pipeline.
  const added = await call<{ block: { block: { blockId: number; generationStamp: number }; locations: Array<{ nodeId: string }> } }>(
    'AddBlock', { path: '/f', clientName: 'it', excludeNodeIds: ['dn4'] },
  );
  const { blockId, generationStamp } = added.block.block;
  const holders = added.block.locations.map((l) => l.nodeId);
  expect(holders.sort()).toEqual(['dn1', 'dn2', 'dn3']);
  for (const id of holders) await nodes.find((n) => n.id === id)!.blockReceived(Number(blockId), Number(generationStamp));
  const done = await call<{ complete: boolean }>('Complete', { path: '/f', clientName: 'it', blocks: [{ blockId, generationStamp, lengthBytes: 10 }] });
  expect(done.complete).toBe(true);
  return { cluster, nodes, client, holders, blockId: Number(blockId) };
}

async function teardown(s: Scenario | undefined): Promise<void> {
  if (!s) return;
  for (const n of s.nodes) n.stop();
  s.client.close();
  await s.cluster.stop();
}

describe('peer evidence over gRPC (UNREACHABLE_FROM_NAMENODE)', () => {
  let s: Scenario | undefined;
  afterEach(async () => {
    await teardown(s);
    s = undefined;
  });

  test('NameNode-only partition: UNREACHABLE, no REPLICATE within the grace, DEAD after it', async () => {
    s = await scenario(() => true);
    const { cluster, nodes } = s;
    expect(nodes[3].seeds.length).toBeGreaterThan(0); // registered last: the others are its gossip seeds
    expect(nodes[3].seeds).not.toContain('127.0.0.5:7946');
    const from = cluster.nn.lines.length;
    nodes[0].silence();
    const silencedAt = Date.now();
    const t = await cluster.waitForTransition('dn1 UNREACHABLE', (x) => x.nodeId === 'dn1' && x.to === 'UNREACHABLE_FROM_NAMENODE', 10_000, from);
    const unreachableSeenAt = Date.now();
    expect(t.reason).toBe('peers-hear-it');
    expect(t.missedBeats).toBeGreaterThanOrEqual(LIVENESS.deadAfter);
    const logged = t as unknown as { reporters: string[]; reporterHosts: string[] };
    expect(logged.reporters.length).toBeGreaterThanOrEqual(2);
    expect(new Set(logged.reporterHosts).size).toBe(logged.reporterHosts.length);
    expect(cluster.transitions('dn1', from).some((x) => x.to === 'DEAD')).toBe(false);
    const report = await cluster.report();
    expect(report.unreachable).toBe(1);
    expect(report.datanodes.find((d) => d.id === 'dn1')!.state).toBe('UNREACHABLE_FROM_NAMENODE');
    // The ClientProtocol report carries the state string as well.
    const viaRpc = await unary<object, { datanodes: Array<{ id: string; state: string }> }>(s.client.GetDatanodeReport.bind(s.client) as never, {});
    expect(viaRpc.datanodes.find((d) => d.id === 'dn1')!.state).toBe('UNREACHABLE_FROM_NAMENODE');
    // Reads are not routed to it.
    const located = await unary<object, { blocks: Array<{ locations: Array<{ nodeId: string }> }> }>(s.client.GetBlockLocations.bind(s.client) as never, { path: '/f' });
    expect(located.blocks[0].locations.map((l) => l.nodeId).sort()).toEqual(['dn2', 'dn3']);
    // The grace: wait until it is nearly over, watching for any REPLICATE.
    await waitFor('grace nearly over', () => Date.now() - unreachableSeenAt >= GRACE_MS - 500, GRACE_MS + 1000, 50);
    expect(nodes.flatMap((n) => n.replicates)).toEqual([]);
    expect((await cluster.report()).datanodes.find((d) => d.id === 'dn1')!.state).toBe('UNREACHABLE_FROM_NAMENODE');
    const dead = await cluster.waitForTransition('dn1 DEAD', (x) => x.nodeId === 'dn1' && x.to === 'DEAD', 5000, from);
    expect(dead.reason).toBe('unreachable-grace-expired');
    const repaired = await waitFor('REPLICATE after the grace', () => nodes.flatMap((n) => n.replicates).find((r) => r.blockId === s!.blockId), 5000);
    expect(repaired.targets).toEqual(['dn4']);
    expect(repaired.atMs - silencedAt).toBeGreaterThanOrEqual(GRACE_MS);
  });

  test('crash (peers cannot reach it either): DEAD at the usual time, then repair', async () => {
    s = await scenario((_reporter, target) => target !== 'dn1');
    const { cluster, nodes } = s;
    const from = cluster.nn.lines.length;
    nodes[0].silence();
    const dead = await cluster.waitForTransition('dn1 DEAD', (x) => x.nodeId === 'dn1' && x.to === 'DEAD', 10_000, from);
    expect(dead.reason).toBe('missed-beats');
    // The usual detection bound: deadAfter intervals plus tick granularity (and a loaded machine's lateness).
    expect(dead.msSinceLastHeartbeat).toBeLessThan(LIVENESS.deadAfter * LIVENESS.heartbeatIntervalMs + 300);
    expect(cluster.transitions('dn1', from).some((x) => x.to === 'UNREACHABLE_FROM_NAMENODE')).toBe(false);
    expect(nodes.slice(1).some((n) => n.probed.includes('dn1'))).toBe(true); // peers were asked, and said no
    const repaired = await waitFor('REPLICATE', () => nodes.flatMap((n) => n.replicates).find((r) => r.blockId === s!.blockId), 5000);
    expect(repaired.targets).toEqual(['dn4']);
  });
});
