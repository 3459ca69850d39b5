/**
 * DatanodeManager: who is in the cluster, how to reach them, what they last said about their
 * capacity, and (through HeartbeatMonitor) whether they are LIVE, STALE or DEAD. Pure: the gRPC
 * adapter hands it decoded requests and the receive time; it returns what to answer and the
 * transitions to log. Queued commands per node are bounded (Limits.maxQueuedCommandsPerNode).
 *
 * Identity rule: a node is its `id` plus a `uuid` persisted in its data dir. The same id with the
 * same uuid is the same node coming back (accepted at any time). The same id with another uuid is
 * a second node and is refused while the first is LIVE or STALE; once the first is DEAD the new
 * one takes the id over.
 *
 * Peer evidence (./peer-evidence.ts, docs/PEER-EVIDENCE.md): a node that goes STALE has its
 * gossip-enabled peers asked (ProbePeers commands, queued here; `drainTouched()` names the nodes
 * whose commands the adapter should push now); their answers come in on heartbeats. The monitor
 * consults the evidence before DEAD and may say UNREACHABLE_FROM_NAMENODE instead.
 */
import { type LivenessConfig, Limits, InvalidArgumentError, NodeIdInUseError } from '@minidfs/common';
import { HeartbeatMonitor, type NodeState, type Transition, UNREACHABLE } from './heartbeat-monitor';
import {
  type PeerDisagreement, type PeerEvidenceConfig, type PeerProbeResult, type ProbeRequest, PeerEvidence, defaultPeerEvidenceConfig, validatePeerEvidenceConfig,
} from './peer-evidence';
import type { InvalidateOrder, ReplicateOrder } from './replication-monitor';
import type { AdminState } from './admin-states';
import { validateNodeId } from './ids';

export interface DatanodeRegistration {
  id: string;
  uuid: string;
  host: string;
  dataPort: number;
  /** Block transfer (TCP) port (DatanodeInfo.transfer_port); 0 or absent = none. */
  transferPort?: number;
  httpPort: number;
  rack: string;
  /** host:port of the node's SWIM membership service; '' or absent when gossip is off on it. */
  membershipAddress?: string;
  /** The filesystem of the node's data dir; nodes sharing one report the same capacity ('' = unknown). */
  filesystemId?: string;
}

export interface DatanodeStats {
  capacityBytes: number;
  usedBytes: number;
  remainingBytes: number;
  activeTransfers: number;
  failedVolumes: number;
  blockCount: number;
}

export interface DatanodeDescriptor extends DatanodeRegistration {
  registrationId: string;
  registeredAtMs: number;
  stats: DatanodeStats;
  membershipAddress: string;
  filesystemId: string;
}

export interface HeartbeatInput {
  nodeId: string;
  registrationId: string;
  sequence: number;
  streamId: number;
  goodbye: boolean;
  stats: DatanodeStats;
  /** Answers to ProbePeers commands (HeartbeatRequest.peer_probes). */
  peerProbes?: PeerProbeResult[];
}

export type Command =
  | { kind: 'reregister'; reason: string }
  | { kind: 'shutdown'; reason: string }
  | { kind: 'invalidate'; blockIds: number[] }
  | { kind: 'replicate'; blockId: number; generationStamp: number; lengthBytes: number; targetIds: string[] }
  | { kind: 'probe-peers'; targets: Array<{ nodeId: string; membershipAddress: string }> }
  | { kind: 'recover-block'; blockId: number; generationStamp: number; lengthBytes: number };

export interface HeartbeatOutcome {
  /** Sequence to acknowledge (0 when the beat was not counted). */
  ackedSequence: number;
  commands: Command[];
  transitions: Transition[];
  /** Peers' answers that a node the NameNode hears is gone: to log, not to act on. */
  disagreements?: PeerDisagreement[];
}

