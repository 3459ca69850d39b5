/**
 * repair: kill -9 a DataNode that holds over a GiB of blocks and time the NameNode's repair:
 * kill -> DEAD (detection) and DEAD -> every block back at full replication as REPORTED by the
 * targets (data copied, not copies scheduled), confirmed replica by replica.
 */
import os from 'node:os';
import { DfsClient } from '@minidfs/client';
import type { Liveness, TestCluster } from '../../test/support/cluster';
import { blockFilesOnDisk } from '../../test/support/disk';
import { waitFor } from '../../test/support/wait';
import { GiB, MiB, PatternData, describeLiveness, fsck, isFullyReplicated, withCluster, writePattern } from '../lib/cluster';
import { type Cpu, procCpu, sub } from '../lib/cpu';
import { mbPerSec, round } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult } from '../lib/suite';

const DATANODES = 4;
const REPLICATION = 3;
/**
 * Short beats so detection does not dominate (DEAD 1.5 s after the last beat). Not shorter: the
 * pending-copy timeout is max(30 intervals, 3 s), and at 250 ms beats (7.5 s) 64 MiB copies on a
 * loaded 2-core machine timed out and were planned again, measuring the timeout rather than the copying.
 */
const LIVENESS: Liveness = { heartbeatIntervalMs: 500, staleAfter: 2, deadAfter: 3 };
const POLL_MS = 20;

const logMs = (line: Record<string, unknown>): number => Date.parse(String(line.timestamp));

