// A head that starts where the frozen features are: its kernel projects the centred features
// onto their top principal directions (found by a randomised range finder: a few rounds of
// multiplying by the covariance and re-orthonormalising), so before any step its embeddings
// already rank photos about as the untrained space does, and training moves from there rather
// than from a random projection.
import * as tf from '@tensorflow/tfjs';

/** kernel [dim, outputDim] with orthonormal columns, and bias = -mean·kernel. Caller disposes. */
export function principalProjection(features: tf.Tensor2D, outputDim: number, seed: number, rounds = 4): { kernel: tf.Tensor2D; bias: tf.Tensor1D } {
  const [n, dim] = features.shape;
  if (outputDim > dim) throw new RangeError(`cannot project ${dim}-d features onto ${outputDim} directions`);
  if (n < 2) throw new RangeError('principal directions need at least two feature rows');
  return tf.tidy(() => {
    const mean = tf.mean(features, 0);
    const centred = tf.sub(features, mean) as tf.Tensor2D;
    const covariance = tf.div(tf.matMul(centred, centred, true, false), n - 1) as tf.Tensor2D;
    let basis = orthonormal(tf.randomNormal([dim, outputDim], 0, 1, 'float32', seed) as tf.Tensor2D);
    for (let r = 0; r < rounds; r++) basis = orthonormal(tf.matMul(covariance, basis));
    const bias = tf.neg(tf.squeeze(tf.matMul(tf.expandDims(mean, 0), basis), [0])) as tf.Tensor1D;
    return { kernel: basis, bias };
  });
}

function orthonormal(m: tf.Tensor2D): tf.Tensor2D {
  const [q] = tf.linalg.qr(m);
  return q as tf.Tensor2D;
}
