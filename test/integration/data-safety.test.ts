/**
 * Data safety on real processes:
 *   - a NameNode started on an empty data dir with the DataNodes of an existing cluster: every
 *     DataNode refuses it (another cluster id) and exits with code 3, every block file stays on
 *     disk, and the real NameNode brings every file back;
 *   - no deletion is ordered from a block report while the NameNode is in safe mode: a replica of a
 *     block deleted while its node was away survives the report made in safe mode, and goes at the
 *     node's next full report;
 *   - a block lost for good (its only replica's file gone) no longer keeps the NameNode in safe mode
 *     for ever: once every live DataNode has reported and nothing changes, safe mode ends, fsck
 *     counts the block missing, and put / rm work again;
 *   - `minidfs admin safemode get|enter|leave|wait`: an operator's enter holds until leave.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DfsClient } from '@minidfs/client';
import { SafeModeError } from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { blockFilesOnDisk, findBlockFile } from '../support/disk';
import { CLI, NodeProcess } from '../support/processes';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const DATANODES = ['dn1', 'dn2', 'dn3'];

/** A NameNode on the cluster's ports (the DataNodes' --namenode) but another data dir. */
function startNameNodeOn(cluster: TestCluster, dataDir: string, name: string): NodeProcess {
  const l = cluster.liveness;
  return new NodeProcess(name, [
    'namenode', '--bind', '127.0.0.1', '--rpc-port', String(cluster.rpcPort), '--http-port', String(cluster.httpPort),
    '--data-dir', dataDir, '--heartbeat-interval-ms', String(l.heartbeatIntervalMs),
    '--stale-after', String(l.staleAfter), '--dead-after', String(l.deadAfter), ...cluster.secretArgs, ...cluster.nnArgs,
  ]);
}

async function admin(cluster: TestCluster, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, 'admin', 'safemode', ...args, '--namenode', cluster.namenodeAddress]);
  return stdout;
}

async function fsckJson(cluster: TestCluster): Promise<{ missing: number; blocks: number; healthy: boolean }> {
  const res = await fetch(`http://127.0.0.1:${cluster.httpPort}/api/fsck?path=/`);
  return (await res.json()) as { missing: number; blocks: number; healthy: boolean };
}

