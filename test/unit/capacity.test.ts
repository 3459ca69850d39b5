import { clusterCapacity, formatBytes } from '@minidfs/common';

describe('clusterCapacity', () => {
  const node = (state: string, filesystemId: string, capacityBytes: number, usedBytes: number, remainingBytes: number) =>
    ({ state, filesystemId, capacityBytes, usedBytes, remainingBytes });

  it('counts a filesystem shared by several DataNodes once; used is summed per node', () => {
    const c = clusterCapacity([node('LIVE', 'h:1', 1000, 10, 500), node('LIVE', 'h:1', 1000, 20, 480), node('STALE', 'h:1', 1000, 30, 490)]);
    expect(c).toEqual({ capacityBytes: 1000, usedBytes: 60, remainingBytes: 500, filesystems: 1, datanodes: 3 });
  });

  it('adds distinct filesystems; a node without a filesystem id is one of its own; DEAD nodes are left out', () => {
    const c = clusterCapacity([node('LIVE', 'a:1', 1000, 10, 500), node('LIVE', 'b:1', 2000, 20, 1500), node('LIVE', '', 300, 1, 100),
      node('LIVE', '', 300, 2, 100), node('DEAD', 'c:1', 9999, 99, 9999)]);
    expect(c).toEqual({ capacityBytes: 3600, usedBytes: 33, remainingBytes: 2200, filesystems: 4, datanodes: 4 });
  });
});

describe('formatBytes', () => {
  it.each([[0, '0 B'], [512, '512 B'], [1536, '1.5 KiB'], [50 * 2 ** 20, '50.0 MiB'], [2 ** 40 * 1.25, '1.3 TiB']])('%d -> %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
