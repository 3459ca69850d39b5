/**
 * Checks a client's bad-replica report before it counts (docs/SECURITY.md, "ReportBadReplica"):
 * the NameNode reads the named replica itself over the ordinary block transfer read path (TCP,
 * the DataNode's transfer port, TLS with the NameNode's certificate when configured), with a
 * READ token it signs, and verifies every chunk's CRC32C and the length. Only a failed check
 * (the DataNode answers CHECKSUM_MISMATCH, a chunk's CRC does not match, or a complete block
 * comes back short) marks the replica corrupt; a read that cannot be done (node unreachable,
 * timeout) is inconclusive and changes nothing.
 *
 * Bounds: the Namesystem keeps one pending check per (block, node) and at most
 * Limits.maxPendingReplicaVerifications; this adapter runs at most
 * Limits.maxConcurrentReplicaVerifications reads at once, the others wait their turn.
 */
import { type BlockTokenGrant, DfsError, Limits, type Logger, type TlsMaterial, firstBadChunk, readBlockFrames } from '@minidfs/common';
import type { Namesystem, ReplicaToVerify } from './namesystem';

/** Longest one verification read may take before it is given up as inconclusive. */
export const REPLICA_VERIFY_TIMEOUT_MS = 120_000;

export type VerificationOutcome = 'refused' | 'joined' | 'corrupt' | 'healthy' | 'inconclusive';

export interface ReplicaVerifierDeps {
  namesystem: () => Namesystem;
  logger: Logger;
  tls?: TlsMaterial;
  blockToken?(grant: BlockTokenGrant): string;
}

export class ReplicaVerifier {
  private running = 0;
  private readonly waiting: ReplicaToVerify[] = [];
  /** Outcomes of client reports since start, for metrics and tests. */
  readonly outcomes: Record<VerificationOutcome, number> = { refused: 0, joined: 0, corrupt: 0, healthy: 0, inconclusive: 0 };
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: ReplicaVerifierDeps) {}

  /**
   * ClientProtocol.ReportBadReplica: validates and registers the report (typed errors from the
   * Namesystem), then checks the replica in the background. The client does not wait for the check.
   */
  report(blockId: number, nodeId: string, reason: string): void {
    let toVerify: ReplicaToVerify | undefined;
    try {
      toVerify = this.deps.namesystem().clientReportsBadReplica(blockId, nodeId);
    } catch (err) {
      this.outcomes.refused += 1;
      throw err;
    }
    if (!toVerify) {
      this.outcomes.joined += 1;
      return;
    }
    this.deps.logger.info('client reported a bad replica; verifying', { event: 'bad-replica-reported', blockId, nodeId, reason });
    this.waiting.push(toVerify);
    this.pump();
  }

  /** Resolves once no verification runs or waits (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private pump(): void {
    while (this.running < Limits.maxConcurrentReplicaVerifications && this.waiting.length > 0) {
      const r = this.waiting.shift()!;
      this.running += 1;
      void this.verify(r)
        .then(
          ({ verdict, detail }) => ({ verdict, detail }),
          (err: unknown) => ({ verdict: 'inconclusive' as const, detail: (err as Error).message }),
        )
        .then(({ verdict, detail }) => {
          this.running -= 1;
          this.outcomes[verdict] += 1;
          try {
            this.deps.namesystem().finishReplicaVerification(r.blockId, r.location.nodeId, r.generationStamp, verdict, detail);
          } catch (err) {
            this.deps.logger.error('recording a replica verification failed', { event: 'replica-verify-failed', blockId: r.blockId, error: (err as Error).message });
          }
          this.pump();
          if (this.running === 0 && this.waiting.length === 0) {
            for (const resolve of this.idle) resolve();
            this.idle.clear();
          }
        });
    }
  }

  /** Reads the whole replica over the block transfer protocol (TCP) and checks it. */
  private async verify(r: ReplicaToVerify): Promise<{ verdict: 'corrupt' | 'healthy' | 'inconclusive'; detail: string }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REPLICA_VERIFY_TIMEOUT_MS);
    let expectedOffset = 0;
    try {
      const packets = readBlockFrames({ nodeId: r.location.nodeId, host: r.location.host, transferPort: r.location.transferPort ?? 0 }, {
        blockId: r.blockId, generationStamp: r.generationStamp, offsetBytes: 0, lengthBytes: 0, clientName: 'namenode:replica-verifier',
        accessToken: this.deps.blockToken?.({ blockId: r.blockId, generationStamp: r.generationStamp, mode: 'READ', targets: [] }) ?? '',
      }, { tls: this.deps.tls, signal: abort.signal, idleTimeoutMs: REPLICA_VERIFY_TIMEOUT_MS });
      try {
        for await (const piece of packets) {
          const offset = piece.offsetBytes;
          if (offset !== expectedOffset) return { verdict: 'corrupt', detail: `piece at byte ${offset}, expected ${expectedOffset}` };
          const bad = firstBadChunk(piece.data, piece.chunkCrcs, Limits.bytesPerChecksum);
          if (bad >= 0) return { verdict: 'corrupt', detail: `checksum mismatch at byte ${offset + bad * Limits.bytesPerChecksum}` };
          expectedOffset += piece.data.length;
        }
      } finally {
        await packets.return(undefined);
      }
    } catch (err) {
      const e = err instanceof DfsError ? err : new DfsError('UNAVAILABLE', abort.signal.aborted ? `no answer within ${REPLICA_VERIFY_TIMEOUT_MS} ms` : String(err));
      if (e.code === 'CHECKSUM_MISMATCH') return { verdict: 'corrupt', detail: `the DataNode's read failed its checksums: ${e.message}` };
      return { verdict: 'inconclusive', detail: `${e.code}: ${e.message}` };
    } finally {
      clearTimeout(timer);
    }
    if (r.complete && expectedOffset < r.lengthBytes) {
      return { verdict: 'corrupt', detail: `replica has ${expectedOffset} of the block's ${r.lengthBytes} bytes` };
    }
    return { verdict: 'healthy', detail: `${expectedOffset} bytes read, every checksum matches` };
  }
}
