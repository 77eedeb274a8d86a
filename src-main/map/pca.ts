// Principal components of wide embeddings (the pretrained space is 1280-d), so the map's
// neighbour searches run on ~64-d vectors: each search is a matrix product whose cost grows
// with the width, and UMAP's own authors reduce with PCA first for the same reason. The
// directions come from the one subspace iteration the project has (common/projection.ts), fitted
// on the centred sample; projecting every vector is a matrix product in tfjs.
import * as tf from '@tensorflow/tfjs';
import { fitProjection } from '../common/projection.js';
import { meanRow, packRows } from '../common/rows.js';

const CHUNK = 4096;

/** Every vector projected on the top `outDim` principal directions of `sample`, rows L2-normalised. */
export function reduceWithPca(vectors: readonly Float32Array[], sample: readonly Float32Array[], outDim: number, seed: number): Float32Array[] {
  const dim = vectors[0]?.length ?? 0;
  if (dim <= outDim || sample.length < 2) return [...vectors];
  const meanValues = meanRow(sample, dim);
  const { rows } = fitProjection(sample.map((v) => Float32Array.from(v, (x, i) => x - meanValues[i])), dim, outDim, seed);
  const mean = tf.tensor2d(meanValues, [1, dim]);
  // Plain products only: a transposed operand is ~10x slower on wasm (MEASURED.md).
  const basis = tf.tidy(() => tf.transpose(tf.tensor2d(rows, [outDim, dim])));
  const out: Float32Array[] = [];
  try {
    for (let s = 0; s < vectors.length; s += CHUNK) {
      const chunk = vectors.slice(s, s + CHUNK);
      const y = tf.tidy(() => {
        const p = tf.matMul(tf.sub(tf.tensor2d(packRows(chunk, dim), [chunk.length, dim]), mean), basis);
        return tf.div(p, tf.maximum(tf.norm(p, 'euclidean', 1, true), 1e-12));
      });
      const data = y.dataSync() as Float32Array;
      y.dispose();
      for (let i = 0; i < chunk.length; i++) out.push(data.slice(i * outDim, (i + 1) * outDim));
    }
  } finally {
    mean.dispose();
    basis.dispose();
  }
  return out;
}
