/**
 * The opening side of the block transfer protocol (transfer-codec.ts), shared by the client
 * (reads, write pipeline) and the DataNode (replication pushes).
 *
 * `TransferWriteStream`: one WRITE/REPLICATE connection to the first node of a pipeline. send()
 * waits while `maxInFlight` packets are unacked or the socket buffer is full (backpressure), acks
 * must arrive in seqno order, the last one finalized. Any failure (an error status, a malformed
 * ack, the connection closing early, no progress for `idleTimeoutMs`) rejects with
 * TransferWriteError naming the node at fault: the one the status names, else the first node.
 *
 * `readBlockFrames`: one READ connection, yielding the packets the DataNode sends until the last
 * one; an error status rejects with the typed error it carries. The caller verifies CRCs.
 */
import { DfsError, TransferProtocolError, UnavailableError } from './errors';
import { Limits } from './limits';
import type { TlsMaterial } from './tls';
import {
  FrameDecoder, type PacketFrame, type TransferFrame, type TransferOpHeaderIn, type TransferStatus__Output, encodePacketHead, encodePreamble,
} from './transfer-codec';
import { TRANSFER_SOCKET_BUFFER_BYTES, type TransferSocket, connectTransfer } from './transfer-socket';

/** Where a DataNode's transfer port is. */
export interface TransferTarget {
  nodeId: string;
  host: string;
  transferPort: number;
}

/** A failed write connection: the typed error and the pipeline node at fault. */
export class TransferWriteError extends Error {
  override readonly name = 'TransferWriteError';
  constructor(readonly error: DfsError, readonly badNode: string) {
    super(error.message);
  }
}

export interface TransferWriteOptions {
  tls?: TlsMaterial;
  /** Default Limits.maxPacketsInFlight. */
  maxInFlight?: number;
  /** No ack, no drain for this long fails the write (naming the first node). Default Limits.transferIdleTimeoutMs. */
  idleTimeoutMs?: number;
  /** Called on every ack (progress). */
  onAck?: (status: TransferStatus__Output) => void;
}

export class TransferWriteStream {
  private seqno = 0;
  private offset = 0;
  private acked = 0;
  private lastSeqno: number | undefined;
  private final: TransferStatus__Output | undefined;
  private error: TransferWriteError | undefined;
  private waiters: Array<() => void> = [];
  private needDrain = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly maxInFlight: number;
  private readonly idleTimeoutMs: number;

  private constructor(private readonly socket: TransferSocket, private readonly target: TransferTarget, private readonly options: TransferWriteOptions) {
    this.maxInFlight = options.maxInFlight ?? Limits.maxPacketsInFlight;
    this.idleTimeoutMs = options.idleTimeoutMs ?? Limits.transferIdleTimeoutMs;
    const decoder = new FrameDecoder(false);
    socket.on('data', (chunk: Buffer) => {
      if (this.error || this.final) return;
      let frames: TransferFrame[];
      try {
        frames = decoder.push(chunk) as TransferFrame[];
      } catch (err) {
        this.failWith(err as DfsError, target.nodeId);
        return;
      }
      for (const frame of frames) {
        if (frame.kind !== 'message') {
          this.failWith(new TransferProtocolError(`${target.nodeId} sent a packet on a write connection`), target.nodeId);
          return;
        }
        this.onStatus(frame.status);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!this.final) this.failWith(new UnavailableError(`${target.nodeId} closed the connection before the block was finalized`), target.nodeId);
    });
    socket.on('drain', () => {
      this.needDrain = false;
      this.touch();
      this.notify();
    });
    this.touch();
  }

  /** Connects to `target` and sends the header; a failure to connect names `target`. */
  static async open(target: TransferTarget, header: TransferOpHeaderIn, options: TransferWriteOptions = {}): Promise<TransferWriteStream> {
    let socket: TransferSocket;
    try {
      socket = await connectTransfer(target.host, target.transferPort, options.tls);
    } catch (err) {
      throw new TransferWriteError(err instanceof DfsError ? err : new UnavailableError(String(err)), target.nodeId);
    }
    const stream = new TransferWriteStream(socket, target, options);
    socket.write(encodePreamble(header));
    return stream;
  }

  /** Sends the next packet (seqno and offset are counted here); waits for window and socket buffer. */
  async send(data: Buffer, chunkCrcs: readonly number[], last: boolean): Promise<void> {
    await this.until(() => this.seqno - this.acked < this.maxInFlight && !this.needDrain);
    this.seqno += 1;
    if (last) this.lastSeqno = this.seqno;
    const head = encodePacketHead(this.seqno, this.offset, last, data, chunkCrcs);
    this.offset += data.length;
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(data);
    this.socket.uncork();
    if (this.socket.writableLength > TRANSFER_SOCKET_BUFFER_BYTES) this.needDrain = true;
  }

