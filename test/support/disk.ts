/** What is really on the DataNodes' disks: finalized block files per node, found by walking their data dirs. */
import fs from 'node:fs';
import path from 'node:path';

/** blockId -> node ids holding a finalized `blk_<id>` file (under current/, never tmp/). */
export function blockFilesOnDisk(root: string, nodeIds: string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const id of nodeIds) {
    const dir = path.join(root, id);
    if (!fs.existsSync(dir)) continue;
    for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const m = /(?:^|[/\\])current[/\\](?:.*[/\\])?blk_(\d+)$/.exec(rel);
      if (!m) continue;
      const blockId = Number(m[1]);
      out.set(blockId, [...(out.get(blockId) ?? []), id]);
    }
  }
  return out;
}

export function findBlockFile(root: string, nodeId: string, blockId: number): string | undefined {
  const dir = path.join(root, nodeId);
  const rel = (fs.readdirSync(dir, { recursive: true }) as string[]).find((r) => new RegExp(`(^|[/\\\\])current[/\\\\](.*[/\\\\])?blk_${blockId}$`).test(r));
  return rel && path.join(dir, rel);
}
