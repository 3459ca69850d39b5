/**
 * The NameNode as the simulator runs it: the real pure cores — DatanodeManager (with the real
 * HeartbeatMonitor and, optionally, the real PhiAccrualDetector), BlockMap, ReplicationMonitor and
 * placement — called exactly as the production adapters call them. This file is glue only, the
 * same glue as adapters/namesystem.ts + adapters/datanode-protocol-service.ts + namenode.ts
 * (on DEAD: BlockMap.removeNode, ReplicationMonitor.nodeDead, check(affected); on a replica
 * received: BlockMap.blockReceived, ReplicationMonitor.replicaAdded; on a replica deleted:
 * BlockMap.blockDeleted, ReplicationMonitor.replicaDeleted; the planner once per
 * interval, its orders queued as commands per DataNode). What it leaves out: the namespace and its
 * store (blocks exist from the start, complete), safe mode, logging, the event log.
 */
import type { LivenessConfig } from '@minidfs/common';
import {
  BlockMap, type Command, type DatanodeRegistration, DatanodeManager, type DatanodeStats, type HeartbeatInput, type HeartbeatOutcome,
  type LivenessDetector, type PeerEvidenceConfig, type PlacementCandidate, type ReplicationConfig, ReplicationMonitor, type ReportedReplica,
  type Transition, defaultPeerEvidenceConfig,
} from '@minidfs/namenode';

export interface SimNameNodeHooks {
  /** Every liveness transition, after the NameNode acted on it (for DEAD: `affected` = blocks that lost a replica). */
  transition(t: Transition, affected: readonly number[]): void;
  /** A replica became live on a node (report or copy): the repair tracker looks at the block again. */
  replicaGained(blockId: number, nowMs: number): void;
  /** Replicas a node no longer has (full report after a disk loss). */
  replicasLost(blockIds: readonly number[], nowMs: number): void;
}

export interface SimNameNodeOptions {
  /**
   * The peer-evidence rule (UNREACHABLE_FROM_NAMENODE, docs/PEER-EVIDENCE.md), as namenode.ts
   * passes it to DatanodeManager. Default: the NameNode's defaults; it only acts on nodes that
   * register with a membership address (the plain simulation's do not).
   */
  peerEvidence?: PeerEvidenceConfig;
  /** Uniform in [0, 1): choice of probe reporters and membership seeds. Pass a seeded one when nodes gossip (the core's default is Math.random). */
  random?: () => number;
}

export class SimNameNode {
  readonly manager: DatanodeManager;
  readonly blockMap = new BlockMap();
  readonly replication: ReplicationMonitor;
  /** CPU time spent in ReplicationMonitor.tick (the planner), ms of wall time. */
  plannerWallMs = 0;
  private registrations = 0;

  constructor(
    liveness: LivenessConfig,
    detector: LivenessDetector | undefined,
    replicationConfig: ReplicationConfig,
    private readonly hooks: SimNameNodeHooks,
    options: SimNameNodeOptions = {},
  ) {
    this.manager = new DatanodeManager(
      liveness, () => `reg-${++this.registrations}`, options.peerEvidence ?? defaultPeerEvidenceConfig(liveness), options.random,
    );
    if (detector) this.manager.monitor.useDetector(detector);
    this.replication = new ReplicationMonitor(replicationConfig, this.blockMap, {
      state: (id) => this.manager.state(id),
      candidates: () => this.candidates(),
      rack: (id) => this.manager.get(id)?.rack,
    });
  }

  readonly usable = (nodeId: string): boolean => {
    const s = this.manager.state(nodeId);
    return s === 'LIVE' || s === 'STALE';
  };

  register(reg: DatanodeRegistration, stats: DatanodeStats, nowMs: number): string {
    const { node, transitions } = this.manager.register(reg, stats, nowMs);
    this.onTransitions(transitions);
    return node.registrationId;
  }

  heartbeat(input: HeartbeatInput, nowMs: number): HeartbeatOutcome {
    const outcome = this.manager.heartbeat(input, nowMs);
    if (outcome.transitions.length) this.onTransitions(outcome.transitions);
    return outcome;
  }

