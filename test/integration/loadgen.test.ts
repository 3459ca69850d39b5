/**
 * The load generator against a real NameNode process over real gRPC (fast liveness profile):
 * simulated DataNodes register, report blocks and beat until LIVE; blocks the seeder writes
 * through them are known to the namespace; blocks it does not know are invalidated and deleted;
 * when the load stops the nodes go STALE (streams closed) and then DEAD. The CLI runs the same
 * load in forked worker processes.
 */
import { silentLogger } from '@minidfs/common';
import { LoadGenerator, defaultLoadgenConfig, seedNamespace } from '@minidfs/loadgen';
import { FAST, TestCluster } from '../support/cluster';
import { NodeProcess } from '../support/processes';
import { waitFor } from '../support/wait';

const NODES = 50;
const BLOCKS_PER_NODE = 20;

describe('loadgen against a real NameNode', () => {
  let cluster: TestCluster;
  let gen: LoadGenerator | undefined;

  beforeEach(async () => {
    cluster = new TestCluster(FAST);
    await cluster.startNameNode();
  });

  afterEach(async () => {
    await gen?.stop(false);
    gen = undefined;
    await cluster.stop();
  });

  test(`${NODES} simulated DataNodes become LIVE, report, hold seeded blocks, and die when stopped`, async () => {
    gen = new LoadGenerator({
      ...defaultLoadgenConfig(cluster.namenodeAddress, NODES), blocksPerNode: BLOCKS_PER_NODE, streamsPerChannel: 10, idPrefix: 'lg-',
      secretFile: cluster.secretFile,
    }, silentLogger());
    await gen.start();
    const live = await cluster.waitForReport(`${NODES} LIVE`, (r) => r.live === NODES, 30_000);
    expect(live.datanodes.map((d) => d.id)).toEqual(gen.nodeIds().sort());

    // Generated replicas are unknown to the fresh namespace: the NameNode invalidates them all.
    const cleaned = await waitFor('every generated replica invalidated', () => {
      const s = gen!.snapshot();
      return s.invalidatedBlocks === NODES * BLOCKS_PER_NODE ? s : undefined;
    }, 30_000);
    expect(cleaned).toMatchObject({ datanodes: NODES, registered: NODES, channels: NODES / 10, fatal: 0 });
    expect(cleaned.fullReports).toBeGreaterThanOrEqual(NODES);
    expect(cleaned.commands.invalidate).toBeGreaterThanOrEqual(NODES);

    // Seeded files go through the real write path with simulated nodes as the pipeline.
    const seeded = await seedNamespace(gen, { files: 5, blockLengthBytes: 1024, replication: 3, directory: '/loadgen' });
    expect(seeded).toEqual({ files: 5, blocks: 5 });
    const fsck = await waitFor('5 seeded blocks fully replicated', async () => {
      const f = (await (await fetch(`http://127.0.0.1:${cluster.httpPort}/api/fsck`)).json()) as { files: number; blocks: number; healthy: boolean };
      return f.blocks === 5 && f.healthy ? f : undefined;
    }, 30_000);
    expect(fsck.files).toBe(5);
    const overview = (await (await fetch(`http://127.0.0.1:${cluster.httpPort}/api/overview`)).json()) as { datanodes: { datanodes: Array<{ blocks: number }> } };
    expect(overview.datanodes.datanodes.reduce((a, d) => a + d.blocks, 0)).toBe(15);

    const beats = await waitFor('beats acknowledged with a round trip measured', () => {
      const s = gen!.snapshot();
      return s.acks >= 3 * NODES && s.roundTrip.counts.some((c) => c > 0) ? s : undefined;
    }, 30_000);
    expect(beats.beatsSent).toBeGreaterThanOrEqual(beats.acks);

    const from = cluster.nn.lines.length;
    await gen.stop(false);
    gen = undefined;
    await cluster.waitForReport(`${NODES} DEAD`, (r) => r.dead === NODES, 30_000);
    const transitions = cluster.transitions(undefined, from);
    expect(transitions.filter((t) => t.to === 'STALE').length).toBe(NODES);
    expect(transitions.filter((t) => t.to === 'DEAD').length).toBe(NODES);
  });

  test('minidfs loadgen --processes 2 drives the nodes from two worker processes and prints a JSON summary', async () => {
    const lg = new NodeProcess('loadgen', [
      'loadgen', '--namenode', cluster.namenodeAddress, '--datanodes', '20', '--processes', '2', '--blocks-per-node', '5',
      '--streams-per-channel', '4', '--report-every-s', '1', '--json', ...cluster.secretArgs,
    ]);
    const progress = (): Array<Record<string, any>> => lg.stdout.split('\n').filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.type === 'progress');
    try {
      await cluster.waitForReport('20 LIVE', (r) => r.live === 20, 30_000);
      await waitFor('20 full block reports processed', () => new Set(cluster.nn.lines.filter((l) => l.event === 'block-report').map((l) => l.nodeId)).size === 20, 30_000);
      // The NameNode answers each report's orphans with INVALIDATE on the heartbeat stream; stop
      // only once the workers have seen them (their progress lines are cumulative).
      await waitFor('20 INVALIDATE commands seen by the loadgen', () => progress().some((l) => l.seen?.commands?.invalidate >= 20), 30_000);
      lg.signal('SIGTERM');
      expect(await lg.waitForExit(15_000)).toEqual({ code: 0, signal: null });
      const summary = JSON.parse(lg.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
      expect(summary).toMatchObject({ type: 'summary', datanodes: 20, processes: 2, channels: 6 });
      expect(summary.sent.registrations).toBeGreaterThanOrEqual(20);
      expect(summary.seen.acks).toBeGreaterThan(0);
      expect(summary.seen.commands.invalidate).toBeGreaterThanOrEqual(20);
    } finally {
      await lg.kill9();
    }
  });
});
