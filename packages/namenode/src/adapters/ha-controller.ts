/**
 * HaController: which NameNode of an HA group is active (docs/HA.md). The heartbeat pattern
 * applied to the central server: each NameNode keeps an etcd lease alive (its heartbeat, TTL
 * `leaseTtlMs`); the one that creates the leader key, bound to its lease, is ACTIVE and its epoch
 * is that key's create revision (monotonic across leaderships). The others are STANDBY and watch
 * the key; when it disappears (the active's lease expired or it resigned) they campaign.
 *
 * Self-fencing: the active may act only while its lease is certainly alive at etcd: until the
 * send time of the last keepalive etcd acknowledged plus the TTL, minus LEASE_SAFETY_MARGIN_MS.
 * Past that it acts on nothing (suspended) until etcd answers: a keepalive that finds the lease
 * alive resumes it (the leader key bound to the lease is still its own: an etcd leader election
 * costs no failover), one that finds it gone deposes it. A process paused past its lease (SIGSTOP,
 * a long GC) finds on resume that mayAct() is false before it answers anything; its edits are
 * refused by etcd in any case (EtcdEditLog's fenced transaction). An active that loses its leadership never demotes in place (its memory may be
 * ahead of the log): onDeposed is called and the process exits to be restarted as a standby.
 *
 * Timers and the etcd client live here; the decisions (elect, promote, step down) are few and
 * explicit, and every role change is one structured log line.
 */
import type { Etcd3, Lease } from 'etcd3';
import { type Logger, NotActiveError } from '@minidfs/common';
import { ETCD_CALL_TIMEOUT_MS, type EtcdKeys } from './etcd-edit-log';

/** Time kept between the end of the lease as this process computes it and its real end at etcd (clock rate, scheduling). */
export const LEASE_SAFETY_MARGIN_MS = 100;
/** After a graceful resign, time given to the HaFailover answer to leave before the process steps down. */
export const RESIGN_EXIT_DELAY_MS = 300;
/** Keepalives per lease TTL. */
export const KEEPALIVES_PER_TTL = 4;
/**
 * A suspended active steps down after this many TTLs past its validity without any answer from
 * etcd. Waiting is safe (it acts on nothing meanwhile) and etcd extends every lease across a
 * leader election, so an election slowed by a loaded host must not cost a failover.
 */
export const DEPOSE_AFTER_TTLS = 2;

export interface HaConfig {
  /** This NameNode's id in the group (--ha-id). */
  id: string;
  /** The client RPC address clients and `ha status` use for this NameNode. */
  address: string;
  /** Lease TTL, ms (whole seconds: etcd leases are). */
  leaseTtlMs: number;
}

export interface HaHooks {
  /** Elected with `epoch`: catch up with the edit log and take over; resolves when serving as active. */
  onElected(epoch: number): Promise<void>;
  /** This NameNode must stop acting at once (lease lost while active, fenced, resigned): exit and restart as a standby. */
  onDeposed(reason: string): void;
}

export type HaRoleName = 'ACTIVE' | 'STANDBY';

export class HaController {
  private role: 'STANDBY' | 'PROMOTING' | 'ACTIVE' | 'RESIGNING' | 'STOPPED' = 'STANDBY';
  private epochValue = 0;
  private activeAddress = '';
  private lease: Lease | undefined;
  private leaseId = '';
  /** performance.now() until which the lease is certainly alive at etcd. */
  private validUntil = 0;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private keepaliveInFlight = false;
  /** Active whose lease validity ran out unconfirmed: it acts on nothing until a keepalive answers. */
  private suspended = false;
  private leaderWatch: { cancel(): Promise<void> } | undefined;
  private campaigning = false;
  /** Counters for /metrics. */
  readonly counts = { elections: 0, electionsWon: 0, failovers: 0, deposed: 0, fencedCommands: 0, fencedEdits: 0 };

  constructor(
    private readonly client: Etcd3, private readonly keys: EtcdKeys, private readonly config: HaConfig,
    private readonly logger: Logger, private readonly hooks: HaHooks,
  ) {}

  async start(): Promise<void> {
    await this.grantLease();
    this.keepaliveTimer = setInterval(() => this.keepalive(), Math.max(100, Math.floor(this.config.leaseTtlMs / KEEPALIVES_PER_TTL)));
    const watch = await this.client.watch().key(this.keys.leader).create();
    this.leaderWatch = watch;
    watch.on('put', (kv) => this.leaderIs(kv.value.toString(), Number(kv.create_revision)));
    watch.on('delete', () => {
      this.activeAddress = '';
      this.logger.info('no active NameNode: campaigning', { event: 'ha-leader-gone', id: this.config.id, lastEpoch: this.epochValue });
      void this.campaign();
    });
    await this.campaign();
  }

