/**
 * DataTransfer gRPC handlers: the write pipeline (HDFS DataXceiver/BlockReceiver) and block reads.
 *
 * Write: a header, then packets with seqno 1, 2, ...; the last has `last: true`. Each node checks
 * the packet's chunk CRCs before anything else (so a corrupt packet is never forwarded and the node
 * that first sees it names itself), forwards it downstream, writes it locally, and acks it upstream
 * exactly once, in seqno order, when its own write is done and the downstream acked the same seqno.
 * The last packet's ack is the only one with `finalized: true`: it is sent after the local block is
 * finalized and the downstream's own finalized ack arrived, so it means "finalized on every node
 * from here to the tail". Invariants: (1) at most `maxPacketsInFlight` packets are unacknowledged
 * here (the upstream call is paused while full), so memory per stream is bounded; (2) a failed
 * write leaves nothing on this node: the tmp block is aborted, or, if it was already finalized
 * here, deleted again (and reported deleted), before the error status is sent upstream; (3) every
 * failure status this node originates for a pipeline fault carries `minidfs-bad-node` (see
 * BAD_NODE_METADATA_KEY); faults of the sender (bad header, out-of-order packets, a stall) carry
 * none; (4) no stream makes no progress for longer than the idle timeout; (5) a node with packets
 * sent downstream and not acked hears an ack within the ack deadline
 * (pipelineAckDeadlineMs(ackTimeoutMs(), nodes downstream), common/pipeline-deadline.ts) or fails
 * the write naming its downstream: the node next to a hung one gives up before anyone above it.
 *
 * Read: pieces straight from BlockStore.read, which verifies every chunk; a corrupt replica fails
 * the call with CHECKSUM_MISMATCH and is reported to the NameNode.
 */
import * as grpc from '@grpc/grpc-js';
import {
  type BlockAccessMode, ChecksumMismatchError, DfsError, type DataTransferHandlers, InvalidArgumentError, Limits, type Logger, firstBadChunk, fromGrpcError,
  pipelineAckDeadlineMs, toGrpcError, verifyBlockToken,
} from '@minidfs/common';
import { type BlockStore, type BlockWriter, type StoredBlock, validateBlockId, validateGenerationStamp } from './block-store';
import type { PeerClients } from './peer-clients';
import {
  BAD_NODE_METADATA_KEY, type DatanodeLocationIn, MAX_PIPELINE_DOWNSTREAM, type ReadBlockServerCall, TRANSFER_IDLE_TIMEOUT_MS,
  WRITE_PURPOSES, type WriteBlockAckIn, type WriteBlockClientCall, type WriteBlockHeaderIn, type WriteBlockRequestIn,
  type WriteBlockServerCall, type WritePacketIn,
} from './wire';

/** Transfer counters, read by heartbeats and tests. Monotonic except activeTransfers. */
export interface TransferCounters {
  /** WriteBlock + ReadBlock streams being served now. */
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
  /** Streams refused because maxTransfers were already active. */
  transfersRefused: number;
}

export function newTransferCounters(): TransferCounters {
  return {
    activeTransfers: 0, bytesReceived: 0, bytesSent: 0, packetsReceived: 0, writesFinalized: 0, writesFailed: 0,
    readsServed: 0, readsFailed: 0, transfersRefused: 0,
  };
}

export interface DataTransferServerOptions {
  /** This node's id as the NameNode knows it (goes into acks and bad-node metadata). */
  nodeId: () => string;
  store: BlockStore;
  peers: PeerClients;
  logger: Logger;
  counters?: TransferCounters;
  /** A block was finalized here (send an incremental "received" report). */
  onBlockReceived?: (block: StoredBlock) => void;
  /** A block was removed here (a failed pipeline undoing its finalize). */
  onBlockDeleted?: (blockId: number) => void;
  /** A local replica failed its checksum on read (send ReportBadBlocks). */
  onCorruptBlock?: (blockId: number) => void;
  /** Default Limits.maxTransfersPerDatanode. */
  maxTransfers?: number;
  /** Default Limits.maxPacketsInFlight. */
  maxPacketsInFlight?: number;
  /** Default TRANSFER_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /**
   * Base pipeline ack deadline, ms, read when a write opens (the NameNode's liveness settings,
   * pipelineAckTimeoutMs). Absent or 0: Limits.pipelineAckTimeoutMaxMs.
   */
  ackTimeoutMs?: () => number;
  /**
   * Key block access tokens are checked with (derived from the cluster secret): reads need a READ
   * token for the block and generation stamp asked for, and writes (client or replication) a
   * WRITE token for the block and generation stamp that names this node as a target, else
   * PERMISSION_DENIED. A write of a block already finalized here is refused whatever the token
   * (BlockStore.createWriter).
   * Undefined = an open cluster, no checks.
   */
  blockTokenKey?: Buffer;
  /** Wall clock for token expiry. Default Date.now. */
  wallNowMs?: () => number;
}

