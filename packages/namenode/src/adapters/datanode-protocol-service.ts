/**
 * gRPC adapter for DatanodeProtocol: decode, hand to the core with the receive time, write back
 * what the core returns. Each heartbeat stream gets a numeric stream id so the core can ignore
 * the close of a stream that a newer one already replaced.
 */
import type * as grpc from '@grpc/grpc-js';
import type { BlockTokenGrant, Clock, DatanodeProtocolHandlers, HeartbeatRequest__Output, HeartbeatResponse, Logger } from '@minidfs/common';
import { DfsError, InvalidArgumentError, toGrpcError } from '@minidfs/common';
import type { DatanodeManager } from '../core/datanode-manager';
import type { PeerDisagreement } from '../core/peer-evidence';
import type { ReportedReplica } from '../core/block-map';
import type { Transition } from '../core/heartbeat-monitor';
import { commandToWire, heartbeatFromWire, registrationFromWire, replicaFromWire } from './wire';
import { checkRequestLimits } from './request-limits';

export interface DatanodeProtocolDeps {
  manager: DatanodeManager;
  clock: Clock;
  logger: Logger;
  settings: { blockSizeBytes: number; blockReportIntervalMs: number; clusterId: string };
  onTransitions(transitions: Transition[]): void;
  /** Peers said a node the NameNode hears is gone (logged only). */
  onPeerDisagreements?(disagreements: PeerDisagreement[]): void;
  /** Metrics hook: a heartbeat arrived at nowMs; accepted = counted for liveness. */
  onHeartbeat?(nodeId: string, nowMs: number, accepted: boolean): void;
  /** Metrics hook: CPU-side time one heartbeat took in the handler (decode to answer written), ms. */
  onHeartbeatHandled?(ms: number): void;
  /** Node id a Heartbeat stream was authenticated for (adapters/auth.ts): every beat on it must carry it. */
  streamNodeId?(call: object): string | undefined;
  /** Signs the block access token of a REPLICATE command; absent on an open cluster. */
  blockToken?(grant: BlockTokenGrant): string;
  reports: {
    /** Full report: returns block ids the node must delete. */
    full(nodeId: string, blocks: ReportedReplica[]): number[];
    incremental(nodeId: string, received: ReportedReplica[], deleted: number[]): void;
    bad(nodeId: string, blockIds: number[]): void;
  };
}

type HeartbeatCall = grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>;

export class DatanodeProtocolService {
  private nextStreamId = 1;
  /** nodeId -> its current heartbeat stream, so commands can be pushed at any moment. */
  private readonly sessions = new Map<string, { streamId: number; call: HeartbeatCall }>();

  constructor(private readonly deps: DatanodeProtocolDeps) {}

  /** Sends queued commands to the node now instead of at its next beat, if it has a stream. */
  pushCommands(nodeId: string): void {
    const session = this.sessions.get(nodeId);
    if (!session) return;
    const commands = this.deps.manager.drainCommands(nodeId);
    if (commands.length) session.call.write({ ackedSequence: 0, commands: commands.map((c) => commandToWire(c, this.locate, this.deps.blockToken)) });
  }

  closeAll(): void {
    for (const { call } of this.sessions.values()) call.end();
    this.sessions.clear();
  }

  private readonly locate = (nodeId: string) => {
    const n = this.deps.manager.get(nodeId);
    return n && { nodeId: n.id, host: n.host, dataPort: n.dataPort, transferPort: n.transferPort ?? 0, rack: n.rack };
  };

