/**
 * Hard ceilings of the membership protocol: every table, queue and message has one, named here.
 * The configurable values (SwimConfig) are validated against these; a message beyond them is
 * refused with a typed error before any of it is applied.
 */
import { Limits } from '@minidfs/common';

export const MembershipLimits = {
  /** Members (any state, self included) one node tracks; the same ceiling as DataNodes per NameNode. */
  maxMembers: 50_000,
  /** Gossip updates piggybacked on one PING/ACK/GOSSIP (memberlist fits ~30 in a 1400-byte UDP packet). */
  maxUpdatesPerMessage: 64,
  /** Member entries in one SYNC (push-pull) message; a larger view is sent as a random subset. */
  maxSyncEntriesPerMessage: 2048,
  /** Indirect probes (PING_REQ) per failed direct probe. */
  maxIndirectProbes: 16,
  /** PING_REQs a node relays at once; more are dropped (the requester has k others). */
  maxPendingRelays: 1024,
  /** probeNow() probes in flight (and answers buffered until drainProbeResults()): the DataNode's Limits.maxPendingPeerProbes. */
  maxOnDemandProbes: Limits.maxPendingPeerProbes,
  /** Ceiling of SwimConfig.awarenessMaxMultiplier (Lifeguard health score 0 .. multiplier − 1). */
  maxAwarenessMultiplier: 64,
  /** protocolPeriodMs × awarenessMaxMultiplier: the slowest a member in poor health may probe, ms. */
  maxScaledProtocolPeriodMs: 24 * 3_600_000,
  /** Seeds accepted by join(). */
  maxJoinSeeds: 16,
  /** Longest member address ("host:port"), characters. Ids share Limits.maxNodeIdLength. */
  maxAddressLength: 256,
  /** Transitions buffered until drainTransitions(); beyond it the oldest are dropped and counted. */
  maxBufferedTransitions: 4096,
  /** Suspicion timeout bounds, ms, whatever N and the multiplier say. */
  minSuspicionTimeoutMs: 100,
  maxSuspicionTimeoutMs: 10 * 60 * 1000,
  /** Largest incarnation number (fits a protobuf uint64 and a JS safe integer). */
  maxIncarnation: Number.MAX_SAFE_INTEGER - 1,
} as const;
