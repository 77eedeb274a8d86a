// Miners pick tuples from the current distances; they read them once into plain JS, with
// `await data()`: a miner also runs on the GPU backend (whole-CNN training), where tfjs's
// WebGPU backend cannot read synchronously under Node.
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, unitDistanceMatrix } from '../tensor-ops.js';

/** Row-major n×n distances between the L2-normalised rows of `embeddings`. */
export async function distanceMatrix(embeddings: tf.Tensor2D): Promise<Float32Array> {
  const d = tf.tidy(() => {
    const x = l2NormalizeRows(embeddings);
    return unitDistanceMatrix(x);
  });
  try {
    return (await d.data()) as Float32Array;
  } finally {
    d.dispose();
  }
}
