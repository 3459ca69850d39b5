/**
 * Peer evidence over real gRPC: a real NameNode process, fake DataNodes as raw DatanodeProtocol
 * clients with distinct `host`s and membership addresses (no gossip runs: each fake answers a
 * ProbePeers command at once, with an extra beat, from a `hears` policy). One node stops beating:
 *  - its peers still hear it -> UNREACHABLE_FROM_NAMENODE at the DEAD deadline, no REPLICATE
 *    within the grace, DEAD (unreachable-grace-expired) after it, then its block is repaired;
 *  - its peers cannot reach it either -> DEAD at the usual time.
 * And end to end with real DataNodes running SWIM gossip (hosts 127.0.0.2..5), each reaching the
 * NameNode through its own TCP proxy: blackholing one proxy is a NameNode-only partition (the
 * connection stays open and silent; gossip between DataNodes is untouched) -> UNREACHABLE, no
 * replication in the grace, DEAD after it, LIVE again once healed; SIGKILL of one -> DEAD on time.
 * No sleeps: poll-until with deadlines.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DfsClient } from '@minidfs/client';
import {
  CHANNEL_OPTIONS, loadProtos, type DatanodeProtocolClient, type HeartbeatResponse__Output, type ClientProtocolClient,
} from '@minidfs/common';
import { FAST, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

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
    this.timer = setInterval(() => this.beat(), FAST.heartbeatIntervalMs);
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
  const cluster = await TestCluster.start(0, FAST, ['--unreachable-grace-ms', String(GRACE_MS), '--min-peer-reporters', '2'], { secret: false });
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
    expect(t.missedBeats).toBeGreaterThanOrEqual(FAST.deadAfter);
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
    expect(dead.msSinceLastHeartbeat).toBeLessThan(FAST.deadAfter * FAST.heartbeatIntervalMs + 300);
    expect(cluster.transitions('dn1', from).some((x) => x.to === 'UNREACHABLE_FROM_NAMENODE')).toBe(false);
    expect(nodes.slice(1).some((n) => n.probed.includes('dn1'))).toBe(true); // peers were asked, and said no
    const repaired = await waitFor('REPLICATE', () => nodes.flatMap((n) => n.replicates).find((r) => r.blockId === s!.blockId), 5000);
    expect(repaired.targets).toEqual(['dn4']);
  });
});

/** A TCP relay to the NameNode that can be cut silently (bytes dropped both ways, sockets kept open) and healed. */
class LinkProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  cut = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(this.targetPort, '127.0.0.1');
      for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
        this.sockets.add(from);
        from.on('data', (chunk) => { if (!this.cut) to.write(chunk); });
        from.on('error', () => undefined);
        from.on('close', () => { this.sockets.delete(from); to.destroy(); });
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Heal: new connections flow again; connections opened during the cut are dropped so the DataNode reconnects. */
  heal(): void {
    this.cut = false;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('peer evidence end to end (real DataNodes, gossip, NameNode link cut by a proxy)', () => {
  let cluster: TestCluster | undefined;
  const proxies: LinkProxy[] = [];
  let client: DfsClient | undefined;
  afterEach(async () => {
    client?.close();
    for (const p of proxies.splice(0)) await p.close();
    await cluster?.stop();
    cluster = undefined;
  });

  /** NameNode + dn1..dn4 (gossip, hosts 127.0.0.2..5, each through its own proxy), a 3-replica file; returns its holders. */
  async function start(): Promise<{ c: TestCluster; holders: string[] }> {
    const c = new TestCluster(FAST, ['--unreachable-grace-ms', String(GRACE_MS)], { datanodeArgs: ['--membership', 'gossip', '--gossip-period-ms', '200'] });
    cluster = c;
    await c.startNameNode();
    for (let i = 1; i <= 4; i++) {
      const proxy = new LinkProxy(c.rpcPort);
      proxies.push(proxy);
      const port = await proxy.listen();
      const host = `127.0.0.${i + 1}`;
      c.startDataNode(`dn${i}`, ['--namenode', `127.0.0.1:${port}`, '--bind', host, '--advertise', host]);
    }
    await c.waitForReport('4 LIVE with gossip', (r) => r.live === 4 && r.datanodes.every((d) => (d as { membershipAddress?: string }).membershipAddress));
    client = new DfsClient({ namenode: c.namenodeAddress });
    await client.writeFile('/e2e', Buffer.alloc(4096, 7), { replication: 3, blockSizeBytes: 1024 * 1024 });
    // The write is acknowledged at min-replication (2); the third replica's report may still be on its way.
    const holders = await waitFor('all 3 replicas of /e2e reported', async () => {
      const located = (await client!.getBlockLocations('/e2e')).blocks[0].locations.map((l) => l.nodeId);
      return located.length === 3 ? located : undefined;
    }, 10_000);
    // Let gossip settle (every member ALIVE in everyone's view) before the cut: a fresh joiner's first pings may still fail.
    const ids = ['dn1', 'dn2', 'dn3', 'dn4'];
    await waitFor('every DataNode holds the other three ALIVE', () => ids.every((id) => {
      const alive = new Set(c.dn(id).lines.filter((l) => l.event === 'member-transition' && l.to === 'ALIVE').map((l) => l.memberId));
      return ids.every((other) => other === id || alive.has(other));
    }), 10_000);
    return { c, holders };
  }

  test('a holder cut off from the NameNode only: UNREACHABLE, no replication scheduled in the grace, then DEAD and repaired', async () => {
    const { c, holders } = await start();
    const victim = holders[0];
    const from = c.nn.lines.length;
    proxies[Number(victim.slice(2)) - 1].cut = true;
    const t = await c.waitForTransition(`${victim} UNREACHABLE`, (x) => x.nodeId === victim && (x.to === 'UNREACHABLE_FROM_NAMENODE' || x.to === 'DEAD'), 10_000, from);
    expect(t).toMatchObject({ to: 'UNREACHABLE_FROM_NAMENODE', reason: 'peers-hear-it' });
    console.log(`${victim} UNREACHABLE_FROM_NAMENODE ${t.msSinceLastHeartbeat} ms after its last beat; reporters ${JSON.stringify((t as unknown as { reporters: string[] }).reporters)}`);
    const enteredAt = Date.now();
    expect((t as unknown as { reporterHosts: string[] }).reporterHosts).not.toContain(`127.0.0.${Number(victim.slice(2)) + 1}`);
    // Reads avoid it.
    expect((await client!.getBlockLocations('/e2e')).blocks[0].locations.map((l) => l.nodeId)).not.toContain(victim);
    await waitFor('grace nearly over', () => Date.now() - enteredAt >= GRACE_MS - 500, GRACE_MS + 1000, 50);
    const scheduled = () => c.nn.lines.slice(from).filter((l) => l.event === 'replication-scheduled');
    expect(scheduled()).toEqual([]);
    const dead = await c.waitForTransition(`${victim} DEAD`, (x) => x.nodeId === victim && x.to === 'DEAD', 5000, from);
    expect(dead.reason).toBe('unreachable-grace-expired');
    await waitFor('repair scheduled after the grace', () => scheduled().length > 0 || undefined, 5000);
    // Healing the link: the node re-registers and is LIVE again.
    proxies[Number(victim.slice(2)) - 1].heal();
    await c.waitForState(victim, 'LIVE', 20_000);
  });

  test('a holder killed (SIGKILL): peers cannot reach it either -> DEAD at the usual time, no UNREACHABLE', async () => {
    const { c, holders } = await start();
    const victim = holders[0];
    const from = c.nn.lines.length;
    c.dn(victim).signal('SIGKILL');
    const dead = await c.waitForTransition(`${victim} DEAD`, (x) => x.nodeId === victim && x.to === 'DEAD', 10_000, from);
    console.log(`${victim} killed: DEAD (${dead.reason}) ${dead.msSinceLastHeartbeat} ms after its last beat`);
    expect(dead.reason).toBe('missed-beats');
    expect(dead.msSinceLastHeartbeat).toBeLessThan(FAST.deadAfter * FAST.heartbeatIntervalMs + 300);
    expect(c.transitions(victim, from).some((x) => x.to === 'UNREACHABLE_FROM_NAMENODE')).toBe(false);
  });
});
