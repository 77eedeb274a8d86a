// A miner looks at a batch's embeddings and labels and returns the triplets worth training on.
// Asynchronous: it reads distances back, and on WebGPU under Node only `await data()` can.
import type * as tf from '@tensorflow/tfjs';
import type { TripletTuples } from '../tuples.js';

export type { MinerName } from '../../../src-shared/vocabulary.js';
import type { MinerName } from '../../../src-shared/vocabulary.js';

export interface TripletMiner {
  readonly name: MinerName;
  mine(embeddings: tf.Tensor2D, labels: Int32Array): Promise<TripletTuples>;
}
