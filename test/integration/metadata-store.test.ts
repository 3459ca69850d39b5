/**
 * MetadataStore on a real classic-level database in a temp dir: mutation records survive close
 * and reopen unchanged, applies land in call order, and — the point of `sync: true` — every batch
 * a writer saw acknowledged is on disk after that writer is killed with SIGKILL mid-stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MetadataStore } from '@minidfs/namenode';
import { Namespace, type Mutation, type NamespaceRecord } from '@minidfs/namenode';
import { waitFor } from '../support/wait';

const repoRoot = path.resolve(__dirname, '../..');
const T0 = 1_700_000_000_000;

describe('MetadataStore', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'minidfs-meta-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  test('mutation records applied one batch each survive close and reopen', async () => {
    const ns = new Namespace();
    const store = await MetadataStore.open(dir);
    const run = async <T>(m: Mutation<T>): Promise<T> => {
      await store.apply(m.records);
      return m.result;
    };
    await run(ns.mkdirs('/data/logs', T0));
    for (const name of ['a', 'b', 'c']) {
      const p = `/data/${name}`;
      await run(ns.create(p, { replication: 3, blockSizeBytes: 1024, clientName: 'c1' }, T0 + 1));
      const b1 = await run(ns.allocateBlock(p, 'c1'));
      const b2 = await run(ns.allocateBlock(p, 'c1'));
      await run(ns.complete(p, 'c1', [{ blockId: b1.blockId, lengthBytes: 1024 }, { blockId: b2.blockId, lengthBytes: 3 }], T0 + 2));
    }
    await run(ns.create('/data/open', { replication: 1, blockSizeBytes: 512, clientName: 'c2' }, T0 + 3));
    await run(ns.allocateBlock('/data/open', 'c2'));
    expect((await run(ns.delete('/data/b', false, T0 + 4))).deleted).toBe(true);
    await store.close();

    const reopened = await MetadataStore.open(dir);
    try {
      const loaded = await reopened.loadRecords();
      const rebuilt = Namespace.fromRecords(loaded);
      expect(rebuilt.toRecords()).toEqual(ns.toRecords());
      expect(rebuilt.listStatus('/data').map((s) => s.path)).toEqual(['/data/a', '/data/c', '/data/logs', '/data/open']);
      expect(loaded.map((r) => r.key)).not.toContain('inode:/data/b');
      // Never reuse an id after restart.
      expect(rebuilt.nextBlockId().result).toBe(ns.nextBlockId().result);
    } finally {
      await reopened.close();
    }
  });

  test('applies issued without waiting land in call order; an empty apply waits for earlier ones', async () => {
    const store = await MetadataStore.open(dir);
    const writes: Array<Promise<void>> = [];
    for (let i = 1; i <= 200; i++) {
      const records: NamespaceRecord[] = [{ key: 'counter:blockId', value: { type: 'counter', value: i } }];
      if (i % 2 === 0) records.push({ key: `inode:/f${i - 1}`, deleted: true });
      else records.push({ key: `inode:/f${i}`, value: { type: 'directory', modificationTimeMs: i } });
      writes.push(store.apply(records));
    }
    const done = writes.map(() => false);
    writes.forEach((w, i) => void w.then(() => (done[i] = true)));
    await store.apply([]);
    expect(done.every(Boolean)).toBe(true);
    await store.close();

    const reopened = await MetadataStore.open(dir);
    try {
      expect(await reopened.loadRecords()).toEqual([{ key: 'counter:blockId', value: { type: 'counter', value: 200 } }]);
    } finally {
      await reopened.close();
    }
  });

  test('apply after close is refused', async () => {
    const store = await MetadataStore.open(dir);
    await store.close();
    await expect(store.apply([{ key: 'inode:/x', deleted: true }])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  test('kill -9: every batch acknowledged before the kill is on disk', async () => {
    // The template batch is a real create's records; '@' in its keys becomes the batch index, and
    // batch i gives its file id i + 1 (ids are unique, as the NameNode's counter makes them).
    const template = new Namespace();
    template.mkdirs('/d', T0);
    const records = template.create('/d/f@', { replication: 2, blockSizeBytes: 1024, clientName: 'w' }, T0 + 1).records;
    expect(records.map((r) => r.key).sort()).toEqual(['counter:fileId', 'inode:/d', 'inode:/d/f@']);

    // Plain JS so it runs without the TypeScript toolchain: the same batch + sync:true pattern
    // MetadataStore uses, printing each index only after its batch resolved.
    const script = `
      const { ClassicLevel } = require('classic-level');
      const [dir, template] = process.argv.slice(1);
      const records = JSON.parse(template);
      (async () => {
        const db = new ClassicLevel(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
        await db.open();
        for (let i = 0; ; i++) {
          const ops = records.map((r) => {
            const value = { ...r.value };
            if (value.type === 'file') value.fileId = i + 1;
            if (r.key === 'counter:fileId') value.value = i + 1;
            return { type: 'put', key: r.key.replace('@', String(i)), value: JSON.stringify(value) };
          });
          await db.batch(ops, { sync: true });
          process.stdout.write(i + '\\n');
        }
      })().catch((err) => { console.error(err); process.exit(1); });
    `;
    const proc = spawn(process.execPath, ['-e', script, dir, JSON.stringify(records)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const acked: number[] = [];
    let partial = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) acked.push(Number(line));
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

    await waitFor('50 acknowledged batches', () => {
      if (proc.exitCode !== null) throw new Error(`writer exited early (${proc.exitCode}): ${stderr}`);
      return acked.length >= 50;
    }, 30_000);
    expect(proc.kill('SIGKILL')).toBe(true);
    await exited;
    expect(proc.signalCode).toBe('SIGKILL');
    const lastAcked = acked[acked.length - 1]!;
    expect(acked).toEqual(Array.from({ length: acked.length }, (_, i) => i));

    const store = await MetadataStore.open(dir);
    try {
      const ns = Namespace.fromRecords(await store.loadRecords());
      for (const i of acked) expect(ns.getFileInfo(`/d/f${i}`)).toMatchObject({ complete: false, replication: 2, fileId: i + 1 });
      // What is on disk is a prefix of the writes (LevelDB's log is ordered): no holes.
      const present = ns.listStatus('/d').map((s) => Number(s.path.slice('/d/f'.length))).sort((a, b) => a - b);
      expect(present).toEqual(Array.from({ length: present.length }, (_, i) => i));
      expect(present.length).toBeGreaterThanOrEqual(lastAcked + 1);
    } finally {
      await store.close();
    }
  });
});
