/**
 * Replicas being written (HDFS RBW) and the block recoveries that finalize them. A DataNode whose
 * write lost its upstream mid-block keeps the bytes written there and reports their length; when
 * the writer's lease is recovered, the file's last block, if no finalized replica of it exists, is
 * finalized at the shortest length its live holders reported. Every byte the pipeline acknowledged
 * is on every pipeline node (a packet is acked upstream only after its local write), so that length
 * holds all of them. Pure: driven by the caller's clock, no I/O.
 *
 * Invariants: (1) at most `limit` (node, block) entries are held; past it the oldest block's are
 * dropped (its holders report it again in their next full block report); (2) a recovery orders its
 * holders at most once per `retryMs`, so a lost command or a holder that died is retried with the
 * holders then live.
 */
import type { ReportedReplica } from './block-map';

export interface BeingWrittenReplica {
  nodeId: string;
  generationStamp: number;
  lengthBytes: number;
}

interface Recovery {
  lengthBytes: number;
  orderedMs: number;
}

export class BlockRecoveries {
  private readonly byBlock = new Map<number, Map<string, BeingWrittenReplica>>();
  private readonly recoveries = new Map<number, Recovery>();
  private entries = 0;

  constructor(private readonly limit: number, private readonly retryMs: number) {}

  /** A node holds `r` being written (an incremental or full report). */
  report(nodeId: string, r: ReportedReplica): void {
    let holders = this.byBlock.get(r.blockId);
    if (!holders) {
      holders = new Map();
      this.byBlock.set(r.blockId, holders);
    }
    if (!holders.has(nodeId)) this.entries += 1;
    holders.set(nodeId, { nodeId, generationStamp: r.generationStamp, lengthBytes: r.lengthBytes });
    while (this.entries > this.limit) {
      const oldest = this.byBlock.keys().next().value as number;
      this.forgetBlock(oldest);
    }
  }

  /** A node's full report: what it no longer lists being written is gone from it. */
  replaceNode(nodeId: string, blockIds: ReadonlySet<number>): void {
    for (const [blockId, holders] of this.byBlock) {
      if (!blockIds.has(blockId) && holders.delete(nodeId)) {
        this.entries -= 1;
        if (holders.size === 0) this.byBlock.delete(blockId);
      }
    }
  }

  /** A node's replica became finalized, or was deleted. */
  forgetReplica(nodeId: string, blockId: number): void {
    const holders = this.byBlock.get(blockId);
    if (holders?.delete(nodeId)) {
      this.entries -= 1;
      if (holders.size === 0) this.byBlock.delete(blockId);
    }
  }

  /** The block is gone or finalized: returns the nodes that still held it being written. */
  forgetBlock(blockId: number): string[] {
    this.recoveries.delete(blockId);
    const holders = this.byBlock.get(blockId);
    if (!holders) return [];
    this.byBlock.delete(blockId);
    this.entries -= holders.size;
    return [...holders.keys()];
  }

  /** Holders of `blockId` at `generationStamp` for which `usable` holds. */
  holders(blockId: number, generationStamp: number, usable: (nodeId: string) => boolean): BeingWrittenReplica[] {
    const out: BeingWrittenReplica[] = [];
    for (const h of this.byBlock.get(blockId)?.values() ?? []) {
      if (h.generationStamp === generationStamp && usable(h.nodeId)) out.push(h);
    }
    return out;
  }

  /**
   * The recovery of `blockId` at `lengthBytes`: true when its holders are to be ordered now (first
   * time, a new length, or `retryMs` since the last order), false while the last order is fresh.
   */
  order(blockId: number, lengthBytes: number, nowMs: number): boolean {
    const r = this.recoveries.get(blockId);
    if (r && r.lengthBytes === lengthBytes && nowMs - r.orderedMs < this.retryMs) return false;
    this.recoveries.set(blockId, { lengthBytes, orderedMs: nowMs });
    return true;
  }

  recovering(blockId: number): boolean {
    return this.recoveries.has(blockId);
  }

  get size(): { replicas: number; blocks: number; recoveries: number } {
    return { replicas: this.entries, blocks: this.byBlock.size, recoveries: this.recoveries.size };
  }
}
