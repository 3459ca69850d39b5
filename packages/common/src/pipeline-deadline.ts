/**
 * The write pipeline's ack deadline, one rule for every transport (gRPC streams, TCP) and every
 * waiter (the client, each pipeline DataNode, a replication source). HDFS waits
 * dfs.client.socket-timeout (60 s) plus 5 s per pipeline node; minidfs detects a silent DataNode
 * within deadAfterMissed heartbeats (about 3 s), and a pipeline node that acks nothing for as long
 * is treated the same way:
 *
 *   base     = clamp(deadAfterMissed x heartbeatIntervalMs, Limits.pipelineAckTimeoutMinMs, Limits.pipelineAckTimeoutMaxMs)
 *   deadline = base + Limits.pipelineAckExtensionPerNodeMs x (pipeline nodes below the waiter)
 *
 * A waiter with packets outstanding that hears no ack for `deadline` ms fails the attempt and blames
 * the node right below it. The client has the whole pipeline below it and each DataNode the rest,
 * so the waiter nearest a hung node gives up first and names it (the bad-node status), and the
 * client excludes that node from the next pipeline. The NameNode sends the base to DataNodes in
 * its liveness settings (RegisterResponse) and to writers in CreateResponse.
 */
import type { LivenessConfig } from './config';
import { Limits } from './limits';

/** The base ack deadline, ms, for a cluster's liveness settings. */
export function pipelineAckTimeoutMs(liveness: Pick<LivenessConfig, 'heartbeatIntervalMs' | 'deadAfterMissed'>): number {
  const derived = liveness.heartbeatIntervalMs * liveness.deadAfterMissed;
  return Math.min(Limits.pipelineAckTimeoutMaxMs, Math.max(Limits.pipelineAckTimeoutMinMs, derived));
}

/**
 * How long a waiter with `nodesBelow` pipeline nodes downstream of it (the client: all of them; a
 * DataNode: header.downstream.length) waits for the next ack while packets are outstanding.
 * A base of 0 or less (a NameNode that sent none) means Limits.pipelineAckTimeoutMaxMs.
 */
export function pipelineAckDeadlineMs(baseMs: number, nodesBelow: number): number {
  const base = Number.isFinite(baseMs) && baseMs > 0 ? Math.min(baseMs, Limits.pipelineAckTimeoutMaxMs) : Limits.pipelineAckTimeoutMaxMs;
  return base + Limits.pipelineAckExtensionPerNodeMs * Math.max(0, nodesBelow);
}
