/**
 * The block transfer server: HDFS DataXceiver over plain TCP (or TLS) on the DataNode's own
 * transfer port (DatanodeInfo.transfer_port; the gRPC data_port keeps membership). Framing:
 * common/transfer-codec.ts, layout in proto/minidfs/v1/data_transfer.proto.
 *
 * Each connection carries one operation. The preamble must arrive within the idle timeout; its
 * block access token is checked (READ for reads; WRITE naming this node for writes and
 * replication) before any byte is accepted or served. Malformed input of any kind closes that
 * connection with a typed TransferStatus error and a `transfer-protocol-error` log line; the
 * process keeps serving.
 *
 * Write (WRITE / REPLICATE), the same state machine as the gRPC pipeline it replaces: packets
 * with seqno 1, 2, ...; each is CRC-checked once here (a corrupt packet is never forwarded and
 * this node names itself), its received bytes are forwarded unchanged to the next target
 * (cut-through: before the local write starts), written locally without checking again, and acked
 * upstream exactly once, in seqno order, when the local write is done and the downstream acked the
 * same seqno. The last packet's ack (finalized) is sent after the local finalize and the
 * downstream's finalized ack. Invariants: (1) at most `maxPacketsInFlight` packets are unacked
 * here and upstream reading pauses while the downstream socket is backed up, so memory per
 * connection is bounded; (2) a failed write leaves no readable replica on this node: the tmp block
 * is aborted, or, if already finalized here, deleted again (and reported deleted) before the error
 * status goes upstream. One exception keeps bytes: a client WRITE whose upstream vanished before
 * the last packet (connection closed or ended, or silent past the idle timeout) keeps what was
 * written here as a replica being written (BlockStore.keepPartial; every byte the pipeline
 * acknowledged is in it, since a packet is acked upstream only after its local write), reported
 * to the NameNode for block recovery (onPartialKept); (3) every failure this node originates for a pipeline fault names the bad node
 * (this node for local failures, the downstream or whatever it named); faults of the sender (bad
 * header, out-of-order packets, a stall) name none; (4) a connection that delivers no complete
 * frame for the idle timeout is closed (slowloris); (5) a node with packets forwarded and not acked
 * hears an ack within the ack deadline (pipelineAckDeadlineMs(ackTimeoutMs(), nodes downstream),
 * common/pipeline-deadline.ts) or fails the write naming its downstream.
 *
 * Read: pieces straight from BlockStore.read (spans with read-ahead), sent as packets; a corrupt
 * replica ends the read with CHECKSUM_MISMATCH and is reported to the NameNode.
 */
import type net from 'node:net';
import {
  type BlockAccessMode, ChecksumMismatchError, DfsError, FrameDecoder, InvalidArgumentError, Limits, type Logger, type PacketFrame,
  type TlsMaterial, type TransferFrame, type TransferOpHeader__Output, type TransferSocket, type TransferStatus__Output, TransferProtocolError,
  TRANSFER_SOCKET_BUFFER_BYTES, connectTransfer, createTransferServer, encodePacketHead, encodePreamble, encodeStatus, firstBadChunk, listenTransferServer, pipelineAckDeadlineMs, verifyBlockToken,
} from '@minidfs/common';
import { type BlockStore, type BlockWriter, type StoredBlock, validateBlockId, validateGenerationStamp } from './block-store';
import { MAX_PIPELINE_DOWNSTREAM } from './wire';

type Location = TransferOpHeader__Output['targets'][number];

/** Transfer counters, read by heartbeats, metrics and tests. Monotonic except activeTransfers. */
export interface TransferCounters {
  /** Block transfer connections (reads and writes) being served now. */
  activeTransfers: number;
  /** Packet data bytes accepted from upstream. */
  bytesReceived: number;
  /** Block data bytes sent: read responses, packets forwarded downstream, replication pushes. */
  bytesSent: number;
  /** Packets accepted from upstream. */
  packetsReceived: number;
  writesFinalized: number;
  writesFailed: number;
  readsServed: number;
  readsFailed: number;
  /** Connections refused because maxTransfers were already active. */
  transfersRefused: number;
}

