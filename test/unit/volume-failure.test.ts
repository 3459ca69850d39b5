/**
 * A data volume that becomes unusable (HDFS DiskChecker): BlockStore.checkVolume() finds it, a
 * read that hits such an error tells onVolumeError, and failVolume() forgets every replica (for
 * the DataNode to report deleted) and refuses new writes. Runs as any user: the volume is broken
 * by putting a file where the current/ directory was (ENOTDIR), which root cannot bypass.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlockStore, VolumeFailedError, isVolumeError } from '@minidfs/datanode';

const GS = 5;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

async function storeWith(ids: number[], onVolumeError?: (err: NodeJS.ErrnoException) => void): Promise<{ store: BlockStore; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-volume-'));
  dirs.push(dir);
  const store = new BlockStore(dir, { onVolumeError });
  await store.init();
  for (const id of ids) {
    const writer = store.createWriter(id, GS);
    await writer.write(Buffer.alloc(3000, id));
    await writer.finalize();
  }
  return { store, dir };
}

/** Replaces current/ with a plain file: listing it or opening a block in it fails with ENOTDIR. */
function breakVolume(dir: string): void {
  fs.renameSync(path.join(dir, 'current'), path.join(dir, 'current.gone'));
  fs.writeFileSync(path.join(dir, 'current'), 'not a directory');
}

describe('BlockStore volume failure', () => {
  test('checkVolume() passes on a healthy store and leaves no probe file behind', async () => {
    const { store, dir } = await storeWith([1]);
    expect(await store.checkVolume()).toBeUndefined();
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(store.volumeFailure).toBeUndefined();
  });

  test('a current/ that is no longer a directory fails the check; a read there reports a volume error', async () => {
    const errors: NodeJS.ErrnoException[] = [];
    const { store, dir } = await storeWith([1, 2], (err) => errors.push(err));
    breakVolume(dir);
    expect(await store.checkVolume()).toMatch(/current is not a directory/);
    await expect((async () => { for await (const piece of store.read(1)) void piece; })()).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(errors.map((e) => e.code)).toEqual(['ENOTDIR']);
    expect(isVolumeError(errors[0])).toBe(true);
    // A read error of one replica alone does not fail the volume: the check decides.
    expect(store.has(1)).toBe(true);
  });

  test('failVolume() forgets every replica once, refuses writes and the finalize of an open writer', async () => {
    const { store } = await storeWith([1, 2, 3]);
    const open = store.createWriter(9, GS);
    await open.write(Buffer.alloc(100, 9));
    const lost = store.failVolume('EIO: input/output error');
    expect(lost.map((b) => b.blockId)).toEqual([1, 2, 3]);
    expect(store.list()).toEqual([]);
    expect(store.usedBytes()).toBe(0);
    expect(store.volumeFailure).toBe('EIO: input/output error');
    expect(store.failVolume('again')).toEqual([]);
    expect(() => store.createWriter(4, GS)).toThrow(VolumeFailedError);
    await expect(open.finalize()).rejects.toBeInstanceOf(VolumeFailedError);
    expect(store.has(9)).toBe(false);
    expect(await store.checkVolume()).toBeUndefined(); // already failed: nothing new to report
  });
});
