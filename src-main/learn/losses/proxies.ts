// Proxy initialisation shared by the proxy-based losses: seeded, so runs repeat.
import * as tf from '@tensorflow/tfjs';

let counter = 0;

export function initProxies(numClasses: number, dim: number, seed: number, name: string): tf.Variable<tf.Rank.R2> {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`numClasses must be ≥ 1, got ${numClasses}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`embeddingDim must be ≥ 1, got ${dim}`);
  const init = tf.randomNormal([numClasses, dim], 0, 1, 'float32', seed);
  // Unique names: tfjs refuses two live variables with the same name.
  const v = tf.variable(init, true, `${name}-proxies-${counter++}`) as tf.Variable<tf.Rank.R2>;
  init.dispose();
  return v;
}
