/**
 * NameNode settings (packages/namenode/src/settings.ts): the defaults pass the validator, every
 * setting out of range is refused with an InvalidSettingError naming its flag, the cross-field
 * rules hold, and the CLI's --help shows the defaults defaultNameNodeOptions() gives.
 */
import { InvalidArgumentError, type LivenessConfig, defaultLivenessConfig, fastTestLivenessConfig } from '@minidfs/common';
import {
  DEFAULT_SAFE_MODE_EXTENSION_BEATS, InvalidSettingError, NAMENODE_FLAGS, NAMENODE_SETTING_RANGES, type NameNodeOptions, type NameNodeSetting,
  defaultNameNodeOptions, defaultPeerEvidenceConfig, validateNameNodeOptions,
} from '@minidfs/namenode';
import { clusterCommand } from '../../packages/cli/src/commands/cluster';
import { namenodeCommand } from '../../packages/cli/src/commands/namenode';
import { simCommand } from '../../packages/cli/src/commands/sim';
import { envName } from '../../packages/cli/src/options';

const LIVENESS_KEYS: ReadonlyArray<keyof LivenessConfig> = ['heartbeatIntervalMs', 'staleAfterMissed', 'deadAfterMissed'];

function valid(liveness?: LivenessConfig): NameNodeOptions {
  return { ...defaultNameNodeOptions(liveness), dataDir: '/tmp/minidfs-settings-test' };
}

/** The defaults with one setting changed (a liveness field inside `liveness`). */
function withSetting(setting: NameNodeSetting, value: unknown): NameNodeOptions {
  const o = valid();
  if ((LIVENESS_KEYS as readonly string[]).includes(setting)) return { ...o, liveness: { ...o.liveness, [setting]: value } };
  return { ...o, [setting]: value } as NameNodeOptions;
}

function refusal(o: NameNodeOptions): InvalidSettingError {
  try {
    validateNameNodeOptions(o);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidSettingError);
    expect(err).toBeInstanceOf(InvalidArgumentError); // code INVALID_ARGUMENT, like every bad argument
    return err as InvalidSettingError;
  }
  throw new Error('the settings were accepted');
}

describe('defaultNameNodeOptions', () => {
  test('every default passes the validator, at the default and at the fast test liveness', () => {
    expect(validateNameNodeOptions(valid())).toEqual(valid());
    expect(() => validateNameNodeOptions(valid(fastTestLivenessConfig()))).not.toThrow();
  });

  test('liveness and peer-evidence defaults come from their own modules; derived defaults follow the liveness given', () => {
    const d = defaultNameNodeOptions();
    expect(d.liveness).toEqual(defaultLivenessConfig());
    expect(d).toMatchObject({
      rpcPort: 8020, httpPort: 9870, replication: 3, minReplication: 2, safeModeThreshold: 0.999, detector: 'threshold', phiThreshold: 8,
      maintenanceMinReplicas: 1,
    });
    const pe = defaultPeerEvidenceConfig(d.liveness);
    expect(d).toMatchObject({ minPeerReporters: pe.minPeerReporters, unreachableGraceMs: pe.unreachableGraceMs, peerProbeFanout: pe.peerProbeFanout });
    expect(d.safeModeExtensionMs).toBe(DEFAULT_SAFE_MODE_EXTENSION_BEATS * d.liveness.heartbeatIntervalMs);
    const fast = defaultNameNodeOptions(fastTestLivenessConfig());
    expect(fast.liveness).toEqual(fastTestLivenessConfig());
    expect(fast.safeModeExtensionMs).toBe(DEFAULT_SAFE_MODE_EXTENSION_BEATS * fastTestLivenessConfig().heartbeatIntervalMs);
  });

  test('each call returns a fresh object (callers may change theirs)', () => {
    const a = defaultNameNodeOptions();
    a.liveness.heartbeatIntervalMs = 5;
    expect(defaultNameNodeOptions().liveness.heartbeatIntervalMs).toBe(defaultLivenessConfig().heartbeatIntervalMs);
  });
});

