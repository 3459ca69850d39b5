/**
 * What a DfsClient needs to reach DataNodes: block bytes go over the block transfer protocol (TCP,
 * common/transfer-client.ts), one connection per block operation (as HDFS), so there are no
 * channels to pool; this holds the TLS material those connections use (the client's certificate,
 * the cluster CA) and refuses use after close.
 */
import type { TlsMaterial } from '@minidfs/common';

export class DatanodePool {
  private closed = false;

  /** tls: PEM material for block transfer connections (common/tls.ts loadTls); default plaintext. */
  constructor(private readonly tlsMaterial?: TlsMaterial) {}

  get tls(): TlsMaterial | undefined {
    if (this.closed) throw new Error('DfsClient is closed');
    return this.tlsMaterial;
  }

  close(): void {
    this.closed = true;
  }
}
