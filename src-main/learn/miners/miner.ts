// A miner looks at a batch's embeddings and labels and returns the triplets worth training on.
// Asynchronous: it reads distances back, and on WebGPU under Node only `await data()` can.
import type * as tf from '@tensorflow/tfjs';
import type { TripletTuples } from '../tuples.js';

export type { MinerName } from '../../../src-shared/vocabulary.js';
import type { MinerName } from '../../../src-shared/vocabulary.js';

/** Whether two classes are known to differ (default: any two classes); learn/split.ts says why it may not. */
export type Apart = (ci: number, cj: number) => boolean;

export const anyTwoClasses: Apart = (ci, cj) => ci !== cj;

export interface TripletMiner {
  readonly name: MinerName;
  /** Triplets whose negative's class is known to differ from the anchor's (`apart`). */
  mine(embeddings: tf.Tensor2D, labels: Int32Array, apart?: Apart): Promise<TripletTuples>;
}
