/**
 * NameNode settings: the options type, the one function that gives every default
 * (`defaultNameNodeOptions`), the one validator (`validateNameNodeOptions`) and the command-line
 * flag of each setting (`NAMENODE_FLAGS`). The CLI builds its flags, help text and argument checks
 * from these, so a default or a range is written once, here (liveness defaults come from
 * @minidfs/common, peer-evidence defaults from core/peer-evidence.ts, the phi threshold from
 * core/phi-accrual.ts). The validator checks each field's range and the fields against each other,
 * and throws an InvalidSettingError that names the setting and its flag.
 */
import {
  InvalidArgumentError, Limits, type LivenessConfig, type TlsMaterial, defaultLivenessConfig,
} from '@minidfs/common';
import { DEFAULT_SAFE_MODE_EXTENSION_BEATS } from './core/namenode-core';
import { validateBlockSize } from './core/namespace';
import { defaultPeerEvidenceConfig } from './core/peer-evidence';
import { defaultPhiAccrualConfig } from './core/phi-accrual';
import { DEFAULT_MAINTENANCE_MIN_REPLICAS } from './core/replication-monitor';
import { DEFAULT_LEASE_HARD_LIMIT_MS, DEFAULT_LEASE_SOFT_LIMIT_MS } from './core/leases';

export { DEFAULT_SAFE_MODE_EXTENSION_BEATS };

export interface NameNodeOptions {
  /** Address to bind both servers to. Default 127.0.0.1 (loopback only; 0.0.0.0 for every interface). */
  bindHost: string;
  /** gRPC port (DataNodes and clients). Default 8020; 0 = any free port. */
  rpcPort: number;
  /** HTTP port (UI, JSON API, /metrics). Default 9870; 0 = any free port. */
  httpPort: number;
  /** Directory for the cluster id and the namespace store. Created if missing. No default. */
  dataDir: string;
  /** Heartbeat interval and the STALE/DEAD thresholds (common/config.ts). Default defaultLivenessConfig(): 1 s beats, STALE after 2 missed, DEAD after 3. */
  liveness: LivenessConfig;
  /** Default replication factor for new files. Default 3. */
  replication: number;
  /** Default block size for new files, bytes. Default 64 MiB: a multiple of 512 in 512 B..32 GiB (core/namespace.ts). */
  blockSizeBytes: number;
  /** How often DataNodes send a full block report, ms. Default 6 h (HDFS's default): the incremental reports carry every change in between. */
  blockReportIntervalMs: number;
  /**
   * Replicas each block must have reported before a file is completed (acknowledged), capped at
   * the file's replication. Default 2: an acknowledged write survives any single DataNode failure.
   * At most `replication`.
   */
  minReplication: number;
  /** Fraction of complete blocks that must be reported before safe mode ends, in (0, 1]. Default 0.999 (HDFS's). */
  safeModeThreshold: number;
  /**
   * Below the threshold, startup safe mode ends once every LIVE DataNode has sent its full block
   * report and nothing changed for this long, ms (the missing blocks show in fsck). Default: 30
   * heartbeat intervals (30 s at the default beat, like HDFS's safe mode extension).
   */
  safeModeExtensionMs?: number;
  /**
   * Failure detector for DEAD: `threshold` (missed beats, the default) or `phi` (phi accrual,
   * core/phi-accrual.ts, with its defaults for this heartbeat interval). STALE stays missed-beat based.
   */
  detector?: 'threshold' | 'phi';
  /** φ at which a node is DEAD with `detector: 'phi'`. Default 8 (core/phi-accrual.ts). */
  phiThreshold?: number;
  /**
   * Cluster secret (docs/SECURITY.md): DataNodes must prove it to register and heartbeat, and
   * block locations carry access tokens signed with a key derived from it. Undefined = an open
   * cluster (any process that reaches the RPC port can join as a DataNode; no tokens).
   */
  secret?: Buffer;
  /** TLS for the RPC port (common/tls.ts): with a CA, clients and DataNodes must present a certificate it signed. Default plaintext. */
  tls?: TlsMaterial;
  /**
   * Peer evidence (docs/PEER-EVIDENCE.md): gossip-enabled DataNodes on at least this many distinct
   * hosts must still hear a node the NameNode cannot hear for it to become UNREACHABLE_FROM_NAMENODE
   * instead of DEAD. Default 2 (Ceph mon_osd_min_down_reporters); 0 turns the rule off.
   */
  minPeerReporters?: number;
  /** Longest stay in UNREACHABLE_FROM_NAMENODE before DEAD (and re-replication), ms. Default 60,000 (core/peer-evidence.ts). */
  unreachableGraceMs?: number;
  /** Peers asked about one silent node per round. Default 4. */
  peerProbeFanout?: number;
  /**
   * A block with a replica on a DataNode in maintenance needs min(its replication, this) replicas
   * on other, NORMAL live nodes (ENTERING_MAINTENANCE waits for them). Default 1.
   */
  maintenanceMinReplicas?: number;
  /** Writer lease soft limit, ms: after it another client may recover a silent writer's files. Default 60,000 (HDFS). */
  leaseSoftLimitMs?: number;
  /** Writer lease hard limit, ms: after it the NameNode recovers them itself. Default 1,200,000 (20 min, HDFS). */
  leaseHardLimitMs?: number;
  /** High availability on etcd (docs/HA.md); undefined = a single NameNode with its namespace in dataDir. */
  ha?: NameNodeHaOptions;
}

