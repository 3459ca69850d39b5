// Original file: proto/minidfs/v1/datanode_protocol.proto

import type { ReplicateCommand as _minidfs_v1_ReplicateCommand, ReplicateCommand__Output as _minidfs_v1_ReplicateCommand__Output } from '../../minidfs/v1/ReplicateCommand';
import type { InvalidateCommand as _minidfs_v1_InvalidateCommand, InvalidateCommand__Output as _minidfs_v1_InvalidateCommand__Output } from '../../minidfs/v1/InvalidateCommand';
import type { ReregisterCommand as _minidfs_v1_ReregisterCommand, ReregisterCommand__Output as _minidfs_v1_ReregisterCommand__Output } from '../../minidfs/v1/ReregisterCommand';
import type { ShutdownCommand as _minidfs_v1_ShutdownCommand, ShutdownCommand__Output as _minidfs_v1_ShutdownCommand__Output } from '../../minidfs/v1/ShutdownCommand';
import type { ProbePeersCommand as _minidfs_v1_ProbePeersCommand, ProbePeersCommand__Output as _minidfs_v1_ProbePeersCommand__Output } from '../../minidfs/v1/ProbePeersCommand';
import type { RecoverBlockCommand as _minidfs_v1_RecoverBlockCommand, RecoverBlockCommand__Output as _minidfs_v1_RecoverBlockCommand__Output } from '../../minidfs/v1/RecoverBlockCommand';

export interface DatanodeCommand {
  'replicate'?: (_minidfs_v1_ReplicateCommand | null);
  'invalidate'?: (_minidfs_v1_InvalidateCommand | null);
  'reregister'?: (_minidfs_v1_ReregisterCommand | null);
  'shutdown'?: (_minidfs_v1_ShutdownCommand | null);
  'probePeers'?: (_minidfs_v1_ProbePeersCommand | null);
  'recoverBlock'?: (_minidfs_v1_RecoverBlockCommand | null);
  'kind'?: "replicate"|"invalidate"|"reregister"|"shutdown"|"probePeers"|"recoverBlock";
}

export interface DatanodeCommand__Output {
  'replicate'?: (_minidfs_v1_ReplicateCommand__Output | null);
  'invalidate'?: (_minidfs_v1_InvalidateCommand__Output | null);
  'reregister'?: (_minidfs_v1_ReregisterCommand__Output | null);
  'shutdown'?: (_minidfs_v1_ShutdownCommand__Output | null);
  'probePeers'?: (_minidfs_v1_ProbePeersCommand__Output | null);
  'recoverBlock'?: (_minidfs_v1_RecoverBlockCommand__Output | null);
  'kind'?: "replicate"|"invalidate"|"reregister"|"shutdown"|"probePeers"|"recoverBlock";
}