  /**
   * A heartbeat for which DatanodeManager.heartbeat() would do nothing but call the monitor: the
   * caller guarantees the registration is the node's current one, no goodbye, no command queued
   * for the node, and stats equal to the ones the manager holds. Then manager.heartbeat() is
   * monitor.heartbeat() plus a stats copy of equal values and an empty drain, so calling the real
   * HeartbeatMonitor directly gives the same verdict and the same state, without the ~0.3 µs of
   * allocations per beat. Returns the acked sequence (0 = not counted) or -1 when the node must
   * re-register (the caller then goes through heartbeat() for the full answer; the monitor did not
   * change anything in that case). Tests run scenarios both ways and require identical figures.
   */
  heartbeatUneventful(nodeId: string, sequence: number, streamId: number, nowMs: number): number {
    const verdict = this.manager.monitor.heartbeat(nodeId, sequence, streamId, nowMs);
    if (verdict.kind === 'reregister') return -1;
    if (verdict.kind === 'duplicate') return 0;
    if (verdict.transition) this.onTransitions([verdict.transition]);
    return sequence;
  }

  streamClosed(nodeId: string, streamId: number, nowMs: number): void {
    this.onTransitions(this.manager.streamClosed(nodeId, streamId, nowMs));
  }

  /** Reports are accepted from the current registration of a node that is not DEAD (as the gRPC adapter). */
  registered(nodeId: string, registrationId: string): boolean {
    const n = this.manager.get(nodeId);
    return !!n && n.registrationId === registrationId && this.manager.state(nodeId) !== 'DEAD';
  }

  /** Full block report; returns the replicas the node must delete. */
  fullBlockReport(nodeId: string, replicas: ReportedReplica[], nowMs: number): number[] {
    const r = this.blockMap.processFullReport(nodeId, replicas);
    this.replication.check([...r.added, ...r.removed, ...r.corrupt]);
    for (const id of r.added) this.hooks.replicaGained(id, nowMs);
    if (r.removed.length) this.hooks.replicasLost(r.removed, nowMs);
    return r.toInvalidate;
  }

  /** Incremental report; returns the received replicas the node must delete. */
  blockReceivedAndDeleted(nodeId: string, received: ReportedReplica[], deleted: number[], nowMs: number): number[] {
    const invalid: number[] = [];
    for (const r of received) {
      const verdict = this.blockMap.blockReceived(nodeId, r);
      if (verdict.invalidate) invalid.push(r.blockId);
      if (verdict.accepted) {
        this.replication.replicaAdded(r.blockId, nodeId);
        this.hooks.replicaGained(r.blockId, nowMs);
      }
    }
    for (const id of deleted) {
      if (this.blockMap.blockDeleted(nodeId, id)) this.replication.check([id]);
      this.replication.replicaDeleted(id, nodeId);
    }
    return invalid;
  }

  tick(nowMs: number): void {
    const ts = this.manager.tick(nowMs);
    if (ts.length) this.onTransitions(ts);
  }

  /** The planner pass; returns the DataNodes that got new commands (to push on their streams). */
  replicationTick(nowMs: number): string[] {
    const started = performance.now();
    const orders = this.replication.tick(nowMs).orders;
    this.plannerWallMs += performance.now() - started;
    const touched = this.manager.enqueueOrders(orders);
    return [...touched];
  }

  drainCommands(nodeId: string): Command[] {
    return this.manager.drainCommands(nodeId);
  }

  /** Nodes that got commands outside their heartbeat answers (ProbePeers after a tick or a transition): the adapter pushes to them now. */
  drainTouched(): string[] {
    return this.manager.drainTouched();
  }

  /**
   * Placement candidates, as Namesystem.candidates() builds them. ReplicationMonitor takes them
   * at most once per planner pass and ranks them lazily itself (placement.ts RankedCandidates).
   */
  private candidates(): PlacementCandidate[] {
    return this.manager.all().map((n) => ({
      id: n.id, state: this.manager.state(n.id)!, remainingBytes: n.stats.remainingBytes, activeTransfers: n.stats.activeTransfers, rack: n.rack,
    }));
  }

  private onTransitions(ts: Transition[]): void {
    for (const t of ts) {
      let affected: number[] = [];
      if (t.to === 'DEAD') {
        affected = this.blockMap.removeNode(t.nodeId);
        this.replication.nodeDead(t.nodeId);
        this.replication.check(affected);
      }
      this.hooks.transition(t, affected);
    }
  }
}