/** An HA group member: the namespace lives in etcd, the leader is elected there. */
export interface NameNodeHaOptions {
  /** etcd client endpoints, host:port (--ha-etcd, comma-separated). */
  etcdEndpoints: string[];
  /** This NameNode's id in the group (--ha-id). Default: its advertised address. */
  id: string;
  /** Key prefix of this cluster in etcd (--ha-prefix). Default /minidfs/. */
  prefix: string;
  /** Lease TTL, ms: how long an active may go unheard by etcd before another takes over (--ha-lease-ttl-ms). Default 2000; whole seconds. */
  leaseTtlMs: number;
  /** The client RPC address others reach this NameNode at (--advertise-address). Default bind host and RPC port. */
  address?: string;
}

/** HA defaults (docs/HA.md). */
export const DEFAULT_HA_LEASE_TTL_MS = 2000;
export const DEFAULT_HA_PREFIX = '/minidfs/';

/** Every setting that has a default, filled in (dataDir has none; secret, tls and ha are off by default). */
export type NameNodeDefaults = Required<Omit<NameNodeOptions, 'dataDir' | 'secret' | 'tls' | 'ha'>>;

/** A setting: a NameNodeOptions field, or a field of its `liveness`. */
export type NameNodeSetting = Exclude<keyof NameNodeOptions, 'liveness'> | keyof LivenessConfig;

/** The command-line flag of each setting (`minidfs namenode`; `cluster`, `sim` and `loadgen` use the same names). */
export const NAMENODE_FLAGS: Readonly<Record<NameNodeSetting, string>> = {
  bindHost: '--bind',
  rpcPort: '--rpc-port',
  httpPort: '--http-port',
  dataDir: '--data-dir',
  heartbeatIntervalMs: '--heartbeat-interval-ms',
  staleAfterMissed: '--stale-after',
  deadAfterMissed: '--dead-after',
  replication: '--replication',
  blockSizeBytes: '--block-size',
  blockReportIntervalMs: '--block-report-interval-ms',
  minReplication: '--min-replication',
  safeModeThreshold: '--safe-mode-threshold',
  safeModeExtensionMs: '--safe-mode-extension-ms',
  detector: '--detector',
  phiThreshold: '--phi-threshold',
  secret: '--secret-file',
  tls: '--tls-cert',
  minPeerReporters: '--min-peer-reporters',
  unreachableGraceMs: '--unreachable-grace-ms',
  peerProbeFanout: '--peer-probe-fanout',
  maintenanceMinReplicas: '--maintenance-min-replicas',
  ha: '--ha-etcd',
  leaseSoftLimitMs: '--lease-soft-limit-ms',
  leaseHardLimitMs: '--lease-hard-limit-ms',
};

/** Inclusive bounds of the numeric settings; `integer` unless a fraction or φ. The CLI parses its flags with the same bounds. */
export interface SettingRange { min: number; max: number; integer: boolean }

const DAY_MS = 24 * 3600_000;
const int = (min: number, max: number): SettingRange => ({ min, max, integer: true });

