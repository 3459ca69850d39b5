/**
 * Promise wrapper around the ClientProtocol stubs of the configured NameNodes: one deadline per
 * call, typed errors (fromGrpcError), failover between NameNodes (HA), and a bounded wait while the
 * NameNode is in safe mode. SAFE_MODE means the NameNode refused the call without doing anything,
 * so retrying any call, mutating or not, is safe.
 *
 * Failover: a call goes to the NameNode believed active (the first configured one until another
 * answers). NOT_ACTIVE (a standby: nothing was done), no connection, a broken connection or a
 * passed deadline move it to the next NameNode, as decideFailover in failover.ts says (the first
 * try of each NameNode at once, then 50 ms doubling to 1 s, no new try after 15 s by default); the
 * NameNode that answers becomes the one believed active for later calls. A call whose request may
 * have been sent is resent too (the NameNode makes Create, Complete and AddBlock idempotent; a
 * resent Delete may answer false), except HaFailover. One log line per failover. With a single
 * NameNode nothing changes: its error is the call's error at once.
 *
 * Before a call on a channel that is not connected, the channel gets NAMENODE_CONNECT_TIMEOUT_MS
 * to connect. A failure to reach the NameNode becomes an UnavailableError that names the address
 * and what was found there (nothing listening, no answer, not a minidfs NameNode, unknown host)
 * and how to point the client elsewhere, instead of grpc-js's transport text.
 */
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import {
  CHANNEL_OPTIONS, type ClientProtocolClient, DfsError, ERROR_METADATA_KEY, InvalidArgumentError, type Logger, NotActiveError, SafeModeError,
  UnavailableError, formatHostPort, fromGrpcError, loadProtos, parseHostPort,
} from '@minidfs/common';
import { NoActiveNameNodeError } from './errors';
import {
  DEFAULT_NAMENODE_FAILOVER, type FailoverReason, type NameNodeFailoverPolicy, backoffDelays, type BackoffPolicy, decideFailover,
} from './failover';
import type { RequestOf, ResponseOf, UnaryMethod } from './wire';

/** Deadline of one NameNode call. */
export const NAMENODE_RPC_DEADLINE_MS = 30_000;
/**
 * Deadline of one try when several NameNodes are configured (HA): a paused or cut-off active must
 * not hold a call much longer than a failover takes (docs/HA.md); the call then goes to the next one.
 */
export const HA_NAMENODE_TRY_DEADLINE_MS = 5_000;
/** Longest wait for a channel that is not connected to reach the NameNode before a call fails. */
export const NAMENODE_CONNECT_TIMEOUT_MS = 5_000;
/** How the fix is named in connection errors (the CLI flag and its environment variable). */
const NAMENODE_HINT = 'is the cluster running? set --namenode or MINIDFS_NAMENODE';
/** Default time a call keeps retrying while the NameNode is in safe mode (after a restart). */
export const DEFAULT_SAFE_MODE_WAIT_MS = 30_000;
/** Default NameNode port when an address has none (HDFS: 8020). */
export const DEFAULT_NAMENODE_PORT = 8020;

/**
 * The NameNode addresses of `--namenode` / MINIDFS_NAMENODE: comma-separated HOST:PORT (port
 * defaults to 8020, IPv6 as [ADDRESS]:PORT), or a list; each normalized by formatHostPort,
 * duplicates dropped, order kept (the first is tried first). InvalidArgumentError for an empty
 * list or a malformed address.
 */
export function parseNameNodeAddresses(value: string | readonly string[], defaultPort = DEFAULT_NAMENODE_PORT): string[] {
  const items = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  const addresses: string[] = [];
  for (const item of items) {
    if (item.trim() === '') {
      throw new InvalidArgumentError(`expected HOST:PORT[,HOST:PORT...] (IPv6 as [ADDRESS]:PORT), got ${JSON.stringify(typeof value === 'string' ? value : value.join(','))}: an empty address`);
    }
    const { host, port } = parseHostPort(item, defaultPort);
    const address = formatHostPort(host, port);
    if (!addresses.includes(address)) addresses.push(address);
  }
  if (addresses.length === 0) throw new InvalidArgumentError('no NameNode address given (--namenode HOST:PORT[,HOST:PORT...])');
  return addresses;
}

export interface NameNodeRpcOptions {
  /**
   * NameNode RPC addresses, HOST:PORT each (parseNameNodeAddresses), the first tried first. One
   * address: no failover. Several: an HA group (one ACTIVE, the others STANDBY).
   */
  addresses: readonly string[];
  logger: Logger;
  /** 0 = surface SafeModeError at once. */
  safeModeWaitMs: number;
  /** Deadline of one try on one NameNode; default NAMENODE_RPC_DEADLINE_MS. */
  deadlineMs?: number;
  /** Channel credentials (TLS); default plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** Failover between the addresses; unset fields from DEFAULT_NAMENODE_FAILOVER. */
  failover?: Partial<NameNodeFailoverPolicy>;
}

