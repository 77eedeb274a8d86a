// A head that starts where the frozen features are: its kernel projects the centred features
// onto their top principal directions (found by a randomised range finder: a few rounds of
// multiplying by the covariance and re-orthonormalising), so before any step its embeddings
// already rank photos about as the untrained space does, and training moves from there rather
// than from a random projection. The products run in tf; the orthonormalisation is plain
// Gram-Schmidt here, because tf.linalg.qr runs op by op (~3 s for 1280×128 on wasm, against
// milliseconds in a loop).
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from './random.js';

const MAX_FIT_ROWS = 1024;

/** kernel [dim, outputDim] with orthonormal columns, and bias = -mean·kernel. Caller disposes. */
export function principalProjection(features: tf.Tensor2D, outputDim: number, seed: number, rounds = 3): { kernel: tf.Tensor2D; bias: tf.Tensor1D } {
  const [n, dim] = features.shape;
  if (outputDim > dim) throw new RangeError(`cannot project ${dim}-d features onto ${outputDim} directions`);
  if (n < 2) throw new RangeError('principal directions need at least two feature rows');
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const mean = tf.mean(features, 0);
  // A start, not a model: an even spread of up to MAX_FIT_ROWS rows finds the directions well enough.
  const step = Math.max(1, Math.ceil(n / MAX_FIT_ROWS));
  const centred = tf.tidy(() => {
    const picked = step === 1 ? features : tf.gather(features, tf.range(0, n, step, 'int32'));
    return tf.sub(picked, mean) as tf.Tensor2D;
  });
  // Multiplying by the covariance as Xᵀ(X·Q), never forming the d×d matrix (cheaper for these
  // sizes). The scale does not matter: the columns are renormalised.
  const times = (q: tf.Tensor2D) => tf.tidy(() => tf.matMul(centred, tf.matMul(centred, q), true, false));
  try {
    let basis = orthonormalColumns(Float64Array.from({ length: dim * outputDim }, normal), dim, outputDim, normal);
    for (let r = 0; r < rounds; r++) {
      const q = tf.tensor2d(Float32Array.from(basis), [dim, outputDim]);
      const y = times(q);
      basis = orthonormalColumns(Float64Array.from(y.dataSync()), dim, outputDim, normal);
      tf.dispose([q, y]);
    }
    const kernel = tf.tensor2d(Float32Array.from(basis), [dim, outputDim]);
    const bias = tf.tidy(() => tf.neg(tf.squeeze(tf.matMul(tf.expandDims(mean, 0), kernel), [0])) as tf.Tensor1D);
    return { kernel, bias };
  } finally {
    tf.dispose([mean, centred]);
  }
}

/**
 * Gram-Schmidt on the columns of a row-major [rows, cols] matrix, twice over for accuracy. A
 * column that vanishes (fewer independent rows than columns) is replaced by a fresh random one.
 */
export function orthonormalColumns(m: Float64Array, rows: number, cols: number, normal: () => number): Float64Array {
  const col = (j: number) => {
    const v = new Float64Array(rows);
    for (let i = 0; i < rows; i++) v[i] = m[i * cols + j];
    return v;
  };
  const done: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    let v = col(j);
    for (let attempt = 0; ; attempt++) {
      const before = norm2(v);
      for (let pass = 0; pass < 2; pass++) {
        for (const u of done) {
          let d = 0;
          for (let i = 0; i < rows; i++) d += u[i] * v[i];
          for (let i = 0; i < rows; i++) v[i] -= d * u[i];
        }
      }
      const norm = norm2(v);
      if (norm > 1e-8 * Math.max(before, 1e-30) && norm > 0) {
        for (let i = 0; i < rows; i++) v[i] /= norm;
        break;
      }
      if (attempt > 3) throw new Error('could not complete an orthonormal basis');
      v = Float64Array.from({ length: rows }, normal);
    }
    done.push(v);
  }
  const out = new Float64Array(rows * cols);
  done.forEach((v, j) => v.forEach((x, i) => (out[i * cols + j] = x)));
  return out;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
