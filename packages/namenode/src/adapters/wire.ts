/**
 * Proto <-> domain conversion for the NameNode, in one place. Nothing else in the NameNode
 * imports generated wire types' shapes beyond the handler signatures.
 */
import type { BlockTokenGrant, DatanodeCommand, DatanodeInfo__Output, HeartbeatRequest__Output } from '@minidfs/common';
import { InvalidArgumentError, Limits } from '@minidfs/common';
import type { ReportedReplica } from '../core/block-map';
import type { PeerMemberState, PeerProbeResult } from '../core/peer-evidence';
import type { Command, DatanodeRegistration, DatanodeStats, HeartbeatInput } from '../core/datanode-manager';

export function registrationFromWire(info: DatanodeInfo__Output): { reg: DatanodeRegistration; stats: DatanodeStats } {
  checkBytes('DatanodeInfo', info);
  return {
    reg: { id: info.id, uuid: info.uuid, host: info.host, dataPort: info.dataPort, transferPort: info.transferPort ?? 0, httpPort: info.httpPort, rack: info.rack || '/default-rack',
      membershipAddress: info.membershipAddress ?? '', filesystemId: info.filesystemId ?? '',
    },
    stats: {
      capacityBytes: info.capacityBytes, usedBytes: info.usedBytes, remainingBytes: info.remainingBytes,
      activeTransfers: 0, failedVolumes: 0, blockCount: 0,
    },
  };
}

/**
 * Throws InvalidArgumentError unless `value` is an integer in 0..max: the edge check of what a
 * DataNode says about itself (a negative number sent as uint64 arrives near 2^64).
 */
function checkReported(field: string, value: number, max: number, limit: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`${field} = ${value} is not an integer in 0..${max} (Limits.${limit}); a negative number sent as uint64 wraps to near 2^64`);
  }
  return value;
}

/** Capacity figures of a registration or heartbeat, each checked (Limits.maxReportedBytes). */
function checkBytes(what: string, s: { capacityBytes: number; usedBytes: number; remainingBytes: number }): void {
  checkReported(`${what}.capacity_bytes`, s.capacityBytes, Limits.maxReportedBytes, 'maxReportedBytes');
  checkReported(`${what}.used_bytes`, s.usedBytes, Limits.maxReportedBytes, 'maxReportedBytes');
  checkReported(`${what}.remaining_bytes`, s.remainingBytes, Limits.maxReportedBytes, 'maxReportedBytes');
}

/** Throws InvalidArgumentError (and nothing is applied) when a value is out of range. */
export function heartbeatFromWire(req: HeartbeatRequest__Output, streamId: number): HeartbeatInput {
  checkReported('HeartbeatRequest.sequence', req.sequence, Limits.maxHeartbeatSequence, 'maxHeartbeatSequence');
  checkBytes('HeartbeatRequest', req);
  checkReported('HeartbeatRequest.active_transfers', req.activeTransfers, Limits.maxReportedCount, 'maxReportedCount');
  checkReported('HeartbeatRequest.failed_volumes', req.failedVolumes, Limits.maxReportedCount, 'maxReportedCount');
  checkReported('HeartbeatRequest.block_count', req.blockCount, Limits.maxReportedCount, 'maxReportedCount');
  return {
    nodeId: req.nodeId,
    registrationId: req.registrationId,
    sequence: req.sequence,
    streamId,
    goodbye: req.goodbye,
    stats: {
      capacityBytes: req.capacityBytes, usedBytes: req.usedBytes, remainingBytes: req.remainingBytes,
      activeTransfers: req.activeTransfers, failedVolumes: req.failedVolumes, blockCount: req.blockCount,
    },
    peerProbes: (req.peerProbes ?? []).map(peerProbeFromWire),
  };
}

/** HeartbeatRequest.peer_probes entry (common does not export the generated type by name). */
type PeerProbeResult__Output = HeartbeatRequest__Output['peerProbes'][number];

const MEMBER_STATES: ReadonlySet<string> = new Set(['ALIVE', 'SUSPECT', 'DEAD', 'LEFT']);

export function peerProbeFromWire(p: PeerProbeResult__Output): PeerProbeResult {
  const state = String(p.memberState);
  return {
    nodeId: p.nodeId, reachable: p.reachable, msSinceHeard: p.msSinceHeard, neverHeard: p.neverHeard,
    memberState: (MEMBER_STATES.has(state) ? state : 'UNKNOWN') as PeerMemberState,
  };
}

export function commandToWire(
  c: Command, locate: (nodeId: string) => { nodeId: string; host: string; dataPort: number; transferPort?: number; rack: string } | undefined,
  blockToken?: (grant: BlockTokenGrant) => string,
): DatanodeCommand {
  switch (c.kind) {
    case 'reregister':
      return { reregister: { reason: c.reason } };
    case 'shutdown':
      return { shutdown: { reason: c.reason } };
    case 'invalidate':
      return { invalidate: { blockIds: c.blockIds } };
    case 'recover-block':
      return { recoverBlock: { blockId: c.blockId, generationStamp: c.generationStamp, lengthBytes: c.lengthBytes } };
    case 'probe-peers':
      return { probePeers: { targets: c.targets.map((t) => ({ nodeId: t.nodeId, membershipAddress: t.membershipAddress })) } };
    case 'replicate':
      return {
        replicate: {
          blockId: c.blockId, generationStamp: c.generationStamp, lengthBytes: c.lengthBytes,
          targets: c.targetIds.map(locate).filter((t) => t !== undefined),
          // The source reads its own replica; the targets are written to: WRITE on exactly these
          // targets, for this generation (docs/SECURITY.md).
          accessToken: blockToken?.({ blockId: c.blockId, generationStamp: c.generationStamp, mode: 'WRITE', targets: c.targetIds }) ?? '',
        },
      };
  }
}

export function replicaFromWire(b: { blockId: number; generationStamp: number; lengthBytes: number }): ReportedReplica {
  return { blockId: b.blockId, generationStamp: b.generationStamp, lengthBytes: b.lengthBytes };
}
