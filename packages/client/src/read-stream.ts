/**
 * Reading a file (HDFS DFSInputStream): GetBlockLocations once, then the blocks in order, one at a
 * time. For each block the replicas are tried in the order of `orderReplicas` (NameNode order:
 * LIVE first, STALE last; nodes that already failed in this read last of all). Every piece a
 * DataNode sends goes through RangeVerifier, so only CRC-checked bytes are yielded; if a replica
 * fails mid-block the read resumes at the first undelivered byte on the next replica. A checksum
 * mismatch (found here, or reported by the DataNode as CHECKSUM_MISMATCH) is reported to the
 * NameNode with ReportBadReplica before failing over; a connection error, timeout or malformed
 * stream just fails over. PERMISSION_DENIED (the block access token expired during a long read)
 * fetches the block's locations again once and retries with the fresh token. When no replica of
 * a block is left: NoLiveReplicaError naming the block.
 * `ReadStats` records every DataNode contacted, every failover and every report, for tests.
 */
import { Readable } from 'node:stream';
import { DfsError, type ErrorCode, Limits, NoLiveReplicaError, UnavailableError, fromGrpcError, readBlockFrames } from '@minidfs/common';
import { RangeVerifier } from './checksums';
import type { ClientContext } from './context';
import { DatanodeTimeoutError, IsADirectoryError, ReadProtocolError } from './errors';
import { orderReplicas } from './failover';
import { type DatanodeLocation, type FileStatus, type LocatedBlock, fileStatusFromWire, locatedBlockFromWire } from './wire';

/** A replica that sends nothing for this long while the reader waits is abandoned for the next one. */
export const READ_IDLE_TIMEOUT_MS = 30_000;

/** What one read did; live while the read runs. */
export interface ReadStats {
  path: string;
  /** The file as GetBlockLocations described it; set once located. */
  status: FileStatus | undefined;
  bytesRead: number;
  blocksRead: number;
  /** Every DataNode a ReadBlock was opened on, in order (repeats allowed: one entry per attempt). */
  nodesContacted: string[];
  failovers: Array<{ blockId: number; nodeId: string; code: ErrorCode; reason: string }>;
  badReplicasReported: Array<{ blockId: number; nodeId: string }>;
}

export function newReadStats(path: string): ReadStats {
  return { path, status: undefined, bytesRead: 0, blocksRead: 0, nodesContacted: [], failovers: [], badReplicasReported: [] };
}

/** The verified bytes of a whole file, in order, in pieces of at most one packet. */
export async function* readFileBytes(ctx: ClientContext, path: string, stats: ReadStats, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const res = await ctx.rpc.call('GetBlockLocations', { path });
  const status = fileStatusFromWire(res.status, 'GetBlockLocations');
  stats.status = status;
  if (status.isDirectory) throw new IsADirectoryError(`${path} is a directory`);
  const blocks = res.blocks.map((b) => locatedBlockFromWire(b, 'GetBlockLocations'));
  let offset = 0;
  for (const b of blocks) {
    if (b.offsetBytes !== offset) throw new ReadProtocolError(`${path}: block ${b.blockId} starts at ${b.offsetBytes}, expected ${offset}`);
    offset += b.lengthBytes;
  }
  if (status.complete && offset !== status.lengthBytes) {
    throw new ReadProtocolError(`${path}: blocks add up to ${offset} bytes, the file has ${status.lengthBytes}`);
  }
  const failedInRead = new Set<string>();
  for (const block of blocks) {
    if (block.lengthBytes > 0) yield* readBlock(ctx, path, block, stats, failedInRead, signal);
    stats.blocksRead++;
  }
}

async function* readBlock(
  ctx: ClientContext, path: string, located: LocatedBlock, stats: ReadStats, failedInRead: Set<string>, signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let block = located;
  let tokenRefreshed = false;
  const verifier = new RangeVerifier(block.blockId, 0, block.lengthBytes);
  const tried = new Set<string>();
  const reasons: string[] = [];
  while (!verifier.done) {
    const location = orderReplicas(block.locations, tried, failedInRead)[0];
    if (!location) {
      const where = block.locations.length === 0 ? 'the NameNode knows no live replica' : reasons.join('; ');
      throw new NoLiveReplicaError(`${path}: block ${block.blockId} (file offset ${block.offsetBytes}, ${block.lengthBytes} bytes): no replica could be read: ${where}`);
    }
    tried.add(location.nodeId);
    stats.nodesContacted.push(location.nodeId);
    try {
      for await (const bytes of readReplica(ctx, location, block, verifier, signal)) {
        stats.bytesRead += bytes.length;
        yield bytes;
      }
      if (!verifier.done) throw new ReadProtocolError(`block ${block.blockId}: replica ended at ${verifier.deliveredUpTo} of ${block.lengthBytes} bytes`);
    } catch (raw) {
      if (signal?.aborted) throw raw;
      const err = fromGrpcError(raw);
      if (err.code === 'PERMISSION_DENIED' && !tokenRefreshed) {
        tokenRefreshed = true;
        block = { ...block, accessToken: await freshAccessToken(ctx, path, block) };
        tried.delete(location.nodeId);
        ctx.logger.info('block access token refused; retrying with a fresh one', { event: 'read-token-refresh', path, blockId: block.blockId, nodeId: location.nodeId });
        continue;
      }
      failedInRead.add(location.nodeId);
      reasons.push(`${location.nodeId}: ${err.code}: ${err.message}`);
      stats.failovers.push({ blockId: block.blockId, nodeId: location.nodeId, code: err.code, reason: err.message });
      ctx.logger.warn('replica read failed; trying the next one', {
        event: 'read-failover', path, blockId: block.blockId, nodeId: location.nodeId, code: err.code, error: err.message,
        resumeAtBytes: verifier.deliveredUpTo,
      });
      if (err.code === 'CHECKSUM_MISMATCH') await reportBadReplica(ctx, block.blockId, location.nodeId, err.message, stats);
    }
  }
}