export interface DatanodeReportEntry {
  id: string;
  address: string;
  state: NodeState;
  lastHeartbeatMsAgo: number;
  missedBeats: number;
  blocks: number;
  capacityBytes: number;
  usedBytes: number;
  remainingBytes: number;
  /** Data volumes the node reports failed (HeartbeatRequest.failed_volumes; its replicas there were reported deleted). */
  failedVolumes: number;
  rack: string;
  /** Membership (gossip) address, '' when gossip is off on the node. */
  membershipAddress: string;
  /** The filesystem of its data dir ('' = not reported): totals count each filesystem's capacity once. */
  filesystemId: string;
  /** ms in UNREACHABLE_FROM_NAMENODE (only in that state). */
  unreachableForMs?: number;
  /** The operator's admin state (admin-states.ts; filled in by the Namesystem, NORMAL when absent). */
  adminState?: AdminState;
  /** In ENTERING_MAINTENANCE / IN_MAINTENANCE: ms until the window ends. */
  maintenanceExpiresInMs?: number;
}

/** Also exported from here, beside the DatanodeManager, for callers that import it with the manager. */
export { validateNodeId };

export class DatanodeManager {
  readonly monitor: HeartbeatMonitor;
  private readonly nodes = new Map<string, DatanodeDescriptor>();
  private readonly pending = new Map<string, Command[]>();
  readonly peers: PeerEvidence;
  /** Nodes that got commands outside their own heartbeat answer (probe requests), to push. */
  private readonly touched = new Set<string>();

  constructor(
    readonly liveness: LivenessConfig,
    /** Source of registration ids (randomness is an input). */
    private readonly newRegistrationId: () => string,
    peerEvidence: PeerEvidenceConfig = defaultPeerEvidenceConfig(liveness),
    /** Uniform in [0, 1): choice of probe reporters and membership seeds. */
    random: () => number = Math.random,
  ) {
    this.monitor = new HeartbeatMonitor(liveness);
    validatePeerEvidenceConfig(peerEvidence, liveness);
    this.peers = new PeerEvidence(peerEvidence, { state: (id) => this.monitor.state(id), host: (id) => this.nodes.get(id)?.host }, random);
    if (this.peers.enabled) this.monitor.usePeerEvidence(this.peers);
  }

  register(
    reg: DatanodeRegistration, stats: DatanodeStats, nowMs: number,
  ): { node: DatanodeDescriptor; transitions: Transition[]; membershipSeeds: string[] } {
    validateNodeId(reg.id);
    if (!reg.uuid) throw new InvalidArgumentError(`DataNode ${reg.id} registered without a uuid`);
    if (!reg.host) throw new InvalidArgumentError(`DataNode ${reg.id} registered without a host`);
    if (!Number.isInteger(reg.dataPort) || reg.dataPort < 1 || reg.dataPort > 65535) {
      throw new InvalidArgumentError(`DataNode ${reg.id} registered with invalid data port ${reg.dataPort}`);
    }
    if (reg.transferPort !== undefined && (!Number.isInteger(reg.transferPort) || reg.transferPort < 0 || reg.transferPort > 65535)) {
      throw new InvalidArgumentError(`DataNode ${reg.id} registered with invalid transfer port ${reg.transferPort}`);
    }
    const existing = this.nodes.get(reg.id);
    if (existing && existing.uuid !== reg.uuid && this.monitor.state(reg.id) !== 'DEAD') {
      throw new NodeIdInUseError(
        `DataNode id ${reg.id} is in use by ${existing.host}:${existing.dataPort} (uuid ${existing.uuid}, ${this.monitor.state(reg.id)}); ` +
          `refusing ${reg.host}:${reg.dataPort} (uuid ${reg.uuid})`,
      );
    }
    if (!existing && this.nodes.size >= Limits.maxDatanodes) {
      throw new InvalidArgumentError(`cluster is at its limit of ${Limits.maxDatanodes} DataNodes`);
    }
    // An explicit literal, not `{ ...reg, registrationId, ... }`: spread plus new keys gives every
    // descriptor a hidden class of its own in V8, and with thousands of nodes every field read
    // on the heartbeat path turns megamorphic (~1 µs instead of ~0.2 µs per beat).
    const node: DatanodeDescriptor = {
      id: reg.id, uuid: reg.uuid, host: reg.host, dataPort: reg.dataPort, transferPort: reg.transferPort ?? 0, httpPort: reg.httpPort, rack: reg.rack,
      registrationId: this.newRegistrationId(), registeredAtMs: nowMs, stats: { ...stats }, membershipAddress: reg.membershipAddress ?? '',
      filesystemId: reg.filesystemId ?? '',
    };
    this.nodes.set(reg.id, node);
    this.pending.delete(reg.id);
    this.peers.setMembershipAddress(reg.id, node.membershipAddress); // before the monitor asks whether it is probeable
    const t = this.monitor.register(reg.id, nowMs);
    const membershipSeeds = node.membershipAddress ? this.peers.seedsFor(reg.id) : [];
    const transitions = t ? [t] : [];
    this.afterTransitions(transitions, nowMs);
    return { node, transitions, membershipSeeds };
  }