/**
 * Throws PermissionDeniedError unless the options' key is unset or `token` grants `mode` on this
 * generation of `blockId` (for WRITE: with this node among its targets).
 */
function checkBlockToken(
  options: DataTransferServerOptions, token: string, blockId: number, generationStamp: number, mode: BlockAccessMode,
): void {
  if (!options.blockTokenKey) return;
  verifyBlockToken(options.blockTokenKey, token, { blockId, generationStamp, mode, nodeId: options.nodeId() }, (options.wallNowMs ?? Date.now)());
}

/** A pipeline failure: the typed error plus the node at fault (undefined: the sender's fault). */
class PipelineFailure {
  constructor(readonly error: DfsError, readonly badNode: string | undefined) {}
}

/** The status a handler fails its call with: toGrpcError plus, when known, the bad node. */
export function pipelineStatus(error: DfsError, badNode: string | undefined): Partial<grpc.ServiceError> {
  const status = toGrpcError(error);
  if (badNode !== undefined) status.metadata?.set(BAD_NODE_METADATA_KEY, badNode);
  return status;
}

/** The bad node a failed client call names in its trailing metadata, if any. */
export function badNodeOf(err: unknown): string | undefined {
  const value = (err as Partial<grpc.ServiceError> | undefined)?.metadata?.get(BAD_NODE_METADATA_KEY)[0];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function validateLocation(location: DatanodeLocationIn | undefined, what: string): DatanodeLocationIn {
  if (!location || !location.nodeId || location.nodeId.length > Limits.maxNodeIdLength) {
    throw new InvalidArgumentError(`${what}: a node id of 1..${Limits.maxNodeIdLength} characters is required`);
  }
  if (!location.host || !Number.isInteger(location.dataPort) || location.dataPort < 1 || location.dataPort > 65535) {
    throw new InvalidArgumentError(`${what} (${location.nodeId}): need a host and a data port in 1..65535`);
  }
  return location;
}

/** Checks a write header; returns the validated block id and stamp. Throws InvalidArgumentError. */
function validateHeader(header: WriteBlockHeaderIn, ownId: string): { blockId: number; generationStamp: number } {
  const blockId = validateBlockId(header.blockId);
  const generationStamp = validateGenerationStamp(header.generationStamp);
  if (!WRITE_PURPOSES.includes(header.purpose)) {
    throw new InvalidArgumentError(`invalid write purpose ${JSON.stringify(header.purpose.slice(0, 40))}: need one of ${WRITE_PURPOSES.join(', ')}`);
  }
  if (header.downstream.length > MAX_PIPELINE_DOWNSTREAM) {
    throw new InvalidArgumentError(`pipeline has ${header.downstream.length} downstream nodes, at most ${MAX_PIPELINE_DOWNSTREAM} allowed`);
  }
  const seen = new Set<string>([ownId]);
  header.downstream.forEach((location, i) => {
    validateLocation(location, `downstream[${i}]`);
    if (seen.has(location.nodeId)) throw new InvalidArgumentError(`pipeline visits node ${location.nodeId} twice`);
    seen.add(location.nodeId);
  });
  return { blockId, generationStamp };
}

export class DataTransferServer {
  readonly counters: TransferCounters;
  private readonly maxTransfers: number;
  private readonly pipelines = new Set<WritePipeline>();

  constructor(private readonly options: DataTransferServerOptions) {
    this.counters = options.counters ?? newTransferCounters();
    this.maxTransfers = options.maxTransfers ?? Limits.maxTransfersPerDatanode;
  }

  handlers(): DataTransferHandlers {
    return {
      WriteBlock: (call) => this.writeBlock(call),
      ReadBlock: (call) => void this.readBlock(call),
    };
  }

  /** Fails every open write (shutdown). */
  abortAll(reason: string): void {
    for (const pipeline of this.pipelines) pipeline.abort(reason);
  }

  /** Takes a transfer slot, or fails the call with RESOURCE_EXHAUSTED (naming this node). */
  private acquireSlot(call: WriteBlockServerCall | ReadBlockServerCall): boolean {
    if (this.counters.activeTransfers >= this.maxTransfers) {
      this.counters.transfersRefused += 1;
      const error = new DfsError('RESOURCE_EXHAUSTED', `datanode ${this.options.nodeId()} already serves ${this.maxTransfers} transfers`);
      this.options.logger.warn('transfer refused', { event: 'transfer-refused', active: this.counters.activeTransfers, maxTransfers: this.maxTransfers });
      call.emit('error', pipelineStatus(error, this.options.nodeId()));
      return false;
    }
    this.counters.activeTransfers += 1;
    return true;
  }

  private writeBlock(call: WriteBlockServerCall): void {
    if (!this.acquireSlot(call)) return;
    const pipeline = new WritePipeline(call, this.options, this.counters, () => {
      this.counters.activeTransfers -= 1;
      this.pipelines.delete(pipeline);
    });
    this.pipelines.add(pipeline);
    pipeline.start();
  }

  private async readBlock(call: ReadBlockServerCall): Promise<void> {
    if (!this.acquireSlot(call)) return;
    const { store, logger } = this.options;
    const request = call.request;
    let blockId: number | undefined;
    const startedMs = Date.now();
    let bytes = 0;
    try {
      blockId = validateBlockId(request.blockId);
      checkBlockToken(this.options, request.accessToken, blockId, request.generationStamp, 'READ');
      const stored = store.get(blockId);
      if (stored && stored.generationStamp < request.generationStamp) {
        throw new DfsError('BLOCK_NOT_FOUND', `block ${blockId} here has generation stamp ${stored.generationStamp}, older than the requested ${request.generationStamp}`);
      }
      const idleTimeoutMs = this.options.idleTimeoutMs ?? TRANSFER_IDLE_TIMEOUT_MS;
      for await (const piece of store.read(blockId, request.offsetBytes, request.lengthBytes)) {
        if (call.cancelled || call.destroyed) break;
        const writable = call.write({ offsetBytes: piece.offsetBytes, data: piece.data, chunkCrcs: piece.chunkCrcs });
        bytes += piece.data.length;
        this.counters.bytesSent += piece.data.length;
        if (!writable && !(await drained(call, idleTimeoutMs))) break;
      }
      if (call.cancelled || call.destroyed) {
        logger.info('read cancelled', { event: 'read-cancelled', blockId, bytes });
        return;
      }
      call.end();
      this.counters.readsServed += 1;
      logger.debug('block read', { event: 'read-done', blockId, bytes, ms: Date.now() - startedMs });
    } catch (err) {
      this.counters.readsFailed += 1;
      const error = err instanceof DfsError ? err : new DfsError('INTERNAL', (err as Error).message);
      if (error instanceof ChecksumMismatchError && blockId !== undefined) {
        logger.error('corrupt replica found on read', { event: 'corrupt-replica', blockId, error: error.message });
        this.options.onCorruptBlock?.(blockId);
      } else {
        logger.warn('read failed', { event: 'read-failed', blockId: blockId ?? request.blockId, code: error.code, error: error.message });
      }
      if (!call.cancelled) call.emit('error', toGrpcError(error));
    } finally {
      this.counters.activeTransfers -= 1;
    }
  }
}

/**
 * Waits for 'drain'. Resolves false if the call goes away first; throws UNAVAILABLE if the reader
 * consumed nothing for `timeoutMs` (a stalled reader must not hold a transfer slot forever).
 */
function drained(call: ReadBlockServerCall, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      call.off('drain', onDrain);
      call.off('cancelled', onGone);
      call.off('close', onGone);
    };
    const onDrain = () => { done(); resolve(true); };
    const onGone = () => { done(); resolve(false); };
    const timer = setTimeout(() => {
      done();
      reject(new DfsError('UNAVAILABLE', `reader consumed nothing for ${timeoutMs} ms`));
    }, timeoutMs);
    call.on('drain', onDrain);
    call.on('cancelled', onGone);
    call.on('close', onGone);
  });
}

