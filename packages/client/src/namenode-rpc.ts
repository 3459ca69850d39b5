/**
 * Promise wrapper around the ClientProtocol stub: one deadline per call, typed errors
 * (fromGrpcError), and a bounded wait while the NameNode is in safe mode. SAFE_MODE means the
 * NameNode refused the call without doing anything, so retrying any call, mutating or not, is safe.
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, type ClientProtocolClient, type Logger, SafeModeError, fromGrpcError, loadProtos } from '@minidfs/common';
import { backoffDelays, type BackoffPolicy } from './failover';
import type { RequestOf, ResponseOf, UnaryMethod } from './wire';

/** Deadline of one NameNode call. */
export const NAMENODE_RPC_DEADLINE_MS = 30_000;
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

  private once<K extends UnaryMethod>(method: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    const fn = this.stub[method] as unknown as UntypedUnary;
    return new Promise((resolve, reject) => {
      fn.call(this.stub, request, { deadline: Date.now() + this.deadlineMs }, (err, res) => {
        if (err) reject(fromGrpcError(err));
        else if (res === undefined || res === null) reject(fromGrpcError(new Error(`${method}: empty response`)));
        else resolve(res as ResponseOf<K>);
      });
    });
  }

  close(): void {
    this.stub.close();
  }
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
