/**
 * Client reports of a bad replica waiting for the NameNode's own check (ClientProtocol.ReportBadReplica,
 * docs/SECURITY.md). A client's word alone never marks a replica corrupt: the NameNode reads the
 * replica itself and only a failed read counts. This is the bookkeeping: one pending verification
 * per (block, node) — a second report of the same replica joins the first — and at most `maxPending`
 * at once; beyond that a report is refused with RESOURCE_EXHAUSTED and nothing is recorded. Pure.
 */
import { DfsError } from '@minidfs/common';

export type VerificationRequest = 'started' | 'joined';

export class ReplicaVerifications {
  private readonly pending = new Set<string>();

  constructor(readonly maxPending: number) {
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`maxPending must be a positive integer, got ${maxPending}`);
  }

  /** 'started': the caller runs the check and calls finish(); 'joined': one is already running. */
  request(blockId: number, nodeId: string): VerificationRequest {
    const key = keyOf(blockId, nodeId);
    if (this.pending.has(key)) return 'joined';
    if (this.pending.size >= this.maxPending) {
      throw new DfsError('RESOURCE_EXHAUSTED', `${this.pending.size} bad-replica reports are being verified already (Limits.maxPendingReplicaVerifications); retry later`);
    }
    this.pending.add(key);
    return 'started';
  }

  finish(blockId: number, nodeId: string): void {
    this.pending.delete(keyOf(blockId, nodeId));
  }

  isPending(blockId: number, nodeId: string): boolean {
    return this.pending.has(keyOf(blockId, nodeId));
  }

  get size(): number {
    return this.pending.size;
  }
}

function keyOf(blockId: number, nodeId: string): string {
  return `${blockId}/${nodeId}`;
}
