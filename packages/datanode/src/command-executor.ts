/**
 * CommandExecutor: acts on the NameNode's commands, whether they arrive on the heartbeat stream or
 * in a BlockReport answer. INVALIDATE deletes each replica and reports it deleted; REPLICATE goes
 * to the Replicator's bounded queue; SHUTDOWN is handed to the process; REREGISTER is the
 * heartbeat link's business (logged here if it comes another way); PROBE_PEERS (the NameNode
 * cannot hear a node and asks us) goes to the membership agent's probes; RECOVER_BLOCK finalizes a
 * replica being written at the given length and reports it received (`block-recovered`, or
 * `block-recovery-skipped` when this node has no such replica or fewer bytes), at most
 * Limits.maxProbeTargetsPerCommand targets per command (the rest dropped, counted), ignored when
 * gossip is off. One JSON log line per command (`invalidate`, `replicate-start` / `-done` /
 * `-failed` or `replicate-rejected`, `shutdown`, `probe-peers`). Never throws at its caller:
 * a malformed command is logged and skipped.
 */
import { type DatanodeCommand__Output, Limits, type Logger } from '@minidfs/common';
import { type BlockStore, type StoredBlock, validateBlockId } from './block-store';
import type { Replicator } from './replicator';
import type { ProbeTarget } from './membership-agent';
import type { ProbePeersCommandIn } from './membership-wire';
import type { InvalidateCommandIn } from './wire';

export interface CommandExecutorOptions {
  store: BlockStore;
  replicator: Replicator;
  logger: Logger;
  /** Each block the store no longer holds after an INVALIDATE (deleted now or already absent). */
  onBlockDeleted: (blockId: number) => void;
  /** A replica being written finalized by RECOVER_BLOCK. */
  onBlockReceived: (block: StoredBlock) => void;
  /** SHUTDOWN from the NameNode. */
  onShutdown?: (reason: string) => void;
  /** PROBE_PEERS targets (valid, at most Limits.maxProbeTargetsPerCommand); absent = gossip off. */
  onProbePeers?: (targets: ProbeTarget[]) => void;
}

export type CommandSource = 'heartbeat' | 'block-report';

export class CommandExecutor {
  readonly counters = { invalidated: 0, replicateQueued: 0, recovered: 0, unknown: 0, probeTargets: 0, probeTargetsDropped: 0 };

  constructor(private readonly options: CommandExecutorOptions) {}

  execute(command: DatanodeCommand__Output, source: CommandSource): void {
    const { logger } = this.options;
    try {
      if (command.invalidate) void this.invalidate(command.invalidate, source);
      else if (command.recoverBlock) void this.recoverBlock(command.recoverBlock, source);
      else if (command.replicate) {
        if (this.options.replicator.enqueue(command.replicate)) this.counters.replicateQueued += 1;
      } else if (command.shutdown) {
        logger.warn('namenode ordered shutdown', { event: 'shutdown', reason: command.shutdown.reason, source });
        this.options.onShutdown?.(command.shutdown.reason);
      } else if (command.probePeers) {
        this.probePeers(command.probePeers, source);
      } else if (command.reregister) {
        logger.info('reregister command outside the heartbeat stream ignored (the heartbeat link re-registers)', { event: 'reregister-ignored', source });
      } else {
        this.counters.unknown += 1;
        logger.warn('unknown command from namenode ignored', { event: 'unknown-command', source, kind: command.kind });
      }
    } catch (err) {
      logger.error('command failed', { event: 'command-failed', source, kind: command.kind, error: (err as Error).message });
    }
  }

  private probePeers(command: ProbePeersCommandIn, source: CommandSource): void {
    const all = command.targets ?? [];
    const targets: ProbeTarget[] = [];
    for (const t of all.slice(0, Limits.maxProbeTargetsPerCommand)) {
      if (t.nodeId && t.membershipAddress) targets.push({ nodeId: t.nodeId, membershipAddress: t.membershipAddress });
    }
    const dropped = all.length - targets.length;
    const { onProbePeers, logger } = this.options;
    this.counters.probeTargets += targets.length;
    this.counters.probeTargetsDropped += dropped;
    logger.info('namenode asked for peer probes', {
      event: 'probe-peers', source, targets: targets.map((t) => t.nodeId), dropped, gossip: onProbePeers !== undefined,
    });
    onProbePeers?.(targets);
  }

  private async recoverBlock(command: { blockId: number; generationStamp: number; lengthBytes: number }, source: CommandSource): Promise<void> {
    const { store, logger } = this.options;
    try {
      const block = await store.finalizeBeingWritten(command.blockId, command.generationStamp, Number(command.lengthBytes));
      if (!block) {
        logger.warn('block recovery skipped: no replica being written of that length here', {
          event: 'block-recovery-skipped', source, blockId: command.blockId, lengthBytes: command.lengthBytes,
        });
        return;
      }
      this.counters.recovered += 1;
      logger.info('block recovered', { event: 'block-recovered', source, blockId: block.blockId, lengthBytes: block.lengthBytes });
      this.options.onBlockReceived(block);
    } catch (err) {
      logger.error('block recovery failed', { event: 'block-recovery-failed', source, blockId: command.blockId, error: (err as Error).message });
    }
  }

  private async invalidate(command: InvalidateCommandIn, source: CommandSource): Promise<void> {
    const { store, logger } = this.options;
    const deleted: number[] = [];
    const absent: number[] = [];
    const invalid: unknown[] = [];
    for (const raw of command.blockIds ?? []) {
      let blockId: number;
      try {
        blockId = validateBlockId(raw);
      } catch {
        invalid.push(raw);
        continue;
      }
      try {
        if (await store.delete(blockId)) deleted.push(blockId);
        else absent.push(blockId);
        // Either way the store no longer holds it: say so, so the NameNode's map converges.
        this.options.onBlockDeleted(blockId);
      } catch (err) {
        logger.error('could not delete invalidated block', { event: 'invalidate-failed', blockId, error: (err as Error).message });
      }
    }
    this.counters.invalidated += deleted.length;
    logger.info('invalidated blocks', { event: 'invalidate', source, blockIds: command.blockIds, deleted, absent, invalid });
  }
}
