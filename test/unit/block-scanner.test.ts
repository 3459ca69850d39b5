/**
 * BlockScanner on a real BlockStore with a manual clock: ascending block-id order, the rate bound,
 * the cursor carried across passes and scanners, replicas being written never scanned, a corrupt
 * replica reported once (again only after forgetReported), replicas gone mid-pass skipped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManualClock, silentLogger } from '@minidfs/common';
import { BlockScanner, BlockStore, type ScanOutcome, type ScannerClock, type StoredBlock } from '@minidfs/datanode';

const GS = 3;
const KIB = 1024;

/** A manual clock whose sleep moves time forward at once (yielding to the event loop), recording each wait. */
function fakeClock(): ScannerClock & { clock: ManualClock; sleeps: number[] } {
  const clock = new ManualClock(1_000);
  const sleeps: number[] = [];
  return {
    clock, sleeps,
    nowMs: () => clock.nowMs(),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

async function storeWith(blocks: Array<[id: number, bytes: number]>): Promise<BlockStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-scanner-'));
  dirs.push(dir);
  const store = new BlockStore(dir);
  await store.init();
  for (const [id, bytes] of blocks) await put(store, id, bytes);
  return store;
}

async function put(store: BlockStore, id: number, bytes: number): Promise<void> {
  const writer = store.createWriter(id, GS);
  await writer.write(Buffer.alloc(bytes, id & 0xff));
  await writer.finalize();
}

function scanner(store: BlockStore, clock: ScannerClock, extra: { bytesPerSecond?: number; startAfter?: number } = {}) {
  const bad: Array<{ block: StoredBlock; reason: string }> = [];
  const s = new BlockScanner({
    store, clock, logger: silentLogger(), bytesPerSecond: extra.bytesPerSecond ?? 1024 * KIB, startAfter: extra.startAfter, minPassIntervalMs: 5_000,
    onBadReplica: (block, reason) => bad.push({ block, reason }),
  });
  return { s, bad };
}

/** scanOne until the pass ends; the outcomes in order. */
async function pass(s: BlockScanner): Promise<ScanOutcome[]> {
  const out: ScanOutcome[] = [];
  for (;;) {
    const o = await s.scanOne();
    if (o.kind === 'pass-end') return out;
    out.push(o);
  }
}

const ids = (outcomes: ScanOutcome[]) => outcomes.map((o) => (o.kind === 'pass-end' ? 0 : `${o.blockId}:${o.kind}`));

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at]! ^= 0x01;
  fs.writeFileSync(file, bytes);
}

