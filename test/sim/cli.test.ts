/** `minidfs sim` flags -> SimConfig: profiles, overrides, validation. */
import { buildConfig } from '../../packages/cli/src/commands/sim';

const base = {
  nodes: 100, blocks: 0, duration: 3_600_000, seed: 's', loss: 0, delay: 0.5, jitter: 0.5, partitionRate: 0, partitionMean: 60_000, oneWay: 0.3,
  rackPartitions: 0.5, crashRate: 0.001, downtime: 3_600_000, diskLoss: 0.1, pauseRate: 0, pauseMedian: 2000, pauseSigma: 1, replication: 3,
  blockSize: 128 * 2 ** 20, capacity: 8 * 2 ** 40, copyBandwidth: 100 * 2 ** 20, nodesPerRack: 40,
};

describe('minidfs sim flags', () => {
  test('defaults: threshold detector, 10 s beats, STALE at 2, DEAD at 3', () => {
    const c = buildConfig(base);
    expect(c.liveness).toEqual({ heartbeatIntervalMs: 10_000, staleAfterMissed: 2, deadAfterMissed: 3 });
    expect(c.detector).toEqual({ kind: 'threshold' });
  });

  test('a profile sets interval and detector; explicit flags override it', () => {
    expect(buildConfig({ ...base, profile: 'hdfs' }).liveness).toEqual({ heartbeatIntervalMs: 3000, staleAfterMissed: 10, deadAfterMissed: 210 });
    const akka = buildConfig({ ...base, profile: 'akka', phiThreshold: 12 });
    expect(akka.detector).toEqual({ kind: 'phi', phi: expect.objectContaining({ threshold: 12, acceptablePauseMs: 3000, minStdDeviationMs: 100 }) });
    expect(buildConfig({ ...base, profile: 'akka', detector: 'threshold' }).detector).toEqual({ kind: 'threshold' });
    expect(buildConfig({ ...base, detector: 'phi', heartbeatIntervalMs: 1000 }).liveness.heartbeatIntervalMs).toBe(1000);
  });

  test('phi flags without a phi detector, or impossible settings, are refused', () => {
    expect(() => buildConfig({ ...base, phiThreshold: 8 })).toThrow(/--detector phi/);
    expect(() => buildConfig({ ...base, staleAfter: 3, deadAfter: 3 })).toThrow(/deadAfterMissed/);
    expect(() => buildConfig({ ...base, replication: 200 })).toThrow(/replication/);
  });
});
