/** @minidfs/namenode: the pure core (liveness, later block map and planner) and the NameNode process. */
export * from './core/heartbeat-monitor';
export * from './core/phi-accrual';
export * from './core/peer-evidence';
export * from './core/datanode-manager';
export * from './core/event-log';
export { NameNode } from './namenode';
export * from './settings';
export type { DatanodeReportJson } from './adapters/report';
export * from './core/block-map';
export * from './core/namespace';
export { MetadataStore } from './adapters/metadata-store';
export * from './core/placement';
export * from './core/replication-monitor';
export * from './core/admin-states';
export * from './core/safe-mode';
export { EXIT_FENCED, Namesystem, type FsckReport } from './adapters/namesystem';
export {
  NameNodeCore, TICKS_PER_HEARTBEAT_INTERVAL, tickPeriodMs, replyValue, ADMIN_KEY_PREFIX, type CoreInput, type Ready, type Reply, type PushCommands,
  type CoreTransition, type CoreEvent, type CoreObserver, type NameNodeCoreDeps, type NameNodeCoreSettings, type RegisterReply, type LocatedBlockInfo,
  type AdminAction, type AdminView, type SafeModeAction, type ReplicaToVerify,
} from './core/namenode-core';
export { EtcdEditLog, etcdKeys, type EtcdKeys, MAX_TXN_OPS, EDIT_HISTORY_REVISIONS } from './adapters/etcd-edit-log';
export { DEPOSE_AFTER_TTLS } from './adapters/ha-controller';
export * from './core/leases';
