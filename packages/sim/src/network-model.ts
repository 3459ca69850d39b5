/**
 * The network model of the central simulation (simulation.ts), per DataNode–NameNode link: a base
 * delay drawn once (delayMs × U[0.5, 1.5)), exponential jitter per message, and loss of stream
 * messages (beats one way, answers and pushed commands the other) with probability `loss`, as runs
 * between geometric draws instead of a draw per message. Every draw comes from the link's own
 * stream ("net/<i>"), which the engine also uses for the DataNode's timer jitter.
 */
import type { NetworkConfig } from './config';
import { RandomStreams } from './random';

export class NetworkModel {
  /** Per-link stream "net/<i>": delays, loss runs, and the DataNode's timer jitter. */
  readonly random: RandomStreams;
  readonly loss: number;
  private readonly jitterMs: number;
  /** Base one-way delay of node i's link, ms. */
  readonly baseDelayMs: Float64Array;
  /** Beats still to send before the next lost one. */
  private readonly beatLossLeft: Float64Array;
  /** Stream messages still to send to the DataNode before the next lost one. */
  private readonly answerLossLeft: Float64Array;

  constructor(seed: string, nodes: number, network: NetworkConfig) {
    this.random = new RandomStreams(seed, 'net', nodes);
    this.loss = network.loss;
    this.jitterMs = network.jitterMs;
    this.baseDelayMs = new Float64Array(nodes);
    this.beatLossLeft = new Float64Array(nodes);
    this.answerLossLeft = new Float64Array(nodes);
    for (let i = 0; i < nodes; i++) {
      this.baseDelayMs[i] = network.delayMs * (0.5 + this.random.next(i));
      this.beatLossLeft[i] = this.random.geometric(i, this.loss);
      this.answerLossLeft[i] = this.random.geometric(i, this.loss);
    }
  }

  /** One-way delay of a message on node i's link. */
  delay(i: number): number {
    return this.baseDelayMs[i] + this.random.exponential(i, this.jitterMs);
  }

  /** Whether node i's next beat is lost (callers skip this when loss is 0). */
  beatLost(i: number): boolean {
    if (--this.beatLossLeft[i] > 0) return false;
    this.beatLossLeft[i] = this.random.geometric(i, this.loss);
    return true;
  }

  /** Saves link i's random state and loss counters (4 ints at ints[4i], 2 numbers at nums[2i]); restoreLink puts them back. */
  saveLink(i: number, ints: Int32Array, nums: Float64Array): void {
    this.random.saveState(i, ints, 4 * i);
    nums[2 * i] = this.beatLossLeft[i];
    nums[2 * i + 1] = this.answerLossLeft[i];
  }

  restoreLink(i: number, ints: Int32Array, nums: Float64Array): void {
    this.random.restoreState(i, ints, 4 * i);
    this.beatLossLeft[i] = nums[2 * i];
    this.answerLossLeft[i] = nums[2 * i + 1];
  }

  /** Whether the next NameNode -> DataNode stream message (answer, pushed commands) on node i's link is lost. */
  answerLost(i: number): boolean {
    if (this.loss === 0 || --this.answerLossLeft[i] > 0) return false;
    this.answerLossLeft[i] = this.random.geometric(i, this.loss);
    return true;
  }
}
