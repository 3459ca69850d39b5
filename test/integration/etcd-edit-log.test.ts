/**
 * EtcdEditLog against a real etcd: fenced transactions (no write without the leader key of this
 * epoch), a standby tailing each committed revision in order, group commit with keys repeated
 * across mutations, a mutation larger than one transaction, and compaction bounding the history.
 */
import { Etcd3 } from 'etcd3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotActiveError, createLogger } from '@minidfs/common';
import { EtcdEditLog, MAX_TXN_OPS, type StoredRecord, etcdKeys } from '@minidfs/namenode';
import { EtcdProcess, describeWithEtcd } from '../support/ha';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

describeWithEtcd('EtcdEditLog on a real etcd', () => {
  let etcd: EtcdProcess;
  let root: string;
  let client: Etcd3;
  const logger = createLogger('test', { level: 'error' });
  let n = 0;
  const prefix = () => `/t${++n}/`;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-etcd-'));
    etcd = new EtcdProcess(path.join(root, 'etcd'));
    await etcd.start();
    client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Makes `p` led by epoch = the leader key's create revision; returns it. */
  async function lead(p: string): Promise<number> {
    const res = await client.put(etcdKeys(p).leader).value('{}').exec();
    return Number(res.header.revision);
  }

  const put = (key: string, value: unknown): StoredRecord => ({ key, value });

  test('no write without leadership; a write of another epoch changes nothing', async () => {
    const p = prefix();
    const log = new EtcdEditLog(client, etcdKeys(p), logger);
    await expect(log.apply([put('inode:/a', { x: 1 })])).rejects.toThrow(NotActiveError);
    const epoch = await lead(p);
    const stale = new EtcdEditLog(client, etcdKeys(p), logger);
    stale.fence(epoch - 1);
    await expect(stale.apply([put('inode:/b', { x: 2 })])).rejects.toThrow(NotActiveError);
    expect(stale.fencedEdits).toBe(1);
    await expect(stale.apply([put('inode:/c', { x: 3 })])).rejects.toThrow(NotActiveError); // poisoned
    const good = new EtcdEditLog(client, etcdKeys(p), logger);
    good.fence(epoch);
    await good.apply([put('inode:/d', { x: 4 })]);
    const loaded = await new EtcdEditLog(client, etcdKeys(p), logger).loadRecords();
    expect(loaded).toEqual([{ key: 'inode:/d', value: { x: 4 } }]);
  });

  test('a standby tails every committed revision in order; grouped mutations may repeat a key', async () => {
    const p = prefix();
    const epoch = await lead(p);
    const active = new EtcdEditLog(client, etcdKeys(p), logger);
    active.fence(epoch);
    await active.apply([put('inode:/', { t: 0 })]);
    const standby = new EtcdEditLog(client, etcdKeys(p), logger);
    expect(await standby.loadRecords()).toEqual([{ key: 'inode:/', value: { t: 0 } }]);
    const seen: Array<{ revision: number; records: StoredRecord[] }> = [];
    await standby.tail((e) => seen.push(e), (err) => { throw err; });
    // Three mutations at once (group commit): the parent's record appears in each.
    await Promise.all([1, 2, 3].map((i) => active.apply([put(`inode:/f${i}`, { i }), put('inode:/', { t: i })])));
    await active.apply([{ key: 'inode:/f1', deleted: true }]);
    await waitFor('standby saw the delete', () => seen.some((e) => e.records.some((r) => r.key === 'inode:/f1' && 'deleted' in r)), 5_000);
    const revisions = seen.map((e) => e.revision);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
    const state = new Map<string, unknown>();
    for (const e of seen) for (const r of e.records) if ('deleted' in r) state.delete(r.key); else state.set(r.key, r.value);
    expect(Object.fromEntries(state)).toEqual({ 'inode:/': { t: 3 }, 'inode:/f2': { i: 2 }, 'inode:/f3': { i: 3 } });
    await standby.stopTailing();
  });

  test('a mutation larger than one transaction is written in parts; its reply waits for all', async () => {
    const p = prefix();
    const log = new EtcdEditLog(client, etcdKeys(p), logger);
    log.fence(await lead(p));
    const big = Array.from({ length: MAX_TXN_OPS * 2 + 5 }, (_, i) => put(`inode:/big/${String(i).padStart(4, '0')}`, { i }));
    await log.apply(big);
    expect((await new EtcdEditLog(client, etcdKeys(p), logger).loadRecords()).length).toBe(big.length);
  });

  test('compaction bounds the history: a standby that fell behind it is told so', async () => {
    const p = prefix();
    const log = new EtcdEditLog(client, etcdKeys(p), logger, 5);
    log.fence(await lead(p));
    const behind = new EtcdEditLog(client, etcdKeys(p), logger);
    await behind.loadRecords();
    for (let i = 0; i < 30; i++) await log.apply([put('inode:/x', { i })]);
    const errors: Error[] = [];
    await waitFor('compacted', async () => {
      await log.apply([put('inode:/y', { tick: Date.now() })]);
      try {
        await client.get('/probe').revision(String(behind.revision + 1)).exec();
        return undefined;
      } catch (err) {
        return /compacted/i.test((err as Error).message) ? true : undefined;
      }
    }, 10_000, 50);
    await behind.tail(() => undefined, (err) => errors.push(err));
    await waitFor('watch error on compacted history', () => errors.length > 0, 10_000);
    expect(errors[0]).toBeInstanceOf(Error); // etcd cancels a watch whose start revision is compacted
  });
});
