/**
 * Streams one block through one DataNode write pipeline (HDFS DataStreamer, one attempt) over the
 * block transfer protocol (TCP, common/transfer-client.ts): connect to locations[0]'s transfer
 * port, send the header naming the rest of the pipeline, then the packets with backpressure (at
 * most Limits.maxPacketsInFlight unacked, and a full socket buffer waits for 'drain'), and resolve
 * when the finalized ack arrives: then every node of the pipeline has the block on disk. Any
 * failure rejects with PipelineAttemptError naming the node to exclude (the status's bad_node,
 * else locations[0]). A watchdog fails the attempt if the pipeline makes no progress (no ack, no
 * drain) for the ack deadline, blaming locations[0], so a hung (SIGSTOPped) node cannot stall a
 * write: with `ackTimeoutMs` (the NameNode's base, CreateResponse) it is
 * pipelineAckDeadlineMs(ackTimeoutMs, locations.length) (common/pipeline-deadline.ts), one
 * extension longer than the first DataNode's own wait, so a hung node further down is named by the
 * node above it first.
 */
import { Limits, type TlsMaterial, TransferWriteError, TransferWriteStream, pipelineAckDeadlineMs } from '@minidfs/common';
import { packetsOf } from './checksums';
import { pickBadNode } from './failover';
import type { LocatedBlock } from './wire';

/** Without an ack deadline from the NameNode: a pipeline that neither acks nor drains for this long is declared failed. */
export const PIPELINE_IDLE_TIMEOUT_MS = 30_000;

/** One failed pipeline attempt; `badNodeId` goes to excludeNodeIds of the next AddBlock. */
export class PipelineAttemptError extends Error {
  override readonly name = 'PipelineAttemptError';
  constructor(message: string, readonly badNodeId: string, override readonly cause?: unknown) {
    super(message);
  }
}

export interface PipelineResult {
  lengthBytes: number;
  /** Node ids the finalized ack named. */
  ackedBy: string[];
  packets: number;
}

export interface PipelineOptions {
  /** Explicit watchdog period, ms (overrides ackTimeoutMs). */
  idleTimeoutMs?: number;
  /** Base ack deadline from the NameNode (CreateResponse.pipeline_ack_timeout_ms); 0/absent = PIPELINE_IDLE_TIMEOUT_MS. */
  ackTimeoutMs?: number;
  signal?: AbortSignal;
  /** Goes into the transfer header (DataNode logs). */
  clientName?: string;
}

export async function writeBlockThroughPipeline(
  datanodes: { readonly tls?: TlsMaterial }, located: LocatedBlock, block: Buffer, options: PipelineOptions = {},
): Promise<PipelineResult> {
  const pipelineIds = located.locations.map((l) => l.nodeId);
  const first = located.locations[0];
  if (!first) throw new RangeError(`block ${located.blockId}: empty pipeline`);
  const idleTimeoutMs = options.idleTimeoutMs
    ?? (options.ackTimeoutMs ? pipelineAckDeadlineMs(options.ackTimeoutMs, pipelineIds.length) : PIPELINE_IDLE_TIMEOUT_MS);
  const describe = `block ${located.blockId}: pipeline ${pipelineIds.join(' -> ')}`;
  let stream: TransferWriteStream | undefined;
  const onAbort = () => stream?.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    stream = await TransferWriteStream.open({ nodeId: first.nodeId, host: first.host, transferPort: first.transferPort }, {
      op: 'TRANSFER_OP_WRITE', blockId: located.blockId, generationStamp: located.generationStamp, accessToken: located.accessToken,
      clientName: options.clientName ?? '',
      targets: located.locations.slice(1).map((l) => ({ nodeId: l.nodeId, host: l.host, dataPort: l.dataPort, rack: l.rack, transferPort: l.transferPort })),
    }, { tls: datanodes.tls, idleTimeoutMs, maxInFlight: Limits.maxPacketsInFlight });
    let packets = 0;
    for (const p of packetsOf(block)) {
      options.signal?.throwIfAborted();
      await stream.send(p.data, p.chunkCrcs, p.last);
      packets++;
    }
    const ack = await stream.finalized();
    if (ack.lengthBytes !== block.length) {
      throw new PipelineAttemptError(`${describe} finalized ${ack.lengthBytes} bytes, sent ${block.length}`, first.nodeId);
    }
    return { lengthBytes: block.length, ackedBy: ack.ackedBy, packets };
  } catch (err) {
    if (err instanceof PipelineAttemptError) throw err;
    if (options.signal?.aborted) throw new PipelineAttemptError(`block ${located.blockId}: write aborted`, first.nodeId, options.signal.reason);
    if (err instanceof TransferWriteError) {
      const bad = pickBadNode(err.badNode, pipelineIds);
      throw new PipelineAttemptError(`${describe} failed at ${bad}: ${err.error.message}`, bad, err.error);
    }
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stream?.close();
  }
}
