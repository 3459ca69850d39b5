/**
 * TLS on every gRPC port (issue 9): a NameNode and two DataNodes with mutual TLS (and the cluster
 * secret) from a CA made with openssl; a client with a CA-signed certificate writes and reads
 * through the pipeline (DataNode -> DataNode forwarding is TLS too); a plaintext client, a client
 * without a certificate and one with a certificate from another CA are all refused.
 */
import { randomBytes } from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { loadTls } from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { type TestPki, opensslAvailable } from '../support/tls';

const describeTls = opensslAvailable() ? describe : describe.skip;

describeTls('a cluster with mutual TLS', () => {
  let cluster: TestCluster;
  let pki: TestPki;

  beforeAll(async () => {
    ({ cluster, pki } = await TestCluster.startMutualTls(2, 2));
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