async function measureRepair(c: TestCluster, ctx: BenchContext, fileCount: number, fileSize: number): Promise<Record<string, number | string>> {
  const data = new PatternData(ctx.seed);
  const dfs = new DfsClient({ namenode: c.namenodeAddress });
  const files: string[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < fileCount; i++) {
      files.push(`/bench/repair/f${i}`);
      await writePattern(dfs, files[i]!, data, fileSize, { replication: REPLICATION });
    }
    ctx.log(`wrote ${fileCount} × ${fileSize / MiB} MiB at replication ${REPLICATION} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await waitFor('every block at full replication before the kill', async () => isFullyReplicated(await fsck(c)), 120_000, 50);

    // The victim: the DataNode holding the most bytes; what it held is what must be copied.
    const held = new Map<string, { blocks: number; bytes: number }>();
    const blockIds: number[] = [];
    for (const f of files) {
      for (const b of (await dfs.getBlockLocations(f)).blocks) {
        blockIds.push(b.blockId);
        for (const l of b.locations) {
          const h = held.get(l.nodeId) ?? { blocks: 0, bytes: 0 };
          held.set(l.nodeId, { blocks: h.blocks + 1, bytes: h.bytes + b.lengthBytes });
        }
      }
    }
    const [victim, lost] = [...held.entries()].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]))[0]!;
    ctx.log(`killing ${victim} (pid ${c.dn(victim).pid}), which holds ${lost.blocks} blocks, ${(lost.bytes / MiB).toFixed(0)} MiB`);

    const survivors = [...c.datanodes.keys()].filter((id) => id !== victim);
    const cpuNow = () => new Map([...survivors.map((id) => [id, procCpu(c.dn(id).pid)] as const), ['namenode', procCpu(c.nn.pid)] as const]);
    const from = c.nn.lines.length;
    const cpuAtKill = cpuNow();
    const killedAt = Date.now();
    c.dn(victim).signal('SIGKILL');
    const dead = await c.waitForTransition(`${victim} DEAD`, (t) => t.nodeId === victim && t.to === 'DEAD', 30_000, from);
    const deadAt = Date.parse(dead.timestamp);
    const stale = c.transitions(victim, from).find((t) => t.to === 'STALE');
    let sawUnder = 0;
    const repaired = await waitFor('every block back at full replication (reported)', async () => {
      const f = await fsck(c);
      sawUnder = Math.max(sawUnder, f.underReplicated);
      return isFullyReplicated(f) ? Date.now() : undefined;
    }, 600_000, POLL_MS);
    const repairMs = repaired - deadAt;
    const cpuAtRepaired = cpuNow();
    const load1m = os.loadavg()[0]!;
    // CPU from the kill to repaired (detection included: idle beats, well under 1% of it), per MB copied.
    const cpuMs = (ids: string[]) => ids.reduce((sum, id) => {
      const d: Cpu = sub(cpuAtRepaired.get(id)!, cpuAtKill.get(id)!);
      return sum + d.user + d.system;
    }, 0);
    const copiedMb = lost.bytes / 1e6;

    // Confirm replica by replica: the NameNode's locations (LIVE only) and the block files on disk.
    const short: string[] = [];
    for (const f of files) {
      for (const b of (await dfs.getBlockLocations(f)).blocks) {
        const nodes = b.locations.map((l) => l.nodeId);
        if (nodes.length < REPLICATION || nodes.includes(victim)) short.push(`${f} block ${b.blockId}: ${nodes.join(',')}`);
      }
    }
    const onDisk = blockFilesOnDisk(c.root, [...c.datanodes.keys()].filter((id) => id !== victim));
    for (const id of blockIds) if ((onDisk.get(id)?.length ?? 0) < REPLICATION) short.push(`block ${id}: files on ${onDisk.get(id)?.join(',') ?? 'no node'}`);
    if (short.length > 0) throw new Error(`fsck said repaired but replicas are missing: ${short.slice(0, 5).join('; ')}`);

    const lines = c.nn.lines.slice(from);
    const copied = lines.filter((l) => l.event === 'replication-copied');
    const timedOut = lines.filter((l) => l.event === 'replication-timed-out').length;
    const othersSuspected = c.transitions(undefined, from).filter((t) => t.nodeId !== victim && t.to !== 'LIVE').length;
    const lastCopyMs = copied.length > 0 ? Math.max(...copied.map(logMs)) - deadAt : Number.NaN;
    ctx.log(`DEAD ${deadAt - killedAt} ms after the kill; fully replicated ${repairMs} ms after DEAD (${copied.length} copies, ${timedOut} timed out)`);
    return {
      repair_MBps: round(mbPerSec(lost.bytes, repairMs)),
      repair_bytes: lost.bytes,
      repair_blocks: lost.blocks,
      repair_ms: repairMs,
      repair_last_copy_logged_ms: lastCopyMs,
      datanode_cpu_ms_per_MB: round(cpuMs(survivors) / copiedMb, 2),
      namenode_cpu_ms_per_MB: round(cpuMs(['namenode']) / copiedMb, 2),
      load_1m_at_repaired: round(load1m, 2),
      kill_to_stale_ms: stale ? Date.parse(stale.timestamp) - killedAt : Number.NaN,
      kill_to_dead_ms: deadAt - killedAt,
      copies_reported: copied.length,
      copies_timed_out: timedOut,
      max_under_replicated_seen: sawUnder,
      other_nodes_suspected: othersSuspected,
      victim,
    };
  } finally {
    dfs.close();
  }
}

export const repair: Suite = {
  name: 'repair',
  title: 'Repair: re-replication after a DataNode is killed',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const fileSize = ctx.quick ? 80 * MiB : 256 * MiB;
    const fileCount = ctx.quick ? 2 : 6;
    const blockSize = ctx.quick ? 16 * MiB : 64 * MiB;
    const m = await withCluster(DATANODES, LIVENESS, ['--block-size', String(blockSize), '--replication', String(REPLICATION)],
      (c) => measureRepair(c, ctx, fileCount, fileSize));
    const bytes = Number(m.repair_bytes);
    return {
      suite: 'repair',
      title: repair.title,
      method:
        `A real cluster of 1 NameNode + ${DATANODES} DataNode processes (temp dirs on the real disk), liveness ${describeLiveness(LIVENESS)}, ` +
        `replication ${REPLICATION}, ${blockSize / MiB} MiB blocks, default replication streams (2 copies per source node, 4 for blocks down to one replica; ` +
        'the NameNode has no flag to change it). ' +
        `${fileCount} files × ${fileSize / MiB} MiB (${((fileCount * fileSize) / GiB).toFixed(2)} GiB) are written through DfsClient and left to reach full replication; ` +
        `then the DataNode holding the most bytes (${(bytes / MiB).toFixed(0)} MiB in ${m.repair_blocks} blocks) gets kill -9. ` +
        'Kill -> DEAD is the NameNode transition log timestamp minus the bench clock just before the kill (same machine clock). ' +
        `DEAD -> repaired: /api/fsck is polled every ${POLL_MS} ms until under-replicated, missing, corrupt and pending are all 0 ` +
        '(a copy counts when its target REPORTS the replica, not when it is scheduled); then every block is checked to have ' +
        `>= ${REPLICATION} LIVE locations (GetBlockLocations) and ${REPLICATION} finalized block files on the survivors' disks. ` +
        'repair_MBps = bytes the victim held / (repaired - DEAD). One run. ' +
        'datanode_cpu_ms_per_MB: CPU (utime + stime, /proc/<pid>/stat) the surviving DataNodes spent from the kill to repaired, summed, ' +
        'per MB (10^6 bytes) the victim held: each MB copied is read and sent by one survivor and received, checked and written by another; ' +
        'less sensitive than MB/s to other load on the machine (load_1m_at_repaired).',
      metrics: m,
      tables: [{
        title: 'Repair timeline',
        columns: ['kill -> STALE ms', 'kill -> DEAD ms', 'DEAD -> fully replicated ms', 'last copy logged (after DEAD) ms', 'bytes re-replicated', 'blocks', 'MB/s', 'copies', 'timed out', 'DataNode CPU ms/MB', 'load (1 min)'],
        rows: [[m.kill_to_stale_ms, m.kill_to_dead_ms, m.repair_ms, m.repair_last_copy_logged_ms, bytes, m.repair_blocks, m.repair_MBps, m.copies_reported, m.copies_timed_out, m.datanode_cpu_ms_per_MB, m.load_1m_at_repaired]],
      }],
      targets: [],
      notes: [
        `With ${DATANODES} nodes at replication ${REPLICATION}, every lost replica has exactly one possible target (the one survivor without it), ` +
          'so all copies converge on the survivors\' disks; sources are the two other holders.',
        `Survivors that went STALE or DEAD during the repair (busy or starved of CPU): ${m.other_nodes_suspected}; ` +
          `the most under-replicated blocks fsck showed at once: ${m.max_under_replicated_seen} (the victim held ${m.repair_blocks}).`,
        '"last copy logged" is the NameNode\'s own log timestamp of the last replication-copied event; the fsck poll adds at most one poll interval plus an HTTP round trip.',
      ],
    };
  },
};
