/**
 * Streams one block through one DataNode write pipeline (HDFS DataStreamer, one attempt): open
 * WriteBlock on locations[0], send the header naming the rest of the pipeline, the packets (with
 * backpressure: wait for 'drain' whenever write() says so), half-close, and resolve when an ack
 * with `finalized: true` arrives: then every node of the pipeline has the block on disk. Any
 * failure rejects with PipelineAttemptError naming the node to exclude (the `minidfs-bad-node`
 * status metadata, else locations[0]). A watchdog fails the attempt if the pipeline makes no
 * progress (no ack, no drain) for the ack deadline, blaming locations[0], so a hung (SIGSTOPped)
 * node cannot stall a write: with `ackTimeoutMs` (the NameNode's base, CreateResponse) it is
 * pipelineAckDeadlineMs(ackTimeoutMs, locations.length) (common/pipeline-deadline.ts), one
 * extension longer than the first DataNode's own wait, so a hung node further down is named by the
 * node above it first.
 */
import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { type DataTransferClient, pipelineAckDeadlineMs } from '@minidfs/common';
import { packetsOf } from './checksums';
import { pickBadNode } from './failover';
import type { LocatedBlock, WireWriteBlockAck } from './wire';

/** Status metadata key a DataNode sets to the id of the pipeline node that failed. */
export const BAD_NODE_METADATA_KEY = 'minidfs-bad-node';
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
}

export async function writeBlockThroughPipeline(
  client: DataTransferClient, located: LocatedBlock, block: Buffer, options: PipelineOptions = {},
): Promise<PipelineResult> {
  const pipelineIds = located.locations.map((l) => l.nodeId);
  const idleTimeoutMs = options.idleTimeoutMs
    ?? (options.ackTimeoutMs ? pipelineAckDeadlineMs(options.ackTimeoutMs, pipelineIds.length) : PIPELINE_IDLE_TIMEOUT_MS);
  const call = client.WriteBlock();

  let settled = false;
  let rejectFailed!: (e: PipelineAttemptError) => void;
  const failed = new Promise<never>((_, reject) => { rejectFailed = reject; });
  failed.catch(() => undefined);
  let resolveFinalized!: (ack: WireWriteBlockAck) => void;
  const finalized = new Promise<WireWriteBlockAck>((resolve) => { resolveFinalized = resolve; });

  let watchdog: NodeJS.Timeout | undefined;
  const fail = (message: string, badNodeId: string, cause?: unknown) => {
    if (settled) return;
    settled = true;
    clearTimeout(watchdog);
    call.cancel();
    rejectFailed(new PipelineAttemptError(message, badNodeId, cause));
  };
  const progress = () => {
    clearTimeout(watchdog);
    if (settled) return;
    watchdog = setTimeout(() => fail(`block ${located.blockId}: pipeline ${pipelineIds.join(' -> ')} made no progress for ${idleTimeoutMs} ms`, pipelineIds[0]!), idleTimeoutMs);
  };
  const onAbort = () => fail(`block ${located.blockId}: write aborted`, pipelineIds[0]!, options.signal?.reason);

  call.on('data', (ack: WireWriteBlockAck) => {
    progress();
    if (ack.finalized) resolveFinalized(ack);
  });
  call.on('error', (err: grpc.ServiceError) => {
    const reported = err.metadata?.get(BAD_NODE_METADATA_KEY)[0];
    const bad = pickBadNode(typeof reported === 'string' ? reported : reported?.toString(), pipelineIds);
    fail(`block ${located.blockId}: pipeline ${pipelineIds.join(' -> ')} failed at ${bad}: ${err.details ?? err.message}`, bad, err);
  });
  call.on('end', () => {
    // The server closed its side; if no finalized ack arrived first, the attempt failed. Defer one
    // turn so a finalized ack delivered in the same batch wins.
    setImmediate(() => fail(`block ${located.blockId}: pipeline closed before the block was finalized`, pipelineIds[0]!));
  });
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    progress();
    const send = async (message: Parameters<typeof call.write>[0]) => {
      if (settled) await failed;
      if (!call.write(message)) {
        await Promise.race([once(call, 'drain'), failed]);
        progress();
      }
    };
    await send({
      header: {
        blockId: located.blockId, generationStamp: located.generationStamp, downstream: located.locations.slice(1),
        accessToken: located.accessToken, purpose: 'WRITE',
      },
    });
    let packets = 0;
    for (const p of packetsOf(block)) {
      await send({ packet: { seqno: p.seqno, data: p.data, chunkCrcs: p.chunkCrcs, last: p.last } });
      packets++;
    }
    if (!settled) call.end();
    const ack = await Promise.race([finalized, failed]);
    if (ack.lengthBytes !== block.length) {
      fail(`block ${located.blockId}: pipeline finalized ${ack.lengthBytes} bytes, sent ${block.length}`, pipelineIds[0]!);
      await failed;
    }
    settled = true;
    return { lengthBytes: block.length, ackedBy: ack.ackedBy, packets };
  } finally {
    settled = true;
    clearTimeout(watchdog);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
