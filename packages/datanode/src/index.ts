/** @minidfs/datanode: the DataNode process, its heartbeat link, block store, data transfer and reports. */
export {
  DataNode, type DataNodeOptions, type MembershipOptions, BLOCKS_SUBDIR, DEFAULT_DIRECTORY_SCAN_INTERVAL_MS, STOP_GRACE_MS, MAX_NAMENODES_PER_DATANODE, parseNamenodeAddresses,
} from './datanode';
export { NamenodeFence, type FenceDecision, type FenceVerdict, type NamenodeRole, type NamenodeSeen } from './namenode-fence';
export { NamenodeActor, type NamenodeActorOptions, type NamenodeConnectionStatus, type ReplySource } from './namenode-actor';
export { NodeCredentials } from './node-credentials';
export { HeartbeatLink, type HeartbeatLinkOptions, type LinkStats, MIN_EARLY_BEAT_GAP_MS } from './heartbeat-link';
export { Backoff, type BackoffConfig } from './backoff';
export * from './block-store';
export { BlockScanner, type BlockScannerOptions, type ScannerClock, type ScannerStats, type ScanOutcome, systemScannerClock } from './block-scanner';
export { isVolumeError, VOLUME_ERROR_CODES, VolumeFailedError } from './volume';
export { BlockTransferServer, type BlockTransferServerOptions, type TransferCounters, errorOfStatus, newTransferCounters } from './block-transfer-server';
export { BlockReporter, type BlockReporterOptions, MAX_PENDING_INCREMENTAL_BLOCKS, MAX_PENDING_BAD_BLOCKS } from './block-reporter';
export { Replicator, type ReplicatorOptions, MAX_CONCURRENT_REPLICATIONS, MAX_QUEUED_REPLICATIONS } from './replicator';
export { CommandExecutor, type CommandExecutorOptions } from './command-executor';
export { MAX_PIPELINE_DOWNSTREAM } from './wire';
export { startDataNodeMetricsServer, createDataNodeMetrics, type DataNodeMetricsSnapshot, type DataNodeMetricsServer, type DataNodeMetricsServerOptions, type DataNodeMetrics, type NamenodeMetricsStatus } from './metrics-server';
export {
  MembershipAgent, type MembershipAgentOptions, type MembershipCounters, type ProbeTarget, MAX_MEMBERSHIP_CLIENTS, MAX_CONFIGURED_SEEDS,
  MAX_IN_FLIGHT_DELIVERIES, MAX_QUEUED_PROBE_RESULTS, TICKS_PER_PERIOD,
} from './membership-agent';
export {
  encodeSwimMessage, decodeSwimMessage, membershipMac, checkMembershipMac, type MembershipClient, type MembershipHandlers, type GetMembershipResponseIn, type MembershipViewOut, type MemberStatusOut,
} from './membership-wire';

/** The SWIM defaults (the datanode command's gossip flags take theirs from here). */
export { defaultSwimConfig } from '@minidfs/membership';
