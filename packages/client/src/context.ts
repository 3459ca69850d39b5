/** What a DfsClient shares with its read and write streams: NameNode stub, DataNode channels, identity, logger. */
import type { LeaseRenewer } from './lease-renewer';
import type { Logger } from '@minidfs/common';
import type { DatanodePool } from './datanode-pool';
import type { NameNodeRpc } from './namenode-rpc';

export interface ClientContext {
  readonly rpc: NameNodeRpc;
  readonly datanodes: DatanodePool;
  readonly clientName: string;
  readonly logger: Logger;
  /** The writer's lease heartbeat; absent in contexts that never write. */
  readonly leases?: LeaseRenewer;
}
