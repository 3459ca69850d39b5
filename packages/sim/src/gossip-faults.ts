/**
 * Ground truth of a gossip-mode run (gossip.ts) for its metrics: FaultTimeline holds the effective
 * faults per node (a crash of a node that is already down, or a pause of a paused or crashed one,
 * does nothing — the central simulation's rules), recorded by the gossip engine as it applies the
 * plan of fault-plan.ts.
 */
import type { MistakeCause } from './metrics';


/** Half-open interval [startMs, endMs) of virtual time. */
interface Span { startMs: number; endMs: number }

/** Effective faults per node, as they happened (filled in by the gossip engine). */
export class FaultTimeline {
  readonly down: Span[][];
  readonly paused: Span[][];
  /** Cut from the NameNode (every partition, NameNode-only or not). */
  readonly cutNameNode: Span[][];
  /** Cut from (some of) its peers. */
  readonly cutPeers: Span[][];

  constructor(nodes: number) {
    this.down = Array.from({ length: nodes }, () => []);
    this.paused = Array.from({ length: nodes }, () => []);
    this.cutNameNode = Array.from({ length: nodes }, () => []);
    this.cutPeers = Array.from({ length: nodes }, () => []);
  }

  open(list: Span[][], node: number, atMs: number): Span {
    const s = { startMs: atMs, endMs: Number.POSITIVE_INFINITY };
    list[node].push(s);
    return s;
  }

  close(list: Span[][], node: number, atMs: number): void {
    const spans = list[node];
    for (let k = spans.length - 1; k >= 0; k--) {
      if (spans[k].endMs === Number.POSITIVE_INFINITY) {
        spans[k].endMs = atMs;
        return;
      }
    }
  }

  isUp(node: number, atMs: number): boolean {
    return !this.down[node].some((s) => atMs >= s.startMs && atMs < s.endMs);
  }

  /** Latest restart at or before atMs, or -Infinity. */
  lastRestartMs(node: number, atMs: number): number {
    let r = Number.NEGATIVE_INFINITY;
    for (const s of this.down[node]) if (s.endMs <= atMs) r = Math.max(r, s.endMs);
    return r;
  }

  /**
   * Why an up node was suspected at atMs: a pause overlapping the last `lookbackMs`, else a
   * partition on the links that detector listens on (peers or NameNode), else loss or delay.
   */
  cause(node: number, atMs: number, lookbackMs: number, view: 'peers' | 'namenode'): MistakeCause {
    const overlaps = (spans: Span[]) => spans.some((s) => s.startMs <= atMs && s.endMs >= atMs - lookbackMs);
    if (overlaps(this.paused[node])) return 'pause';
    if (overlaps(view === 'peers' ? this.cutPeers[node] : this.cutNameNode[node])) return 'partition';
    return 'loss-or-delay';
  }
}
