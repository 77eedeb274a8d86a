// Proxy-NCA (Movshovitz-Attias et al., arXiv 1703.07464) in its NCA++ form (arXiv 2004.01113):
// one learnable proxy per class; each embedding's softmax over the negative scaled squared
// distances to all proxies (both L2-normalised) should put its mass on its own class's proxy.
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, matMul } from '../tensor-ops.js';
import { MetricLoss, type MarkedPairOptions } from './base.js';
import { initProxies } from './proxies.js';

export interface ProxyNcaOptions extends MarkedPairOptions {
  numClasses: number;
  embeddingDim: number;
  /** Softmax scale (inverse temperature) on squared distances; the Reality Check found ~8–14 best. */
  scale?: number;
  seed?: number;
}

export class ProxyNcaLoss extends MetricLoss {
  readonly name = 'proxy-nca' as const;
  readonly proxies: tf.Variable<tf.Rank.R2>;
  readonly scale: number;

  constructor(opts: ProxyNcaOptions) {
    super(opts);
    this.scale = opts.scale ?? 9;
    this.proxies = initProxies(opts.numClasses, opts.embeddingDim, opts.seed ?? 0, 'proxy-nca');
  }

  override variables(): tf.Variable[] {
    return [this.proxies];
  }

  settings(): Record<string, number> {
    return { scale: this.scale, numClasses: this.proxies.shape[0] };
  }

  protected override validateLabels(labels: Int32Array): void {
    const c = this.proxies.shape[0];
    for (const l of labels) if (l >= c) throw new RangeError(`label ${l} has no proxy (${c} classes)`);
  }

  protected computeLoss(x: tf.Tensor2D, labels: Int32Array): tf.Scalar {
    return tf.tidy(() => {
      const p = l2NormalizeRows(this.proxies);
      // ||x - p||² = 2 - 2 x·p for unit vectors.
      const sqDist = tf.sub(2, tf.mul(2, matMul(x, p, false, true)));
      const logProb = tf.logSoftmax(tf.mul(-this.scale, sqDist));
      const own = tf.oneHot(tf.tensor1d(labels, 'int32'), this.proxies.shape[0]).toFloat(); // -1 → zero row
      const labelled = tf.sum(own);
      return tf.div(tf.neg(tf.sum(tf.mul(own, logProb))), tf.maximum(labelled, 1)) as tf.Scalar;
    });
  }
}