/** Bounds of every numeric setting (blockSizeBytes: also a multiple of 512, core/namespace.ts; safeModeThreshold: above 0). */
export const NAMENODE_SETTING_RANGES: Readonly<Partial<Record<NameNodeSetting, SettingRange>>> = {
  rpcPort: int(0, 65535),
  httpPort: int(0, 65535),
  heartbeatIntervalMs: int(10, 600_000),
  staleAfterMissed: int(1, 10_000),
  deadAfterMissed: int(2, 10_000),
  replication: int(1, 32),
  blockReportIntervalMs: int(10, 7 * DAY_MS),
  minReplication: int(1, 32),
  safeModeThreshold: { min: 0, max: 1, integer: false },
  safeModeExtensionMs: int(0, DAY_MS),
  phiThreshold: { min: 0.5, max: 300, integer: false },
  minPeerReporters: int(0, 16),
  unreachableGraceMs: int(0, DAY_MS),
  peerProbeFanout: int(1, Limits.maxProbeTargetsPerCommand),
  maintenanceMinReplicas: int(1, 32),
  leaseSoftLimitMs: int(100, 7 * DAY_MS),
  leaseHardLimitMs: int(100, 7 * DAY_MS),
};

/** A setting out of range or inconsistent with another: names the setting and its flag. */
export class InvalidSettingError extends InvalidArgumentError {
  constructor(readonly setting: NameNodeSetting, message: string) {
    super(`${NAMENODE_FLAGS[setting]} (${setting}) ${message}`);
  }

  /** The flag that sets it. */
  get flag(): string {
    return NAMENODE_FLAGS[this.setting];
  }
}

/**
 * Every default, for the given liveness (default: defaultLivenessConfig()). Settings that scale
 * with the heartbeat interval (safeModeExtensionMs) are computed for that liveness: pass the one you run with.
 */
export function defaultNameNodeOptions(liveness: LivenessConfig = defaultLivenessConfig()): NameNodeDefaults {
  const peers = defaultPeerEvidenceConfig(liveness);
  return {
    bindHost: '127.0.0.1',
    rpcPort: 8020,
    httpPort: 9870,
    liveness: { ...liveness },
    replication: 3,
    blockSizeBytes: 64 * 1024 * 1024,
    blockReportIntervalMs: 6 * 3600_000,
    minReplication: 2,
    safeModeThreshold: 0.999,
    safeModeExtensionMs: DEFAULT_SAFE_MODE_EXTENSION_BEATS * liveness.heartbeatIntervalMs,
    detector: 'threshold',
    phiThreshold: defaultPhiAccrualConfig(liveness).threshold,
    minPeerReporters: peers.minPeerReporters,
    unreachableGraceMs: peers.unreachableGraceMs,
    peerProbeFanout: peers.peerProbeFanout,
    maintenanceMinReplicas: DEFAULT_MAINTENANCE_MIN_REPLICAS,
    leaseSoftLimitMs: DEFAULT_LEASE_SOFT_LIMIT_MS,
    leaseHardLimitMs: DEFAULT_LEASE_HARD_LIMIT_MS,
  };
}

/** Checks one numeric setting against NAMENODE_SETTING_RANGES (undefined: not set, nothing to check). */
export function checkSettingRange(setting: NameNodeSetting, value: number | undefined): void {
  const r = NAMENODE_SETTING_RANGES[setting];
  if (value === undefined || !r) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || (r.integer && !Number.isInteger(value)) || value < r.min || value > r.max) {
    throw new InvalidSettingError(setting, `must be ${r.integer ? 'an integer' : 'a number'} in [${r.min}, ${r.max}], got ${String(value)}`);
  }
}

