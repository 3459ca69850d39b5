/** @minidfs/datanode: the DataNode process, its heartbeat link and (later) its block store. */
export { DataNode, type DataNodeOptions } from './datanode';
export { HeartbeatLink, type HeartbeatLinkOptions, type LinkStats } from './heartbeat-link';
export { Backoff, type BackoffConfig } from './backoff';
export * from './block-store';
