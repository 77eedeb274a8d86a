// A head that starts where the frozen features are: its kernel projects the centred features
// onto their top principal directions, so before any step its embeddings already rank photos
// about as the untrained space does, and training moves from there rather than from a random
// projection. The directions come from the same subspace iteration the search index fits its
// projection with (common/projection.ts), here on centred features: the head compares photos
// with each other, so it is their spread around the mean that must survive.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { fitProjectionInSteps } from '../common/projection.js';
import { Head } from './head.js';

/** A start, not a model: an even spread of this many rows finds the directions well enough. */
const MAX_FIT_ROWS = 1024;
/** Rows summed between two pauses for the mean (at 1,280 dimensions, tens of ms). */
const MEAN_SLICE = 2000;

/**
 * kernel [dim, outputDim] with orthonormal columns, and bias = -mean·kernel. Caller disposes.
 * Read from the rows as they are (packing every training row into one tensor first cost seconds
 * at 60,000 rows), and fitted in steps with a pause between them: the fit is ~3 s of one thread
 * at 1,280 → 128 dimensions whatever the library's size, and the engine answers meanwhile. Its
 * tensors are made by `place` (e.g. on the host backend while the GPU trains).
 */
export async function principalProjection(
  features: readonly Float32Array[],
  dim: number,
  outputDim: number,
  seed: number,
  place: <T>(make: () => T) => T = (make) => make(),
): Promise<{ kernel: tf.Tensor2D; bias: tf.Tensor1D }> {
  const n = features.length;
  if (outputDim > dim) throw new RangeError(`cannot project ${dim}-d features onto ${outputDim} directions`);
  if (n < 2) throw new RangeError('principal directions need at least two feature rows');
  const mean = new Float32Array(dim);
  for (let start = 0; start < n; start += MEAN_SLICE) {
    for (const row of features.slice(start, start + MEAN_SLICE)) for (let i = 0; i < dim; i++) mean[i] += row[i] / n;
    await nextTurn();
  }
  const step = Math.max(1, Math.ceil(n / MAX_FIT_ROWS));
  const centred: Float32Array[] = [];
  for (let r = 0; r < n; r += step) {
    const row = new Float32Array(dim);
    for (let i = 0; i < dim; i++) row[i] = features[r][i] - mean[i];
    centred.push(row);
  }
  const { rows } = await fitProjectionInSteps(centred, dim, outputDim, seed);
  return place(() =>
    tf.tidy(() => {
      const kernel = tf.transpose(tf.tensor2d(rows, [outputDim, dim])) as tf.Tensor2D;
      const bias = tf.neg(tf.squeeze(tf.matMul(tf.tensor2d(mean, [1, dim]), kernel), [0])) as tf.Tensor1D;
      return { kernel, bias };
    }),
  );
}

/**
 * A new head: at the principal directions of `rows()` (the training features) for 'pca', else
 * Glorot-random. More output than input dimensions has no principal directions: random then.
 * Its weights are made by `place`, as principalProjection's.
 */
export async function startingHead(
  init: 'pca' | 'random',
  rows: () => Float32Array[] | Promise<Float32Array[]>,
  inputDim: number,
  outputDim: number,
  seed: number,
  place: <T>(make: () => T) => T = (make) => make(),
): Promise<Head> {
  const features = init === 'pca' && outputDim <= inputDim ? await rows() : [];
  if (features.length < 2) return place(() => Head.create({ inputDim, outputDim, seed }));
  const { kernel, bias } = await principalProjection(features, inputDim, outputDim, seed, place);
  try {
    return place(() => Head.withWeights(kernel, bias));
  } finally {
    tf.dispose([kernel, bias]);
  }
}
