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
import { ClientCache } from './client-cache';
import { type DatanodeLocationIn, locationAddress } from './wire';

/** Peer channels kept open at once; the least recently used one is closed beyond this. */
export const MAX_PEER_CHANNELS = 256;

export class PeerClients {
  private readonly clients: ClientCache<DataTransferClient>;

  /** credentials: TLS towards other DataNodes (mutual TLS with this node's certificate); default plaintext. */
  constructor(maxChannels = MAX_PEER_CHANNELS, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.clients = new ClientCache(maxChannels, (address) => new (loadProtos().DataTransfer)(address, credentials, DATA_CHANNEL_OPTIONS));
  }

  /** The client for a location's data-transfer address. */
  get(location: DatanodeLocationIn): DataTransferClient {
    return this.clients.get(locationAddress(location));
  }

  closeAll(): void {
    this.clients.closeAll();
  }
}