interface PendingPacket {
  seqno: number;
  last: boolean;
  localDone: boolean;
  /** Node ids the downstream acked this packet with; undefined until its ack arrives. */
  downstreamAckedBy: string[] | undefined;
}

/** One WriteBlock stream on this node: the state machine described at the top of the file. */
class WritePipeline {
  private readonly ownId: string;
  private readonly maxInFlight: number;
  private readonly idleTimeoutMs: number;
  private header: { blockId: number; generationStamp: number; purpose: string } | undefined;
  private writer: BlockWriter | undefined;
  private finalizing: Promise<StoredBlock> | undefined;
  private localFinal: StoredBlock | undefined;
  private downstream: WriteBlockClientCall | undefined;
  private downstreamId: string | undefined;
  private downstreamFinal: { lengthBytes: number; ackedBy: string[] } | undefined;
  /** Received, not yet acked upstream, in seqno order. */
  private readonly pending: PendingPacket[] = [];
  private nextSeqno = 1;
  private downstreamAckedThrough = 0;
  private sawLast = false;
  private paused = false;
  private finished = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Runs while the downstream owes an ack (invariant 5). */
  private ackTimer: NodeJS.Timeout | undefined;
  private ackDeadlineMs = 0;
  private readonly startedMs = Date.now();

  constructor(
    private readonly call: WriteBlockServerCall,
    private readonly options: DataTransferServerOptions,
    private readonly counters: TransferCounters,
    private readonly release: () => void,
  ) {
    this.ownId = options.nodeId();
    this.maxInFlight = options.maxPacketsInFlight ?? Limits.maxPacketsInFlight;
    this.idleTimeoutMs = options.idleTimeoutMs ?? TRANSFER_IDLE_TIMEOUT_MS;
  }

