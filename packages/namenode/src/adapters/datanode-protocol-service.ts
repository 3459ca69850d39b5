/**
 * gRPC adapter for DatanodeProtocol: decode the wire into a core input, hand it to NameNodeCore
 * with the receive time, and write back what the Ready says, after the Namesystem has carried it
 * out (records durable first, see adapters/namesystem.ts). Each heartbeat stream gets a numeric
 * stream id: the core names the stream to push commands on by it, and ignores the close of a
 * stream that a newer one already replaced. Answers on one stream leave in the order of the beats.
 * A stream that asked for quiet acks (ACK_GAP_METADATA_KEY, common/link-policy.ts) gets no answer
 * to a beat that changed nothing (no commands, no transition, same HA role and epoch) while its
 * last answer is younger than the gap it asked for; answers are cumulative (acked_sequence).
 */
import type * as grpc from '@grpc/grpc-js';
import type { BlockTokenGrant, Clock, DatanodeProtocolHandlers, HeartbeatRequest__Output, HeartbeatResponse, Logger } from '@minidfs/common';
import { ACK_GAP_METADATA_KEY, InvalidArgumentError, MAX_ACK_GAP_MS, toGrpcError } from '@minidfs/common';
import type { Command } from '../core/datanode-manager';
import type { PushCommands, Ready } from '../core/namenode-core';
import type { Namesystem } from './namesystem';
import { commandToWire, heartbeatFromWire, registrationFromWire, replicaFromWire } from './wire';
import { checkRequestLimits } from './request-limits';
import { HEARTBEAT_HANDLING_SAMPLE_EVERY } from './metrics';

export interface DatanodeProtocolDeps {
  /** The Namesystem (its core and the Ready carrier); throws while the NameNode is starting. */
  namesystem(): Namesystem;
  clock: Clock;
  logger: Logger;
  settings: { blockSizeBytes: number; blockReportIntervalMs: number; clusterId: string };
  /** Metrics hook: a heartbeat arrived at nowMs; accepted = counted for liveness. */
  onHeartbeat?(nodeId: string, nowMs: number, accepted: boolean): void;
  /** Metrics hook: time one heartbeat took in the handler (decode to answer written), ms; one beat in HEARTBEAT_HANDLING_SAMPLE_EVERY is timed. */
  onHeartbeatHandled?(ms: number): void;
  /** Node id a Heartbeat stream was authenticated for (adapters/auth.ts): every beat on it must carry it. */
  streamNodeId?(call: object): string | undefined;
  /** Signs the block access token of a REPLICATE command; absent on an open cluster. */
  blockToken?(grant: BlockTokenGrant): string;
  /**
   * High availability (adapters/ha-controller.ts); absent = HA off. Every answer carries the role
   * and epoch; commands leave only while this NameNode may act (an active whose lease is valid).
   */
  ha?: { role(): 'ACTIVE' | 'STANDBY'; epoch(): number; mayAct(): boolean; fenced(commands: number): void };
}

type HeartbeatCall = grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>;

/** The ack gap a Heartbeat stream asked for (ACK_GAP_METADATA_KEY), ms, capped at MAX_ACK_GAP_MS; 0 = answer every beat. */
export function ackGapFrom(metadata: grpc.Metadata | undefined): number {
  const v = Number(metadata?.get(ACK_GAP_METADATA_KEY)[0]);
  return Number.isInteger(v) && v > 0 ? Math.min(v, MAX_ACK_GAP_MS) : 0;
}

export class DatanodeProtocolService {
  private nextStreamId = 1;
  /** Beats received, for sampling the handler time. */
  private beats = 0;
  /** nodeId -> its current heartbeat stream (the one a newer stream ends). */
  private readonly sessions = new Map<string, { streamId: number; call: HeartbeatCall }>();
  /** streamId -> the call, for every stream with an accepted beat that is still open. */
  private readonly streams = new Map<number, HeartbeatCall>();

  constructor(private readonly deps: DatanodeProtocolDeps) {}

  /** Writes the core's commands for a node on the stream it names (dropped if that stream is gone: the core re-plans lost work). */
  push(p: PushCommands): void {
    const call = this.streams.get(p.streamId);
    if (call) call.write({ ackedSequence: 0, commands: this.toWire(p.commands), ...this.haFields() });
  }

