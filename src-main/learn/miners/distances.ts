// Miners pick tuples from the current distances; they read them once into plain JS.
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, unitDistanceMatrix } from '../tensor-ops.js';

/** Row-major n×n distances between the L2-normalised rows of `embeddings`. */
export function distanceMatrix(embeddings: tf.Tensor2D): Float32Array {
  const d = tf.tidy(() => {
    const x = l2NormalizeRows(embeddings);
    return unitDistanceMatrix(x);
  });
  const out = d.dataSync() as Float32Array;
  d.dispose();
  return out;
}
