/**
 * Promise wrapper around the ClientProtocol stub: one deadline per call, typed errors
 * (fromGrpcError), and a bounded wait while the NameNode is in safe mode. SAFE_MODE means the
 * NameNode refused the call without doing anything, so retrying any call, mutating or not, is safe.
 *
 * Before a call on a channel that is not connected, the channel gets NAMENODE_CONNECT_TIMEOUT_MS
 * to connect. A failure to reach the NameNode becomes an UnavailableError that names the address
 * and what was found there (nothing listening, no answer, not a minidfs NameNode, unknown host)
 * and how to point the client elsewhere, instead of grpc-js's transport text.
 */
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import {
  CHANNEL_OPTIONS, type ClientProtocolClient, ERROR_METADATA_KEY, type Logger, SafeModeError, UnavailableError, fromGrpcError, loadProtos,
} from '@minidfs/common';
import { backoffDelays, type BackoffPolicy } from './failover';
import type { RequestOf, ResponseOf, UnaryMethod } from './wire';

/** Deadline of one NameNode call. */
export const NAMENODE_RPC_DEADLINE_MS = 30_000;
/** Longest wait for a channel that is not connected to reach the NameNode before a call fails. */
export const NAMENODE_CONNECT_TIMEOUT_MS = 5_000;
/** How the fix is named in connection errors (the CLI flag and its environment variable). */
const NAMENODE_HINT = 'is the cluster running? set --namenode or MINIDFS_NAMENODE';
/** Default time a call keeps retrying while the NameNode is in safe mode (after a restart). */
export const DEFAULT_SAFE_MODE_WAIT_MS = 30_000;

export interface NameNodeRpcOptions {
  address: string;
  logger: Logger;
  /** 0 = surface SafeModeError at once. */
  safeModeWaitMs: number;
  deadlineMs?: number;
  /** Channel credentials (TLS); default plaintext. */
  credentials?: grpc.ChannelCredentials;
}

type UntypedUnary = (req: unknown, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;

export class NameNodeRpc {
  private readonly stub: ClientProtocolClient;
  private readonly deadlineMs: number;
  private readonly safeModeBackoff: BackoffPolicy;

  constructor(private readonly options: NameNodeRpcOptions) {
    this.stub = new (loadProtos().ClientProtocol)(options.address, options.credentials ?? grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.deadlineMs = options.deadlineMs ?? NAMENODE_RPC_DEADLINE_MS;
    this.safeModeBackoff = { initialDelayMs: 100, maxDelayMs: 2000, totalBudgetMs: options.safeModeWaitMs };
  }

  async call<K extends UnaryMethod>(method: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    const delays = backoffDelays(this.safeModeBackoff);
    for (;;) {
      try {
        return await this.once(method, request);
      } catch (err) {
        if (!(err instanceof SafeModeError)) throw err;
        const next = delays.next();
        if (next.done) throw err;
        this.options.logger.info('namenode in safe mode; retrying', { event: 'safe-mode-retry', method, delayMs: next.value });
        await sleep(next.value);
      }
    }
  }

  private async once<K extends UnaryMethod>(method: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    await this.connected();
    const fn = this.stub[method] as unknown as UntypedUnary;
    try {
      return await new Promise((resolve, reject) => {
        fn.call(this.stub, request, { deadline: Date.now() + this.deadlineMs }, (err, res) => {
          if (err) reject(err);
          else if (res === undefined || res === null) reject(fromGrpcError(new Error(`${method}: empty response`)));
          else resolve(res as ResponseOf<K>);
        });
      });
    } catch (err) {
      const e = err as Partial<grpc.ServiceError>;
      // An answer from a minidfs NameNode carries its typed code; anything else is the transport's.
      if (e.metadata?.get(ERROR_METADATA_KEY).length || !(e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.INTERNAL)) {
        throw fromGrpcError(err);
      }
      throw await this.unreachable();
    }
  }

  /** Resolves once the channel is connected; fails within NAMENODE_CONNECT_TIMEOUT_MS otherwise. */
  private async connected(): Promise<void> {
    const channel = this.stub.getChannel();
    const deadline = Date.now() + NAMENODE_CONNECT_TIMEOUT_MS;
    // Wait through IDLE and CONNECTING; a failed attempt (TRANSIENT_FAILURE) ends the wait at once,
    // as a call on such a channel would fail at once.
    for (let state = channel.getConnectivityState(true); state !== grpc.connectivityState.READY; state = channel.getConnectivityState(true)) {
      if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) throw await this.unreachable();
      const changed = await new Promise<boolean>((resolve) => channel.watchConnectivityState(state, deadline, (err) => resolve(!err)));
      if (!changed) throw await this.unreachable();
    }
  }

  /** The error for a NameNode this client cannot reach, after a plain TCP probe of its address. */
  private async unreachable(): Promise<UnavailableError> {
    const address = this.options.address;
    const found = await probeTcp(address, NAMENODE_CONNECT_TIMEOUT_MS);
    const what = found === 'open'
      ? `something at ${address} accepts connections but does not speak the NameNode's RPC protocol (the HTTP port?${this.options.credentials ? '' : ' a TLS-only NameNode?'})`
      : found === 'refused' ? `no NameNode at ${address}: connection refused`
      : found === 'timeout' ? `no answer from ${address} within ${NAMENODE_CONNECT_TIMEOUT_MS} ms`
      : found === 'ENOTFOUND' || found === 'EAI_AGAIN' ? `cannot reach ${address}: unknown host`
      : `cannot reach ${address}: ${found}`;
    return new UnavailableError(`${what} — ${NAMENODE_HINT}`);
  }

  close(): void {
    this.stub.close();
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