export function newTransferCounters(): TransferCounters {
  return {
    activeTransfers: 0, bytesReceived: 0, bytesSent: 0, packetsReceived: 0, writesFinalized: 0, writesFailed: 0,
    readsServed: 0, readsFailed: 0, transfersRefused: 0,
  };
}


export interface BlockTransferServerOptions {
  /** This node's id as the NameNode knows it (acks, bad-node names, WRITE token targets). */
  nodeId: () => string;
  store: BlockStore;
  logger: Logger;
  counters?: TransferCounters;
  /** TLS for this port and for connections to downstream nodes; undefined = plaintext. */
  tls?: TlsMaterial;
  onBlockReceived?: (block: StoredBlock) => void;
  onBlockDeleted?: (blockId: number) => void;
  /** A client write lost its upstream mid-block; its bytes here were kept as a replica being written. */
  onPartialKept?: (block: StoredBlock) => void;
  onCorruptBlock?: (blockId: number) => void;
  /** Default Limits.maxTransfersPerDatanode. */
  maxTransfers?: number;
  /** Default Limits.maxPacketsInFlight. */
  maxPacketsInFlight?: number;
  /** Default Limits.transferIdleTimeoutMs. */
  idleTimeoutMs?: number;
  /**
   * Base pipeline ack deadline, ms, read when a write opens (the NameNode's liveness settings,
   * common/pipeline-deadline.ts). Absent or 0: Limits.pipelineAckTimeoutMaxMs.
   */
  ackTimeoutMs?: () => number;
  /** Key block access tokens are checked with; undefined = an open cluster, no checks. */
  blockTokenKey?: Buffer;
  wallNowMs?: () => number;
}

/** A failure: the typed error plus the pipeline node at fault (undefined: the sender's fault). */
class TransferFailure {
  /** `upstreamLost`: the sender vanished mid-block (not a fault of this node or its downstream). */
  constructor(readonly error: DfsError, readonly badNode: string | undefined, readonly upstreamLost = false) {}
}

