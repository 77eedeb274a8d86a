// Contrastive loss (Hadsell, Chopra & LeCun 2006), the Siamese network's loss: alike pairs are
// pulled within `posMargin`, unlike pairs pushed beyond `negMargin` (distances on the unit
// sphere). Each side is averaged over its pairs that still violate their margin.
import * as tf from '@tensorflow/tfjs';
import { meanOfPositive, pickEntries, unitDistanceMatrix } from '../tensor-ops.js';
import { isTripletTuples, type IndexTuples, type PairTuples } from '../tuples.js';
import { MetricLoss, type MarkedPairOptions } from './base.js';

export interface ContrastiveOptions extends MarkedPairOptions {
  /** Alike pairs closer than this cost nothing (default 0). */
  posMargin?: number;
  /** Unlike pairs further than this cost nothing (default 1). */
  negMargin?: number;
}

/** Every pair of distinct labelled rows, matched when their labels agree. */
export function allLabelledPairs(labels: Int32Array): PairTuples {
  const out: PairTuples = { a: [], b: [], match: [] };
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    for (let j = i + 1; j < labels.length; j++) {
      if (labels[j] < 0) continue;
      out.a.push(i);
      out.b.push(j);
      out.match.push(labels[i] === labels[j]);
    }
  }
  return out;
}

export class ContrastiveLoss extends MetricLoss {
  readonly name = 'contrastive' as const;
  readonly posMargin: number;
  readonly negMargin: number;

  constructor(opts: ContrastiveOptions = {}) {
    super(opts);
    this.posMargin = opts.posMargin ?? 0;
    this.negMargin = opts.negMargin ?? 1;
  }

  settings(): Record<string, number> {
    return { posMargin: this.posMargin, negMargin: this.negMargin, pairWeight: this.pairWeight };
  }

  protected override usesMarkedPairsItself(): boolean {
    return true;
  }

  protected computeLoss(x: tf.Tensor2D, labels: Int32Array, tuples?: IndexTuples, pairs?: PairTuples): tf.Scalar {
    if (tuples && isTripletTuples(tuples)) throw new Error('contrastive loss takes pair tuples, not triplets');
    const mined = tuples ?? allLabelledPairs(labels);
    return tf.tidy(() => {
      let loss = this.pairTerm(x, mined);
      if (pairs && pairs.a.length > 0 && this.pairWeight > 0) loss = tf.add(loss, tf.mul(this.pairWeight, this.pairTerm(x, pairs)));
      return loss;
    });
  }

  private pairTerm(x: tf.Tensor2D, pairs: PairTuples): tf.Scalar {
    if (pairs.a.length === 0) return tf.scalar(0);
    return tf.tidy(() => {
      const d = pickEntries(unitDistanceMatrix(x), pairs.a, pairs.b);
      const isMatch = tf.tensor1d(pairs.match.map((m) => (m ? 1 : 0)), 'float32');
      const pull = tf.mul(tf.relu(tf.sub(d, this.posMargin)), isMatch) as tf.Tensor1D;
      const push = tf.mul(tf.relu(tf.sub(this.negMargin, d)), tf.sub(1, isMatch)) as tf.Tensor1D;
      return tf.add(meanOfPositive(pull), meanOfPositive(push));
    });
  }
}
