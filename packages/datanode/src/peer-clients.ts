/**
 * DataTransfer clients towards other DataNodes (pipeline forwarding, replication pushes), one
 * channel per address, reused across streams. The cache is bounded (least recently used channel
 * closed first) so a long-lived node that has talked to many peers does not keep every socket.
 * Channels fail fast (no wait-for-ready): a dead peer turns into an UNAVAILABLE error at once,
 * which the pipeline reports as that peer being bad. Data channels use the wide HTTP/2 window
 * (Limits.dataFlowControlWindowBytes).
 */
import * as grpc from '@grpc/grpc-js';
import { DATA_CHANNEL_OPTIONS, type DataTransferClient, loadProtos } from '@minidfs/common';
import { type DatanodeLocationIn, locationAddress } from './wire';

/** Peer channels kept open at once; the least recently used one is closed beyond this. */
export const MAX_PEER_CHANNELS = 256;

export class PeerClients {
  private readonly clients = new Map<string, DataTransferClient>();

  /** credentials: TLS towards other DataNodes (mutual TLS with this node's certificate); default plaintext. */
  constructor(private readonly maxChannels = MAX_PEER_CHANNELS, private readonly credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {}

  /** The client for a location's data-transfer address. */
  get(location: DatanodeLocationIn): DataTransferClient {
    const address = locationAddress(location);
    let client = this.clients.get(address);
    if (client) {
      // Refresh recency: Map iteration order is insertion order.
      this.clients.delete(address);
    } else {
      client = new (loadProtos().DataTransfer)(address, this.credentials, DATA_CHANNEL_OPTIONS);
      while (this.clients.size >= this.maxChannels) {
        const [oldest, oldClient] = this.clients.entries().next().value as [string, DataTransferClient];
        this.clients.delete(oldest);
        oldClient.close();
      }
    }
    this.clients.set(address, client);
    return client;
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
