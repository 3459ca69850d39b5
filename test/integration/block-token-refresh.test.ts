/**
 * A read that outlives its block access token (BLOCK_TOKEN_LIFETIME_MS) recovers: the DataNode
 * refuses the expired token with PERMISSION_DENIED, the client fetches the block's locations once
 * more and retries the same replica with the fresh token. A real in-process block transfer (TCP)
 * server with a token key and a real BlockStore; the NameNode is a scripted stand-in whose first answer
 * carries an expired token.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DfsReadStream } from '@minidfs/client';
import { deriveClusterKeys, issueBlockToken, silentLogger } from '@minidfs/common';
import { BlockStore, BlockTransferServer, chunkCrcs } from '@minidfs/datanode';
import { DatanodePool } from '../../packages/client/src/datanode-pool';
import type { ClientContext } from '../../packages/client/src/context';
import type { NameNodeRpc } from '../../packages/client/src/namenode-rpc';

test('an expired block token is refreshed once from the NameNode and the read completes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-token-'));
  const keys = deriveClusterKeys(randomBytes(32));
  const store = new BlockStore(dir);
  await store.init();
  const data = randomBytes(200_000);
  const writer = store.createWriter(7, 1);
  for (let at = 0; at < data.length; at += 65_536) {
    const piece = data.subarray(at, at + 65_536);
    await writer.write(piece, chunkCrcs(piece));
  }
  await writer.finalize();
  const transfer = new BlockTransferServer({ nodeId: () => 'dn1', store, logger: silentLogger(), blockTokenKey: keys.blockToken });
  const port = await transfer.listen('127.0.0.1', 0);
  const pool = new DatanodePool();
  const grant = { blockId: 7, generationStamp: 1, mode: 'READ' } as const;
  const tokens = [issueBlockToken(keys.blockToken, grant, Date.now() - 3_600_000), issueBlockToken(keys.blockToken, grant, Date.now() + 60_000)];
  let located = 0;
  const rpc = {
    call: async (method: string) => {
      if (method !== 'GetBlockLocations') throw new Error(`unexpected ${method}`);
      const accessToken = tokens[Math.min(located++, 1)];
      return {
        status: { path: '/f', isDirectory: false, lengthBytes: data.length, replication: 1, blockSizeBytes: 1 << 20, modificationTimeMs: 0, complete: true, blockCount: 1 },
        blocks: [{ block: { blockId: 7, generationStamp: 1, lengthBytes: data.length }, offsetBytes: 0, locations: [{ nodeId: 'dn1', host: '127.0.0.1', dataPort: 1, transferPort: port, rack: '' }], accessToken }],
      };
    },
  } as unknown as NameNodeRpc;
  const ctx: ClientContext = { rpc, datanodes: pool, clientName: 't', logger: silentLogger() };
  try {
    const stream = new DfsReadStream(ctx, '/f');
    const pieces: Buffer[] = [];
    for await (const piece of stream) pieces.push(piece as Buffer);
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
    expect(located).toBe(2);
    expect(stream.stats.failovers).toEqual([]);
    expect(transfer.counters.readsFailed).toBe(1);
  } finally {
    pool.close();
    await transfer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