  /** The role and epoch every answer carries (nothing without HA: the proto defaults mean "no HA"). */
  private haFields(): { haRole?: 'ACTIVE' | 'STANDBY'; epoch?: number } {
    const ha = this.deps.ha;
    return ha ? { haRole: ha.role(), epoch: ha.epoch() } : {};
  }

  closeAll(): void {
    for (const { call } of this.sessions.values()) call.end();
    this.sessions.clear();
    this.streams.clear();
  }

  private toWire(commands: readonly Command[]) {
    if (commands.length && this.deps.ha && !this.deps.ha.mayAct()) {
      // A standby or deposed active orders nothing; REREGISTER (this link's registration is unknown) still goes out.
      const kept = commands.filter((c) => c.kind === 'reregister');
      if (kept.length < commands.length) this.deps.ha.fenced(commands.length - kept.length);
      commands = kept;
    }
    const core = this.deps.namesystem().core;
    return commands.map((c) => commandToWire(c, (id) => core.location(id), this.deps.blockToken));
  }

  handlers(): DatanodeProtocolHandlers {
    const { clock, logger, settings } = this.deps;
    const ns = () => this.deps.namesystem();
    return {
      Register: (call, callback) => {
        try {
          const info = checkRequestLimits('RegisterRequest', call.request).info;
          if (!info) throw new InvalidArgumentError('RegisterRequest.info is required');
          const { reg, stats } = registrationFromWire(info);
          const n = ns();
          const ready = n.core.register(reg, stats, clock.nowMs());
          const reply = ready.reply!;
          const answer = () => {
            if (!reply.ok) return callback(toGrpcError(reply.error));
            const { node, membershipSeeds } = reply.value;
            const l = n.core.manager.liveness;
            callback(null, {
              nodeId: node.id, registrationId: node.registrationId, heartbeatIntervalMs: l.heartbeatIntervalMs,
              staleAfterMissed: l.staleAfterMissed, deadAfterMissed: l.deadAfterMissed, blockSizeBytes: settings.blockSizeBytes,
              blockReportIntervalMs: settings.blockReportIntervalMs, clusterId: settings.clusterId, membershipSeeds, ...this.haFields(),
            });
          };
          const pending = n.handle(ready);
          if (pending) void pending.then(answer);
          else answer();
        } catch (err) {
          logger.warn('registration refused', { event: 'register-refused', nodeId: call.request.info?.id, error: (err as Error).message });
          callback(toGrpcError(err));
        }
      },

      Heartbeat: (call) => {
        const streamId = this.nextStreamId++;
        let nodeId: string | undefined;
        const boundNodeId = this.deps.streamNodeId?.(call);
        /** The last answer still waiting for durability: later answers on this stream go after it. */
        let queued: Promise<void> | undefined;
        // Quiet acks: a beat that changed nothing is answered only once per the gap the node asked for.
        const ackGapMs = ackGapFrom(call.metadata as grpc.Metadata | undefined);
        let answeredAtMs = Number.NEGATIVE_INFINITY;
        let answeredRole: string | undefined;
        let answeredEpoch = -1;
        call.on('data', (req: HeartbeatRequest__Output) => {
          const timed = ++this.beats % HEARTBEAT_HANDLING_SAMPLE_EVERY === 0 && this.deps.onHeartbeatHandled !== undefined;
          const startedMs = timed ? performance.now() : 0;
          const nowMs = clock.nowMs();
          const expectedNodeId = nodeId ?? boundNodeId;
          if (expectedNodeId !== undefined && req.nodeId !== expectedNodeId) {
            call.emit('error', toGrpcError(new InvalidArgumentError(`one heartbeat stream carries one node id (${expectedNodeId})`)));
            return;
          }
          let input: ReturnType<typeof heartbeatFromWire>;
          try {
            // Values out of range (wire.ts) throw before anything is applied.
            input = heartbeatFromWire(checkRequestLimits('HeartbeatRequest', req), streamId);
          } catch (err) {
            // Nothing of the beat is applied; the stream closes with the typed error (the node reconnects).
            logger.warn('heartbeat refused', { event: 'heartbeat-refused', nodeId: String(req.nodeId).slice(0, 128), error: (err as Error).message });
            call.emit('error', toGrpcError(err));
            return;
          }
          const n = ns();
          const ready = n.core.heartbeat(input, nowMs);
          const reply = ready.reply!;
          if (!reply.ok) { // an implausible sequence (the monitor): nothing applied
            void n.handle(ready);
            call.emit('error', toGrpcError(reply.error));
            return;
          }
          const outcome = reply.value; // read now: a quiet beat's Ready is reused by the next input
          const ackedSequence = outcome.ackedSequence;
          const commands = outcome.commands;
          const moved = outcome.transitions.length > 0;
          this.deps.onHeartbeat?.(req.nodeId, nowMs, ackedSequence > 0);
          if (ackedSequence > 0 && nodeId === undefined) {
            nodeId = req.nodeId;
            const previous = this.sessions.get(nodeId);
            if (previous && previous.call !== call) previous.call.end();
            this.sessions.set(nodeId, { streamId, call });
            this.streams.set(streamId, call);
          }
          const pending = n.handle(ready, commands.length > 0);
          if (req.goodbye) {
            this.detach(req.nodeId, streamId);
            call.end();
            return;
          }
          const ha = this.deps.ha;
          if (ackGapMs > 0 && !pending && !queued && ackedSequence > 0 && commands.length === 0 && !moved
            && nowMs - answeredAtMs < ackGapMs && (!ha || (ha.role() === answeredRole && ha.epoch() === answeredEpoch))) {
            if (timed) this.deps.onHeartbeatHandled!(performance.now() - startedMs);
            return; // nothing to say: the answer is left out
          }
          answeredAtMs = nowMs;
          if (ha) {
            answeredRole = ha.role();
            answeredEpoch = ha.epoch();
          }
          if (!pending && !queued) {
            call.write(ha ? { ackedSequence, commands: commands.length ? this.toWire(commands) : [], ...this.haFields() }
              : { ackedSequence, commands: commands.length ? this.toWire(commands) : [] });
          } else {
            const write = () => {
              try {
                call.write({ ackedSequence, commands: this.toWire(commands), ...this.haFields() });
              } catch {
                // The stream ended meanwhile: the node reconnects, and the core re-plans lost work.
              }
            };
            const q: Promise<void> = (queued ?? Promise.resolve()).then(() => pending).then(write).finally(() => { if (queued === q) queued = undefined; });
            queued = q;
          }
          if (timed) this.deps.onHeartbeatHandled!(performance.now() - startedMs);
        });
        const closed = () => {
          if (nodeId === undefined) return;
          const id = nodeId;
          nodeId = undefined;
          this.detach(id, streamId);
          const n = ns();
          void n.handle(n.core.streamClosed(id, streamId, clock.nowMs()));
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
          const n = ns();
          const ready = n.core.fullBlockReport(r.nodeId, r.registrationId, r.blocks.map(replicaFromWire), clock.nowMs(), r.beingWritten.map(replicaFromWire));
          const reply = ready.reply!;
          const answer = () => reply.ok ? callback(null, { commands: this.toWire(reply.value), ...this.haFields() }) : callback(toGrpcError(reply.error));
          const pending = n.handle(ready, reply.ok && reply.value.length > 0);
          if (pending) void pending.then(answer);
          else answer();
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
      BlockReceivedAndDeleted: (call, callback) => {
        const r = call.request;
        try {
          checkRequestLimits('BlockReceivedAndDeletedRequest', r);
          const n = ns();
          const ready = n.core.incrementalBlockReport(
            r.nodeId, r.registrationId, r.received.map(replicaFromWire), r.deleted, clock.nowMs(), r.beingWritten.map(replicaFromWire),
          );
          this.answerEmpty(n, ready, callback);
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
      ReportBadBlocks: (call, callback) => {
        const r = call.request;
        try {
          checkRequestLimits('ReportBadBlocksRequest', r);
          const n = ns();
          this.answerEmpty(n, n.core.badReplicas(r.nodeId, r.registrationId, r.blockIds, clock.nowMs()), callback);
        } catch (err) {
          callback(toGrpcError(err));
        }
      },
    };
  }

  /** An RPC whose answer is empty or the Ready's typed error, once the Ready is carried out. */
  private answerEmpty(n: Namesystem, ready: Ready<undefined>, callback: (err: Partial<grpc.ServiceError> | null, value?: object) => void): void {
    const reply = ready.reply!;
    const answer = () => reply.ok ? callback(null, {}) : callback(toGrpcError(reply.error));
    const pending = n.handle(ready);
    if (pending) void pending.then(answer);
    else answer();
  }

  private detach(nodeId: string, streamId: number): void {
    this.streams.delete(streamId);
    if (this.sessions.get(nodeId)?.streamId === streamId) this.sessions.delete(nodeId);
  }
}