function asDfsError(err: unknown): DfsError {
  return err instanceof DfsError ? err : new DfsError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** The error a TransferStatus carries, rebuilt as a typed error. */
export function errorOfStatus(status: TransferStatus__Output): DfsError {
  return new DfsError((status.errorCode || 'INTERNAL') as DfsError['code'], status.errorMessage || 'transfer failed');
}

function validateLocation(location: Location, what: string): void {
  if (!location.nodeId || location.nodeId.length > Limits.maxNodeIdLength) {
    throw new InvalidArgumentError(`${what}: a node id of 1..${Limits.maxNodeIdLength} characters is required`);
  }
  if (!location.host || location.host.length > Limits.maxHostLength || !Number.isInteger(location.transferPort) || location.transferPort < 1 || location.transferPort > 65535) {
    throw new InvalidArgumentError(`${what} (${location.nodeId}): need a host and a transfer port in 1..65535`);
  }
}

export class BlockTransferServer {
  readonly counters: TransferCounters;
  private readonly maxTransfers: number;
  private readonly server: net.Server;
  private readonly sockets = new Set<TransferSocket>();
  private readonly pipelines = new Set<TcpWritePipeline>();
  port = 0;

  constructor(private readonly options: BlockTransferServerOptions) {
    this.counters = options.counters ?? newTransferCounters();
    this.maxTransfers = options.maxTransfers ?? Limits.maxTransfersPerDatanode;
    this.server = createTransferServer(options.tls, (socket) => this.onConnection(socket));
  }

  async listen(host: string, port: number): Promise<number> {
    this.port = await listenTransferServer(this.server, host, port);
    return this.port;
  }

  /** Stops accepting; open transfers get `graceMs` to finish, then every connection is closed. */
  async close(graceMs = 0): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.sockets.size > 0 && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        const check = setInterval(() => {
          if (this.sockets.size === 0) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 20);
        timer.unref?.();
        setTimeout(() => clearInterval(check), graceMs).unref?.();
      });
    }
    this.abortAll('datanode stopping');
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  abortAll(reason: string): void {
    for (const pipeline of this.pipelines) pipeline.abort(reason);
  }

  private idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? Limits.transferIdleTimeoutMs;
  }

  private onConnection(socket: TransferSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined); // 'close' follows; each operation logs its own failure
    const decoder = new FrameDecoder(true);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    let handler: ((frames: TransferFrame[]) => void) | undefined;
    let done = false;
    const timer = setTimeout(() => refuse(new TransferProtocolError(`no transfer header within ${this.idleTimeoutMs()} ms`)), this.idleTimeoutMs());
    const refuse = (error: DfsError, badNode?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.options.logger.warn('transfer connection refused', {
        event: error instanceof TransferProtocolError ? 'transfer-protocol-error' : 'transfer-refused', remote, code: error.code, error: error.message,
      });
      closeWithStatus(socket, error, badNode);
    };
    socket.on('end', () => {
      if (!handler) refuse(new TransferProtocolError('the connection ended before a complete transfer header'));
      else pipelineOf(socket)?.onUpstreamEnd();
    });
    socket.on('data', (chunk: Buffer) => {
      if (done && !handler) return;
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        if (!handler) refuse(asDfsError(err));
        else if (pipelineOf(socket)) pipelineOf(socket)!.protocolError(asDfsError(err));
        else socket.destroy(); // a reader sent garbage after its header
        return;
      }
      if (handler) {
        handler(frames as TransferFrame[]);
        return;
      }
      if (frames.length === 0) return;
      const [first, ...rest] = frames;
      if (first!.kind !== 'header') return refuse(new TransferProtocolError('expected a transfer header'));
      clearTimeout(timer);
      done = true;
      try {
        handler = this.start(socket, first.header, remote);
      } catch (err) {
        done = false;
        const failure = err instanceof TransferFailure ? err : new TransferFailure(asDfsError(err), undefined);
        refuse(failure.error, failure.badNode);
        return;
      }
      if (rest.length > 0) handler(rest as TransferFrame[]);
    });
  }

  /** Validates the header and checks the token; returns the frame handler of the operation. Throws TransferFailure. */
  private start(socket: TransferSocket, header: TransferOpHeader__Output, remote: string): (frames: TransferFrame[]) => void {
    const ownId = this.options.nodeId();
    let blockId: number;
    let generationStamp: number;
    try {
      blockId = validateBlockId(header.blockId);
      generationStamp = validateGenerationStamp(header.generationStamp);
      this.checkToken(header.accessToken, blockId, generationStamp, header.op === 'TRANSFER_OP_READ' ? 'READ' : 'WRITE', ownId);
    } catch (err) {
      if (header.op === 'TRANSFER_OP_READ') this.counters.readsFailed += 1;
      else this.counters.writesFailed += 1;
      throw new TransferFailure(asDfsError(err), undefined);
    }
    if (this.counters.activeTransfers >= this.maxTransfers) {
      this.counters.transfersRefused += 1;
      throw new TransferFailure(new DfsError('RESOURCE_EXHAUSTED', `datanode ${ownId} already serves ${this.maxTransfers} transfers`), ownId);
    }
    if (header.op === 'TRANSFER_OP_READ') {
      this.counters.activeTransfers += 1;
      void this.serveRead(socket, blockId, generationStamp, header, remote).finally(() => { this.counters.activeTransfers -= 1; });
      // A reader sends nothing after the header; anything else is a protocol error.
      return (frames) => {
        if (frames.length > 0) socket.destroy();
      };
    }
    if (header.targets.length > MAX_PIPELINE_DOWNSTREAM) {
      throw new TransferFailure(new InvalidArgumentError(`pipeline has ${header.targets.length} downstream nodes, at most ${MAX_PIPELINE_DOWNSTREAM} allowed`), undefined);
    }
    const seen = new Set<string>([ownId]);
    try {
      header.targets.forEach((location, i) => {
        validateLocation(location, `targets[${i}]`);
        if (seen.has(location.nodeId)) throw new InvalidArgumentError(`pipeline visits node ${location.nodeId} twice`);
        seen.add(location.nodeId);
      });
    } catch (err) {
      throw new TransferFailure(asDfsError(err), undefined);
    }
    // FileAlreadyExistsError here is this node's fault (a stale replica with this id).
    let writer: BlockWriter;
    try {
      writer = this.options.store.createWriter(blockId, generationStamp);
    } catch (err) {
      throw new TransferFailure(asDfsError(err), ownId);
    }
    this.counters.activeTransfers += 1;
    const pipeline = new TcpWritePipeline(socket, header, writer, ownId, this.options, this.counters, () => {
      this.counters.activeTransfers -= 1;
      this.pipelines.delete(pipeline);
    });
    pipelines.set(socket, pipeline);
    this.pipelines.add(pipeline);
    pipeline.start();
    return (frames) => pipeline.onFrames(frames);
  }

  private checkToken(token: string, blockId: number, generationStamp: number, mode: BlockAccessMode, nodeId: string): void {
    if (!this.options.blockTokenKey) return;
    verifyBlockToken(this.options.blockTokenKey, token, { blockId, generationStamp, mode, nodeId }, (this.options.wallNowMs ?? Date.now)());
  }

  private async serveRead(socket: TransferSocket, blockId: number, generationStamp: number, header: TransferOpHeader__Output, remote: string): Promise<void> {
    const { store, logger } = this.options;
    const startedMs = Date.now();
    const idleTimeoutMs = this.idleTimeoutMs();
    let bytes = 0;
    let seqno = 0;
    let gone = false;
    socket.once('close', () => { gone = true; });
    const send = async (offsetBytes: number, data: Buffer, chunkCrcs: number[], last: boolean): Promise<boolean> => {
      seqno += 1;
      socket.cork();
      socket.write(encodePacketHead(seqno, offsetBytes, last, data, chunkCrcs));
      socket.write(data);
      socket.uncork();
      bytes += data.length;
      this.counters.bytesSent += data.length;
      return socket.writableLength <= TRANSFER_SOCKET_BUFFER_BYTES || drained(socket, idleTimeoutMs);
    };
    try {
      const stored = store.get(blockId);
      if (stored && stored.generationStamp < generationStamp) {
        throw new DfsError('BLOCK_NOT_FOUND', `block ${blockId} here has generation stamp ${stored.generationStamp}, older than the requested ${generationStamp}`);
      }
      // Hold one piece back so the final one goes out with the last flag (an empty range: one empty packet).
      let held: { offsetBytes: number; data: Buffer; chunkCrcs: number[] } | undefined;
      for await (const piece of store.read(blockId, header.offsetBytes, header.lengthBytes)) {
        if (gone) break;
        if (held && !(await send(held.offsetBytes, held.data, held.chunkCrcs, false))) break;
        held = piece;
      }
      if (gone || socket.destroyed) {
        logger.info('read cancelled', { event: 'read-cancelled', blockId, bytes, remote });
        return;
      }
      await send(held?.offsetBytes ?? header.offsetBytes - (header.offsetBytes % Limits.bytesPerChecksum), held?.data ?? Buffer.alloc(0), held?.chunkCrcs ?? [], true);
      socket.end();
      this.counters.readsServed += 1;
      logger.debug('block read', { event: 'read-done', blockId, bytes, ms: Date.now() - startedMs, remote });
    } catch (err) {
      this.counters.readsFailed += 1;
      const error = asDfsError(err);
      if (error instanceof ChecksumMismatchError) {
        logger.error('corrupt replica found on read', { event: 'corrupt-replica', blockId, error: error.message });
        this.options.onCorruptBlock?.(blockId);
      } else {
        logger.warn('read failed', { event: 'read-failed', blockId, code: error.code, error: error.message, remote });
      }
      closeWithStatus(socket, error, undefined);
    }
  }
}