describe('BlockScanner', () => {
  test('scans every finalized replica once per pass, in ascending block id, counting bytes and blocks', async () => {
    const store = await storeWith([[30, 1000], [10, 5000], [20, 0]]);
    const { s, bad } = scanner(store, fakeClock());
    expect(ids(await pass(s))).toEqual(['10:verified', '20:verified', '30:verified']);
    expect(s.stats).toMatchObject({ bytesVerified: 6000, blocksVerified: 3, badFound: 0, passesCompleted: 1, cursor: 0 });
    expect(ids(await pass(s))).toEqual(['10:verified', '20:verified', '30:verified']);
    expect(s.stats.passesCompleted).toBe(2);
    expect(bad).toEqual([]);
  });

  test('throttle: the bytes read never run ahead of the rate; a burst is one piece', async () => {
    // 4 replicas of 128 KiB = 8 pieces of 64 KiB at 64 KiB/s: one piece per second.
    const store = await storeWith([[1, 128 * KIB], [2, 128 * KIB], [3, 128 * KIB], [4, 128 * KIB]]);
    const fake = fakeClock();
    const { s } = scanner(store, fake, { bytesPerSecond: 64 * KIB });
    const start = fake.nowMs();
    await pass(s);
    expect(s.stats.bytesVerified).toBe(512 * KIB);
    expect(fake.nowMs() - start).toBeCloseTo(8_000, 0);
    expect(fake.sleeps.every((ms) => ms <= 1_000 + 1e-6)).toBe(true);

    // Idle time is not saved up: after a long pause the next piece still waits its share.
    fake.clock.advance(60_000);
    const before = fake.nowMs();
    await s.scanOne();
    expect(fake.nowMs() - before).toBeCloseTo(2_000, 0);

    // A faster rate takes proportionally less time.
    const fast = fakeClock();
    const { s: s2 } = scanner(store, fast, { bytesPerSecond: 256 * KIB });
    const t0 = fast.nowMs();
    await pass(s2);
    expect(fast.nowMs() - t0).toBeCloseTo(2_000, 0);
  });

  test('the cursor carries across passes and to a new scanner (resume after the last replica finished)', async () => {
    const store = await storeWith([[1, 100], [2, 100], [3, 100], [4, 100]]);
    const fake = fakeClock();
    const { s } = scanner(store, fake);
    expect(ids([await s.scanOne(), await s.scanOne()])).toEqual(['1:verified', '2:verified']);
    expect(s.stats.cursor).toBe(2);
    // A replica finalized mid-pass, before the cursor or after it, waits for the next pass.
    await put(store, 5, 100);
    expect(ids(await pass(s))).toEqual(['3:verified', '4:verified']);
    expect(ids(await pass(s))).toEqual(['1:verified', '2:verified', '3:verified', '4:verified', '5:verified']);

    // A scanner started after the cursor (e.g. the DataNode restarted it) continues from there.
    const { s: resumed } = scanner(store, fake, { startAfter: 3 });
    expect(ids(await pass(resumed))).toEqual(['4:verified', '5:verified']);
    expect(ids(await pass(resumed))).toEqual(['1:verified', '2:verified', '3:verified', '4:verified', '5:verified']);
  });

  test('a replica being written is never scanned; once finalized it is scanned by the next pass', async () => {
    const store = await storeWith([[1, 100], [3, 100]]);
    const { s } = scanner(store, fakeClock());
    const writer = store.createWriter(2, GS);
    await writer.write(Buffer.alloc(700, 2));
    expect(ids(await pass(s))).toEqual(['1:verified', '3:verified']);
    await writer.finalize();
    expect(ids(await pass(s))).toEqual(['1:verified', '2:verified', '3:verified']);
  });

  test('a corrupt replica is reported once, skipped afterwards, reported again after forgetReported; the others are verified', async () => {
    const store = await storeWith([[1, 3000], [2, 3000], [3, 3000]]);
    const { s, bad } = scanner(store, fakeClock());
    flipByte(store.blockFilePath(2), 1500);
    expect(ids(await pass(s))).toEqual(['1:verified', '2:bad', '3:verified']);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.block).toEqual({ blockId: 2, generationStamp: GS, lengthBytes: 3000 });
    expect(bad[0]!.reason).toMatch(/checksum mismatch in chunk 2/);
    expect(s.stats).toMatchObject({ badFound: 1, blocksVerified: 2 });
    // Still here (the NameNode never deletes the last copy): not read or reported again.
    expect(ids(await pass(s))).toEqual(['1:verified', '2:skipped', '3:verified']);
    expect(bad).toHaveLength(1);
    s.forgetReported();
    expect(ids(await pass(s))).toEqual(['1:verified', '2:bad', '3:verified']);
    expect(bad).toHaveLength(2);
    expect(s.stats.badFound).toBe(2);
  });

  test('a data file of the wrong size and a corrupt meta CRC are bad too', async () => {
    const store = await storeWith([[1, 2000], [2, 2000]]);
    const { s, bad } = scanner(store, fakeClock());
    fs.appendFileSync(store.blockFilePath(1), Buffer.from([7]));
    flipByte(store.metaFilePath(2)!, 12 + 4 * 1 + 2); // the CRC of chunk 1
    expect(ids(await pass(s))).toEqual(['1:bad', '2:bad']);
    expect(bad.map((b) => b.reason)).toEqual([expect.stringMatching(/2001 bytes/), expect.stringMatching(/chunk 1/)]);
  });

  test('a replica deleted before its turn is skipped; a deleted bad replica is forgotten and a new copy scanned', async () => {
    const store = await storeWith([[1, 100], [2, 100], [3, 100]]);
    const { s, bad } = scanner(store, fakeClock());
    flipByte(store.blockFilePath(3), 10);
    expect(ids([await s.scanOne()])).toEqual(['1:verified']);
    await store.delete(2);
    expect(ids(await pass(s))).toEqual(['2:skipped', '3:bad']);
    // The NameNode deletes the bad copy and sends a good one back.
    await store.delete(3);
    await put(store, 3, 100);
    expect(ids(await pass(s))).toEqual(['1:verified', '3:verified']);
    expect(bad).toHaveLength(1);
  });

  test('rejects a rate that is not positive', async () => {
    const store = await storeWith([]);
    expect(() => scanner(store, fakeClock(), { bytesPerSecond: 0 })).toThrow(RangeError);
  });

  test('start() runs passes in the background no sooner than minPassIntervalMs apart; stop() ends it', async () => {
    const store = await storeWith([[1, 100], [2, 100]]);
    const fake = fakeClock();
    const { s, bad } = scanner(store, fake);
    s.start();
    const deadline = Date.now() + 10_000;
    while (s.stats.passesCompleted < 3 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    await s.stop();
    expect(s.stats.passesCompleted).toBeGreaterThanOrEqual(3);
    // Two tiny replicas: each pass is padded to 5 s.
    expect(fake.nowMs() - 1_000).toBeGreaterThanOrEqual(5_000 * (s.stats.passesCompleted - 1));
    expect(bad).toEqual([]);
    expect(s.stopped).toBe(true);
  });
});
