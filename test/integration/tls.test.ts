/**
 * TLS on every gRPC port (issue 9): a NameNode and two DataNodes with mutual TLS (and the cluster
 * secret) from a CA made with openssl; a client with a CA-signed certificate writes and reads
 * through the pipeline (DataNode -> DataNode forwarding is TLS too); a plaintext client, a client
 * without a certificate and one with a certificate from another CA are all refused.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import { loadTls } from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { type TestPki, makeTestPki, opensslAvailable } from '../support/tls';

const describeTls = opensslAvailable() ? describe : describe.skip;

describeTls('a cluster with mutual TLS', () => {
  let cluster: TestCluster;
  let pki: TestPki;

  beforeAll(async () => {
    cluster = new TestCluster(undefined, []);
    pki = makeTestPki(path.join(cluster.root, 'pki'));
    const tlsArgs = ['--tls-cert', pki.cert, '--tls-key', pki.key, '--tls-ca', pki.ca];
    cluster.nnArgs.push(...tlsArgs, '--replication', '2');
    cluster.httpsFiles = { ca: pki.ca, cert: pki.cert, key: pki.key };
    await cluster.startNameNode();
    cluster.startDataNode('dn1', tlsArgs);
    cluster.startDataNode('dn2', tlsArgs);
    await cluster.waitForReport('2 LIVE', (r) => r.live === 2);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('a client with a CA-signed certificate writes and reads; plaintext, certificate-less and foreign-CA clients are refused', async () => {
    const data = randomBytes(300 * 1024);
    const client = new DfsClient({ namenode: cluster.namenodeAddress, tls: loadTls({ certFile: pki.cert, keyFile: pki.key, caFile: pki.ca }) });
    try {
      await client.writeFile('/tls/a.bin', data);
      expect((await client.readFile('/tls/a.bin')).equals(data)).toBe(true);
      expect((await client.getBlockLocations('/tls/a.bin')).blocks[0].locations).toHaveLength(2);
    } finally {
      client.close();
    }
    const outsiders = [
      new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0 }),
      new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0, tls: loadTls({ caFile: pki.ca }) }),
      new DfsClient({ namenode: cluster.namenodeAddress, safeModeWaitMs: 0, tls: loadTls({ certFile: pki.rogueCert, keyFile: pki.rogueKey, caFile: pki.ca }) }),
    ];
    try {
      for (const outsider of outsiders) await expect(outsider.stat('/tls/a.bin')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      for (const c of outsiders) c.close();
    }
  });
});