const pipelines = new WeakMap<TransferSocket, TcpWritePipeline>();
function pipelineOf(socket: TransferSocket): TcpWritePipeline | undefined {
  return pipelines.get(socket);
}

/** Sends an error status and closes; the socket is destroyed if the peer does not take it in time. */
function closeWithStatus(socket: TransferSocket, error: DfsError, badNode: string | undefined): void {
  if (socket.destroyed) return;
  socket.end(encodeStatus({ errorCode: error.code, errorMessage: error.message.slice(0, 4096), badNode: badNode ?? '' }));
  socket.resume(); // discard whatever the peer still sends
  setTimeout(() => socket.destroy(), 5_000).unref();
}

/** Resolves true on 'drain', false if the socket closes first or nothing drains for `timeoutMs`. */
function drained(socket: TransferSocket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(value);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => {
      socket.destroy();
      done(false);
    }, timeoutMs);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

interface PendingPacket {
  seqno: number;
  last: boolean;
  localDone: boolean;
  downstreamAckedBy: string[] | undefined;
}

/** One WRITE/REPLICATE connection on this node: the state machine described at the top of the file. */
class TcpWritePipeline {
  private readonly maxInFlight: number;
  private readonly idleTimeoutMs: number;
  private readonly blockId: number;
  private readonly purpose: string;
  private finalizing: Promise<StoredBlock> | undefined;
  private localFinal: StoredBlock | undefined;
  private downstream: TransferSocket | undefined;
  private readonly downstreamId: string | undefined;
  /** Frames to forward while the downstream connection is being opened. */
  private forwardQueue: Array<readonly Buffer[]> | undefined;
  private downstreamBacklogged = false;
  private downstreamFinal: { lengthBytes: number; ackedBy: string[] } | undefined;
  private readonly pending: PendingPacket[] = [];
  private readonly backlog: TransferFrame[] = [];
  private draining = false;
  private nextSeqno = 1;
  private nextOffset = 0;
  private downstreamAckedThrough = 0;
  private sawLast = false;
  private paused = false;
  private finished = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Runs while the downstream owes an ack (invariant 5). */
  private ackTimer: NodeJS.Timeout | undefined;
  private readonly ackDeadlineMs: number;
  private readonly startedMs = Date.now();

