/**
 * The DataNode's gRPC client to the NameNode, replaceable. A grpc-js channel whose peer vanished
 * without a FIN/RST (a partition, a container that came back on a new address) keeps its dead
 * connection until TCP gives up (~15 min). The heartbeat link therefore asks for a fresh channel
 * whenever it reconnects; every user fetches the current client through get().
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, type DatanodeProtocolClient, loadProtos, parseHostPort } from '@minidfs/common';

export class NamenodeChannel {
  private client: DatanodeProtocolClient;
  private readonly target: string;

  /** credentials: TLS towards the NameNode; default plaintext. */
  constructor(address: string, private readonly credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    const { host, port } = parseHostPort(address);
    this.target = `${host}:${port}`;
    this.client = this.create();
  }

  get(): DatanodeProtocolClient {
    return this.client;
  }

  /** Drops the current channel (its calls fail) and opens a new one. */
  reconnect(): void {
    const old = this.client;
    this.client = this.create();
    old.close();
  }

  close(): void {
    this.client.close();
  }

  private create(): DatanodeProtocolClient {
    return new (loadProtos().DatanodeProtocol)(this.target, this.credentials, CHANNEL_OPTIONS);
  }
}
