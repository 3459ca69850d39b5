/**
 * One DataTransfer channel per DataNode address, shared by every read and write of a DfsClient and
 * closed with it. Data channels get the wide HTTP/2 flow-control window of
 * Limits.dataFlowControlWindowBytes.
 */
import * as grpc from '@grpc/grpc-js';
import { DATA_CHANNEL_OPTIONS, type DataTransferClient, type TlsMaterial, loadProtos } from '@minidfs/common';
import { type DatanodeLocation, locationAddress } from './wire';

/** Distinct DataNode channels one client keeps open; the least recently used one is closed beyond it. */
export const MAX_DATANODE_CHANNELS = 256;


export class DatanodePool {
  private readonly clients = new Map<string, DataTransferClient>();
  private closed = false;

  /**
   * credentials: TLS towards the DataNodes' gRPC ports; default plaintext. tls: the same PEM
   * material for block transfer (TCP) connections, which are opened per operation.
   */
  constructor(private readonly credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(), readonly tls?: TlsMaterial) {}

  get(location: DatanodeLocation): DataTransferClient {
    if (this.closed) throw new Error('DfsClient is closed');
    const address = locationAddress(location);
    let client = this.clients.get(address);
    if (client) {
      this.clients.delete(address); // re-insert: Map order is the LRU order
    } else {
      client = new (loadProtos().DataTransfer)(address, this.credentials, DATA_CHANNEL_OPTIONS);
      if (this.clients.size >= MAX_DATANODE_CHANNELS) {
        const [oldestAddress, oldest] = this.clients.entries().next().value as [string, DataTransferClient];
        this.clients.delete(oldestAddress);
        oldest.close();
      }
    }
    this.clients.set(address, client);
    return client;
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
