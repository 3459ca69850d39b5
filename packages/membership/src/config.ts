/**
 * SWIM configuration: every field with its unit, default and trade-off (defaults follow
 * hashicorp/memberlist DefaultLANConfig where it has the same knob). `defaultSwimConfig()` for
 * production, `fastSwimConfig()` for tests and the simulator (same ratios, 10× faster), and
 * `validateSwimConfig()` which checks fields against each other and against MembershipLimits.
 */
import { InvalidArgumentError } from '@minidfs/common';
import { MembershipLimits } from './limits';

export interface SwimConfig {
  /**
   * Protocol period, ms: one probe (direct + indirect) per period. Default 1000 (memberlist
   * ProbeInterval 1 s). Shorter detects faster and costs proportionally more messages.
   */
  protocolPeriodMs: number;
  /**
   * Wait for a direct ACK before asking k peers to probe indirectly, ms. Default 500 (memberlist
   * ProbeTimeout). Must exceed the network's round trip (p99.9) or healthy nodes get indirect probes.
   */
  pingTimeoutMs: number;
  /** Peers asked to probe on our behalf (PING_REQ) after a direct timeout. Default 3 (memberlist IndirectChecks). */
  indirectProbeCount: number;
  /**
   * Suspicion timeout = suspicionMult × max(1, log10(N)) × protocolPeriodMs, clamped to
   * MembershipLimits (memberlist SuspicionMult 4, without Lifeguard's confirmation speed-up).
   * Higher: fewer false DEADs (more time to refute), slower detection.
   */
  suspicionMult: number;
  /**
   * Lifeguard (Dadgar et al. 2018, memberlist SuspicionMaxTimeoutMult 6): a suspicion starts at
   * suspicionMaxTimeoutMult × the timeout above and shrinks towards it (log-scale) as independent
   * members confirm it (suspicionMult − 2 confirmations reach the minimum). A real crash is
   * confirmed by several probers within a few periods; a lone, possibly mistaken suspecter (lossy
   * link, slow node) waits longer, which leaves time for the refutation to reach it. 1 = off.
   */
  suspicionMaxTimeoutMult: number;
  /**
   * An update is piggybacked retransmitMult × ceil(log10(N + 1)) times (memberlist RetransmitMult 4,
   * the SWIM λ·log N). Higher: reaches everyone more surely under loss; more bytes per message.
   */
  retransmitMult: number;
  /**
   * Updates per PING/ACK/GOSSIP message. Default 32 (≈ 1.5 KiB; memberlist fits what a 1400-byte
   * UDP packet holds, ~30; our transport is gRPC, no MTU). Bounded by
   * MembershipLimits.maxUpdatesPerMessage. Bursts (mass joins) spread at ~2 × this per node per period.
   */
  maxUpdatesPerMessage: number;
  /**
   * Extra GOSSIP messages (pending updates only) sent to random peers per protocol period.
   * Default 0: pure SWIM, dissemination only piggybacks on PING/ACK. memberlist sends 3 every
   * 200 ms (GossipNodes, GossipInterval), i.e. 15 per second; raise it to spread bursts faster.
   */
  gossipFanoutPerPeriod: number;
  /**
   * Full-state push-pull with one random peer every this many ms (anti-entropy; also how a joiner
   * gets the seed's view). Default 30000 (memberlist PushPullInterval). 0 = only at join.
   */
  pushPullIntervalMs: number;
  /**
   * A push-pull that taught us members we did not know starts a cascade (push-pull again next
   * period); it ends after this many exchanges in a row that taught us nothing. Rumor mongering
   * with feedback (Demers et al., 1987): stopping at the first useless contact leaves about 20% of
   * a mass join's news unspread (here: a tail of members missing a few others until the next
   * push-pull interval); three misses leave about 2%, and gossip covers that. Default 3.
   */
  pushPullCascadeMisses: number;
  /**
   * Lifeguard local health awareness (Dadgar et al. 2018; memberlist AwarenessMaxMultiplier 8): a
   * health score 0 .. awarenessMaxMultiplier − 1 that rises when our own probes fail without the
   * NACKs our relays should have sent (the fault is likely ours: a lossy inbound link, an
   * overloaded process) and when we must refute a suspicion of ourselves, and falls by one with
   * each successful probe. Our ping timeout and protocol period are multiplied by (score + 1), so
   * a member that cannot hear well probes more slowly and waits longer before it suspects anyone.
   * Default 8 (a period and timeout at most 8× the configured ones). 1 = off (the score stays 0).
   */
  awarenessMaxMultiplier: number;
  /** DEAD/LEFT members are kept (and gossiped) this long before they are forgotten, ms. Default 30000 (memberlist GossipToTheDeadTime). */
  deadRetentionMs: number;
  /** Members tracked, self and DEAD/LEFT included. Default 10000; at most MembershipLimits.maxMembers. */
  maxMembers: number;
}

