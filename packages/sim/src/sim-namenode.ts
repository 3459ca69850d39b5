/**
 * The NameNode as the simulator runs it: a driver of the real NameNodeCore
 * (packages/namenode/src/core/namenode-core.ts) — the same core the NameNode process runs, with its
 * DatanodeManager (the real HeartbeatMonitor and, optionally, the real PhiAccrualDetector),
 * BlockMap, ReplicationMonitor and placement, its reaction to DEAD and its tick rhythm (liveness
 * every tick, the planner every fourth). This file only translates: inputs go to the core, the
 * commands of each Ready are kept until the engine asks for them (drainTouched, drainCommands), and
 * the engine's figures come from the core's observer hooks.
 *
 * What the simulator leaves out: the namespace and its store (blocks are laid complete with
 * addCompleteBlock, so safe mode never starts: the threshold is 0 and the core starts with no
 * blocks), logging and the event log (the Ready's events are dropped). The rack rule counts every
 * LIVE node's rack (the layout is not sent as full block reports).
 */
import type { LivenessConfig } from '@minidfs/common';
import {
  type BlockMap, type Command, DatanodeManager, type DatanodeRegistration, type DatanodeStats, type HeartbeatInput,
  type HeartbeatOutcome, type LivenessDetector, NameNodeCore, type PeerEvidenceConfig, type Ready, type ReplicationConfig, type ReplicationMonitor,
  type ReportedReplica, type Transition, defaultPeerEvidenceConfig,
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
  readonly core: NameNodeCore;
  /** CPU time spent in the core's planner ticks (liveness and the replication planner), ms of wall time. */
  plannerWallMs = 0;
  private registrations = 0;
  /** Commands the core pushed (to nodes with a heartbeat stream), waiting for the engine to send them. */
  private readonly pushed = new Map<string, Command[]>();

  constructor(
    liveness: LivenessConfig,
    detector: LivenessDetector | undefined,
    replicationConfig: ReplicationConfig,
    hooks: SimNameNodeHooks,
    options: SimNameNodeOptions = {},
  ) {
    const manager = new DatanodeManager(
      liveness, () => `reg-${++this.registrations}`, options.peerEvidence ?? defaultPeerEvidenceConfig(liveness), options.random,
    );
    if (detector) manager.monitor.useDetector(detector);
    this.core = new NameNodeCore({
      manager,
      settings: {
        defaultReplication: 3, defaultBlockSizeBytes: 64 * 1024 * 1024, minReplication: 1, safeModeThreshold: 0, racksWaitForFullReport: false,
      },
      replicationConfig,
      random: options.random,
      observer: hooks,
    });
  }

  get manager(): DatanodeManager {
    return this.core.manager;
  }

  get blockMap(): BlockMap {
    return this.core.blockMap;
  }

  get replication(): ReplicationMonitor {
    return this.core.replication;
  }

  readonly usable = (nodeId: string): boolean => this.core.usable(nodeId);

  /** A complete block already on `holders` (the initial layout). */
  addCompleteBlock(block: { blockId: number; generationStamp: number; lengthBytes: number; expectedReplication: number }, holders: readonly string[]): void {
    this.core.addCompleteBlock(block, holders);
  }

  register(reg: DatanodeRegistration, stats: DatanodeStats, nowMs: number): string {
    const ready = this.take(this.core.register(reg, stats, nowMs));
    const reply = ready.reply!;
    if (!reply.ok) throw reply.error;
    return reply.value.node.registrationId;
  }

  heartbeat(input: HeartbeatInput, nowMs: number): HeartbeatOutcome {
    const ready = this.take(this.core.heartbeat(input, nowMs));
    const reply = ready.reply!;
    if (!reply.ok) throw reply.error;
    return reply.value;
  }

  /**
   * A heartbeat for which the full path would do nothing but call the monitor (see
   * NameNodeCore.heartbeatUneventful for what the caller guarantees). Returns the acked sequence
   * (0 = not counted) or -1 when the beat must go through heartbeat() (nothing was changed then).
   * Tests run scenarios both ways and require identical figures.
   */
  heartbeatUneventful(nodeId: string, sequence: number, streamId: number, nowMs: number): number {
    const ready = this.core.heartbeatUneventful(nodeId, sequence, streamId, nowMs);
    if (ready === undefined) return -1;
    if (ready.commands.length) this.take(ready);
    return (ready.reply as { ok: true; value: HeartbeatOutcome }).value.ackedSequence;
  }

  /**
   * A run of accepted beats of a LIVE node in one O(1) call, up to the one heard at heardAtMs
   * (HeartbeatMonitor.heardThrough: what the caller guarantees; false = refused, nothing changed).
   */
  heardThrough(nodeId: string, sequence: number, streamId: number, heardAtMs: number): boolean {
    return this.core.manager.monitor.heardThrough(nodeId, sequence, streamId, heardAtMs);
  }

  streamClosed(nodeId: string, streamId: number, nowMs: number): void {
    this.take(this.core.streamClosed(nodeId, streamId, nowMs));
  }

  /** Reports are accepted from the current registration of a node that is not DEAD (as the gRPC adapter). */
  registered(nodeId: string, registrationId: string): boolean {
    return this.core.registered(nodeId, registrationId);
  }

  /** Full block report (from the node's current registration); returns the replicas the node must delete. */
  fullBlockReport(nodeId: string, replicas: ReportedReplica[], nowMs: number): number[] {
    const ready = this.take(this.core.fullBlockReport(nodeId, this.registrationOf(nodeId), replicas, nowMs));
    return invalidated(ready.reply?.ok ? ready.reply.value : []);
  }

  /** Incremental report (from the node's current registration); returns the received replicas the node must delete. */
  blockReceivedAndDeleted(nodeId: string, received: ReportedReplica[], deleted: number[], nowMs: number): number[] {
    this.take(this.core.incrementalBlockReport(nodeId, this.registrationOf(nodeId), received, deleted, nowMs));
    const commands = this.pushed.get(nodeId);
    if (!commands) return [];
    this.pushed.delete(nodeId);
    return invalidated(commands);
  }

  /** The core's timer tick: liveness every call, the planner every fourth (the core owns the rhythm). */
  tick(nowMs: number): void {
    if (this.core.plansOnNextTick) {
      const started = performance.now();
      this.take(this.core.tick(nowMs));
      this.plannerWallMs += performance.now() - started;
    } else {
      this.take(this.core.tick(nowMs));
    }
  }

  /** Nodes the core pushed commands to since the last call (to send on their streams now; drainCommands gives them). */
  drainTouched(): string[] {
    return this.pushed.size === 0 ? [] : [...this.pushed.keys()];
  }

  /** The commands pushed to the node and not yet taken. */
  drainCommands(nodeId: string): Command[] {
    const commands = this.pushed.get(nodeId);
    if (!commands) return [];
    this.pushed.delete(nodeId);
    return commands;
  }

  private registrationOf(nodeId: string): string {
    return this.core.manager.get(nodeId)?.registrationId ?? '';
  }

  /** Keeps a Ready's pushed commands for the engine (events are dropped: the simulator does not log). */
  private take<T>(ready: Ready<T>): Ready<T> {
    for (const p of ready.commands) {
      const q = this.pushed.get(p.nodeId);
      if (q) q.push(...p.commands);
      else this.pushed.set(p.nodeId, p.commands);
    }
    return ready;
  }
}

function invalidated(commands: readonly Command[]): number[] {
  const ids: number[] = [];
  for (const c of commands) if (c.kind === 'invalidate') ids.push(...c.blockIds);
  return ids;
}