  /** Whether this NameNode may order DataNodes and answer clients now. */
  mayAct(): boolean {
    return this.role === 'ACTIVE' && performance.now() < this.validUntil;
  }

  requireActive(method: string): void {
    if (this.mayAct()) return;
    throw new NotActiveError(`${method}: this NameNode (${this.config.id}) is ${this.role === 'ACTIVE' ? 'waiting for etcd to confirm its lease' : 'not the active'}`
      + (this.activeAddress ? `; the active is ${this.activeAddress}` : ''));
  }

  get roleName(): HaRoleName {
    return this.role === 'ACTIVE' && this.mayAct() ? 'ACTIVE' : 'STANDBY';
  }

  get epoch(): number {
    return this.epochValue;
  }

  status(): { namenodeId: string; address: string; role: HaRoleName; epoch: number; activeAddress: string } {
    return { namenodeId: this.config.id, address: this.config.address, role: this.roleName, epoch: this.epochValue, activeAddress: this.activeAddress };
  }

  /**
   * Graceful hand-over: stop taking requests, let `drain` finish the edits in flight, delete the
   * leader key (only if it is still ours), then step down (the process restarts as a standby;
   * a standby watching the key wins meanwhile).
   */
  async failover(drain: () => Promise<void>): Promise<number> {
    this.requireActive('HaFailover');
    const epoch = this.epochValue;
    this.role = 'RESIGNING';
    this.logger.info('resigning the leadership', { event: 'ha-resigning', id: this.config.id, epoch });
    await drain().catch(() => undefined);
    await this.client.if(this.keys.leader, 'Create', '==', epoch).then(this.client.delete().key(this.keys.leader))
      .options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).commit();
    // Answer first, then go (RESIGNING refuses everything meanwhile).
    setTimeout(() => this.depose('resigned (ha failover)'), RESIGN_EXIT_DELAY_MS);
    return epoch;
  }

  /** Stops: a graceful stop revokes the lease, so an active's leadership ends at once instead of after the TTL. */
  async stop(): Promise<void> {
    const wasActive = this.role === 'ACTIVE';
    this.role = 'STOPPED';
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    await this.leaderWatch?.cancel().catch(() => undefined);
    await this.lease?.revoke({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).catch(() => undefined);
    if (wasActive) this.logger.info('leadership released', { event: 'ha-released', id: this.config.id, epoch: this.epochValue });
  }

  private async grantLease(): Promise<void> {
    const ttlSeconds = Math.ceil(this.config.leaseTtlMs / 1000);
    this.lease = this.client.lease(ttlSeconds, { autoKeepAlive: false });
    const sentAt = performance.now();
    this.leaseId = await this.lease.grant();
    this.validUntil = sentAt + this.config.leaseTtlMs - LEASE_SAFETY_MARGIN_MS;
  }

  private keepalive(): void {
    if (this.role === 'STOPPED') return;
    const sentAt = performance.now();
    if (this.role === 'ACTIVE' && this.suspended && sentAt - this.validUntil > DEPOSE_AFTER_TTLS * this.config.leaseTtlMs) {
      // Unconfirmed for DEPOSE_AFTER_TTLS TTLs past its validity: etcd (as the others reach it) has
      // let the lease go by now, and an etcd leader election would have answered.
      this.depose(`lease not confirmed for ${DEPOSE_AFTER_TTLS} TTLs past its validity (cut off from etcd?)`);
      return;
    }
    if (this.role === 'ACTIVE' && sentAt >= this.validUntil && !this.suspended) {
      // Not certain the lease lives (etcd electing a leader, a partition, this process paused):
      // act on nothing until etcd answers. A live lease resumes; a lost one deposes.
      this.suspended = true;
      this.logger.warn('lease not confirmed in time: acting on nothing until etcd answers', {
        event: 'ha-suspended', id: this.config.id, epoch: this.epochValue, msPastValidity: Math.round(sentAt - this.validUntil),
      });
    }
    const lease = this.lease;
    // One keepalive at a time; a slow answer still counts from its send time (up to a whole TTL:
    // an older one proves nothing), so a busy etcd or event loop does not depose a healthy active.
    if (!lease || this.keepaliveInFlight) return;
    this.keepaliveInFlight = true;
    lease.keepaliveOnce({ deadline: Date.now() + this.config.leaseTtlMs }).finally(() => { this.keepaliveInFlight = false; }).then((res) => {
      if (lease !== this.lease) return;
      if (Number(res.TTL) > 0) {
        // The lease lives, so the leader key bound to it is still ours: safe to act again.
        this.validUntil = Math.max(this.validUntil, sentAt + this.config.leaseTtlMs - LEASE_SAFETY_MARGIN_MS);
        if (this.suspended && performance.now() < this.validUntil) {
          this.suspended = false;
          this.logger.info('lease confirmed: acting again', { event: 'ha-resumed', id: this.config.id, epoch: this.epochValue });
        }
      } else {
        this.leaseLost();
      }
    }, (err: Error) => {
      if (lease !== this.lease) return;
      if (/not found|NotFound|requested lease not found/i.test(err.message)) this.leaseLost();
      else this.logger.warn('lease keepalive failed', { event: 'ha-keepalive-failed', id: this.config.id, error: err.message });
    });
  }

  /** The lease expired at etcd: an active is deposed; a standby takes a new lease and campaigns with it. */
  private leaseLost(): void {
    if (this.role === 'ACTIVE' || this.role === 'PROMOTING' || this.role === 'RESIGNING') {
      this.depose('lease expired at etcd');
      return;
    }
    if (this.role !== 'STANDBY') return;
    this.logger.warn('lease expired: taking a new one', { event: 'ha-lease-renewed', id: this.config.id });
    void this.grantLease().then(() => this.campaign(), (err: Error) => this.logger.warn('lease grant failed', { event: 'ha-lease-failed', error: err.message }));
  }

  private leaderIs(raw: string, epoch: number): void {
    let address = '';
    let id = '';
    try {
      const v = JSON.parse(raw) as { address?: unknown; id?: unknown };
      address = typeof v.address === 'string' ? v.address : '';
      id = typeof v.id === 'string' ? v.id : '';
    } catch { /* a foreign value: the address stays unknown */ }
    if (epoch > this.epochValue && id !== this.config.id) {
      this.epochValue = epoch;
      this.activeAddress = address;
      if (this.role === 'ACTIVE' || this.role === 'PROMOTING') this.depose(`another NameNode (${id}) leads epoch ${epoch}`);
      else this.logger.info('active NameNode elected elsewhere', { event: 'ha-follow', id: this.config.id, active: id, activeAddress: address, epoch });
    }
  }

  private async campaign(): Promise<void> {
    if (this.role !== 'STANDBY' || this.campaigning) return;
    this.campaigning = true;
    this.counts.elections += 1;
    try {
      const value = JSON.stringify({ id: this.config.id, address: this.config.address });
      const res = await this.client.if(this.keys.leader, 'Create', '==', 0)
        .then(this.client.put(this.keys.leader).value(value).lease(this.leaseId))
        .else(this.client.get(this.keys.leader))
        .options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).commit();
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs[0];
        if (kv) this.leaderIs(kv.value.toString(), Number(kv.create_revision));
        return;
      }
      const epoch = Number(res.header.revision);
      if (this.epochValue > 0) this.counts.failovers += 1; // another NameNode led before
      this.epochValue = epoch;
      this.activeAddress = this.config.address;
      this.role = 'PROMOTING';
      this.counts.electionsWon += 1;
      this.logger.info('elected: catching up before taking over', { event: 'ha-elected', id: this.config.id, epoch });
      try {
        await this.hooks.onElected(epoch);
      } catch (err) {
        this.depose(`promotion failed: ${(err as Error).message}`);
        return;
      }
      if (this.role !== 'PROMOTING') return;
      this.role = 'ACTIVE';
      this.logger.info('active', { event: 'ha-role', id: this.config.id, role: 'ACTIVE', epoch });
    } catch (err) {
      this.logger.warn('campaign failed; retrying when the leader key changes or the lease is renewed', {
        event: 'ha-campaign-failed', id: this.config.id, error: (err as Error).message,
      });
      setTimeout(() => void this.campaign(), Math.floor(this.config.leaseTtlMs / KEEPALIVES_PER_TTL)).unref();
    } finally {
      this.campaigning = false;
    }
  }

  private depose(reason: string): void {
    if (this.role === 'STOPPED') return;
    const was = this.role;
    this.role = 'STOPPED';
    this.counts.deposed += 1;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.logger.warn('no longer active: stepping down', { event: 'ha-deposed', id: this.config.id, epoch: this.epochValue, was, reason });
    this.hooks.onDeposed(reason);
  }
}