  /** Resolves with the finalized ack (every node of the pipeline has the block on disk). */
  async finalized(): Promise<TransferStatus__Output> {
    await this.until(() => this.final !== undefined);
    return this.final!;
  }

  /** Closes the connection (after a finalized ack: cleanly; before: the pipeline aborts the block). */
  close(): void {
    clearTimeout(this.idleTimer);
    if (this.final) this.socket.end();
    else {
      this.failWith(new UnavailableError('write cancelled'), this.target.nodeId);
      this.socket.destroy();
    }
  }

  private onStatus(status: TransferStatus__Output): void {
    this.touch();
    if (status.errorCode) {
      const error = new DfsError(status.errorCode as DfsError['code'], status.errorMessage || 'write failed');
      this.failWith(error, status.badNode || this.target.nodeId);
      return;
    }
    if (status.seqno !== this.acked + 1 || status.seqno > this.seqno) {
      this.failWith(new DfsError('INTERNAL', `${this.target.nodeId} acked packet ${status.seqno}, expected ${this.acked + 1}`), this.target.nodeId);
      return;
    }
    this.acked = status.seqno;
    if (status.finalized) {
      if (status.seqno !== this.lastSeqno) {
        this.failWith(new DfsError('INTERNAL', `${this.target.nodeId} finalized at packet ${status.seqno} before the last one`), this.target.nodeId);
        return;
      }
      this.final = status;
      clearTimeout(this.idleTimer);
    }
    this.options.onAck?.(status);
    this.notify();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.final || this.error) return;
    this.idleTimer = setTimeout(() => {
      this.failWith(new UnavailableError(`pipeline at ${this.target.nodeId} made no progress for ${this.idleTimeoutMs} ms`), this.target.nodeId);
      this.socket.destroy();
    }, this.idleTimeoutMs);
  }

  private failWith(error: DfsError, badNode: string): void {
    if (this.error || this.final) return;
    this.error = new TransferWriteError(error, badNode);
    clearTimeout(this.idleTimer);
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.error) throw this.error;
      if (condition()) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

export interface TransferReadOptions {
  tls?: TlsMaterial;
  /** Nothing received for this long fails the read with UnavailableError. Default Limits.transferIdleTimeoutMs. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads [offsetBytes, offsetBytes + lengthBytes) of a block (length 0: to the end) from one
 * DataNode; yields its packets (CRCs unchecked) until the last one. Rejects with the typed error
 * of an error status, UnavailableError for connection failures and timeouts, TransferProtocolError
 * for malformed frames.
 */
export async function* readBlockFrames(target: TransferTarget, header: Omit<TransferOpHeaderIn, 'op'>, options: TransferReadOptions = {}): AsyncGenerator<PacketFrame> {
  const idleTimeoutMs = options.idleTimeoutMs ?? Limits.transferIdleTimeoutMs;
  const socket = await connectTransfer(target.host, target.transferPort, options.tls);
  const decoder = new FrameDecoder(false);
  const queue: PacketFrame[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Packets buffered before reading pauses (backpressure to the DataNode through TCP). */
  const highWater = 16;
  socket.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      for (const frame of decoder.push(chunk) as TransferFrame[]) {
        if (frame.kind === 'message') {
          failure = frame.status.errorCode
            ? new DfsError(frame.status.errorCode as DfsError['code'], frame.status.errorMessage || 'read failed')
            : new TransferProtocolError(`${target.nodeId} sent a status without an error on a read`);
        } else {
          queue.push(frame);
        }
      }
    } catch (err) {
      failure = err as Error;
    }
    if (queue.length >= highWater) socket.pause();
    notify();
  });
  socket.on('error', (err) => {
    failure ??= new UnavailableError(`read from ${target.nodeId} failed: ${err.message}`);
    notify();
  });
  socket.on('close', () => {
    ended = true;
    notify();
  });
  const onAbort = () => socket.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    socket.write(encodePreamble({ ...header, op: 'TRANSFER_OP_READ' }));
    for (;;) {
      const frame = queue.shift();
      if (frame) {
        if (queue.length < highWater / 2) socket.resume();
        yield frame;
        if (frame.last) return;
        continue;
      }
      if (failure) throw failure;
      if (ended) throw new UnavailableError(`${target.nodeId} closed the read before the last packet`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new UnavailableError(`${target.nodeId} sent nothing for ${idleTimeoutMs} ms`)), idleTimeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