  handlers(): DatanodeProtocolHandlers {
    const { manager, clock, logger, settings } = this.deps;
    return {
      Register: (call, callback) => {
        try {
          const info = checkRequestLimits('RegisterRequest', call.request).info;
          if (!info) throw new InvalidArgumentError('RegisterRequest.info is required');
          const { reg, stats } = registrationFromWire(info);
          const { node, transitions, membershipSeeds } = manager.register(reg, stats, clock.nowMs());
          logger.info('datanode registered', { event: 'registered', nodeId: node.id, address: `${node.host}:${node.dataPort}`, uuid: node.uuid });
          this.deps.onTransitions(transitions);
          const l = manager.liveness;
          callback(null, {
            nodeId: node.id, registrationId: node.registrationId, heartbeatIntervalMs: l.heartbeatIntervalMs,
            staleAfterMissed: l.staleAfterMissed, deadAfterMissed: l.deadAfterMissed, blockSizeBytes: settings.blockSizeBytes,
            blockReportIntervalMs: settings.blockReportIntervalMs, clusterId: settings.clusterId, membershipSeeds,
          });
        } catch (err) {
          logger.warn('registration refused', { event: 'register-refused', nodeId: call.request.info?.id, error: (err as Error).message });
          callback(toGrpcError(err));
        }
      },

      Heartbeat: (call) => {
        const streamId = this.nextStreamId++;
        let nodeId: string | undefined;
        const boundNodeId = this.deps.streamNodeId?.(call);
        call.on('data', (req: HeartbeatRequest__Output) => {
          const startedMs = performance.now();
          const nowMs = clock.nowMs();
          const expectedNodeId = nodeId ?? boundNodeId;
          if (expectedNodeId !== undefined && req.nodeId !== expectedNodeId) {
            call.emit('error', toGrpcError(new InvalidArgumentError(`one heartbeat stream carries one node id (${expectedNodeId})`)));
            return;
          }
          let outcome: ReturnType<DatanodeManager['heartbeat']>;
          try {
            // Values out of range (wire.ts) or an implausible sequence (the monitor) throw before anything is applied.
            outcome = manager.heartbeat(heartbeatFromWire(checkRequestLimits('HeartbeatRequest', req), streamId), nowMs);
          } catch (err) {
            // Nothing of the beat is applied; the stream closes with the typed error (the node reconnects).
            logger.warn('heartbeat refused', { event: 'heartbeat-refused', nodeId: String(req.nodeId).slice(0, 128), error: (err as Error).message });
            call.emit('error', toGrpcError(err));
            return;
          }
          this.deps.onHeartbeat?.(req.nodeId, nowMs, outcome.ackedSequence > 0);
          if (outcome.ackedSequence > 0 && nodeId === undefined) {
            nodeId = req.nodeId;
            const previous = this.sessions.get(nodeId);
            if (previous && previous.call !== call) previous.call.end();
            this.sessions.set(nodeId, { streamId, call });
          }
          this.deps.onTransitions(outcome.transitions);
          if (outcome.disagreements) this.deps.onPeerDisagreements?.(outcome.disagreements);
          if (req.goodbye) {
            logger.info('datanode said goodbye', { event: 'goodbye', nodeId: req.nodeId });
            this.detach(req.nodeId, streamId);
            call.end();
            return;
          }
          call.write({ ackedSequence: outcome.ackedSequence, commands: outcome.commands.map((c) => commandToWire(c, this.locate, this.deps.blockToken)) });
          this.deps.onHeartbeatHandled?.(performance.now() - startedMs);
        });
        const closed = () => {
          if (nodeId === undefined) return;
          const id = nodeId;
          nodeId = undefined;
          this.detach(id, streamId);
          this.deps.onTransitions(manager.streamClosed(id, streamId, clock.nowMs()));
        };
        call.on('end', () => { closed(); call.end(); });
        call.on('error', closed);
        call.on('cancelled', closed);
        call.on('close', closed);
      },

      BlockReport: (call, callback) => {
        const r = call.request;
        try {
          checkRequestLimits('BlockReportRequest', r);
        } catch (err) {
          callback(toGrpcError(err));
          return;
        }
        if (!this.registered(r.nodeId, r.registrationId)) {
          callback(null, { commands: [{ reregister: { reason: 'block report from an unknown registration' } }] });
          return;
        }
        try {
          const toInvalidate = this.deps.reports.full(r.nodeId, r.blocks.map(replicaFromWire));
          callback(null, { commands: toInvalidate.length ? [{ invalidate: { blockIds: toInvalidate } }] : [] });
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
      BlockReceivedAndDeleted: (call, callback) => {
        const r = call.request;
        try {
          checkRequestLimits('BlockReceivedAndDeletedRequest', r);
        } catch (err) {
          callback(toGrpcError(err));
          return;
        }
        if (!this.registered(r.nodeId, r.registrationId)) {
          callback(toGrpcError(new DfsError('UNKNOWN_NODE', `unknown registration for ${r.nodeId}`)));
          return;
        }
        try {
          this.deps.reports.incremental(r.nodeId, r.received.map(replicaFromWire), r.deleted);
          callback(null, {});
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
      ReportBadBlocks: (call, callback) => {
        const r = call.request;
        try {
          checkRequestLimits('ReportBadBlocksRequest', r);
        } catch (err) {
          callback(toGrpcError(err));
          return;
        }
        if (!this.registered(r.nodeId, r.registrationId)) {
          callback(toGrpcError(new DfsError('UNKNOWN_NODE', `unknown registration for ${r.nodeId}`)));
          return;
        }
        try {
          this.deps.reports.bad(r.nodeId, r.blockIds);
          callback(null, {});
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
    };
  }

  /** Reports are accepted from the current registration of a node that is not DEAD. */
  private registered(nodeId: string, registrationId: string): boolean {
    const n = this.deps.manager.get(nodeId);
    return !!n && n.registrationId === registrationId && this.deps.manager.state(nodeId) !== 'DEAD';
  }

  private detach(nodeId: string, streamId: number): void {
    if (this.sessions.get(nodeId)?.streamId === streamId) this.sessions.delete(nodeId);
  }
}