type UntypedUnary = (req: unknown, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;

/** One try on one NameNode: its answer, or its error and whether (and why) the call may move on. */
type TryResult<T> = { ok: true; value: T } | { ok: false; error: DfsError; reason: FailoverReason | undefined };

export class NameNodeRpc {
  readonly addresses: readonly string[];
  private readonly stubs: ClientProtocolClient[];
  private readonly deadlineMs: number;
  private readonly safeModeBackoff: BackoffPolicy;
  private readonly failoverPolicy: NameNodeFailoverPolicy;
  /** Index of the NameNode that answered last: where the next call goes first. */
  private activeIndex = 0;
  private closed = false;

  constructor(private readonly options: NameNodeRpcOptions) {
    if (options.addresses.length === 0) throw new InvalidArgumentError('NameNodeRpc: no NameNode address');
    this.addresses = [...options.addresses];
    const Client = loadProtos().ClientProtocol;
    this.stubs = this.addresses.map((a) => new Client(a, options.credentials ?? grpc.credentials.createInsecure(), CHANNEL_OPTIONS));
    this.deadlineMs = options.deadlineMs ?? (this.addresses.length > 1 ? HA_NAMENODE_TRY_DEADLINE_MS : NAMENODE_RPC_DEADLINE_MS);
    this.safeModeBackoff = { initialDelayMs: 100, maxDelayMs: 2000, totalBudgetMs: options.safeModeWaitMs };
    this.failoverPolicy = { ...DEFAULT_NAMENODE_FAILOVER, ...options.failover };
  }

  /** The NameNode the next call goes to first (the one that answered last). */
  get activeAddress(): string {
    return this.addresses[this.activeIndex]!;
  }

  async call<K extends UnaryMethod>(method: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    const delays = backoffDelays(this.safeModeBackoff);
    for (;;) {
      try {
        return await this.callWithFailover(method, request);
      } catch (err) {
        if (!(err instanceof SafeModeError)) throw err;
        const next = delays.next();
        if (next.done) throw err;
        this.options.logger.info('namenode in safe mode; retrying', { event: 'safe-mode-retry', method, delayMs: next.value });
        await sleep(next.value);
      }
    }
  }

  /**
   * One call to the NameNode at `address` (one of `addresses`), without failover or safe-mode
   * wait: for asking each NameNode in turn (GetHaStatus) or one chosen NameNode (HaFailover).
   * `deadlineMs` also bounds the connection wait.
   */
  async callAt<K extends UnaryMethod>(address: string, method: K, request: RequestOf<K>, deadlineMs = this.deadlineMs): Promise<ResponseOf<K>> {
    const index = this.addresses.indexOf(address);
    if (index < 0) throw new InvalidArgumentError(`${address} is not one of the configured NameNodes (${this.addresses.join(', ')})`);
    const r = await this.tryOnce(index, method, request, deadlineMs);
    if (!r.ok) throw r.error;
    return r.value;
  }

  private async callWithFailover<K extends UnaryMethod>(method: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    const started = Date.now();
    const lastErrors = new Map<string, DfsError>();
    let index = this.activeIndex;
    for (let attempt = 1; ; attempt++) {
      const belief = this.activeIndex;
      const r = await this.tryOnce(index, method, request, this.deadlineMs);
      if (r.ok || r.reason === undefined) {
        // An answer, even a typed error, comes from the active NameNode.
        this.activeIndex = index;
        if (r.ok) return r.value;
        throw r.error;
      }
      if (this.closed) throw r.error;
      const from = this.addresses[index]!;
      lastErrors.set(from, r.error);
      const d = decideFailover({
        method, reason: r.reason, attempt, failedIndex: index, activeFoundMeanwhileIndex: this.activeIndex !== belief ? this.activeIndex : undefined,
        namenodeCount: this.addresses.length, elapsedMs: Date.now() - started, policy: this.failoverPolicy,
      });
      if (d.kind === 'give-up') {
        if (d.why !== 'deadline') throw r.error;
        throw this.noActive(method, attempt, Date.now() - started, lastErrors);
      }
      const to = this.addresses[d.index]!;
      this.options.logger.warn('namenode failover', {
        event: 'namenode-failover', method, from, to, reason: r.reason, attempt, delayMs: d.delayMs, error: `${r.error.code}: ${r.error.message}`,
      });
      if (d.delayMs > 0) await sleep(d.delayMs);
      index = d.index;
    }
  }

  private noActive(method: string, attempts: number, elapsedMs: number, lastErrors: ReadonlyMap<string, DfsError>): NoActiveNameNodeError {
    const allStandby = [...lastErrors.values()].every((e) => e instanceof NotActiveError);
    const each = [...lastErrors].map(([a, e]) => `${a}: ${e.code}: ${e.message}`).join('; ');
    return new NoActiveNameNodeError(
      `no active NameNode among ${this.addresses.join(', ')}: ${method} failed ${attempts} times in ${elapsedMs} ms `
      + `(failover deadline ${this.failoverPolicy.deadlineMs} ms); last errors: ${each}`,
      allStandby ? 'NOT_ACTIVE' : 'UNAVAILABLE', attempts, lastErrors,
    );
  }

  /** One try on NameNode `index`. Never throws. */
  private async tryOnce<K extends UnaryMethod>(index: number, method: K, request: RequestOf<K>, deadlineMs: number): Promise<TryResult<ResponseOf<K>>> {
    const stub = this.stubs[index]!;
    const address = this.addresses[index]!;
    const connectTimeoutMs = Math.min(NAMENODE_CONNECT_TIMEOUT_MS, deadlineMs);
    const connection = await this.connected(stub, connectTimeoutMs);
    if (connection !== 'ready') {
      return { ok: false, error: await this.unreachable(address, connectTimeoutMs, connection === 'timeout'), reason: 'UNREACHABLE' };
    }
    const fn = stub[method] as unknown as UntypedUnary;
    try {
      const value = await new Promise<ResponseOf<K>>((resolve, reject) => {
        fn.call(stub, request, { deadline: Date.now() + deadlineMs }, (err, res) => {
          if (err) reject(err);
          else if (res === undefined || res === null) reject(fromGrpcError(new Error(`${method}: empty response`)));
          else resolve(res as ResponseOf<K>);
        });
      });
      return { ok: true, value };
    } catch (err) {
      const e = err as Partial<grpc.ServiceError>;
      // An answer from a minidfs NameNode carries its typed code; anything else is the transport's.
      if (e.metadata?.get(ERROR_METADATA_KEY).length) {
        const error = fromGrpcError(err);
        return { ok: false, error, reason: error instanceof NotActiveError ? 'NOT_ACTIVE' : undefined };
      }
      if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.INTERNAL) {
        return { ok: false, error: await this.unreachable(address, connectTimeoutMs), reason: 'LOST' };
      }
      if (e.code === grpc.status.CANCELLED && !this.closed) {
        // Not cancelled here (close() was not called): the server side reset the call (shutting down).
        return { ok: false, error: new UnavailableError(`${address} dropped the ${method} call before answering (${e.details ?? 'cancelled'}) — ${NAMENODE_HINT}`), reason: 'LOST' };
      }
      const error = fromGrpcError(err);
      return { ok: false, error, reason: e.code === grpc.status.DEADLINE_EXCEEDED ? 'LOST' : undefined };
    }
  }

  /** 'ready' once the channel is connected; 'failed' if an attempt fails; 'timeout' if it is still connecting after `timeoutMs`. */
  private async connected(stub: ClientProtocolClient, timeoutMs: number): Promise<'ready' | 'failed' | 'timeout'> {
    const channel = stub.getChannel();
    const deadline = Date.now() + timeoutMs;
    // Wait through IDLE and CONNECTING; a failed attempt (TRANSIENT_FAILURE) ends the wait at once,
    // as a call on such a channel would fail at once.
    for (let state = channel.getConnectivityState(true); state !== grpc.connectivityState.READY; state = channel.getConnectivityState(true)) {
      if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) return 'failed';
      const changed = await new Promise<boolean>((resolve) => channel.watchConnectivityState(state, deadline, (err) => resolve(!err)));
      if (!changed) return 'timeout';
    }
    return 'ready';
  }

  /** The error for a NameNode this client cannot reach, after a plain TCP probe of its address. */
  private async unreachable(address: string, timeoutMs: number, stillConnecting = false): Promise<UnavailableError> {
    const found = await probeTcp(address, timeoutMs);
    const what = found === 'open' && stillConnecting
      ? `${address} accepts TCP connections but completed no RPC handshake within ${timeoutMs} ms (a paused or overloaded NameNode?)`
      : found === 'open'
      ? `something at ${address} accepts connections but does not speak the NameNode's RPC protocol (the HTTP port?${this.options.credentials ? '' : ' a TLS-only NameNode?'})`
      : found === 'refused' ? `no NameNode at ${address}: connection refused`
      : found === 'timeout' ? `no answer from ${address} within ${timeoutMs} ms`
      : found === 'ENOTFOUND' || found === 'EAI_AGAIN' ? `cannot reach ${address}: unknown host`
      : `cannot reach ${address}: ${found}`;
    return new UnavailableError(`${what} — ${NAMENODE_HINT}`);
  }

  close(): void {
    this.closed = true;
    for (const stub of this.stubs) stub.close();
  }
}

/**
 * Opens and closes a plain TCP connection to `address` (HOST:PORT or [V6]:PORT): 'open',
 * 'refused', 'timeout', or the error code (ENOTFOUND for an unknown host, ...).
 */
function probeTcp(address: string, timeoutMs: number): Promise<string> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string) => { socket.destroy(); clearTimeout(timer); resolve(result); };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : err.code ?? err.message));
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
