// Proxy-Anchor (Kim et al., CVPR 2020): each proxy is an anchor that pulls all embeddings of its
// class in the batch and pushes all others away, via a soft (log-sum-exp) aggregate over cosines.
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, logOnePlusSumExp, matMul } from '../tensor-ops.js';
import { MetricLoss, type MarkedPairOptions } from './base.js';
import { initProxies } from './proxies.js';

export interface ProxyAnchorOptions extends MarkedPairOptions {
  numClasses: number;
  embeddingDim: number;
  /** δ in the paper (default 0.1). */
  margin?: number;
  /** α in the paper (default 32). */
  alpha?: number;
  seed?: number;
}

export class ProxyAnchorLoss extends MetricLoss {
  readonly name = 'proxy-anchor' as const;
  readonly proxies: tf.Variable<tf.Rank.R2>;
  readonly margin: number;
  readonly alpha: number;

  constructor(opts: ProxyAnchorOptions) {
    super(opts);
    this.margin = opts.margin ?? 0.1;
    this.alpha = opts.alpha ?? 32;
    this.proxies = initProxies(opts.numClasses, opts.embeddingDim, opts.seed ?? 0, 'proxy-anchor');
  }

  override variables(): tf.Variable[] {
    return [this.proxies];
  }

  settings(): Record<string, number> {
    return { margin: this.margin, alpha: this.alpha, numClasses: this.proxies.shape[0] };
  }

  protected override validateLabels(labels: Int32Array): void {
    const c = this.proxies.shape[0];
    for (const l of labels) if (l >= c) throw new RangeError(`label ${l} has no proxy (${c} classes)`);
  }

  protected computeLoss(x: tf.Tensor2D, labels: Int32Array): tf.Scalar {
    return tf.tidy(() => {
      const numClasses = this.proxies.shape[0];
      const cos = matMul(x, l2NormalizeRows(this.proxies), false, true); // [n, C]
      const pos = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D; // unlabelled rows: all 0
      const isLabelled = tf.tensor2d(Array.from(labels, (l) => (l >= 0 ? 1 : 0)), [labels.length, 1]);
      const neg = tf.mul(tf.sub(1, pos), isLabelled) as tf.Tensor2D;
      // At α = 100 a cosine near 1 alone gives exp(110): overflow, so the log-sum-exp form.
      const posLog = logOnePlusSumExp(tf.mul(-this.alpha, tf.sub(cos, this.margin)), pos);
      const negLog = logOnePlusSumExp(tf.mul(this.alpha, tf.add(cos, this.margin)), neg);
      const proxiesWithPositives = tf.sum(tf.cast(tf.greater(tf.sum(pos, 0), 0), 'float32'));
      const posTerm = tf.div(tf.sum(posLog), tf.maximum(proxiesWithPositives, 1));
      const negTerm = tf.div(tf.sum(negLog), numClasses);
      return tf.add(posTerm, negTerm) as tf.Scalar;
    });
  }
}