  constructor(
    private readonly socket: TransferSocket,
    private readonly header: TransferOpHeader__Output,
    private readonly writer: BlockWriter,
    private readonly ownId: string,
    private readonly options: BlockTransferServerOptions,
    private readonly counters: TransferCounters,
    private readonly release: () => void,
  ) {
    this.maxInFlight = options.maxPacketsInFlight ?? Limits.maxPacketsInFlight;
    this.idleTimeoutMs = options.idleTimeoutMs ?? Limits.transferIdleTimeoutMs;
    this.blockId = writer.blockId;
    this.purpose = header.op === 'TRANSFER_OP_REPLICATE' ? 'REPLICATE' : 'WRITE';
    this.downstreamId = header.targets[0]?.nodeId;
    this.ackDeadlineMs = pipelineAckDeadlineMs(options.ackTimeoutMs?.() ?? 0, header.targets.length);
  }

  private awaitingDownstream(): boolean {
    return this.downstreamId !== undefined && (this.pending.some((p) => p.downstreamAckedBy === undefined) || (this.sawLast && !this.downstreamFinal));
  }

  /** Starts the ack deadline if the downstream owes an ack and it is not running; `restart` after an ack. */
  private armAckTimer(restart: boolean): void {
    if (restart) {
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
    }
    if (this.finished || this.ackTimer !== undefined || !this.awaitingDownstream()) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      void this.fail(new TransferFailure(new DfsError('UNAVAILABLE', `write of block ${this.blockId}: downstream ${this.downstreamId} sent no ack for ${this.ackDeadlineMs} ms`), this.downstreamId));
    }, this.ackDeadlineMs);
  }

  start(): void {
    this.socket.on('close', () => {
      if (!this.finished) void this.fail(new TransferFailure(new DfsError('UNAVAILABLE', 'upstream closed the connection'), undefined, true), false);
    });
    this.touch();
    const [next, ...rest] = this.header.targets;
    if (next) this.openDownstream(next, rest);
    this.options.logger.debug('write started', { event: 'write-start', blockId: this.blockId, purpose: this.purpose, downstream: this.header.targets.map((t) => t.nodeId) });
  }

  abort(reason: string): void {
    void this.fail(new TransferFailure(new DfsError('UNAVAILABLE', reason), this.ownId));
  }

  /** The sender half-closed: fine after the last packet (acks still flow), a protocol error before it. */
  onUpstreamEnd(): void {
    if (this.finished || this.sawLast || this.backlog.some((f) => f.kind === 'packet' && f.last)) return;
    this.protocolError(new TransferProtocolError(`block ${this.blockId}: the connection ended before the last packet`), true);
  }

  protocolError(error: DfsError, upstreamLost = false): void {
    this.options.logger.warn('transfer protocol error', { event: 'transfer-protocol-error', blockId: this.blockId, code: error.code, error: error.message });
    void this.fail(new TransferFailure(error, undefined, upstreamLost));
  }

  /**
   * Frames decoded from one socket chunk; those beyond the in-flight window wait in `backlog`
   * (reading is paused by then), so invariant (1) holds exactly, whatever the chunk held.
   */
  onFrames(frames: TransferFrame[]): void {
    this.backlog.push(...frames);
    this.drainBacklog();
  }

  private drainBacklog(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.backlog.length > 0 && !this.finished && this.pending.length < this.maxInFlight) this.processFrames([this.backlog.shift()!]);
    } finally {
      this.draining = false;
    }
    if (!this.finished) this.updateFlow();
  }

  private processFrames(frames: TransferFrame[]): void {
    for (const frame of frames) {
      if (this.finished) return;
      this.touch();
      try {
        if (frame.kind !== 'packet') throw new TransferFailure(new TransferProtocolError(`block ${this.blockId}: only packets may follow a write header`), undefined);
        this.onPacket(frame);
      } catch (err) {
        if (err instanceof TransferFailure) {
          if (err.error instanceof TransferProtocolError) this.protocolError(err.error);
          else void this.fail(err);
        } else {
          void this.fail(this.localFailure(err));
        }
        return;
      }
    }
  }

  /** Restarts the idle timer (one timer per connection, re-armed in place: several times per packet). */
  private touch(): void {
    if (this.finished) {
      clearTimeout(this.idleTimer);
      return;
    }
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.onIdle(), this.idleTimeoutMs);
  }

  private onIdle(): void {
    const waitingLocal = this.pending.some((p) => !p.localDone) || (this.sawLast && this.finalizing !== undefined && !this.localFinal);
    const waitingDownstream = this.downstreamId !== undefined
      && (this.pending.some((p) => p.downstreamAckedBy === undefined) || (this.sawLast && !this.downstreamFinal));
    const badNode = waitingLocal ? this.ownId : waitingDownstream ? this.downstreamId : undefined;
    const waitingFor = waitingLocal ? 'the local disk' : waitingDownstream ? `downstream ${this.downstreamId}` : 'the upstream';
    void this.fail(new TransferFailure(
      new DfsError('UNAVAILABLE', `write of block ${this.blockId} made no progress for ${this.idleTimeoutMs} ms (waiting for ${waitingFor})`), badNode, badNode === undefined,
    ));
  }

  private openDownstream(next: Location, rest: Location[]): void {
    this.forwardQueue = [];
    const preamble = encodePreamble({
      op: this.header.op as 'TRANSFER_OP_WRITE', blockId: this.blockId, generationStamp: this.writer.generationStamp, targets: rest,
      accessToken: this.header.accessToken, clientName: this.header.clientName,
    });
    connectTransfer(next.host, next.transferPort, this.options.tls).then((socket) => {
      if (this.finished) {
        socket.destroy();
        return;
      }
      this.downstream = socket;
      const decoder = new FrameDecoder(false);
      socket.on('data', (chunk: Buffer) => {
        if (this.finished) return;
        let frames: TransferFrame[];
        try {
          frames = decoder.push(chunk) as TransferFrame[];
        } catch (err) {
          void this.fail(this.downstreamFailure(`downstream sent malformed data: ${(err as Error).message}`));
          return;
        }
        for (const frame of frames) {
          if (frame.kind !== 'message') {
            void this.fail(this.downstreamFailure('downstream sent a packet on a write connection'));
            return;
          }
          this.onDownstreamStatus(frame.status);
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!this.finished && !this.downstreamFinal) void this.fail(this.downstreamFailure('downstream closed the connection before acking the finalized block', 'UNAVAILABLE'));
      });
      socket.on('drain', () => {
        this.downstreamBacklogged = false;
        this.updateFlow();
      });
      socket.write(preamble);
      const queued = this.forwardQueue ?? [];
      this.forwardQueue = undefined;
      for (const raw of queued) this.forward(raw);
    }, (err: unknown) => {
      void this.fail(new TransferFailure(new DfsError('UNAVAILABLE', `cannot connect to downstream ${next.nodeId}: ${(err as Error).message}`), next.nodeId));
    });
  }

  /** Sends a frame's bytes as received (the views of the socket chunks it arrived in: one writev). */
  private forward(raw: readonly Buffer[]): void {
    if (this.forwardQueue) {
      this.forwardQueue.push(raw);
      return;
    }
    const downstream = this.downstream!;
    if (raw.length === 1) downstream.write(raw[0]!);
    else {
      downstream.cork();
      for (const piece of raw) downstream.write(piece);
      downstream.uncork();
    }
    if (this.downstream!.writableLength > TRANSFER_SOCKET_BUFFER_BYTES) {
      this.downstreamBacklogged = true;
      this.updateFlow();
    }
  }

  private onPacket(packet: PacketFrame): void {
    const blockId = this.blockId;
    const sender = (error: DfsError) => new TransferFailure(error, undefined);
    if (this.sawLast) throw sender(new TransferProtocolError(`block ${blockId}: packet ${packet.seqno} after the last packet`));
    if (packet.seqno !== this.nextSeqno) throw sender(new TransferProtocolError(`block ${blockId}: expected packet ${this.nextSeqno}, got ${packet.seqno}`));
    if (packet.offsetBytes !== this.nextOffset) throw sender(new TransferProtocolError(`block ${blockId}: packet ${packet.seqno} at offset ${packet.offsetBytes}, expected ${this.nextOffset}`));
    // Checked once here, before forwarding: corrupt data never travels further, and this node names itself.
    // The packet stays in the socket chunks it arrived in (dataPieces/rawPieces): checked, forwarded and written without a copy.
    const bad = firstBadChunk(packet.dataPieces, packet.chunkCrcs, Limits.bytesPerChecksum);
    if (bad >= 0) throw new TransferFailure(new ChecksumMismatchError(`block ${blockId}: checksum mismatch in packet ${packet.seqno} chunk ${bad}`), this.ownId);

    this.nextSeqno += 1;
    this.nextOffset += packet.dataBytes;
    this.sawLast = packet.last;
    this.counters.packetsReceived += 1;
    this.counters.bytesReceived += packet.dataBytes;
    const entry: PendingPacket = { seqno: packet.seqno, last: packet.last, localDone: false, downstreamAckedBy: undefined };
    this.pending.push(entry);
    if (this.downstreamId !== undefined) {
      this.forward(packet.rawPieces);
      this.counters.bytesSent += packet.dataBytes;
      this.armAckTimer(false);
    }
    this.updateFlow();
    const writer = this.writer;
    writer.write(packet.dataPieces, packet.chunkCrcs, true).then(() => {
      entry.localDone = true;
      this.touch();
      if (!packet.last) return this.flush();
      this.finalizing = writer.finalize();
      return this.finalizing.then((block) => {
        if (this.finished) return; // failed meanwhile: fail() deletes it again
        this.localFinal = block;
        this.options.onBlockReceived?.(block);
        this.flush();
      });
    }).catch((err: unknown) => void this.fail(this.localFailure(err)));
  }

  /** Pauses reading from upstream while too many packets are unacked or the downstream is backed up. */
  private updateFlow(): void {
    const shouldPause = this.pending.length >= this.maxInFlight || this.downstreamBacklogged || this.backlog.length > 0;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    if (!this.draining && !this.finished && this.backlog.length > 0 && this.pending.length < this.maxInFlight) this.drainBacklog();
  }

  private onDownstreamStatus(status: TransferStatus__Output): void {
    if (this.finished) return;
    this.touch();
    if (status.errorCode) {
      const error = errorOfStatus(status);
      void this.fail(new TransferFailure(new DfsError(error.code, `downstream ${this.downstreamId} failed: ${error.message}`), status.badNode || this.downstreamId));
      return;
    }
    const expected = this.downstreamAckedThrough + 1;
    const entry = this.pending.find((p) => p.seqno === expected);
    if (!entry || status.seqno !== expected) {
      void this.fail(this.downstreamFailure(`downstream acked packet ${status.seqno}, expected ${expected}`));
      return;
    }
    if (status.finalized !== entry.last) {
      void this.fail(this.downstreamFailure(`downstream ack for packet ${status.seqno} has finalized=${status.finalized}, packet last=${entry.last}`));
      return;
    }
    this.downstreamAckedThrough = expected;
    entry.downstreamAckedBy = status.ackedBy;
    if (status.finalized) this.downstreamFinal = { lengthBytes: status.lengthBytes, ackedBy: status.ackedBy };
    this.armAckTimer(true);
    this.flush();
  }

  /**
   * Acks every packet at the head of `pending` that is done here and downstream. The acks ready at
   * once (a coalesced disk write completes many packets) go upstream in one socket write: one
   * system call and one wake-up of the upstream reader instead of one per packet.
   */
  private flush(): void {
    const acks: Buffer[] = [];
    const sendAcks = () => {
      if (acks.length > 0 && !this.socket.destroyed) this.socket.write(acks.length === 1 ? acks[0]! : Buffer.concat(acks));
      acks.length = 0;
    };
    while (!this.finished && this.pending.length > 0) {
      const head = this.pending[0]!;
      const downstreamDone = this.downstreamId === undefined || head.downstreamAckedBy !== undefined;
      if (!head.localDone || !downstreamDone) break;
      if (head.last) {
        if (!this.localFinal) break;
        if (this.downstreamFinal && this.downstreamFinal.lengthBytes !== this.localFinal.lengthBytes) {
          acks.length = 0;
          void this.fail(this.downstreamFailure(`downstream finalized ${this.downstreamFinal.lengthBytes} bytes, this node ${this.localFinal.lengthBytes}`));
          return;
        }
        this.pending.shift();
        sendAcks();
        this.succeed(head.seqno, this.localFinal);
        return;
      }
      this.pending.shift();
      acks.push(encodeStatus({ seqno: head.seqno, ackedBy: [this.ownId, ...(head.downstreamAckedBy ?? [])] }));
    }
    sendAcks();
    if (!this.finished) this.updateFlow();
  }

  private succeed(seqno: number, block: StoredBlock): void {
    this.finished = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.ackTimer);
    this.socket.end(encodeStatus({ seqno, ackedBy: [this.ownId, ...(this.downstreamFinal?.ackedBy ?? [])], finalized: true, lengthBytes: block.lengthBytes }));
    this.downstream?.end();
    this.counters.writesFinalized += 1;
    this.release();
    this.options.logger.info('block written', {
      event: 'write-done', blockId: block.blockId, lengthBytes: block.lengthBytes, purpose: this.purpose, transport: 'tcp',
      downstream: this.downstreamFinal?.ackedBy ?? [], ms: Date.now() - this.startedMs,
    });
  }

  private localFailure(err: unknown): TransferFailure {
    const error = err instanceof DfsError ? err : new DfsError('INTERNAL', `datanode ${this.ownId}: ${(err as Error).message}`);
    return new TransferFailure(error, this.ownId);
  }

  private downstreamFailure(message: string, code: DfsError['code'] = 'INTERNAL'): TransferFailure {
    return new TransferFailure(new DfsError(code, message), this.downstreamId);
  }

  /** Undoes everything, then sends the error status upstream and closes. Idempotent. */
  private async fail(failure: TransferFailure, tellUpstream = true): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.ackTimer);
    this.downstream?.destroy();
    try {
      if (failure.upstreamLost && this.purpose === 'WRITE' && !this.finalizing) await this.keepLocal();
      else await this.undoLocal();
    } catch (err) {
      this.options.logger.error('could not clean up a failed write', { event: 'write-cleanup-failed', blockId: this.blockId, error: (err as Error).message });
    }
    this.counters.writesFailed += 1;
    this.release();
    this.options.logger.warn('block write failed', {
      event: 'write-failed', blockId: this.blockId, code: failure.error.code, badNode: failure.badNode, error: failure.error.message,
      purpose: this.purpose, downstream: this.downstreamId, transport: 'tcp',
    });
    if (tellUpstream) closeWithStatus(this.socket, failure.error, failure.badNode);
    else this.socket.destroy();
  }

  /** The sender vanished mid-block: what was written here stays as a replica being written. */
  private async keepLocal(): Promise<void> {
    const kept = await this.writer.keepPartial();
    if (kept) this.options.onPartialKept?.(kept);
  }

  private async undoLocal(): Promise<void> {
    await this.writer.abort();
    const finalized = this.localFinal ?? (await this.finalizing?.catch(() => undefined));
    if (finalized && (await this.options.store.delete(finalized.blockId))) {
      this.options.onBlockDeleted?.(finalized.blockId);
    }
  }
}