/** The block's access token from a new GetBlockLocations (the old one if the block is gone from the answer). */
async function freshAccessToken(ctx: ClientContext, path: string, block: LocatedBlock): Promise<string> {
  const res = await ctx.rpc.call('GetBlockLocations', { path });
  const fresh = res.blocks.map((b) => locatedBlockFromWire(b, 'GetBlockLocations')).find((b) => b.blockId === block.blockId);
  return fresh?.accessToken ?? block.accessToken;
}

/**
 * One read attempt on one replica over the block transfer protocol (TCP, common/transfer-client.ts),
 * from the verifier's first undelivered byte to the block's end. Every packet goes through the
 * verifier (the DataNode does not verify again on the read path).
 */
async function* readReplica(
  ctx: ClientContext, location: DatanodeLocation, block: LocatedBlock, verifier: RangeVerifier, signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const from = verifier.deliveredUpTo;
  const packets = readBlockFrames(
    { nodeId: location.nodeId, host: location.host, transferPort: location.transferPort },
    { blockId: block.blockId, generationStamp: block.generationStamp, offsetBytes: from, lengthBytes: block.lengthBytes - from, accessToken: block.accessToken, clientName: ctx.clientName },
    { tls: ctx.datanodes.tls, idleTimeoutMs: READ_IDLE_TIMEOUT_MS, signal },
  );
  try {
    for await (const packet of packets) {
      const bytes = verifier.accept({ offsetBytes: packet.offsetBytes, data: packet.data, chunkCrcs: packet.chunkCrcs });
      if (bytes.length > 0) yield bytes;
      if (verifier.done) return;
    }
  } catch (err) {
    if (err instanceof UnavailableError && /sent nothing for/.test(err.message)) {
      throw new DatanodeTimeoutError(`block ${block.blockId}: ${location.nodeId} sent nothing for ${READ_IDLE_TIMEOUT_MS} ms`);
    }
    throw err;
  } finally {
    await packets.return(undefined); // closes the connection when the read stops early
  }
}

async function reportBadReplica(ctx: ClientContext, blockId: number, nodeId: string, reason: string, stats: ReadStats): Promise<void> {
  try {
    // The NameNode refuses a reason over its limit; the first part says enough.
    await ctx.rpc.call('ReportBadReplica', { blockId, nodeId, reason: reason.slice(0, Limits.maxReportReasonLength) });
    stats.badReplicasReported.push({ blockId, nodeId });
  } catch (err) {
    ctx.logger.warn('ReportBadReplica failed', { event: 'report-bad-replica-failed', blockId, nodeId, error: String(err) });
  }
}

/**
 * A Readable over readFileBytes: pulls the next verified piece only when the consumer wants more
 * (backpressure reaches the gRPC stream), and destroy() cancels the DataNode call in flight.
 */
export class DfsReadStream extends Readable {
  readonly stats: ReadStats;
  private readonly abort = new AbortController();
  private readonly pieces: AsyncGenerator<Buffer>;
  private pumping = false;

  constructor(ctx: ClientContext, readonly path: string) {
    super({ highWaterMark: 4 * Limits.packetDataBytes });
    this.stats = newReadStats(path);
    this.pieces = readFileBytes(ctx, path, this.stats, this.abort.signal);
  }

  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.pieces.next();
        if (this.destroyed) return;
        if (next.done) {
          this.push(null);
          return;
        }
        if (!this.push(next.value)) return;
      }
    } catch (err) {
      this.destroy(err instanceof Error ? err : new DfsError('INTERNAL', String(err)));
    } finally {
      this.pumping = false;
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.abort.abort(err ?? new Error('read stream destroyed'));
    if (this.pumping) return callback(err); // the pending next() rejects once its call is cancelled; the pump ends there
    this.pieces.return(undefined).then(() => callback(err), () => callback(err));
  }
}