/** Checks every setting, and the settings against each other; returns `o` unchanged. */
export function validateNameNodeOptions(o: NameNodeOptions): NameNodeOptions {
  if (typeof o.bindHost !== 'string' || o.bindHost === '') throw new InvalidSettingError('bindHost', 'must be a host name or address');
  if (typeof o.dataDir !== 'string' || o.dataDir === '') throw new InvalidSettingError('dataDir', 'must be a directory path');
  if (!o.liveness) throw new InvalidSettingError('heartbeatIntervalMs', 'is missing: liveness settings are required');
  const numeric: Array<[NameNodeSetting, number | undefined]> = [
    ['rpcPort', o.rpcPort], ['httpPort', o.httpPort],
    ['heartbeatIntervalMs', o.liveness.heartbeatIntervalMs], ['staleAfterMissed', o.liveness.staleAfterMissed], ['deadAfterMissed', o.liveness.deadAfterMissed],
    ['replication', o.replication], ['blockReportIntervalMs', o.blockReportIntervalMs], ['minReplication', o.minReplication],
    ['safeModeThreshold', o.safeModeThreshold], ['safeModeExtensionMs', o.safeModeExtensionMs], ['phiThreshold', o.phiThreshold],
    ['minPeerReporters', o.minPeerReporters], ['unreachableGraceMs', o.unreachableGraceMs], ['peerProbeFanout', o.peerProbeFanout],
    ['maintenanceMinReplicas', o.maintenanceMinReplicas], ['leaseSoftLimitMs', o.leaseSoftLimitMs], ['leaseHardLimitMs', o.leaseHardLimitMs],
  ];
  for (const [setting, value] of numeric) {
    // Required numbers must be present; optional ones are checked when set.
    if (value === undefined && !isOptional(setting)) throw new InvalidSettingError(setting, 'is missing');
    checkSettingRange(setting, value);
  }
  try {
    validateBlockSize(o.blockSizeBytes, '');
  } catch (err) {
    throw new InvalidSettingError('blockSizeBytes', (err as Error).message.trim());
  }
  if (o.safeModeThreshold <= 0) throw new InvalidSettingError('safeModeThreshold', `must be in (0, 1], got ${o.safeModeThreshold}`);
  if (o.detector !== undefined && o.detector !== 'threshold' && o.detector !== 'phi') {
    throw new InvalidSettingError('detector', `must be threshold or phi, got ${String(o.detector)}`);
  }
  if (o.liveness.deadAfterMissed <= o.liveness.staleAfterMissed) {
    throw new InvalidSettingError('deadAfterMissed',
      `must be greater than ${NAMENODE_FLAGS.staleAfterMissed} (${o.liveness.staleAfterMissed}), got ${o.liveness.deadAfterMissed}: a node goes STALE before DEAD`);
  }
  if (o.minReplication > o.replication) {
    throw new InvalidSettingError('minReplication',
      `must be at most ${NAMENODE_FLAGS.replication} (${o.replication}), got ${o.minReplication}: a write at the default replication could never be acknowledged`);
  }
  if (o.secret !== undefined && o.secret.length === 0) throw new InvalidSettingError('secret', 'is empty');
  if ((o.leaseHardLimitMs ?? DEFAULT_LEASE_HARD_LIMIT_MS) < (o.leaseSoftLimitMs ?? DEFAULT_LEASE_SOFT_LIMIT_MS)) {
    throw new InvalidSettingError('leaseHardLimitMs', `must be at least ${NAMENODE_FLAGS.leaseSoftLimitMs} (${o.leaseSoftLimitMs ?? DEFAULT_LEASE_SOFT_LIMIT_MS}), got ${o.leaseHardLimitMs}`);
  }
  if (o.ha) validateHaOptions(o.ha);
  return o;
}

const ENDPOINT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

function validateHaOptions(ha: NameNodeHaOptions): void {
  if (!Array.isArray(ha.etcdEndpoints) || ha.etcdEndpoints.length === 0) throw new InvalidSettingError('ha', 'needs at least one etcd endpoint host:port');
  for (const e of ha.etcdEndpoints) if (!ENDPOINT.test(e)) throw new InvalidSettingError('ha', `endpoint ${JSON.stringify(e)} is not host:port`);
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(ha.id)) throw new InvalidSettingError('ha', `--ha-id ${JSON.stringify(ha.id)} must be 1-128 of A-Z a-z 0-9 . _ : -`);
  if (!/^\/[A-Za-z0-9._/-]{0,200}$/.test(ha.prefix)) throw new InvalidSettingError('ha', `--ha-prefix ${JSON.stringify(ha.prefix)} must start with / and use A-Z a-z 0-9 . _ - /`);
  if (!Number.isInteger(ha.leaseTtlMs) || ha.leaseTtlMs < 1000 || ha.leaseTtlMs > 60_000 || ha.leaseTtlMs % 1000 !== 0) {
    throw new InvalidSettingError('ha', `--ha-lease-ttl-ms must be a whole number of seconds in [1000, 60000] (etcd leases are whole seconds), got ${String(ha.leaseTtlMs)}`);
  }
}

function isOptional(setting: NameNodeSetting): boolean {
  return setting === 'safeModeExtensionMs' || setting === 'phiThreshold' || setting === 'minPeerReporters'
    || setting === 'unreachableGraceMs' || setting === 'peerProbeFanout' || setting === 'maintenanceMinReplicas'
    || setting === 'leaseSoftLimitMs' || setting === 'leaseHardLimitMs';
}
