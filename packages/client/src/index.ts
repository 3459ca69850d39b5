/** @minidfs/client: the DfsClient library (namespace calls, pipelined writes, verified reads with failover). */
export { DfsClient, DEFAULT_NAMENODE_PORT, HA_STATUS_DEADLINE_MS, haStatusOfEach, type DfsClientOptions, type MkdirOptions, type DeleteOptions } from './dfs-client';
export { DfsWriteStream, MAX_PIPELINE_ATTEMPTS_PER_BLOCK, type WriteOptions, type WriteStats, type PipelineEvent, type BlockWrittenEvent } from './write-stream';
export { DfsReadStream, READ_IDLE_TIMEOUT_MS, type ReadStats } from './read-stream';
export { PipelineFailedError, CompleteTimeoutError, ReadProtocolError, IsADirectoryError, DatanodeTimeoutError, NoActiveNameNodeError } from './errors';
export { PIPELINE_IDLE_TIMEOUT_MS } from './write-pipeline';
export {
  DEFAULT_SAFE_MODE_WAIT_MS, NAMENODE_CONNECT_TIMEOUT_MS, NAMENODE_RPC_DEADLINE_MS, NameNodeRpc, type NameNodeRpcOptions, parseNameNodeAddresses,
} from './namenode-rpc';
export { chunkCrcs, packetsOf, packetCount, RangeVerifier, type OutgoingPacket, type ReadPiece } from './checksums';
export {
  orderReplicas, pickBadNode, backoffDelays, COMPLETE_BACKOFF, type BackoffPolicy, DEFAULT_NAMENODE_FAILOVER, NAMENODE_FAILOVER_DEADLINE_MS,
  NAMENODE_FAILOVER_INITIAL_DELAY_MS, NAMENODE_FAILOVER_MAX_DELAY_MS, NOT_RESENDABLE_METHODS, decideFailover, failoverDelayMs,
  type FailoverDecision, type FailoverReason, type NameNodeFailoverPolicy,
} from './failover';
export { BlockBuffer } from './block-buffer';
export { checkPath, parentOf, baseName, joinPath } from './paths';
export type { FileStatus, LocatedBlock, DatanodeLocation, BlockRef, SafeModeAction, SafeModeStatus, NameNodeHaStatus } from './wire';
