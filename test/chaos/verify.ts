/**
 * The end-of-run evidence the checker needs, gathered after faults are healed and fsck is healthy:
 *  - read-back: every file a write was attempted for is read once more through a fresh client
 *    (acknowledged ones must come back byte-identical; an unacknowledged one that nevertheless
 *    completed must too, since a path is only ever written with one content);
 *  - replicas on disk: for every acknowledged file, every replica the NameNode lists (LIVE nodes,
 *    not known corrupt) is read straight from that DataNode's block file and compared with the
 *    bytes written — so a silently corrupt or truncated replica that reads happen to avoid is
 *    still caught.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DfsClient } from '@minidfs/client';
import { FileNotFoundError } from '@minidfs/common';
import type { ChaosCluster } from './harness';
import type { Workload } from './workload';

export interface ReplicaFinding {
  path: string;
  blockId: number;
  nodeId: string;
  detail: string;
}

export interface ReplicaCheck {
  files: number;
  blocks: number;
  replicasChecked: number;
  /** Listed by the NameNode, on disk, but not the bytes written: silent corruption. */
  mismatched: ReplicaFinding[];
  /** Listed by the NameNode but no block file on that node (reported, then lost). */
  listedButMissing: ReplicaFinding[];
  /** Files whose locations could not be fetched. */
  errors: string[];
}

/** blockId -> finalized block file, per node (one walk per node instead of one per block). */
function indexBlockFiles(cluster: ChaosCluster): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const id of cluster.ids) {
    const byBlock = new Map<number, string>();
    const dir = cluster.dataDir(id);
    if (fs.existsSync(dir)) {
      for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
        const m = /(?:^|[/\\])current[/\\](?:.*[/\\])?blk_(\d+)$/.exec(rel);
        if (m) byBlock.set(Number(m[1]), path.join(dir, rel));
      }
    }
    out.set(id, byBlock);
  }
  return out;
}

/** Reads every attempted file once more (phase 'final'); unacknowledged files only if they exist and are complete. */
export async function finalReadBack(workload: Workload, parallel = 4): Promise<void> {
  workload.phase = 'final';
  const client = workload.newClient();
  const files = [...workload.files.values()];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      if (!f.acked) {
        try {
          const st = await client.stat(f.path);
          if (!st.complete) continue;
        } catch (err) {
          if (err instanceof FileNotFoundError) continue;
        }
      }
      await workload.read(client, 'verifier', f.path);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  client.close();
}

export async function checkReplicasOnDisk(cluster: ChaosCluster, workload: Workload): Promise<ReplicaCheck> {
  const client = new DfsClient({ namenode: cluster.namenodeAddress });
  const index = indexBlockFiles(cluster);
  const result: ReplicaCheck = { files: 0, blocks: 0, replicasChecked: 0, mismatched: [], listedButMissing: [], errors: [] };
  try {
    for (const f of workload.acked()) {
      let blocks;
      try {
        ({ blocks } = await client.getBlockLocations(f.path));
      } catch (err) {
        result.errors.push(`${f.path}: ${(err as Error).message}`);
        continue;
      }
      result.files++;
      for (const b of blocks) {
        result.blocks++;
        const expected = f.data.subarray(b.offsetBytes, b.offsetBytes + b.lengthBytes);
        for (const loc of b.locations) {
          const file = index.get(loc.nodeId)?.get(b.blockId);
          if (!file || !fs.existsSync(file)) {
            result.listedButMissing.push({ path: f.path, blockId: b.blockId, nodeId: loc.nodeId, detail: 'no finalized block file' });
            continue;
          }
          result.replicasChecked++;
          const actual = fs.readFileSync(file);
          if (!actual.equals(expected)) {
            const firstDiff = firstDifference(actual, expected);
            result.mismatched.push({
              path: f.path, blockId: b.blockId, nodeId: loc.nodeId,
              detail: `on disk ${actual.length} bytes, expected ${expected.length}; first difference at byte ${firstDiff}`,
            });
          }
        }
      }
    }
  } finally {
    client.close();
  }
  return result;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
