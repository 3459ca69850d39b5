/**
 * `minidfs setrep` (hdfs dfs -setrep) on real processes: 3 -> 1 -> 3 on a 10-block file ends with
 * exactly that many replicas of every block, and the bytes read back; -R covers a directory; bad
 * input (a factor above the DataNodes, a directory without -R, a missing file) changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const BLOCK = 64 * 1024;

describe('setrep', () => {
  jest.setTimeout(120_000);
  let cluster: TestCluster;
  let client: DfsClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(3, undefined, ['--replication', '3', '--block-size', String(BLOCK)]);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  const cli = (...args: string[]) => cluster.cli(...args);
  const replicas = async () => (await cluster.report()).datanodes.reduce((s, d) => s + d.blocks, 0);

  it('3 -> 1 -> 3 on a 10-block file: exactly N replicas of every block, same bytes', async () => {
    const data = randomBytes(10 * BLOCK);
    await client.writeFile('/f', data);
    await waitFor('30 replicas', async () => (await replicas()) === 30, 20_000, 100);

    const down = cli('setrep', '-w', '1', '/f');
    expect(down).toMatchObject({ code: 0 });
    expect(down.out).toContain('Replication 1 set: /f');
    expect((await client.stat('/f')).replication).toBe(1);
    await waitFor('10 replicas (the excess trimmed)', async () => (await replicas()) === 10, 20_000, 100);

    expect(cli('setrep', '-w', '3', '/f')).toMatchObject({ code: 0 });
    await waitFor('30 replicas again', async () => (await replicas()) === 30, 20_000, 100);
    expect(Buffer.compare(await client.readFile('/f'), data)).toBe(0);
  });

  it('-R sets every file below a directory; bad input is refused and changes nothing', async () => {
    await client.writeFile('/d/a', randomBytes(1000));
    await client.writeFile('/d/sub/b', randomBytes(1000));
    expect(cli('setrep', '2', '/d').err).toMatch(/is a directory \(use -R\)/);
    const r = cli('setrep', '-R', '-w', '2', '/d');
    expect(r.code).toBe(0);
    expect((await client.stat('/d/a')).replication).toBe(2);
    expect((await client.stat('/d/sub/b')).replication).toBe(2);

    const tooMany = cli('setrep', '5', '/d/a');
    expect(tooMany.code).toBe(1);
    expect(tooMany.err).toMatch(/NOT_ENOUGH_DATANODES: replication 5 for \/d\/a needs 5 DataNodes; 3 are registered/);
    expect(cli('setrep', '0', '/d/a').code).not.toBe(0);
    expect(cli('setrep', '2', '/missing').err).toMatch(/FILE_NOT_FOUND/);
    await expect(client.setReplication('/d/a', 40)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await client.stat('/d/a')).replication).toBe(2);
  });
});
