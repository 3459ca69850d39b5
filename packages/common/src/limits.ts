/**
 * Every queue, buffer and message has a limit, and the limit has a name. Change them here, not
 * at the call site.
 */
export const Limits = {
  /** Largest gRPC message either side accepts (a 64 KiB packet plus checksums fits many times). */
  maxGrpcMessageBytes: 4 * 1024 * 1024,
  /** Largest data payload in one write/read packet (HDFS: 64 KiB packets). */
  packetDataBytes: 64 * 1024,
  /** Packet bytes a DataNode block writer gathers into one disk write while the previous one runs. */
  maxCoalescedWriteBytes: 4 * 1024 * 1024,
  /** Bytes a block read takes from the disk per system call (and verifies), sent as packets of packetDataBytes. */
  readSpanBytes: 1024 * 1024,
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
  /** Longest maintenance window one `admin maintenance --for` may ask for (30 days). */
  maxMaintenanceDurationMs: 30 * 24 * 3600_000,
  /** Longest DataNode id / path component / whole path. */
  maxNodeIdLength: 128,
  maxPathComponentLength: 255,
  maxPathLength: 4096,
  /** Packets a pipeline node has in flight (sent downstream, not yet acked) before it stops reading. */
  maxPacketsInFlight: 64,
  /**
   * Block transfer over TCP (proto/minidfs/v1/data_transfer.proto, common/transfer-codec.ts): the
   * largest TransferOpHeader (a WRITE token of maxBlockTokenLength plus 16 downstream locations fits
   * many times), and the largest TransferStatus (ack or error) frame. Packet data is at most
   * packetDataBytes; more is a protocol error that closes the connection.
   */
  maxTransferHeaderBytes: 64 * 1024,
  maxTransferMessageBytes: 16 * 1024,
  /**
   * A transfer connection that delivers no complete frame (or header) for this long is closed: a
   * slowloris peer trickling bytes cannot hold a transfer slot or a tmp block. Progress is counted
   * in whole frames, not bytes.
   */
  transferIdleTimeoutMs: 30_000,
  /** Connecting to a DataNode's transfer port (TCP + TLS handshake) gives up after this long. */
  transferConnectTimeoutMs: 10_000,
  /**
   * Concurrent streams one client connection may open on any minidfs server (HTTP/2
   * SETTINGS_MAX_CONCURRENT_STREAMS): a single peer cannot open unbounded streams. Beyond it the
   * peer's HTTP/2 layer queues new calls. Above loadgen's default of 100 heartbeat streams per channel.
   */
  maxStreamsPerConnection: 1000,
  /** Concurrent data-transfer streams one DataNode serves. */
  maxTransfersPerDatanode: 64,
  /**
   * Registration nonces the NameNode remembers (each for 2 × the proof window) to refuse replays;
   * when full, new registrations are refused as UNAVAILABLE until old nonces age out.
   */
  maxAuthNoncesRemembered: 200_000,
  /** Longest registration proof or session token accepted (characters); block tokens: maxBlockTokenLength. */
  maxAuthTokenLength: 1024,
  /** Longest block access token accepted (characters): a WRITE token names up to 17 pipeline targets of maxNodeIdLength. */
  maxBlockTokenLength: 4096,
  /** Largest cluster secret file read. */
  maxSecretFileBytes: 4096,
  /** Membership (gossip) seed addresses the NameNode returns on registration. */
  maxMembershipSeeds: 5,
  /** Peers one ProbePeersCommand names (the NameNode asks about each silent node separately). */
  maxProbeTargetsPerCommand: 16,
  /** Probes a DataNode runs at once on the NameNode's request; more are dropped and counted (the NameNode asks several peers). */
  maxPendingPeerProbes: 256,
  /** Peer probe results on one heartbeat; the rest wait for the next beat. */
  maxPeerProbeResultsPerBeat: 64,
  /**
   * Longest string of each kind a NameNode RPC accepts (characters); longer ones are refused with
   * INVALID_ARGUMENT before anything is stored (packages/namenode/src/adapters/request-limits.ts
   * names the limit of every string field of ClientProtocol and DatanodeProtocol).
   */
  maxClientNameLength: 256,
  maxReportReasonLength: 1024,
  maxDatanodeUuidLength: 128,
  maxHostLength: 255,
  maxRackLength: 255,
  maxSoftwareVersionLength: 128,
  /** host:port of a membership service. */
  maxAddressLength: 262,
  /** Longest enum value name in a request (proto-loader decodes enums to their names). */
  maxEnumNameLength: 64,
  /** A request string field without a limit of its own (none today; a test keeps it so). */
  maxUnlistedStringLength: 1024,
  /** A request repeated field without a limit of its own (none today; a test keeps it so). */
  maxUnlistedRepeatedCount: 1024,
  /** Node ids a client may exclude from one AddBlock. */
  maxExcludedNodes: 1024,
  /** Block ids in one BlockReceivedAndDeleted or ReportBadBlocks message (and block refs in one Complete). */
  maxBlockIdsPerMessage: 100_000,
  /** Entries in one ListStatus answer (HDFS: dfs.ls.limit = 1000); the client asks for the next page with startAfter. */
  listingPageSize: 1000,
  /** Bytes of paths in one ListStatus page (a page of 1,000 entries with 4,096-character paths would not fit a message). */
  listingPageBytes: 1024 * 1024,
  /**
   * Client reports of a bad replica (ClientProtocol.ReportBadReplica) the NameNode is checking at
   * once by reading the replica itself; one per (block, node), further reports of the same replica
   * join it. More are refused with RESOURCE_EXHAUSTED.
   */
  maxPendingReplicaVerifications: 64,
  /**
   * HA standby: replicas DataNodes reported for blocks whose edit has not reached the standby yet
   * (kept and recorded when the edit arrives). Beyond this the oldest are dropped; a dropped one
   * comes back with the node's next full block report.
   */
  maxPostponedStandbyReplicas: 200_000,
  /**
   * NameNode: replicas being written (left by writes cut mid-block) it remembers for block
   * recovery, as (node, block) pairs. Beyond this the oldest block's are forgotten; its holders
   * report them again in their next full block report.
   */
  maxBeingWrittenReplicas: 100_000,
  /** Verification reads the NameNode runs at once (the rest of the pending ones wait). */
  maxConcurrentReplicaVerifications: 4,
  /**
   * Blocks the replication planner re-examines per pass after a rack gains its first LIVE DataNode
   * (the rack rule may now be met by adding a replica there): a million blocks are rescanned over
   * a hundred passes, not in one.
   */
  misReplicationScanBlocksPerTick: 10_000,
  /**
   * Largest byte count a DataNode may report (capacity, used, remaining): 2^53 - 1 (8 PiB), the
   * largest integer a JavaScript number holds exactly; a uint64 beyond it is a wrapped negative
   * number or garbage and the heartbeat or registration is refused.
   */
  maxReportedBytes: Number.MAX_SAFE_INTEGER,
  /**
   * Largest heartbeat sequence number (a registration starts at 1 and adds one per beat: 2^40 is
   * centuries of beats). A larger one would make every later beat of the registration look old.
   */
  maxHeartbeatSequence: 2 ** 40,
  /**
   * Most a heartbeat sequence may advance past the last one counted on the registration: beats go
   * up by one, and a node silent long enough to skip this many is DEAD and registers again. A
   * larger leap is refused (INVALID_ARGUMENT) and not applied.
   */
  maxHeartbeatSequenceJump: 1_000_000,
  /** Largest count a DataNode may report in a heartbeat (transfers, failed volumes, blocks). */
  maxReportedCount: 2 ** 31 - 1,
  /**
   * Write pipeline ack deadline (common/pipeline-deadline.ts, docs/ARCHITECTURE.md): the base is
   * deadAfterMissed x heartbeatIntervalMs, at least pipelineAckTimeoutMinMs (a fsync on a loaded
   * disk is not a hang) and at most pipelineAckTimeoutMaxMs; each waiter adds
   * pipelineAckExtensionPerNodeMs per node below it, so the node next to a hung one gives up first
   * and names it.
   */
  pipelineAckTimeoutMinMs: 3_000,
  pipelineAckTimeoutMaxMs: 30_000,
  pipelineAckExtensionPerNodeMs: 1_000,
  /**
   * Block scanner (datanode/block-scanner.ts): the default verification rate per DataNode volume
   * (HDFS dfs.block.scanner.volume.bytes.per.second, 1 MiB/s; `--scan-bytes-per-second`, 0 = off),
   * the largest rate accepted, and the shortest time between the starts of two passes over the
   * replicas (a small store is not re-read back to back; a large one is scanned continuously at
   * the rate).
   */
  defaultScanBytesPerSecond: 1024 * 1024,
  maxScanBytesPerSecond: 1024 * 1024 * 1024,
  minScanPassIntervalMs: 10_000,
  /** Bad replicas the scanner remembers as already reported (per registration); past it the oldest are forgotten and may be reported again. */
  maxScannerReportedBadReplicas: 10_000,
  /** Open-for-write paths one fsck answer lists (all are counted in openForWrite). */
  maxFsckOpenFilesListed: 1000,
} as const;
