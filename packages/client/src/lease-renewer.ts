/**
 * The writer's lease heartbeat (HDFS LeaseRenewer): while this client has a file open for write,
 * it calls RenewLease every half of the NameNode's soft limit, so a writer that is slow between
 * blocks keeps its files; a client that dies stops renewing and the NameNode recovers its files
 * (docs/ARCHITECTURE.md, Writer leases). One timer per client, whatever the number of open files.
 */
import type { Logger } from '@minidfs/common';
import type { NameNodeRpc } from './namenode-rpc';

/** Soft limit assumed when the NameNode sent none (HDFS's 60 s). */
export const DEFAULT_LEASE_SOFT_LIMIT_MS = 60_000;
/** Shortest renewal period, whatever the soft limit. */
export const MIN_LEASE_RENEW_INTERVAL_MS = 50;

export class LeaseRenewer {
  private open = 0;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = DEFAULT_LEASE_SOFT_LIMIT_MS / 2;

  constructor(private readonly rpc: NameNodeRpc, private readonly clientName: string, private readonly logger: Logger) {}

  /** A file was opened for write; `softLimitMs` from its CreateResponse (0 = not sent). */
  begin(softLimitMs: number): void {
    this.open += 1;
    const interval = Math.max(MIN_LEASE_RENEW_INTERVAL_MS, Math.floor((softLimitMs > 0 ? softLimitMs : DEFAULT_LEASE_SOFT_LIMIT_MS) / 2));
    if (this.timer && interval >= this.intervalMs) return;
    this.intervalMs = interval;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.renew(), interval);
    this.timer.unref();
  }

  /** A file opened with begin() was closed or abandoned. */
  end(): void {
    this.open = Math.max(0, this.open - 1);
    if (this.open === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    this.open = 0;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(): void {
    this.rpc.call('RenewLease', { clientName: this.clientName }).catch((err: Error) => {
      this.logger.warn('lease renewal failed', { event: 'lease-renew-failed', clientName: this.clientName, error: err.message });
    });
  }
}
