/**
 * client: end-to-end throughput of the DfsClient library against a real cluster (a NameNode and
 * four DataNode processes on real disk, production liveness): big-file write and read (page
 * cache dropped, then warm) at replication 3 and 2, and small-file creates per second.
 */
import { finished } from 'node:stream/promises';
import { DfsClient } from '@minidfs/client';
import {
  GiB, MiB, PatternData, PRODUCTION, describeLiveness, dropPageCache, readAndVerify, withCluster, writePattern,
} from '../lib/cluster';
import { describeFigure, figure, mbPerSec, median, round } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult, Table } from '../lib/suite';

const DATANODES = 4;
const SMALL_FILE = 4 * 1024;
const CONCURRENCY = 16;

interface RepFigures { rep: number; write: number[]; readCold: number[]; readWarm: number[]; abandoned: number }

/** Measured runs per figure (each after one discarded warm-up run): the median of these is reported, with min and max. */
const RUNS = 3;

async function bigFiles(client: DfsClient, ctx: BenchContext, data: PatternData, rep: number, size: number, runs: number, dropped: boolean[]): Promise<RepFigures> {
  const f: RepFigures = { rep, write: [], readCold: [], readWarm: [], abandoned: 0 };
  // Warm-up, discarded: the first write of a session is always slow (JIT, page cache, disk).
  await writePattern(client, `/bench/warmup-rep${rep}`, data, size, { replication: rep });
  await readAndVerify(client, `/bench/warmup-rep${rep}`, data, size);
  await client.delete(`/bench/warmup-rep${rep}`);
  for (let r = 0; r < runs; r++) {
    const path = `/bench/big-rep${rep}-${r}`;
    let t0 = performance.now();
    await writePattern(client, path, data, size, { replication: rep });
    f.write.push(round(mbPerSec(size, performance.now() - t0)));
    f.abandoned += client.lastWriteStats?.pipelinesAbandoned ?? 0;
    dropped.push(dropPageCache());
    t0 = performance.now();
    await readAndVerify(client, path, data, size);
    f.readCold.push(round(mbPerSec(size, performance.now() - t0)));
    t0 = performance.now();
    await readAndVerify(client, path, data, size);
    f.readWarm.push(round(mbPerSec(size, performance.now() - t0)));
    ctx.log(`rep ${rep} run ${r + 1}/${runs}: write ${f.write.at(-1)} MB/s, read cold ${f.readCold.at(-1)}, warm ${f.readWarm.at(-1)} MB/s`);
    await client.delete(path);
  }
  return f;
}

/**
 * Creates `count` 4 KiB files with `concurrency` writers; returns files per second and the
 * average number of Complete calls per file (more than 1: the client waited for replica reports).
 */
async function smallFiles(client: DfsClient, data: PatternData, dir: string, count: number, concurrency: number): Promise<{ ops: number; completeCalls: number }> {
  const payload = Buffer.from(data.chunks(SMALL_FILE).next().value!);
  await client.mkdir(dir);
  let next = 0;
  let completeCalls = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const stream = client.createWriteStream(`${dir}/f${next++}`);
      stream.end(payload);
      await finished(stream);
      completeCalls += stream.stats.completeCalls;
    }
  }));
  return { ops: round(count / ((performance.now() - t0) / 1000)), completeCalls: round(completeCalls / count, 2) };
}

