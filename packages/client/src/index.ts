/** @minidfs/client: the DfsClient library (namespace calls, pipelined writes, verified reads with failover). */
export { DfsClient, DEFAULT_NAMENODE_PORT, type DfsClientOptions, type MkdirOptions, type DeleteOptions } from './dfs-client';
export { DfsWriteStream, MAX_PIPELINE_ATTEMPTS_PER_BLOCK, type WriteOptions, type WriteStats, type PipelineEvent, type BlockWrittenEvent } from './write-stream';
export { DfsReadStream, READ_IDLE_TIMEOUT_MS, type ReadStats } from './read-stream';
export { PipelineFailedError, CompleteTimeoutError, ReadProtocolError, IsADirectoryError, DatanodeTimeoutError } from './errors';
export { PIPELINE_IDLE_TIMEOUT_MS } from './write-pipeline';
export { DEFAULT_SAFE_MODE_WAIT_MS, NAMENODE_CONNECT_TIMEOUT_MS, NAMENODE_RPC_DEADLINE_MS, NameNodeRpc } from './namenode-rpc';
export { chunkCrcs, packetsOf, packetCount, RangeVerifier, type OutgoingPacket, type ReadPiece } from './checksums';
export { orderReplicas, pickBadNode, backoffDelays, COMPLETE_BACKOFF, type BackoffPolicy } from './failover';
export { BlockBuffer } from './block-buffer';
export { checkPath, parentOf, baseName, joinPath } from './paths';
export type { FileStatus, LocatedBlock, DatanodeLocation, BlockRef, SafeModeAction, SafeModeStatus } from './wire';
