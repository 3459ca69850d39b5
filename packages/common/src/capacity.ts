/**
 * Cluster capacity totals like the head of `hdfs dfsadmin -report`, counting each filesystem
 * once: DataNodes whose data dirs share a filesystem (several on one disk, as `minidfs cluster`
 * runs them) all report that disk's capacity, and summing them would count it once per node.
 * DEAD nodes are left out (their figures are last known, and their replicas are gone).
 */

export interface CapacityEntry {
  state: string;
  capacityBytes: number;
  usedBytes: number;
  remainingBytes: number;
  /** '' = not reported: the node counts as a filesystem of its own. */
  filesystemId?: string;
}

export interface ClusterCapacity {
  /** Sum over distinct filesystems of their size. */
  capacityBytes: number;
  /** Sum of the bytes each node's blocks take (DFS used). */
  usedBytes: number;
  /** Sum over distinct filesystems of the space still usable (the largest a node on it reports: nodes differ only by their reserve). */
  remainingBytes: number;
  /** Distinct filesystems among the counted nodes. */
  filesystems: number;
  /** Nodes counted (all but DEAD). */
  datanodes: number;
}

export function clusterCapacity(entries: readonly CapacityEntry[]): ClusterCapacity {
  const perFilesystem = new Map<string, { capacityBytes: number; remainingBytes: number }>();
  let usedBytes = 0, datanodes = 0;
  entries.forEach((e, i) => {
    if (e.state === 'DEAD') return;
    datanodes += 1;
    usedBytes += e.usedBytes;
    const key = e.filesystemId ? `fs:${e.filesystemId}` : `node:${i}`;
    const f = perFilesystem.get(key);
    if (!f) perFilesystem.set(key, { capacityBytes: e.capacityBytes, remainingBytes: e.remainingBytes });
    else {
      f.capacityBytes = Math.max(f.capacityBytes, e.capacityBytes);
      f.remainingBytes = Math.max(f.remainingBytes, e.remainingBytes);
    }
  });
  let capacityBytes = 0, remainingBytes = 0;
  for (const f of perFilesystem.values()) {
    capacityBytes += f.capacityBytes;
    remainingBytes += f.remainingBytes;
  }
  return { capacityBytes, usedBytes, remainingBytes, filesystems: perFilesystem.size, datanodes };
}

/** Bytes for people: 0 B, 512 B, 1.5 KiB, 50.0 MiB, 251.9 GiB, 1.2 TiB (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes, unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
