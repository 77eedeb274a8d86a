// A head that starts where the frozen features are: its kernel projects the centred features
// onto their top principal directions, so before any step its embeddings already rank photos
// about as the untrained space does, and training moves from there rather than from a random
// projection. The directions come from the same subspace iteration the search index fits its
// projection with (common/projection.ts), here on centred features: the head compares photos
// with each other, so it is their spread around the mean that must survive.
import * as tf from '@tensorflow/tfjs';
import { fitProjection } from '../common/projection.js';
import { Head } from './head.js';

/** A start, not a model: an even spread of this many rows finds the directions well enough. */
const MAX_FIT_ROWS = 1024;

/**
 * kernel [dim, outputDim] with orthonormal columns, and bias = -mean·kernel. Caller disposes.
 * Read from the rows as they are: packing every training row into one tensor first cost seconds
 * of the engine's thread at 60,000 rows, for a mean and a spread of 1,024 of them.
 */
export function principalProjection(features: readonly Float32Array[], dim: number, outputDim: number, seed: number): { kernel: tf.Tensor2D; bias: tf.Tensor1D } {
  const n = features.length;
  if (outputDim > dim) throw new RangeError(`cannot project ${dim}-d features onto ${outputDim} directions`);
  if (n < 2) throw new RangeError('principal directions need at least two feature rows');
  const mean = new Float32Array(dim);
  for (const row of features) for (let i = 0; i < dim; i++) mean[i] += row[i] / n;
  const step = Math.max(1, Math.ceil(n / MAX_FIT_ROWS));
  const centred: Float32Array[] = [];
  for (let r = 0; r < n; r += step) centred.push(Float32Array.from(features[r].subarray(0, dim), (v, i) => v - mean[i]));
  const { rows } = fitProjection(centred, dim, outputDim, seed);
  return tf.tidy(() => {
    const kernel = tf.transpose(tf.tensor2d(rows, [outputDim, dim])) as tf.Tensor2D;
    const bias = tf.neg(tf.squeeze(tf.matMul(tf.tensor2d(mean, [1, dim]), kernel), [0])) as tf.Tensor1D;
    return { kernel, bias };
  });
}

/**
 * A new head: at the principal directions of `rows()` (the training features) for 'pca', else
 * Glorot-random. More output than input dimensions has no principal directions: random then.
 */
export function startingHead(init: 'pca' | 'random', rows: () => Float32Array[], inputDim: number, outputDim: number, seed: number): Head {
  const features = init === 'pca' && outputDim <= inputDim ? rows() : [];
  if (features.length < 2) return Head.create({ inputDim, outputDim, seed });
  const { kernel, bias } = principalProjection(features, inputDim, outputDim, seed);
  try {
    return Head.withWeights(kernel, bias);
  } finally {
    tf.dispose([kernel, bias]);
  }
}