describe('data safety', () => {
  let cluster: TestCluster;
  let client: DfsClient | undefined;

  afterEach(async () => {
    client?.close();
    client = undefined;
    await cluster?.stop();
  });

  test('a NameNode on an empty data dir: every DataNode refuses it (exit 3), no block is deleted, the real NameNode brings the files back', async () => {
    cluster = await TestCluster.start(3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 4; i++) {
      const data = crypto.randomBytes(150_000 + i * 50_000);
      await client.writeFile(`/data/f${i}`, data, { blockSizeBytes: 64 * 1024 });
      files.set(`/data/f${i}`, data);
    }
    client.close();
    client = undefined;
    for (const id of DATANODES) await cluster.dn(id).waitForLine(`${id} adopted the cluster id`, (l) => l.event === 'cluster-id-adopted');
    const before = blockFilesOnDisk(cluster.root, DATANODES);
    expect(before.size).toBeGreaterThanOrEqual(12);

    await cluster.nn.kill9();
    const wrong = startNameNodeOn(cluster, path.join(cluster.root, 'empty-namenode'), 'wrong-namenode');
    cluster.nn = wrong;
    await wrong.waitForLine('wrong namenode started', (l) => l.event === 'started');
    for (const id of DATANODES) {
      const dn = cluster.dn(id);
      expect(await dn.waitForExit(15_000)).toEqual({ code: 3, signal: null });
      expect(dn.lines.find((l) => l.event === 'cluster-id-mismatch')).toBeDefined();
    }
    expect(wrong.lines.filter((l) => l.event === 'block-report')).toEqual([]); // nothing was reported to it
    expect(blockFilesOnDisk(cluster.root, DATANODES)).toEqual(before);

    await wrong.kill9();
    await cluster.startNameNode(); // the real data dir
    for (const id of DATANODES) cluster.startDataNode(id);
    await cluster.waitForReport('3 LIVE, safe mode off', (r) => r.live === 3 && !r.safeMode, 30_000);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    for (const [p, data] of files) expect(sha(await client.readFile(p))).toBe(sha(data));
    expect(blockFilesOnDisk(cluster.root, DATANODES)).toEqual(before);
  });

  test('a DataNode refuses a NameNode with another cluster id and deletes nothing; an empty data dir adopts the id', async () => {
    cluster = await TestCluster.start(1);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    await client.writeFile('/one', crypto.randomBytes(10_000), { replication: 1 });
    const versionFile = path.join(cluster.root, 'dn1', 'VERSION');
    const version = JSON.parse(fs.readFileSync(versionFile, 'utf8')) as { clusterId: string };
    const nnClusterId = fs.readFileSync(path.join(cluster.root, 'namenode', 'cluster-id'), 'utf8').trim();
    expect(version.clusterId).toBe(nnClusterId);
    // Another cluster's NameNode (its own data dir) reached by the same DataNode: refused at once.
    const other = new TestCluster(cluster.liveness, [], {});
    try {
      await other.startNameNode();
      await cluster.dn('dn1').kill9(); // one process per data dir
      const before = blockFilesOnDisk(cluster.root, ['dn1']);
      expect(before.size).toBe(1);
      const stray = other.startDataNode('dn1', [], path.join(cluster.root, 'dn1'), 'stray');
      expect(await stray.waitForExit(15_000)).toEqual({ code: 3, signal: null });
      expect(stray.lines.find((l) => l.event === 'cluster-id-mismatch')).toMatchObject({ clusterId: nnClusterId });
      expect(blockFilesOnDisk(cluster.root, ['dn1'])).toEqual(before);
      // An empty data dir joins the other cluster and remembers it.
      const fresh = other.startDataNode('fresh');
      await fresh.waitForLine('fresh adopted', (l) => l.event === 'cluster-id-adopted');
      const otherId = fs.readFileSync(path.join(other.root, 'namenode', 'cluster-id'), 'utf8').trim();
      expect(otherId).not.toBe(nnClusterId);
      expect(JSON.parse(fs.readFileSync(path.join(other.root, 'fresh', 'VERSION'), 'utf8'))).toMatchObject({ clusterId: otherId });
    } finally {
      await other.stop();
    }
  });

  test('a NameNode whose data dir lost its namespace but kept its cluster id refuses to start', async () => {
    cluster = await TestCluster.start(1);
    await cluster.nn.kill9();
    fs.rmSync(path.join(cluster.root, 'namenode', 'metadata'), { recursive: true, force: true });
    const nn = startNameNodeOn(cluster, path.join(cluster.root, 'namenode'), 'namenode-without-metadata');
    cluster.nn = nn;
    const exit = await nn.waitForExit(15_000);
    expect(exit.code).not.toBe(0);
    expect(nn.stderrText.join('\n') + JSON.stringify(nn.lines)).toContain('namespace is missing');
  });

  test('in safe mode a block report orders no deletion; the replica of a deleted file goes at the next full report', async () => {
    cluster = await TestCluster.start(3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const keep = crypto.randomBytes(100_000);
    await client.writeFile('/keep', keep, { blockSizeBytes: 64 * 1024 });
    await client.writeFile('/gone', crypto.randomBytes(50_000), { blockSizeBytes: 64 * 1024 });
    const goneBlocks = (await client.getBlockLocations('/gone')).blocks.map((b) => b.blockId);
    await waitFor('dn3 holds /gone', () => goneBlocks.every((id) => findBlockFile(cluster.root, 'dn3', id)));

    // dn3 goes away (DEAD: its replicas leave the block map), /gone is deleted meanwhile.
    cluster.dn('dn3').signal('SIGSTOP');
    await cluster.waitForState('dn3', 'DEAD');
    expect(await client.delete('/gone')).toBe(true);
    await waitFor('/gone deleted on dn1 and dn2', () => goneBlocks.every((id) => !findBlockFile(cluster.root, 'dn1', id) && !findBlockFile(cluster.root, 'dn2', id)));
    client.close();
    client = undefined;

    // NameNode restart with only dn3 reporting at first: its report arrives in safe mode.
    cluster.dn('dn1').signal('SIGSTOP');
    cluster.dn('dn2').signal('SIGSTOP');
    await cluster.nn.kill9();
    const nn = await cluster.startNameNode();
    expect((await cluster.report()).safeMode).toBe(true);
    cluster.dn('dn3').signal('SIGCONT');
    const report = await nn.waitForLine('dn3 block report', (l) => l.event === 'block-report' && l.nodeId === 'dn3', 15_000);
    expect(report).toMatchObject({ safeMode: true, invalidate: 0, postponed: goneBlocks.length });
    expect(nn.lines.find((l) => l.event === 'block-report-postponed' && l.nodeId === 'dn3')).toBeDefined();
    cluster.dn('dn1').signal('SIGCONT');
    cluster.dn('dn2').signal('SIGCONT');
    await cluster.waitForReport('3 LIVE, safe mode off', (r) => r.live === 3 && !r.safeMode, 30_000);
    for (const id of goneBlocks) expect(findBlockFile(cluster.root, 'dn3', id)).toBeDefined();

    // Outside safe mode dn3's next full report (here: after a restart) is judged normally.
    await cluster.dn('dn3').kill9();
    cluster.startDataNode('dn3');
    await waitFor('the unknown replicas invalidated on dn3', () => goneBlocks.every((id) => !findBlockFile(cluster.root, 'dn3', id)), 20_000);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    expect(sha(await client.readFile('/keep'))).toBe(sha(keep));
  });

  test('a block lost for good: safe mode ends once every DataNode has reported, fsck shows it missing, put and rm work', async () => {
    cluster = await TestCluster.start(3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
    const keep = crypto.randomBytes(200_000);
    await client.writeFile('/keep', keep, { blockSizeBytes: 64 * 1024 });
    await client.writeFile('/lost', crypto.randomBytes(30_000), { replication: 1 });
    const located = (await client.getBlockLocations('/lost')).blocks;
    expect(located).toHaveLength(1);
    const lostBlock = located[0].blockId;
    const holder = located[0].locations[0].nodeId;
    client.close();
    client = undefined;

    // The only replica's disk is gone while the NameNode is down.
    await cluster.nn.kill9();
    await cluster.dn(holder).kill9();
    const file = findBlockFile(cluster.root, holder, lostBlock)!;
    expect(file).toBeDefined();
    for (const f of fs.readdirSync(path.dirname(file))) {
      if (f === path.basename(file) || f.startsWith(`${path.basename(file)}.`) || f.startsWith(`${path.basename(file)}_`)) fs.rmSync(path.join(path.dirname(file), f));
    }
    cluster.startDataNode(holder);
    const nn = await cluster.startNameNode();
    const off = await nn.waitForLine('safe mode off', (l) => l.event === 'safe-mode-off', 30_000);
    expect(off).toMatchObject({ reason: 'reports-complete', missingBlocks: 1 });
    const r = await cluster.waitForReport('safe mode off, 3 LIVE', (x) => !x.safeMode && x.live === 3);
    expect(r.safeMode).toBe(false);
    const fsck = await fsckJson(cluster);
    expect(fsck).toMatchObject({ missing: 1, healthy: false });
    const { stdout } = await run(process.execPath, [CLI, 'fsck', '--json', '--namenode', cluster.namenodeAddress]).catch((e: { stdout: string }) => e);
    expect(JSON.parse(stdout)).toMatchObject({ missing: 1, healthy: false });

    client = new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0 });
    await client.writeFile('/after', 'written after the loss');
    expect((await client.readFile('/after')).toString()).toBe('written after the loss');
    expect(await client.delete('/lost')).toBe(true);
    expect(sha(await client.readFile('/keep'))).toBe(sha(keep));
    expect(await fsckJson(cluster)).toMatchObject({ missing: 0 });
  });

  test('admin safemode: enter holds until leave (the startup rules do not end it), wait returns once it is off, leave ends startup safe mode', async () => {
    cluster = await TestCluster.start(2, undefined, ['--safe-mode-extension-ms', '500']);
    client = new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0 });
    await client.writeFile('/f', 'x');
    expect(JSON.parse(await admin(cluster, 'get', '--json'))).toMatchObject({
      on: false, manual: false, startup: false, totalBlocks: 1, reportedBlocks: 1, extensionMs: 500,
    });

    expect(await admin(cluster, 'enter')).toMatch(/^Safe mode is ON \(entered by an operator/);
    await expect(client.mkdir('/blocked')).rejects.toBeInstanceOf(SafeModeError);
    expect((await cluster.report()).safeMode).toBe(true);
    // A DataNode re-registers and reports, and more than the extension (500 ms) passes: still on.
    await cluster.dn('dn2').kill9();
    cluster.startDataNode('dn2');
    const reportsFrom = cluster.nn.lines.length;
    await cluster.nn.waitForLine('dn2 reported again', (l) => l.event === 'block-report' && l.nodeId === 'dn2', 15_000, reportsFrom);
    const until = Date.now() + 1_500;
    await waitFor('1.5 s with safe mode held', async () => {
      const s = JSON.parse(await admin(cluster, 'get', '--json')) as { on: boolean; manual: boolean };
      expect(s).toMatchObject({ on: true, manual: true });
      return Date.now() > until;
    }, 15_000, 100);
    const text = await run(process.execPath, [CLI, 'report', '--namenode', cluster.namenodeAddress]);
    expect(text.stdout).toContain('Safe mode is ON (entered by an operator');

    const waiter = new NodeProcess('safemode-wait', ['admin', 'safemode', 'wait', '--namenode', cluster.namenodeAddress]);
    await waitFor('the waiter is waiting', () => waiter.alive && waiter.stdout === '', 5_000);
    expect(await admin(cluster, 'leave')).toMatch(/^Safe mode is OFF/);
    expect(await waiter.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    expect(waiter.stdout).toMatch(/^Safe mode is OFF/);
    await client.mkdir('/allowed');

    // wait with a timeout while in safe mode: exit 1.
    await admin(cluster, 'enter');
    const timedOut = await run(process.execPath, [CLI, 'admin', 'safemode', 'wait', '--timeout-ms', '300', '--namenode', cluster.namenodeAddress])
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain('SAFE_MODE');
    await admin(cluster, 'leave');

    // Startup safe mode with the reports held back: leave ends it at once.
    client.close();
    client = undefined;
    for (const id of ['dn1', 'dn2']) cluster.dn(id).signal('SIGSTOP');
    await cluster.nn.kill9();
    await cluster.startNameNode();
    expect(JSON.parse(await admin(cluster, 'get', '--json'))).toMatchObject({ on: true, startup: true, manual: false, reportedBlocks: 0, totalBlocks: 1 });
    expect(await admin(cluster, 'leave')).toMatch(/^Safe mode is OFF/);
    client = new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0 });
    await client.mkdir('/after-leave');
    for (const id of ['dn1', 'dn2']) cluster.dn(id).signal('SIGCONT');
    await cluster.waitForReport('2 LIVE', (x) => x.live === 2 && !x.safeMode);
    expect((await client.readFile('/f')).toString()).toBe('x');
  });
});
