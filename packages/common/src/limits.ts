/**
 * Every queue, buffer and message has a limit, and the limit has a name. Change them here, not
 * at the call site.
 */
export const Limits = {
  /** Largest gRPC message either side accepts (a 64 KiB packet plus checksums fits many times). */
  maxGrpcMessageBytes: 4 * 1024 * 1024,
  /** Largest data payload in one write/read packet (HDFS: 64 KiB packets). */
  packetDataBytes: 64 * 1024,
  /** Bytes covered by one CRC32C (HDFS: dfs.bytes-per-checksum = 512). */
  bytesPerChecksum: 512,
  /** Commands the NameNode buffers per DataNode before it drops the oldest (they are re-planned). */
  maxQueuedCommandsPerNode: 1024,
  /** Blocks in one block report message (larger stores split their report). */
  maxBlocksPerReport: 100_000,
  /** Events kept in the NameNode's in-memory event log for the API/UI. */
  maxEventsRetained: 2000,
  /** DataNodes one NameNode accepts. */
  maxDatanodes: 50_000,
  /** Longest DataNode id / path component / whole path. */
  maxNodeIdLength: 128,
  maxPathComponentLength: 255,
  maxPathLength: 4096,
  /** Packets a pipeline node has in flight (sent downstream, not yet acked) before it stops reading. */
  maxPacketsInFlight: 64,
  /** Concurrent data-transfer streams one DataNode serves. */
  maxTransfersPerDatanode: 64,
} as const;
