/** Loadgen pieces without a NameNode: the mergeable histogram, the worker slices, the generated block layout. */
import { silentLogger } from '@minidfs/common';
import {
  FIRST_BLOCK_ID, Histogram, LoadGenerator, SimulatedDatanode, defaultLoadgenConfig, newLoadCounters, slices, statsBetween, validateLoadgenConfig,
} from '@minidfs/loadgen';

describe('Histogram', () => {
  test('quantiles are bucket upper bounds within 10%, and merging or subtracting snapshots adds up', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    expect(h.count).toBe(1000);
    expect(h.percentileMs(50)).toBeGreaterThanOrEqual(50);
    expect(h.percentileMs(50)).toBeLessThanOrEqual(55);
    expect(h.percentileMs(99)).toBeGreaterThanOrEqual(99);
    expect(h.percentileMs(99)).toBeLessThanOrEqual(109);
    const merged = Histogram.merge([h.toJSON(), h.toJSON()]);
    expect(merged.count).toBe(2000);
    expect(merged.percentileMs(50)).toBe(h.percentileMs(50));
    const earlier = h.toJSON();
    h.record(5000);
    const window = Histogram.between(earlier, h.toJSON());
    expect(window.count).toBe(1);
    expect(window.percentileMs(50)).toBeGreaterThanOrEqual(5000);
    expect(new Histogram().percentileMs(99)).toBeNaN();
  });
});

describe('slices and config', () => {
  test('slices cover [0, total) contiguously and evenly', () => {
    expect(slices(10, 3)).toEqual([{ firstIndex: 0, datanodes: 4 }, { firstIndex: 4, datanodes: 3 }, { firstIndex: 7, datanodes: 3 }]);
    expect(slices(2, 2)).toEqual([{ firstIndex: 0, datanodes: 1 }, { firstIndex: 1, datanodes: 1 }]);
  });

  test('the validator rejects settings that do not fit together', () => {
    const c = defaultLoadgenConfig('127.0.0.1:1', 10);
    expect(() => validateLoadgenConfig({ ...c, firstIndex: 5 })).toThrow(/firstIndex/);
    expect(() => validateLoadgenConfig({ ...c, streamsPerChannel: 0 })).toThrow(/streamsPerChannel/);
    expect(() => validateLoadgenConfig({ ...c, jitterFraction: 1 })).toThrow(/jitterFraction/);
    expect(() => validateLoadgenConfig({ ...c, idPrefix: '../x' })).toThrow(/idPrefix/);
    expect(validateLoadgenConfig(c)).toBe(c);
  });
});

describe('generated block layout', () => {
  test.each([1, 2, 3, 7, 100])('%i nodes: no node lists a block twice, each block sits on min(3, n) distinct nodes with one length and stamp', (n) => {
    const config = { ...defaultLoadgenConfig('127.0.0.1:1', n), blocksPerNode: 30 };
    const logger = silentLogger();
    const holders = new Map<number, Array<{ node: number; lengthBytes: number; generationStamp: number }>>();
    for (let i = 0; i < n; i++) {
      const node = new SimulatedDatanode({ config, index: i, client: () => { throw new Error('no client in this test'); }, logger, counters: newLoadCounters(), random: Math.random });
      const blocks = node.list();
      expect(blocks).toHaveLength(30);
      expect(new Set(blocks.map((b) => b.blockId)).size).toBe(30);
      for (const b of blocks) {
        expect(b.blockId).toBeGreaterThanOrEqual(FIRST_BLOCK_ID);
        expect(b.lengthBytes).toBeGreaterThan(0);
        holders.set(b.blockId, [...(holders.get(b.blockId) ?? []), { node: i, lengthBytes: b.lengthBytes, generationStamp: b.generationStamp }]);
      }
    }
    for (const hs of holders.values()) {
      expect(new Set(hs.map((h) => h.node)).size).toBe(hs.length);
      expect(hs.length).toBeLessThanOrEqual(Math.min(3, n));
      expect(new Set(hs.map((h) => `${h.lengthBytes}/${h.generationStamp}`)).size).toBe(1);
    }
  });

  test('a LoadGenerator opens one channel per streamsPerChannel nodes and reports nothing before it starts', async () => {
    const gen = new LoadGenerator({ ...defaultLoadgenConfig('127.0.0.1:1', 25), streamsPerChannel: 10 }, silentLogger());
    const s = gen.snapshot();
    expect(s).toMatchObject({ datanodes: 25, channels: 3, started: 0, registered: 0, beatsSent: 0 });
    expect(statsBetween(s, { ...s, atMs: s.atMs + 1000, acks: 500 }).acksPerSec).toBeCloseTo(500);
    await gen.stop();
  });
});
