/**
 * Decommission and maintenance on real processes (4 DataNodes, replication 3, 64 KiB blocks):
 * - decommission of a node holding blocks of 3 files ends DECOMMISSIONED (still LIVE) with every
 *   block 3 times on other nodes; recommission trims the excess back to 3;
 * - a node IN_MAINTENANCE killed (SIGKILL) and restarted moves zero bytes: no copy scheduled, the
 *   replica counts unchanged;
 * - a short window expiring while the node is dead makes its blocks re-replicate;
 * - admin states survive a NameNode restart;
 * - bad input (unknown node, maintenance without a duration, conflicting states) is refused and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { TestCluster } from '../support/cluster';
import type { LogLine } from '../support/processes';
import { waitFor } from '../support/wait';

const BLOCK = 64 * 1024;

interface AdminEntry { id: string; state: string; adminState: string; blocks: number; maintenanceExpiresInMs?: number }

describe('admin states: decommission and maintenance', () => {
  jest.setTimeout(180_000);
  let cluster: TestCluster;
  let client: DfsClient;
  const files = ['/a', '/b', '/c'];
  const data = new Map<string, Buffer>();

  beforeAll(async () => {
    cluster = await TestCluster.start(4, undefined, ['--replication', '3', '--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    for (const [i, f] of files.entries()) {
      data.set(f, randomBytes((3 + i) * BLOCK + 100)); // 4, 5 and 6 blocks
      await client.writeFile(f, data.get(f)!);
    }
    await waitFor('every block 3 times', async () => (await totalReplicas()) === 3 * (await blockCount()), 30_000, 100);
  });
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  const cli = (...args: string[]) => cluster.cli(...args);
  const nodes = async () => (await cluster.report()).datanodes as unknown as AdminEntry[];
  const node = async (id: string) => (await nodes()).find((d) => d.id === id)!;
  const totalReplicas = async (except?: string) => (await nodes()).filter((d) => d.id !== except && d.state !== 'DEAD').reduce((s, d) => s + d.blocks, 0);
  const blockCount = async () => {
    let n = 0;
    for (const f of files) n += (await client.getBlockLocations(f)).blocks.length;
    return n;
  };
  const waitAdmin = (id: string, adminState: string, timeoutMs = 30_000) =>
    waitFor(`${id} ${adminState}`, async () => ((await node(id))?.adminState === adminState ? true : undefined), timeoutMs, 100);
  const nnEvents = (event: string, from: number) => cluster.nn.lines.slice(from).filter((l: LogLine) => l.event === event);
  /** Every block of every file: its locations other than `except`. */
  const replicasElsewhere = async (except: string) => {
    const counts: number[] = [];
    for (const f of files) for (const b of (await client.getBlockLocations(f)).blocks) counts.push(b.locations.filter((l) => l.nodeId !== except).length);
    return counts;
  };
  const fsck = async () => JSON.parse((await cluster.httpGet('/api/fsck')).body.toString('utf8')) as { healthy: boolean; underReplicated: number; overReplicated: number };

  it('decommission ends DECOMMISSIONED with every block replicated elsewhere; recommission trims the excess', async () => {
    const target = (await nodes()).sort((x, y) => y.blocks - x.blocks)[0].id;
    expect((await node(target)).blocks).toBeGreaterThan(0);
    const mark = cluster.nn.lines.length;
    const r = cli('admin', 'decommission', target);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(new RegExp(`${target}: DECOMMISSION(ING|ED)`));
    await waitAdmin(target, 'DECOMMISSIONED');
    const after = await node(target);
    expect(after.state).toBe('LIVE'); // still heartbeating
    expect(after.blocks).toBeGreaterThan(0); // its replicas are kept (and serve reads)
    const elsewhere = await replicasElsewhere(target);
    expect(elsewhere.length).toBe(await blockCount());
    expect(elsewhere.every((n) => n >= 3)).toBe(true);
    expect(await totalReplicas(target)).toBe(3 * elsewhere.length); // exactly 3 elsewhere
    expect((await fsck()).healthy).toBe(true);
    for (const f of files) expect(Buffer.compare(await client.readFile(f), data.get(f)!)).toBe(0);
    // No new pipelines on it.
    await client.writeFile('/new', randomBytes(2 * BLOCK));
    for (const b of (await client.getBlockLocations('/new')).blocks) expect(b.locations.map((l) => l.nodeId)).not.toContain(target);
    await client.delete('/new');
    const transitions = nnEvents('admin-transition', mark).map((l) => `${String(l.from)}->${String(l.to)}`);
    expect(transitions).toEqual(['NORMAL->DECOMMISSIONING', 'DECOMMISSIONING->DECOMMISSIONED']);
    const events = JSON.parse((await cluster.httpGet('/api/events')).body.toString('utf8')) as unknown;
    expect(JSON.stringify(events)).toContain('admin-transition');
    const metrics = (await cluster.httpGet('/metrics')).body.toString('utf8');
    expect(metrics).toMatch(/^minidfs_namenode_datanodes_admin\{admin_state="DECOMMISSIONED"\} 1$/m);
    expect(metrics).toMatch(/^minidfs_namenode_datanodes_admin\{admin_state="NORMAL"\} 3$/m);

    expect(cli('admin', 'recommission', target)).toMatchObject({ code: 0 });
    await waitAdmin(target, 'NORMAL');
    await waitFor('excess trimmed: 3 replicas of every block', async () => (await totalReplicas()) === 3 * (await blockCount()), 30_000, 100);
    expect((await fsck()).healthy).toBe(true);
  });

  it('a node in maintenance killed and restarted moves zero bytes', async () => {
    const id = 'dn2';
    expect(cli('admin', 'maintenance', id, '--for', '10m')).toMatchObject({ code: 0 });
    await waitAdmin(id, 'IN_MAINTENANCE');
    const expiry = (await node(id)).maintenanceExpiresInMs!;
    expect(expiry).toBeGreaterThan(9 * 60_000);
    expect(expiry).toBeLessThanOrEqual(10 * 60_000);
    const before = new Map((await nodes()).map((d) => [d.id, d.blocks]));
    const mark = cluster.nn.lines.length;

    cluster.dn(id).signal('SIGKILL');
    await cluster.dn(id).waitForExit();
    await cluster.waitForState(id, 'DEAD');
    // It stays IN_MAINTENANCE and its replicas are kept: nothing is planned while it is away.
    await cluster.nn.waitForLine('maintenance node silent', (l) => l.event === 'maintenance-node-silent' && l.nodeId === id, 15_000, mark);
    expect((await node(id)).adminState).toBe('IN_MAINTENANCE');
    expect((await fsck()).healthy).toBe(true); // expected silence: its replicas still count
    for (const f of files) expect(Buffer.compare(await client.readFile(f), data.get(f)!)).toBe(0); // served by the others

    // The planner ran many passes while it was DEAD (one per 100 ms beat; a DataNode process takes
    // longer than that to start): any re-replication would have been scheduled by now.
    const restartMark = cluster.nn.lines.length;
    cluster.startDataNode(id);
    await cluster.waitForState(id, 'LIVE');
    await cluster.nn.waitForLine('its block report', (l) => l.event === 'block-report' && l.nodeId === id, 15_000, restartMark);
    await waitFor('report settled', async () => ((await node(id)).blocks === before.get(id) ? true : undefined), 10_000, 100);
    expect(nnEvents('replication-scheduled', mark)).toEqual([]);
    expect(nnEvents('replication-invalidated', mark)).toEqual([]);
    expect(nnEvents('replicas-dropped', mark)).toEqual([]);
    expect(new Map((await nodes()).map((d) => [d.id, d.blocks]))).toEqual(before);

    // The same with a SIGTERM restart (the DataNode says goodbye: DEAD at once).
    const termMark = cluster.nn.lines.length;
    cluster.dn(id).signal('SIGTERM');
    await cluster.dn(id).waitForExit();
    await cluster.waitForState(id, 'DEAD');
    await cluster.nn.waitForLine('maintenance node silent', (l) => l.event === 'maintenance-node-silent' && l.nodeId === id, 15_000, termMark);
    cluster.startDataNode(id);
    await cluster.waitForState(id, 'LIVE');
    await cluster.nn.waitForLine('its block report', (l) => l.event === 'block-report' && l.nodeId === id, 15_000, termMark);
    await waitFor('report settled', async () => ((await node(id)).blocks === before.get(id) ? true : undefined), 10_000, 100);
    expect(nnEvents('replication-scheduled', mark)).toEqual([]);
    expect(nnEvents('replication-invalidated', mark)).toEqual([]);
    expect(new Map((await nodes()).map((d) => [d.id, d.blocks]))).toEqual(before);

    expect(cli('admin', 'maintenance', id, '--end')).toMatchObject({ code: 0 });
    await waitAdmin(id, 'NORMAL');
    expect(nnEvents('replication-scheduled', mark)).toEqual([]);
  });

  it('a short window expiring while the node is dead re-replicates its blocks', async () => {
    const id = 'dn3';
    const held = (await node(id)).blocks;
    expect(held).toBeGreaterThan(0);
    const mark = cluster.nn.lines.length;
    expect(cli('admin', 'maintenance', id, '--for', '3s')).toMatchObject({ code: 0 });
    await waitAdmin(id, 'IN_MAINTENANCE', 2_500);
    cluster.dn(id).signal('SIGKILL');
    await cluster.dn(id).waitForExit();
    await cluster.waitForState(id, 'DEAD');
    await cluster.nn.waitForLine('maintenance expired', (l) => l.event === 'admin-transition' && l.nodeId === id && l.reason === 'maintenance-expired', 15_000, mark);
    const expiredAt = cluster.nn.lines.findIndex((l, i) => i >= mark && l.event === 'admin-transition' && l.reason === 'maintenance-expired');
    expect(nnEvents('replication-scheduled', mark).length).toBe(nnEvents('replication-scheduled', expiredAt).length); // none before expiry
    await waitFor('3 live replicas of every block without the dead node', async () => (await totalReplicas(id)) === 3 * (await blockCount()), 30_000, 100);
    expect(nnEvents('replication-scheduled', expiredAt).length).toBeGreaterThan(0);

    cluster.startDataNode(id); // back: the excess it brings is trimmed
    await cluster.waitForState(id, 'LIVE');
    await waitFor('3 replicas of every block again', async () => (await totalReplicas()) === 3 * (await blockCount()), 30_000, 100);
  });

  it('admin states survive a NameNode restart', async () => {
    expect(cli('admin', 'decommission', 'dn1')).toMatchObject({ code: 0 });
    await waitAdmin('dn1', 'DECOMMISSIONED');
    expect(cli('admin', 'maintenance', 'dn4', '--for', '1h')).toMatchObject({ code: 0 });
    await waitAdmin('dn4', 'IN_MAINTENANCE');

    cluster.nn.signal('SIGTERM');
    await cluster.nn.waitForExit();
    await cluster.startNameNode();
    await cluster.waitForReport('4 LIVE', (r) => r.live === 4, 30_000);
    expect((await node('dn1')).adminState).toBe('DECOMMISSIONED');
    const m = await node('dn4');
    expect(m.adminState).toBe('IN_MAINTENANCE');
    expect(m.maintenanceExpiresInMs).toBeGreaterThan(50 * 60_000);
    const text = cli('report');
    expect(text.out).toMatch(/dn1 .*LIVE +DECOMMISSIONED/);
    expect(text.out).toMatch(/dn4 .*LIVE +IN_MAINTENANCE \(/);
    const json = JSON.parse(cli('report', '--json').out) as { datanodes: AdminEntry[] };
    expect(json.datanodes.find((d) => d.id === 'dn1')!.adminState).toBe('DECOMMISSIONED');

    expect(cli('admin', 'recommission', 'dn1')).toMatchObject({ code: 0 });
    expect(cli('admin', 'maintenance', 'dn4', '--end')).toMatchObject({ code: 0 });
    await waitAdmin('dn1', 'NORMAL');
    await waitAdmin('dn4', 'NORMAL');
  });

  it('bad input is refused with a clear error and changes nothing', async () => {
    const unknown = cli('admin', 'decommission', 'nosuchnode');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/UNKNOWN_NODE: no DataNode nosuchnode is registered/);
    const noDuration = cli('admin', 'maintenance', 'dn2');
    expect(noDuration.code).not.toBe(0);
    expect(noDuration.err).toMatch(/needs a duration/);
    expect(cli('admin', 'maintenance', 'dn2', '--for', 'soon').code).not.toBe(0);
    expect(cli('admin', 'maintenance', 'dn2', '--for', '0').code).not.toBe(0);
    expect(cli('admin', 'maintenance', 'dn2', '--for', '90d').err).toMatch(/INVALID_ARGUMENT: .*maxMaintenanceDurationMs/);
    await expect(client.setDatanodeAdminState('dn2', 'start-maintenance', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.setDatanodeAdminState('bad id!', 'decommission')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    expect(cli('admin', 'maintenance', 'dn2', '--for', '10m')).toMatchObject({ code: 0 });
    const conflict = cli('admin', 'decommission', 'dn2');
    expect(conflict.code).toBe(1);
    expect(conflict.err).toMatch(/INVALID_ARGUMENT: DataNode dn2 is (ENTERING_|IN_)MAINTENANCE/);
    expect(cli('admin', 'recommission', 'dn2').err).toMatch(/INVALID_ARGUMENT/);
    expect(['ENTERING_MAINTENANCE', 'IN_MAINTENANCE']).toContain((await node('dn2')).adminState);
    expect(cli('admin', 'maintenance', 'dn2', '--end')).toMatchObject({ code: 0 });
    for (const d of await nodes()) expect(d.adminState).toBe('NORMAL');
  });
});
