/**
 * Proto <-> domain conversion for the NameNode, in one place. Nothing else in the NameNode
 * imports generated wire types' shapes beyond the handler signatures.
 */
import type { BlockTokenGrant, DatanodeCommand, DatanodeInfo__Output, HeartbeatRequest__Output } from '@minidfs/common';
import type { ReportedReplica } from '../core/block-map';
import type { PeerMemberState, PeerProbeResult } from '../core/peer-evidence';
import type { Command, DatanodeRegistration, DatanodeStats, HeartbeatInput } from '../core/datanode-manager';

export function registrationFromWire(info: DatanodeInfo__Output): { reg: DatanodeRegistration; stats: DatanodeStats } {
  return {
    reg: { id: info.id, uuid: info.uuid, host: info.host, dataPort: info.dataPort, httpPort: info.httpPort, rack: info.rack || '/default-rack',
      membershipAddress: info.membershipAddress ?? '',
    },
    stats: {
      capacityBytes: info.capacityBytes, usedBytes: info.usedBytes, remainingBytes: info.remainingBytes,
      activeTransfers: 0, failedVolumes: 0, blockCount: 0,
    },
  };
}

export function heartbeatFromWire(req: HeartbeatRequest__Output, streamId: number): HeartbeatInput {
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
  c: Command, locate: (nodeId: string) => { nodeId: string; host: string; dataPort: number; rack: string } | undefined,
  blockToken?: (grant: BlockTokenGrant) => string,
): DatanodeCommand {
  switch (c.kind) {
    case 'reregister':
      return { reregister: { reason: c.reason } };
    case 'shutdown':
      return { shutdown: { reason: c.reason } };
    case 'invalidate':
      return { invalidate: { blockIds: c.blockIds } };
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