  start(): void {
    this.call.on('data', (request: WriteBlockRequestIn) => this.onRequest(request));
    this.call.on('end', () => this.onUpstreamEnd());
    this.call.on('cancelled', () => void this.fail(new PipelineFailure(new DfsError('UNAVAILABLE', 'upstream cancelled the write'), undefined), false));
    this.touch();
  }

  abort(reason: string): void {
    void this.fail(new PipelineFailure(new DfsError('UNAVAILABLE', reason), this.ownId));
  }

  /** Progress was made: push the idle deadline out. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.finished) return;
    this.idleTimer = setTimeout(() => this.onIdle(), this.idleTimeoutMs);
  }

  /** Downstream owes an ack: packets forwarded and not acked, or the finalized ack. */
  private awaitingDownstream(): boolean {
    return this.downstream !== undefined && (this.pending.some((p) => p.downstreamAckedBy === undefined) || (this.sawLast && !this.downstreamFinal));
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
      void this.fail(new PipelineFailure(new DfsError('UNAVAILABLE',
        `write of block ${this.header?.blockId ?? '?'}: downstream ${this.downstreamId} sent no ack for ${this.ackDeadlineMs} ms`), this.downstreamId));
    }, this.ackDeadlineMs);
  }

  /** Nothing moved for idleTimeoutMs: blame whoever we are waiting for. */
  private onIdle(): void {
    const waitingLocal = this.pending.some((p) => !p.localDone) || (this.sawLast && this.finalizing !== undefined && !this.localFinal);
    const waitingDownstream = this.downstream !== undefined
      && (this.pending.some((p) => p.downstreamAckedBy === undefined) || (this.sawLast && !this.downstreamFinal));
    const badNode = waitingLocal ? this.ownId : waitingDownstream ? this.downstreamId : undefined;
    const waitingFor = waitingLocal ? 'the local disk' : waitingDownstream ? `downstream ${this.downstreamId}` : 'the upstream';
    void this.fail(new PipelineFailure(new DfsError('UNAVAILABLE', `write of block ${this.header?.blockId ?? '?'} made no progress for ${this.idleTimeoutMs} ms (waiting for ${waitingFor})`), badNode));
  }

  private onRequest(request: WriteBlockRequestIn): void {
    if (this.finished) return;
    this.touch();
    try {
      if (!this.header) {
        if (!request.header) throw new PipelineFailure(new InvalidArgumentError('the first WriteBlock message must be a header'), undefined);
        this.open(request.header);
        return;
      }
      if (!request.packet) throw new PipelineFailure(new InvalidArgumentError('only packets may follow the WriteBlock header'), undefined);
      this.onPacket(request.packet);
    } catch (err) {
      void this.fail(err instanceof PipelineFailure ? err : this.localFailure(err));
    }
  }

  private open(header: WriteBlockHeaderIn): void {
    let validated: { blockId: number; generationStamp: number };
    try {
      validated = validateHeader(header, this.ownId);
      checkBlockToken(this.options, header.accessToken, validated.blockId, validated.generationStamp, 'WRITE');
    } catch (err) {
      throw new PipelineFailure(err as DfsError, undefined);
    }
    this.header = { ...validated, purpose: header.purpose };
    this.ackDeadlineMs = pipelineAckDeadlineMs(this.options.ackTimeoutMs?.() ?? 0, header.downstream.length);
    // FileAlreadyExistsError here is this node's fault (a stale replica with this id): local failure.
    this.writer = this.options.store.createWriter(validated.blockId, validated.generationStamp);
    const [next, ...rest] = header.downstream;
    if (next) this.openDownstream(next, rest, header);
    this.options.logger.debug('write started', {
      event: 'write-start', blockId: validated.blockId, purpose: header.purpose, downstream: header.downstream.map((d) => d.nodeId),
    });
  }

  private openDownstream(next: DatanodeLocationIn, rest: DatanodeLocationIn[], header: WriteBlockHeaderIn): void {
    this.downstreamId = next.nodeId;
    let call: WriteBlockClientCall;
    try {
      call = this.options.peers.get(next).WriteBlock();
    } catch (err) {
      throw new PipelineFailure(new DfsError('UNAVAILABLE', `cannot open a stream to downstream ${next.nodeId}: ${(err as Error).message}`), next.nodeId);
    }
    this.downstream = call;
    call.on('data', (ack: WriteBlockAckIn) => this.onDownstreamAck(ack));
    call.on('error', (err: grpc.ServiceError) => {
      if (this.finished) return;
      const error = fromGrpcError(err);
      void this.fail(new PipelineFailure(
        new DfsError(error.code, `downstream ${next.nodeId} failed: ${error.message}`), badNodeOf(err) ?? next.nodeId));
    });
    call.on('end', () => {
      if (!this.finished && !this.downstreamFinal) {
        void this.fail(this.downstreamFailure('downstream ended its stream before acking the finalized block'));
      }
    });
    call.write({
      header: {
        blockId: this.header!.blockId, generationStamp: this.header!.generationStamp, downstream: rest,
        accessToken: header.accessToken, purpose: header.purpose,
      },
    });
  }

  private onPacket(packet: WritePacketIn): void {
    const blockId = this.header!.blockId;
    if (this.sawLast) throw new PipelineFailure(new InvalidArgumentError(`block ${blockId}: packet ${packet.seqno} after the last packet`), undefined);
    if (packet.seqno !== this.nextSeqno) {
      throw new PipelineFailure(new InvalidArgumentError(`block ${blockId}: expected packet ${this.nextSeqno}, got ${packet.seqno}`), undefined);
    }
    if (packet.data.length > Limits.packetDataBytes) {
      throw new PipelineFailure(new InvalidArgumentError(`block ${blockId}: packet of ${packet.data.length} bytes exceeds ${Limits.packetDataBytes}`), undefined);
    }
    // Verify before forwarding: corrupt data never travels further, and this node names itself.
    const needed = Math.ceil(packet.data.length / Limits.bytesPerChecksum);
    if (packet.chunkCrcs.length !== needed) {
      throw new ChecksumMismatchError(`block ${blockId}: packet ${packet.seqno} of ${packet.data.length} bytes needs ${needed} chunk CRCs, got ${packet.chunkCrcs.length}`);
    }
    const bad = firstBadChunk(packet.data, packet.chunkCrcs, Limits.bytesPerChecksum);
    if (bad >= 0) throw new ChecksumMismatchError(`block ${blockId}: checksum mismatch in packet ${packet.seqno} chunk ${bad}`);

    this.nextSeqno += 1;
    this.sawLast = packet.last;
    this.counters.packetsReceived += 1;
    this.counters.bytesReceived += packet.data.length;
    const entry: PendingPacket = { seqno: packet.seqno, last: packet.last, localDone: false, downstreamAckedBy: undefined };
    this.pending.push(entry);
    if (this.downstream) {
      this.downstream.write({ packet: { seqno: packet.seqno, data: packet.data, chunkCrcs: packet.chunkCrcs, last: packet.last } });
      this.counters.bytesSent += packet.data.length;
      this.armAckTimer(false);
    }
    if (this.pending.length >= this.maxInFlight && !this.paused) {
      this.paused = true;
      this.call.pause();
    }
    const writer = this.writer!;
    writer.write(packet.data, packet.chunkCrcs).then(() => {
      entry.localDone = true;
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

  private onDownstreamAck(ack: WriteBlockAckIn): void {
    if (this.finished) return;
    this.touch();
    const expected = this.downstreamAckedThrough + 1;
    const entry = this.pending.find((p) => p.seqno === expected);
    if (!entry || ack.seqno !== expected) {
      void this.fail(this.downstreamFailure(`downstream acked packet ${ack.seqno}, expected ${expected}`));
      return;
    }
    if (ack.finalized !== entry.last) {
      void this.fail(this.downstreamFailure(`downstream ack for packet ${ack.seqno} has finalized=${ack.finalized}, packet last=${entry.last}`));
      return;
    }
    this.downstreamAckedThrough = expected;
    entry.downstreamAckedBy = ack.ackedBy;
    if (ack.finalized) this.downstreamFinal = { lengthBytes: ack.lengthBytes, ackedBy: ack.ackedBy };
    this.armAckTimer(true);
    this.flush();
  }

  /** Acks every packet at the head of the queue that is complete here and downstream. */
  private flush(): void {
    while (!this.finished && this.pending.length > 0) {
      const head = this.pending[0];
      const downstreamDone = !this.downstream || head.downstreamAckedBy !== undefined;
      if (!head.localDone || !downstreamDone) return;
      if (head.last) {
        if (!this.localFinal) return;
        if (this.downstreamFinal && this.downstreamFinal.lengthBytes !== this.localFinal.lengthBytes) {
          void this.fail(this.downstreamFailure(`downstream finalized ${this.downstreamFinal.lengthBytes} bytes, this node ${this.localFinal.lengthBytes}`));
          return;
        }
        this.pending.shift();
        this.succeed(head.seqno, this.localFinal);
        return;
      }
      this.pending.shift();
      this.call.write({ seqno: head.seqno, ackedBy: [this.ownId, ...(head.downstreamAckedBy ?? [])], finalized: false, lengthBytes: 0 });
    }
    if (this.paused && this.pending.length < this.maxInFlight) {
      this.paused = false;
      this.call.resume();
    }
  }

  private succeed(seqno: number, block: StoredBlock): void {
    this.finished = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.ackTimer);
    this.call.write({ seqno, ackedBy: [this.ownId, ...(this.downstreamFinal?.ackedBy ?? [])], finalized: true, lengthBytes: block.lengthBytes });
    this.call.end();
    this.downstream?.end();
    this.counters.writesFinalized += 1;
    this.release();
    this.options.logger.info('block written', {
      event: 'write-done', blockId: block.blockId, lengthBytes: block.lengthBytes, purpose: this.header?.purpose,
      downstream: this.downstreamFinal?.ackedBy ?? [], ms: Date.now() - this.startedMs,
    });
  }

  private onUpstreamEnd(): void {
    if (this.finished || this.sawLast) return;
    void this.fail(new PipelineFailure(new InvalidArgumentError(
      `block ${this.header?.blockId ?? '?'}: the stream ended before the last packet`), undefined));
  }

  private localFailure(err: unknown): PipelineFailure {
    const error = err instanceof DfsError ? err : new DfsError('INTERNAL', `datanode ${this.ownId}: ${(err as Error).message}`);
    return new PipelineFailure(error, this.ownId);
  }

  private downstreamFailure(message: string): PipelineFailure {
    return new PipelineFailure(new DfsError('INTERNAL', message), this.downstreamId);
  }

  /**
   * Undoes everything (downstream cancelled, tmp block aborted or finalized block deleted), then
   * fails the upstream call with the status and bad-node metadata. Idempotent.
   */
  private async fail(failure: PipelineFailure, tellUpstream = true): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.ackTimer);
    this.downstream?.cancel();
    const blockId = this.header?.blockId;
    try {
      await this.undoLocal();
    } catch (err) {
      this.options.logger.error('could not clean up a failed write', { event: 'write-cleanup-failed', blockId, error: (err as Error).message });
    }
    this.counters.writesFailed += 1;
    this.release();
    this.options.logger.warn('block write failed', {
      event: 'write-failed', blockId, code: failure.error.code, badNode: failure.badNode, error: failure.error.message,
      purpose: this.header?.purpose, downstream: this.downstreamId,
    });
    if (tellUpstream && !this.call.cancelled) {
      // A paused call could leave the sender blocked on flow control; the status ends it anyway.
      this.call.emit('error', pipelineStatus(failure.error, failure.badNode));
    }
  }

  /** Aborts the writer; if the block got finalized here before the failure, deletes it again. */
  private async undoLocal(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    await writer.abort(); // serialized after any write/finalize in progress
    const finalized = this.localFinal ?? (await this.finalizing?.catch(() => undefined));
    if (finalized && (await this.options.store.delete(finalized.blockId))) {
      this.options.onBlockDeleted?.(finalized.blockId);
    }
  }
}