export function defaultSwimConfig(): SwimConfig {
  return {
    protocolPeriodMs: 1000,
    pingTimeoutMs: 500,
    indirectProbeCount: 3,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    retransmitMult: 4,
    maxUpdatesPerMessage: 32,
    gossipFanoutPerPeriod: 0,
    pushPullIntervalMs: 30_000,
    pushPullCascadeMisses: 3,
    awarenessMaxMultiplier: 8,
    deadRetentionMs: 30_000,
    maxMembers: 10_000,
  };
}

/**
 * The defaults at another protocol period: every time field scaled by periodMs / 1000, i.e. ping
 * timeout P/2, push-pull and dead retention 30 P (memberlist's ratios). DataNodes' --gossip-period-ms
 * and the simulator's --gossip-period-ms use it.
 */
export function swimConfigForPeriod(periodMs: number): SwimConfig {
  const d = defaultSwimConfig();
  const scale = periodMs / d.protocolPeriodMs;
  return {
    ...d, protocolPeriodMs: periodMs, pingTimeoutMs: Math.max(1, Math.round(d.pingTimeoutMs * scale)),
    pushPullIntervalMs: Math.round(d.pushPullIntervalMs * scale), deadRetentionMs: Math.round(d.deadRetentionMs * scale),
  };
}

/** The defaults at 1/10 the time scale: tests and the simulator (period 100 ms, ping timeout 50 ms). */
export function fastSwimConfig(): SwimConfig {
  return swimConfigForPeriod(100);
}