describe('validateNameNodeOptions', () => {
  const ranged = Object.entries(NAMENODE_SETTING_RANGES) as Array<[NameNodeSetting, { min: number; max: number; integer: boolean }]>;

  test.each(ranged)('%s: below its minimum, above its maximum, NaN or (integers) a fraction is refused, naming the flag', (setting, range) => {
    const bad = [range.min - 1, range.max + 1, Number.NaN, ...(range.integer ? [range.min + 0.5] : [])];
    for (const value of bad) {
      const err = refusal(withSetting(setting, value));
      expect(err.setting).toBe(setting);
      expect(err.flag).toBe(NAMENODE_FLAGS[setting]);
      expect(err.message).toContain(NAMENODE_FLAGS[setting]);
    }
  });

  test.each(ranged)('%s: its bounds themselves are accepted alone (other settings kept consistent)', (setting, range) => {
    for (const value of [range.min, range.max]) {
      const o = withSetting(setting, value);
      // Keep the cross-field rules satisfied around the bound under test.
      if (setting === 'staleAfterMissed') o.liveness.deadAfterMissed = Math.max(o.liveness.deadAfterMissed, value + 1);
      if (setting === 'deadAfterMissed') o.liveness.staleAfterMissed = Math.min(o.liveness.staleAfterMissed, value - 1);
      if (setting === 'replication') o.minReplication = Math.min(o.minReplication, value);
      if (setting === 'minReplication') o.replication = Math.max(o.replication, value);
      if (setting === 'leaseSoftLimitMs') o.leaseHardLimitMs = Math.max(o.leaseHardLimitMs ?? 0, value);
      if (setting === 'leaseHardLimitMs') o.leaseSoftLimitMs = Math.min(o.leaseSoftLimitMs ?? value, value);
      if (setting === 'safeModeThreshold' && value === 0) continue; // (0, 1]: tested below
      if (setting === 'staleAfterMissed' && value === range.max) continue; // no deadAfterMissed above it
      expect(() => validateNameNodeOptions(o)).not.toThrow();
    }
  });

  test('the settings without a numeric range: block size, safe mode threshold 0, detector, bind host, data dir, secret', () => {
    const cases: Array<[NameNodeSetting, unknown]> = [
      ['blockSizeBytes', 1000], ['blockSizeBytes', 0], ['blockSizeBytes', 64 * 2 ** 40],
      ['safeModeThreshold', 0], ['detector', 'gossip'], ['bindHost', ''], ['dataDir', ''], ['secret', Buffer.alloc(0)],
    ];
    for (const [setting, value] of cases) {
      const err = refusal(withSetting(setting, value));
      expect(err.setting).toBe(setting);
      expect(err.message).toContain(NAMENODE_FLAGS[setting]);
    }
  });

  test('a required setting left out is refused by name', () => {
    const o = valid() as Partial<NameNodeOptions>;
    delete o.replication;
    expect(refusal(o as NameNodeOptions).flag).toBe('--replication');
  });

  test('optional settings left out are fine (their defaults apply where they are used)', () => {
    const o: Partial<NameNodeOptions> = valid();
    for (const k of ['safeModeExtensionMs', 'phiThreshold', 'minPeerReporters', 'unreachableGraceMs', 'peerProbeFanout', 'maintenanceMinReplicas', 'detector'] as const) delete o[k];
    expect(() => validateNameNodeOptions(o as NameNodeOptions)).not.toThrow();
  });

  test('cross-field rules: DEAD after more missed beats than STALE; minReplication at most replication', () => {
    const o = valid();
    const staleEqualsDead = refusal({ ...o, liveness: { ...o.liveness, staleAfterMissed: 3, deadAfterMissed: 3 } });
    expect(staleEqualsDead.flag).toBe('--dead-after');
    expect(staleEqualsDead.message).toContain('--stale-after');
    const minAboveReplication = refusal({ ...o, replication: 2, minReplication: 3 });
    expect(minAboveReplication.flag).toBe('--min-replication');
    expect(minAboveReplication.message).toContain('--replication');
    expect(() => validateNameNodeOptions({ ...o, replication: 1, minReplication: 1 })).not.toThrow();
  });

  test('every setting has a distinct flag', () => {
    const flags = Object.values(NAMENODE_FLAGS);
    expect(new Set(flags).size).toBe(flags.length);
  });
});

describe('--help shows the defaults from defaultNameNodeOptions()', () => {
  const d = defaultNameNodeOptions();
  /** Help text on one line: commander wraps long descriptions. */
  const help = (text: string) => text.replace(/\s+/g, ' ');
  /** `(default: V, env: MINIDFS_FLAG)`: the env name pins the default to its flag. */
  const shows = (text: string, setting: NameNodeSetting, value: unknown) =>
    expect(text).toContain(`(default: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}, env: ${envName(NAMENODE_FLAGS[setting])})`);

  test('minidfs namenode', () => {
    const text = help(namenodeCommand().helpInformation());
    for (const setting of ['rpcPort', 'httpPort', 'replication', 'blockSizeBytes', 'blockReportIntervalMs', 'minReplication', 'safeModeThreshold',
      'phiThreshold', 'minPeerReporters', 'unreachableGraceMs', 'peerProbeFanout', 'maintenanceMinReplicas', 'bindHost'] as const) {
      shows(text, setting, d[setting]);
    }
    for (const setting of LIVENESS_KEYS) shows(text, setting, d.liveness[setting]);
    expect(text).toContain(`${DEFAULT_SAFE_MODE_EXTENSION_BEATS} heartbeat intervals, ${d.safeModeExtensionMs} ms at the default beat`);
    expect(text).toContain(`(choices: "threshold", "phi", default: "${d.detector}", env: MINIDFS_DETECTOR)`);
  });

  test('minidfs cluster: the NameNode settings it takes, under the same flags', () => {
    const text = help(clusterCommand().helpInformation());
    for (const setting of ['rpcPort', 'httpPort', 'minPeerReporters', 'unreachableGraceMs'] as const) shows(text, setting, d[setting]);
    for (const setting of LIVENESS_KEYS) shows(text, setting, d.liveness[setting]);
    expect(text).toContain(`default: min(${d.replication}, datanodes - 1)`);
  });

  test('minidfs sim: the NameNode settings under the NameNode\'s flag names', () => {
    const text = help(simCommand().helpInformation());
    for (const setting of ['heartbeatIntervalMs', 'staleAfterMissed', 'deadAfterMissed', 'phiThreshold', 'detector', 'replication', 'unreachableGraceMs', 'minPeerReporters', 'peerProbeFanout'] as const) {
      expect(text).toContain(`${NAMENODE_FLAGS[setting]} <`);
    }
    for (const setting of ['unreachableGraceMs', 'minPeerReporters', 'peerProbeFanout'] as const) shows(text, setting, d[setting]);
    expect(text).toContain(`phi at which a node is DEAD [default: ${d.phiThreshold}]`);
    expect(text).toContain(`the NameNode's own default is ${d.liveness.heartbeatIntervalMs / 1000}s`);
    expect(text).not.toMatch(/--heartbeat-interval </);
    expect(text).not.toMatch(/--unreachable-grace </);
  });
});
