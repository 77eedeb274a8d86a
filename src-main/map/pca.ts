// Principal components of wide embeddings (the pretrained space is 1280-d), so the map's
// neighbour searches run on ~64-d vectors: each search is a matrix product whose cost grows
// with the width, and UMAP's own authors reduce with PCA first for the same reason. The
// components come from a sample, by a few rounds of seeded block power iteration.
import * as tf from '@tensorflow/tfjs';

const ROUNDS = 8;

function pack(rows: readonly Float32Array[], dim: number): Float32Array {
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return flat;
}

/** Every vector projected on the top `outDim` principal directions of `sample`, rows L2-normalised. */
export function reduceWithPca(vectors: readonly Float32Array[], sample: readonly Float32Array[], outDim: number, seed: number): Float32Array[] {
  const dim = vectors[0]?.length ?? 0;
  if (dim <= outDim || sample.length < 2) return [...vectors];
  const { mean, basis } = tf.tidy(() => {
    const s = tf.tensor2d(pack(sample, dim), [sample.length, dim]);
    const mu = tf.mean(s, 0);
    const centred = tf.sub(s, mu) as tf.Tensor2D;
    // Plain products only: a transposed operand is ~10x slower on wasm (MEASURED.md).
    const cov = tf.matMul(tf.transpose(centred), centred);
    let q = tf.linalg.gramSchmidt(tf.randomNormal([outDim, dim], 0, 1, 'float32', seed) as tf.Tensor2D) as tf.Tensor2D;
    for (let r = 0; r < ROUNDS; r++) q = tf.linalg.gramSchmidt(tf.matMul(q, cov)) as tf.Tensor2D;
    return { mean: mu, basis: tf.transpose(q) };
  });
  const out: Float32Array[] = [];
  try {
    for (let s = 0; s < vectors.length; s += 4096) {
      const rows = vectors.slice(s, s + 4096);
      const y = tf.tidy(() => {
        const p = tf.matMul(tf.sub(tf.tensor2d(pack(rows, dim), [rows.length, dim]), mean), basis);
        return tf.div(p, tf.maximum(tf.norm(p, 'euclidean', 1, true), 1e-12));
      });
      const data = y.dataSync() as Float32Array;
      y.dispose();
      for (let i = 0; i < rows.length; i++) out.push(data.slice(i * outDim, (i + 1) * outDim));
    }
  } finally {
    mean.dispose();
    basis.dispose();
  }
  return out;
}