  heartbeat(input: HeartbeatInput, nowMs: number): HeartbeatOutcome {
    const node = this.nodes.get(input.nodeId);
    if (!node || node.registrationId !== input.registrationId) {
      return {
        ackedSequence: 0,
        commands: [{ kind: 'reregister', reason: node ? 'registration superseded' : 'unknown node' }],
        transitions: [],
      };
    }
    if (input.goodbye) {
      node.stats = { ...input.stats };
      const t = this.monitor.goodbye(input.nodeId, nowMs);
      const transitions = t ? [t] : [];
      this.afterTransitions(transitions, nowMs);
      return { ackedSequence: input.sequence, commands: [], transitions };
    }
    const verdict = this.monitor.heartbeat(input.nodeId, input.sequence, input.streamId, nowMs);
    if (verdict.kind === 'reregister') {
      return { ackedSequence: 0, commands: [{ kind: 'reregister', reason: 'declared dead' }], transitions: [] };
    }
    if (verdict.kind === 'duplicate') return { ackedSequence: 0, commands: [], transitions: [] };
    node.stats = { ...input.stats };
    const transitions = verdict.transition ? [verdict.transition] : [];
    if (!verdict.transition && this.peers.isWatched(input.nodeId)) this.peers.unwatch(input.nodeId); // heard again before STALE
    let disagreements: PeerDisagreement[] | undefined;
    if (input.peerProbes && input.peerProbes.length > 0) {
      const r = this.peers.record(input.nodeId, input.peerProbes, nowMs);
      for (const target of r.targets) {
        const t = this.monitor.recheck(target, nowMs); // an UNREACHABLE node whose vouchers fell away
        if (t) transitions.push(t);
      }
      if (r.disagreements.length) disagreements = r.disagreements;
    }
    this.afterTransitions(transitions, nowMs);
    const outcome: HeartbeatOutcome = { ackedSequence: input.sequence, commands: this.drainCommands(input.nodeId), transitions };
    if (disagreements) outcome.disagreements = disagreements;
    return outcome;
  }

  streamClosed(nodeId: string, streamId: number, nowMs: number): Transition[] {
    const t = this.monitor.streamClosed(nodeId, streamId, nowMs);
    const transitions = t ? [t] : [];
    this.afterTransitions(transitions, nowMs);
    return transitions;
  }

  /** Advances time: liveness transitions, then the probe rounds due for silent nodes. */
  tick(nowMs: number): Transition[] {
    const transitions = this.monitor.tick(nowMs);
    this.afterTransitions(transitions, nowMs);
    if (this.peers.enabled) {
      for (const nodeId of this.monitor.drainSilent()) this.enqueueProbes(this.peers.watch(nodeId, nowMs));
      this.enqueueProbes(this.peers.due(nowMs));
    }
    return transitions;
  }

  /** Nodes that got commands since the last call, outside their own heartbeat answers: push to them now. */
  drainTouched(): string[] {
    if (this.touched.size === 0) return [];
    const ids = [...this.touched];
    this.touched.clear();
    return ids;
  }

