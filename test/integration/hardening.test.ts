/**
 * Input hardening on real processes (issue 9), the parts no other suite covers: a DataNode whose
 * disk is full (here: everything reserved with --reserved-bytes) reports 0 bytes remaining and is
 * never chosen for a write; every server advertises the per-connection stream limit
 * (Limits.maxStreamsPerConnection) in its HTTP/2 SETTINGS; a message over Limits.maxGrpcMessageBytes
 * is refused with RESOURCE_EXHAUSTED and the NameNode lives on. Paths, block ids, heartbeat
 * sequences, the idle timeout and malformed messages are covered by namespace, block-store,
 * heartbeat-monitor, datanode-transfer and the protocol fuzz (test/fuzz).
 */
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { randomBytes } from 'node:crypto';
import { DfsClient } from '@minidfs/client';
import { CHANNEL_OPTIONS, Limits, loadProtos } from '@minidfs/common';
import { TestCluster } from '../support/cluster';
import { blockFilesOnDisk } from '../support/disk';
import { waitFor } from '../support/wait';

function remoteMaxStreams(address: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on('error', reject);
    session.on('remoteSettings', (settings) => {
      session.close();
      resolve(settings.maxConcurrentStreams);
    });
  });
}

describe('input hardening', () => {
  let cluster: TestCluster;
  let client: DfsClient;

  beforeAll(async () => {
    cluster = await TestCluster.start(2, undefined, ['--replication', '2', '--block-size', String(64 * 1024)]);
    cluster.startDataNode('full', ['--reserved-bytes', String(Number.MAX_SAFE_INTEGER)]);
    await cluster.waitForReport('3 LIVE', (r) => r.live === 3);
    client = new DfsClient({ namenode: cluster.namenodeAddress });
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('a full DataNode reports 0 bytes remaining and gets no block', async () => {
    const report = await cluster.report() as unknown as { datanodes: Array<{ id: string; remainingBytes: number }> };
    expect(report.datanodes.find((d) => d.id === 'full')!.remainingBytes).toBe(0);
    expect(report.datanodes.filter((d) => d.id !== 'full').every((d) => d.remainingBytes > 0)).toBe(true);
    for (let i = 0; i < 6; i++) await client.writeFile(`/full/f${i}`, randomBytes(100 * 1024));
    const onDisk = await waitFor('12 blocks on 2 nodes each', () => {
      const m = blockFilesOnDisk(cluster.root, ['dn1', 'dn2', 'full']);
      return m.size === 12 && [...m.values()].every((n) => n.length === 2) ? m : undefined;
    });
    for (const holders of onDisk.values()) expect(holders).not.toContain('full');
  });

  test('every server limits streams per connection, and refuses an oversized message with RESOURCE_EXHAUSTED', async () => {
    const report = await cluster.report();
    expect(await remoteMaxStreams(cluster.namenodeAddress)).toBe(Limits.maxStreamsPerConnection);
    for (const dn of report.datanodes) expect(await remoteMaxStreams(dn.address)).toBe(Limits.maxStreamsPerConnection);

    const cp = new (loadProtos().ClientProtocol)(cluster.namenodeAddress, grpc.credentials.createInsecure(), {
      ...CHANNEL_OPTIONS, 'grpc.max_send_message_length': -1,
    });
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) => cp.Mkdirs({ path: `/${'x'.repeat(Limits.maxGrpcMessageBytes + 1)}` }, (e) => resolve(e)));
      expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((await client.stat('/full/f0')).lengthBytes).toBe(100 * 1024);
      expect(cluster.nn.alive).toBe(true);
    } finally {
      cp.close();
    }
  });
});