function requireInteger(name: keyof SwimConfig, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`swim ${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

export function validateSwimConfig(c: SwimConfig): SwimConfig {
  requireInteger('protocolPeriodMs', c.protocolPeriodMs, 1, 3_600_000);
  requireInteger('pingTimeoutMs', c.pingTimeoutMs, 1, c.protocolPeriodMs - 1);
  requireInteger('indirectProbeCount', c.indirectProbeCount, 0, MembershipLimits.maxIndirectProbes);
  if (!(c.suspicionMult > 0) || c.suspicionMult > 100) {
    throw new InvalidArgumentError(`swim suspicionMult must be in (0, 100], got ${String(c.suspicionMult)}`);
  }
  if (!(c.suspicionMaxTimeoutMult >= 1) || c.suspicionMaxTimeoutMult > 100) {
    throw new InvalidArgumentError(`swim suspicionMaxTimeoutMult must be in [1, 100], got ${String(c.suspicionMaxTimeoutMult)}`);
  }
  requireInteger('retransmitMult', c.retransmitMult, 1, 100);
  requireInteger('maxUpdatesPerMessage', c.maxUpdatesPerMessage, 1, MembershipLimits.maxUpdatesPerMessage);
  requireInteger('gossipFanoutPerPeriod', c.gossipFanoutPerPeriod, 0, 16);
  requireInteger('pushPullIntervalMs', c.pushPullIntervalMs, 0, 24 * 3_600_000);
  requireInteger('pushPullCascadeMisses', c.pushPullCascadeMisses, 0, 16);
  if (c.pushPullIntervalMs !== 0 && c.pushPullIntervalMs < c.protocolPeriodMs) {
    throw new InvalidArgumentError(`swim pushPullIntervalMs must be 0 or >= protocolPeriodMs, got ${c.pushPullIntervalMs}`);
  }
  requireInteger('awarenessMaxMultiplier', c.awarenessMaxMultiplier, 1, MembershipLimits.maxAwarenessMultiplier);
  if (c.protocolPeriodMs * c.awarenessMaxMultiplier > MembershipLimits.maxScaledProtocolPeriodMs) {
    throw new InvalidArgumentError(
      `swim protocolPeriodMs × awarenessMaxMultiplier must be at most ${MembershipLimits.maxScaledProtocolPeriodMs} ms, got ${c.protocolPeriodMs * c.awarenessMaxMultiplier}`,
    );
  }
  requireInteger('deadRetentionMs', c.deadRetentionMs, 0, 24 * 3_600_000);
  requireInteger('maxMembers', c.maxMembers, 2, MembershipLimits.maxMembers);
  return c;
}

/**
 * A relay that got no ACK from the target this long after the PING_REQ arrived sends the requester
 * a NACK: 80% of the ping timeout (Lifeguard §IV-B), so that the NACK reaches the requester before
 * its probe period ends (the requester waits protocolPeriodMs − pingTimeoutMs after sending the
 * PING_REQ, = pingTimeoutMs with the default ratio, scaled by its health score + 1). The relay does
 * not know the requester's settings: a cluster shares one SwimConfig.
 */
export const NACK_TIMEOUT_FRACTION = 0.8;

/** When a relay NACKs: NACK_TIMEOUT_FRACTION × pingTimeoutMs after the PING_REQ arrived, ms. */
export function nackTimeoutMs(c: SwimConfig): number {
  return Math.max(1, Math.floor(NACK_TIMEOUT_FRACTION * c.pingTimeoutMs));
}

/** Minimum suspicion timeout (fully confirmed) for a cluster of n live members, ms (memberlist suspicionTimeout). */
export function suspicionTimeoutMs(c: SwimConfig, n: number): number {
  const scale = Math.max(1, Math.log10(Math.max(1, n)));
  const ms = Math.round(c.suspicionMult * scale * c.protocolPeriodMs);
  return Math.min(MembershipLimits.maxSuspicionTimeoutMs, Math.max(MembershipLimits.minSuspicionTimeoutMs, ms));
}

/**
 * docs/GOSSIP.md "Detection-time bound": after a crash in a cluster of `members`, DEAD at every live
 * member within (3 + ⌈log2 N⌉) periods (probed, suspected, the suspicion spread) plus the confirmed
 * suspicion timeout plus one tick of the caller's timer (the core acts at the first tick after a
 * deadline). For members in good local health (score 0).
 */
export function deadEverywhereBoundMs(c: SwimConfig, members: number, tickMs: number): number {
  return (3 + Math.ceil(Math.log2(members))) * c.protocolPeriodMs + suspicionTimeoutMs(c, members) + tickMs;
}

/** Suspicion timeout with no confirmation, ms. */
export function suspicionMaxTimeoutMs(c: SwimConfig, n: number): number {
  return Math.min(MembershipLimits.maxSuspicionTimeoutMs, Math.round(c.suspicionMaxTimeoutMult * suspicionTimeoutMs(c, n)));
}

/**
 * Independent confirmations that bring a suspicion down to the minimum: suspicionMult − 2, or 0
 * when the cluster has too few other members to give them (memberlist suspectNode).
 */
export function suspicionConfirmationsWanted(c: SwimConfig, n: number): number {
  const k = Math.max(0, Math.floor(c.suspicionMult) - 2);
  return n - 2 < k ? 0 : k;
}

/** Lifeguard's timeout after `confirmations` of `wanted`: max at 0, min at wanted, log-scale between. */
export function confirmedSuspicionTimeoutMs(minMs: number, maxMs: number, wanted: number, confirmations: number): number {
  if (wanted < 1) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(wanted + 1);
  return Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
}

/** Times an update is piggybacked before it is dropped from the queue (memberlist retransmitLimit). */
export function retransmitLimit(c: SwimConfig, n: number): number {
  return c.retransmitMult * Math.ceil(Math.log10(Math.max(1, n) + 1));
}