  /** Peer evidence follows liveness: ask about a node when it goes silent, stop when it is heard again or DEAD. */
  private afterTransitions(transitions: readonly Transition[], nowMs: number): void {
    if (!this.peers.enabled) return;
    for (const t of transitions) {
      if (t.to === 'STALE') this.enqueueProbes(this.peers.watch(t.nodeId, nowMs));
      else if (t.to === 'LIVE' || t.to === 'DEAD') this.peers.unwatch(t.nodeId);
    }
  }

  private enqueueProbes(requests: readonly ProbeRequest[]): void {
    for (const r of requests) {
      this.enqueueCommand(r.reporterId, { kind: 'probe-peers', targets: r.targets });
      this.touched.add(r.reporterId);
    }
  }

  /**
   * Queues a command for the node's next heartbeat answer; the oldest is dropped past
   * Limits.maxQueuedCommandsPerNode (dropped work is re-planned). A node that never registered
   * gets no queue (it would never be drained): false, nothing queued.
   */
  enqueueCommand(nodeId: string, command: Command): boolean {
    if (!this.nodes.has(nodeId)) return false;
    const q = this.pending.get(nodeId) ?? [];
    if (command.kind === 'invalidate' && command.blockIds.length > Limits.maxBlockIdsPerMessage) {
      // One command per Limits.maxBlockIdsPerMessage ids: a huge delete must not make a message over the gRPC limit.
      for (let i = 0; i < command.blockIds.length; i += Limits.maxBlockIdsPerMessage) {
        q.push({ kind: 'invalidate', blockIds: command.blockIds.slice(i, i + Limits.maxBlockIdsPerMessage) });
      }
    } else {
      q.push(command);
    }
    while (q.length > Limits.maxQueuedCommandsPerNode) q.shift();
    this.pending.set(nodeId, q);
    return true;
  }

  /** Nodes with commands waiting and the commands waiting in all, for metrics and tests. */
  queuedCommands(): { nodes: number; commands: number } {
    let commands = 0;
    for (const q of this.pending.values()) commands += q.length;
    return { nodes: this.pending.size, commands };
  }

  /** Queues the planner's orders as commands; returns the nodes that now have commands waiting. */
  enqueueOrders(orders: ReadonlyArray<ReplicateOrder | InvalidateOrder>): Set<string> {
    const touched = new Set<string>();
    for (const o of orders) {
      if (o.kind === 'replicate') {
        this.enqueueCommand(o.sourceId, {
          kind: 'replicate', blockId: o.blockId, generationStamp: o.generationStamp, lengthBytes: o.lengthBytes, targetIds: o.targetIds,
        });
        touched.add(o.sourceId);
      } else {
        this.enqueueCommand(o.nodeId, { kind: 'invalidate', blockIds: o.blockIds });
        touched.add(o.nodeId);
      }
    }
    return touched;
  }

  drainCommands(nodeId: string): Command[] {
    const q = this.pending.get(nodeId);
    if (!q || q.length === 0) return [];
    this.pending.delete(nodeId);
    return q;
  }

  get(nodeId: string): DatanodeDescriptor | undefined {
    return this.nodes.get(nodeId);
  }

  state(nodeId: string): NodeState | undefined {
    return this.monitor.state(nodeId);
  }

  all(): DatanodeDescriptor[] {
    return [...this.nodes.values()];
  }

  report(nowMs: number): DatanodeReportEntry[] {
    return this.all()
      .map((n) => {
        const v = this.monitor.view(n.id, nowMs)!;
        return {
          id: n.id,
          address: `${n.host}:${n.dataPort}`,
          state: v.state,
          lastHeartbeatMsAgo: v.msSinceLastHeartbeat,
          missedBeats: v.missedBeats,
          blocks: n.stats.blockCount,
          capacityBytes: n.stats.capacityBytes,
          usedBytes: n.stats.usedBytes,
          remainingBytes: n.stats.remainingBytes,
          failedVolumes: n.stats.failedVolumes,
          rack: n.rack,
          membershipAddress: n.membershipAddress,
          filesystemId: n.filesystemId,
          ...(v.state === UNREACHABLE ? { unreachableForMs: this.monitor.unreachableForMs(n.id, nowMs) } : {}),
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
