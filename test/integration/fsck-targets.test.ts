/**
 * fsck tells a repair that is running from one that cannot run: with replication 3 on three
 * DataNodes, a dead node's blocks have no target (every LIVE node holds them) and fsck says
 * NO-TARGET (exit 1); a fourth DataNode heals them and fsck says HEALTHY. An explicit replication
 * above the number of registered DataNodes is refused at create and leaves nothing behind.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { TestCluster } from '../support/cluster';
import { CLI } from '../support/processes';
import { waitFor } from '../support/wait';

describe('fsck: repair running vs no target', () => {
  jest.setTimeout(120_000);
  let cluster: TestCluster;
  let client: DfsClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(3, undefined, ['--replication', '3', '--block-size', String(64 * 1024)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  const fsck = (...args: string[]) => {
    const r = cluster.cli('fsck', ...args);
    return { code: r.code, out: r.out + r.err };
  };

  it('replication above the registered DataNodes is refused at create', async () => {
    await expect(client.writeFile('/too-many', randomBytes(1000), { replication: 4 })).rejects.toMatchObject({ code: 'NOT_ENOUGH_DATANODES' });
    await expect(client.stat('/too-many')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const put = spawnSync(process.execPath, [CLI, 'put', '-', '/too-many', '--replication', '5', '--namenode', cluster.namenodeAddress], { input: 'x', encoding: 'utf8' });
    expect(put.status).toBe(1);
    expect(put.stderr).toMatch(/NOT_ENOUGH_DATANODES: replication 5 for \/too-many needs 5 DataNodes; 3 are registered/);
  });

  it('a dead node with no spare DataNode: NO-TARGET; a new DataNode: HEALTHY', async () => {
    const data = randomBytes(200 * 1024);
    await client.writeFile('/f', data);
    await waitFor('fsck healthy after the write', () => fsck().code === 0, 20_000, 100);
    await cluster.dn('dn3').kill9();
    await cluster.waitForState('dn3', 'DEAD');
    const stuck = await waitFor('fsck NO-TARGET', () => { const r = fsck(); return r.code === 1 && /Status: NO-TARGET/.test(r.out) && r; }, 20_000, 100);
    expect(stuck.out).toMatch(/No repair target:\s+4\b/);
    const json = JSON.parse(fsck('--json').out) as { underReplicated: number; noTarget: number; healthy: boolean };
    expect(json).toMatchObject({ underReplicated: 4, noTarget: 4, healthy: false });
    cluster.startDataNode('dn4');
    await waitFor('fsck HEALTHY with a fourth DataNode', () => fsck().code === 0, 30_000, 100);
    expect(Buffer.compare(await client.readFile('/f'), data)).toBe(0);
  });
});
