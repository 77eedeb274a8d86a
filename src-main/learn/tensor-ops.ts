// Small tensor helpers shared by the losses, miners and head.
import * as tf from '@tensorflow/tfjs';

// Stock tfjs-backend-wasm runs matMul with a transposed operand about 10x slower than the
// plain product (MEASURED.md), and tf.matMul's own gradient asks for exactly those products.
// So the forward and both gradients transpose explicitly and multiply untransposed.
const plainMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
});

/** a·b with optional transposes, fast on wasm and differentiable. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  return plainMatMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b) as tf.Tensor2D;
}

/** Rows scaled to unit length (rows of zeros stay finite). */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-12));
    return tf.div(x, norm) as tf.Tensor2D;
  });
}

/** Cosine similarity of every row of x with every row of y (both already unit rows). */
export function cosineMatrix(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return matMul(x, y, false, true);
}

// Squared distances this small are below what float32 resolves for unit rows (2 − 2cos of two
// copies of one random 128-d row came out up to 1.1e-6): they are 0, so a repeated photo is no
// margin violation, and so is their gradient (sqrt's is infinite at 0).
const RESOLVED_SQUARED_DISTANCE = 1e-6;

/**
 * Euclidean distances between every two rows of x (unit rows). The squares come from the Gram
 * matrix with its own diagonal, g_ii + g_jj − 2g_ij, not 2 − 2g_ij: the same rounding enters
 * both terms, so identical rows are exactly 0 apart.
 */
export function unitDistanceMatrix(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const gram = cosineMatrix(x, x);
    const diag = tf.sum(tf.mul(gram, tf.eye(n)), 1);
    const squared = tf.sub(tf.add(tf.reshape(diag, [n, 1]), tf.reshape(diag, [1, n])), tf.mul(2, gram));
    return resolvedSqrt(squared) as tf.Tensor2D;
  });
}

// √s where s is resolved, else 0 with a zero gradient (comparisons have none of their own, so
// the whole function carries its gradient explicitly).
const resolvedSqrt = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [squared, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const apart = tf.cast(tf.greater(squared, RESOLVED_SQUARED_DISTANCE), 'float32');
  const root = tf.sqrt(tf.maximum(squared, RESOLVED_SQUARED_DISTANCE));
  save([apart, root]);
  return {
    value: tf.mul(root, apart),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(tf.mul(dy, saved[0]), tf.mul(2, saved[1])),
  };
});

/**
 * Entries m[i[k], j[k]] of a square matrix, differentiable on wasm (which lacks the gradient of
 * gather): one-hot row selectors turn the lookup into a matrix product and a masked sum.
 */
export function pickEntries(m: tf.Tensor2D, i: number[], j: number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const n = m.shape[1];
    const rowSel = tf.oneHot(tf.tensor1d(i, 'int32'), m.shape[0]).toFloat() as tf.Tensor2D;
    const colSel = tf.oneHot(tf.tensor1d(j, 'int32'), n).toFloat();
    return tf.sum(tf.mul(matMul(rowSel, m), colSel), 1) as tf.Tensor1D;
  });
}

// The largest entry of each column, floored at 0, as a constant: a shift that cancels out of
// log(1 + Σ exp), so it needs no gradient (and max's would only add rounding).
const columnShift = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const z = args[0] as tf.Tensor2D;
  return { value: tf.relu(tf.max(z, 0)), gradFunc: () => tf.zerosLike(z) };
});

/**
 * Per column c, log(1 + Σ_i exp(z[i, c])) over the entries where `mask` is true (0 for a column
 * with none). Shifted by the column's largest entry (a log-sum-exp with a zero entry), so it
 * stays finite when exp would overflow float32 (exp(88.8) already does).
 */
export function logOnePlusSumExp(z: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const kept = tf.where(tf.cast(mask, 'bool'), z, tf.fill(z.shape, -Infinity)) as tf.Tensor2D;
    const shift = columnShift(kept) as tf.Tensor1D;
    const sum = tf.add(tf.exp(tf.neg(shift)), tf.sum(tf.exp(tf.sub(kept, shift)), 0));
    return tf.add(shift, tf.log(sum)) as tf.Tensor1D;
  });
}

// How many entries are > 0, as a constant for differentiation (comparisons have no gradient).
const countPositive = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const values = args[0] as tf.Tensor;
  return {
    value: tf.sum(tf.cast(tf.greater(values, 0), 'float32')),
    gradFunc: () => tf.zerosLike(values),
  };
});

/** Mean over the entries that are > 0 (pytorch-metric-learning's AvgNonZeroReducer); 0 if none. */
export function meanOfPositive(values: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const count = countPositive(values);
    return tf.div(tf.sum(values), tf.maximum(count, 1)) as tf.Scalar;
  });
}
