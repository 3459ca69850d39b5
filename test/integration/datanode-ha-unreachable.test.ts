/**
 * A DataNode process given two NameNode addresses (`--namenode LIVE,DEAD`) where only the first
 * has a NameNode behind it (a real one, without HA) and nothing listens on the second. The
 * unreachable address must not hold up the reachable one: the DataNode registers, heartbeats, is
 * LIVE and serves a write and a read through it, while its log and /metrics show the second
 * NameNode as not connected and being retried on its own.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FAST, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

/** A TCP port on 127.0.0.1 with nothing listening (bound, then closed). */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let cluster: TestCluster;
afterEach(async () => cluster?.stop());

test('an unreachable second NameNode does not keep the DataNode from serving the reachable one', async () => {
  cluster = new TestCluster(FAST, ['--replication', '1']);
  await cluster.startNameNode();
  const dead = `127.0.0.1:${await unusedPort()}`;
  const dn = cluster.startDataNode('dn1', ['--namenode', `${cluster.namenodeAddress},${dead}`, '--metrics-port', '0']);
  await cluster.waitForState('dn1', 'LIVE');

  const started = await dn.waitForLine('started', (l) => l.event === 'started');
  expect(started.namenodes).toEqual([cluster.namenodeAddress, dead]);
  const registered = await dn.waitForLine('registered', (l) => l.event === 'registered');
  expect(registered).toMatchObject({ namenode: cluster.namenodeAddress });
  await dn.waitForLine('the dead NameNode retried', (l) => l.event === 'link-retry' && l.namenode === dead);
  expect(dn.lines.some((l) => l.event === 'link-retry' && l.namenode === cluster.namenodeAddress)).toBe(false);

  // A write and a read through the reachable NameNode.
  const input = path.join(cluster.root, 'in.bin');
  const output = path.join(cluster.root, 'out.bin');
  const data = Buffer.alloc(300_000, 7);
  fs.writeFileSync(input, data);
  const put = cluster.cli('put', input, '/ha/in.bin');
  expect(put).toMatchObject({ code: 0 });
  const get = cluster.cli('get', '/ha/in.bin', output);
  expect(get).toMatchObject({ code: 0 });
  expect(fs.readFileSync(output).equals(data)).toBe(true);

  // Still LIVE with beats flowing while the other address keeps failing.
  const retries = dn.lines.filter((l) => l.event === 'link-retry' && l.namenode === dead).length;
  await waitFor('more retries towards the dead address', () => dn.lines.filter((l) => l.event === 'link-retry' && l.namenode === dead).length > retries, 10_000);
  const report = await cluster.report();
  expect(report.datanodes.find((d) => d.id === 'dn1')).toMatchObject({ state: 'LIVE', blocks: 1 });

  const metricsPort = Number(started.metricsPort);
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(text).toContain(`minidfs_datanode_namenode_connected{namenode="${cluster.namenodeAddress}"} 1`);
  expect(text).toContain(`minidfs_datanode_namenode_connected{namenode="${dead}"} 0`);
  expect(text).toContain('minidfs_datanode_registered 1');
  // A NameNode without HA among two does not command the node (nobody can tell who rules): its
  // role shows, commanding="false".
  expect(text).toMatch(new RegExp(`minidfs_datanode_namenode_role\\{namenode="${cluster.namenodeAddress.replace(/\./g, '\\.')}",role="HA_ROLE_UNSPECIFIED",commanding="false"\\} 1`));
});
