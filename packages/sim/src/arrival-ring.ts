/**
 * The arrival ring of the central simulation (simulation.ts): a bitmap per tick step, in a ring of
 * ARRIVAL_RING_STEPS slots, marking the DataNodes whose beat may arrive in that step. The engine
 * keeps the truth (each node's arrivalStep, -1 = no beat in flight); a mark is only a hint, so a
 * scan costs per beat instead of per node. A mark stays for a beat a multiple of the ring ahead
 * (same slot) and is dropped when stale (the beat was delivered early, re-planned or cancelled).
 */

/** Tick steps in the ring (a power of two); beats further ahead keep their mark. */
export const ARRIVAL_RING_STEPS = 64;
const ARRIVAL_RING_MASK = ARRIVAL_RING_STEPS - 1;

export class ArrivalRing {
  private readonly bits: Int32Array;
  private readonly words: number;

  constructor(nodes: number) {
    this.words = (nodes + 31) >>> 5;
    this.bits = new Int32Array(ARRIVAL_RING_STEPS * this.words);
  }

  /** Node i's beat may arrive in tick step `step`. */
  mark(i: number, step: number): void {
    this.bits[(step & ARRIVAL_RING_MASK) * this.words + (i >>> 5)] |= 1 << (i & 31);
  }

  /**
   * Calls deliver(i), in node index order, for every node marked in step k's slot whose
   * arrivalStep is k — what a scan of arrivalStep over all nodes finds. deliver may mark nodes
   * above i in the same slot: they are delivered in this scan too.
   */
  scan(k: number, arrivalStep: Int32Array, deliver: (i: number) => void): void {
    const bits = this.bits;
    const base = (k & ARRIVAL_RING_MASK) * this.words;
    for (let w = 0; w < this.words; w++) {
      let word = bits[base + w];
      while (word !== 0) {
        const b = 31 - Math.clz32(word & -word);
        const i = (w << 5) + b;
        const step = arrivalStep[i];
        if (!(step > k && ((step - k) & ARRIVAL_RING_MASK) === 0)) bits[base + w] &= ~(1 << b);
        if (step === k) deliver(i);
        word = bits[base + w] & ~((2 << b) - 1); // re-read: delivering may mark nodes above i
      }
    }
  }
}