export const client: Suite = {
  name: 'client',
  title: 'Client: big-file write/read and small-file creates through DfsClient',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const size = ctx.quick ? 64 * MiB : GiB;
    const runs = RUNS;
    const smallSeq = ctx.quick ? 50 : 500;
    const smallConc = ctx.quick ? 100 : 2000;
    const data = new PatternData(ctx.seed);
    ctx.log(`seed ${ctx.seed} (file contents)`);
    const dropped: boolean[] = [];

    return withCluster(DATANODES, PRODUCTION, [], async (c) => {
      const dfs = new DfsClient({ namenode: c.namenodeAddress });
      try {
        const reps: RepFigures[] = [];
        for (const rep of [3, 2]) reps.push(await bigFiles(dfs, ctx, data, rep, size, runs, dropped));
        const seq = await smallFiles(dfs, data, '/bench/small-seq', smallSeq, 1);
        ctx.log(`small files sequential: ${seq.ops} files/s (${seq.completeCalls} Complete calls per file)`);
        const c16 = await smallFiles(dfs, data, `/bench/small-c${CONCURRENCY}`, smallConc, CONCURRENCY);
        ctx.log(`small files, concurrency ${CONCURRENCY}: ${c16.ops} files/s (${c16.completeCalls} Complete calls per file)`);

        const [r3, r2] = reps as [RepFigures, RepFigures];
        const cacheNote = dropped.every(Boolean)
          ? 'The page cache was dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before every cold read'
          : 'WARNING: dropping the page cache failed (not root?), so "cold" reads may have been served from memory';
        const table: Table = {
          title: `Big files (${size / MiB} MiB), MB/s per run`,
          columns: ['replication', 'write', 'read, cache dropped', 'read, warm', 'write median (min-max)', 'cold read median (min-max)', 'warm read median (min-max)', 'pipelines abandoned'],
          rows: reps.map((f) => [
            f.rep, f.write.join(' / '), f.readCold.join(' / '), f.readWarm.join(' / '),
            describeFigure(figure(f.write)), describeFigure(figure(f.readCold)), describeFigure(figure(f.readWarm)), f.abandoned,
          ]),
        };
        return {
          suite: 'client',
          title: client.title,
          method:
            `A real cluster: 1 NameNode + ${DATANODES} DataNode processes on 127.0.0.1, data in temp dirs on the real disk, ` +
            `${describeLiveness(PRODUCTION)}, default 64 MiB blocks, min-replication 2. ` +
            'All I/O goes through the @minidfs/client DfsClient library in the bench process (one client, no process start in the timings). ' +
            `Big files: ${size / MiB} MiB written with createWriteStream in 1 MiB writes (timed until the stream's finish, i.e. the NameNode completed the file), ` +
            `then read with createReadStream after dropping the page cache ("cold") and again at once ("warm"); every byte read is compared with what was written. ` +
            `Replication 3, then 2; one discarded warm-up run, then ${runs} runs each; the median is reported with min and max; MB/s = 10^6 bytes/s. ` +
            `Small files: 4 KiB each, create + write + close (createWriteStream, end, finish = NameNode completed the file; replication 3): ` +
            `${smallSeq} files one at a time, then ${smallConc} files with ${CONCURRENCY} concurrent writers; files/s. ` +
            `${cacheNote}.`,
          metrics: {
            write_rep3_MBps: median(r3.write),
            write_rep2_MBps: median(r2.write),
            read_rep3_MBps: median(r3.readCold),
            read_rep2_MBps: median(r2.readCold),
            read_rep3_warm_MBps: median(r3.readWarm),
            read_rep2_warm_MBps: median(r2.readWarm),
            // Spread of the runs behind each median (min, max).
            write_rep3_MBps_min: Math.min(...r3.write), write_rep3_MBps_max: Math.max(...r3.write),
            write_rep2_MBps_min: Math.min(...r2.write), write_rep2_MBps_max: Math.max(...r2.write),
            read_rep3_MBps_min: Math.min(...r3.readCold), read_rep3_MBps_max: Math.max(...r3.readCold),
            small_files_ops: seq.ops,
            small_files_ops_c16: c16.ops,
            big_file_MiB: size / MiB,
            runs,
          },
          tables: [table, {
            title: 'Small files (4 KiB)', columns: ['writers', 'files', 'files/s', 'Complete calls per file'],
            rows: [[1, smallSeq, seq.ops, seq.completeCalls], [CONCURRENCY, smallConc, c16.ops, c16.completeCalls]],
          }],
          targets: [],
          notes: [
            'read_*_MBps are the cold reads (page cache dropped); *_warm_* the same file read again at once.',
          ],
        };
      } finally {
        dfs.close();
      }
    });
  },
};
