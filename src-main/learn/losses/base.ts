// The shared part of every metric-learning loss: input validation, L2 normalisation of the
// embeddings, and the term for the user's marked pairs. A subclass computes only its own loss.
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, meanOfPositive, pickEntries, unitDistanceMatrix } from '../tensor-ops.js';
import { isTripletTuples, NO_LABEL, type IndexTuples, type PairTuples } from '../tuples.js';

/** Integer class ids per row; -1 for a row without a label. */
export type Labels = Int32Array | number[] | tf.Tensor1D;

export type { LossName } from '../../../src-shared/vocabulary.js';
import type { LossName } from '../../../src-shared/vocabulary.js';

export interface MarkedPairOptions {
  /** Weight of the marked-pair term added to the loss (default 1). */
  pairWeight?: number;
  /** Alike pairs are pulled until their distance (on the unit sphere, 0..2) is below this (default 0). */
  pairPosMargin?: number;
  /** Not-alike pairs are pushed until their distance is above this (default 1). */
  pairNegMargin?: number;
}

export abstract class MetricLoss {
  abstract readonly name: LossName;
  protected readonly pairWeight: number;
  protected readonly pairPosMargin: number;
  protected readonly pairNegMargin: number;

  constructor(opts: MarkedPairOptions = {}) {
    this.pairWeight = opts.pairWeight ?? 1;
    this.pairPosMargin = opts.pairPosMargin ?? 0;
    this.pairNegMargin = opts.pairNegMargin ?? 1;
  }

  /**
   * The loss of one batch as a scalar. `tuples` restricts the loss to mined pairs or triplets;
   * `pairs` are the user's marked pairs (match = alike), in batch row indices.
   */
  compute(embeddings: tf.Tensor2D, labels: Labels, tuples?: IndexTuples, pairs?: PairTuples): tf.Scalar {
    const ids = toLabelArray(labels);
    validate(embeddings, ids, tuples, pairs);
    this.validateLabels(ids);
    return tf.tidy(() => {
      const x = l2NormalizeRows(embeddings);
      // Keeps a (zero) gradient path to every input even when a batch yields no tuples, so
      // optimisers never see a disconnected graph.
      let loss: tf.Scalar = tf.add(this.computeLoss(x, ids, tuples, pairs), tf.mul(tf.sum(x), 0));
      if (pairs && pairs.a.length > 0 && this.pairWeight > 0 && !this.usesMarkedPairsItself()) {
        loss = tf.add(loss, tf.mul(this.pairWeight, this.markedPairLoss(x, pairs)));
      }
      return loss;
    });
  }

  /** Trainable variables owned by the loss (proxies); empty for tuple-based losses. */
  variables(): tf.Variable[] {
    return [];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }

  /** Settings to store with a trained model. */
  abstract settings(): Record<string, number>;

  protected abstract computeLoss(x: tf.Tensor2D, labels: Int32Array, tuples?: IndexTuples, pairs?: PairTuples): tf.Scalar;

  /** Contrastive folds marked pairs into its own pair set instead of adding a separate term. */
  protected usesMarkedPairsItself(): boolean {
    return false;
  }

  protected validateLabels(_labels: Int32Array): void {}

  /** Contrastive term on the marked pairs: alike pulled together, not-alike pushed apart. */
  protected markedPairLoss(x: tf.Tensor2D, pairs: PairTuples): tf.Scalar {
    return tf.tidy(() => {
      const d = pickEntries(unitDistanceMatrix(x), pairs.a, pairs.b);
      const isMatch = tf.tensor1d(pairs.match.map((m) => (m ? 1 : 0)), 'float32');
      const pull = tf.mul(tf.relu(tf.sub(d, this.pairPosMargin)), isMatch) as tf.Tensor1D;
      const push = tf.mul(tf.relu(tf.sub(this.pairNegMargin, d)), tf.sub(1, isMatch)) as tf.Tensor1D;
      return tf.add(meanOfPositive(pull), meanOfPositive(push));
    });
  }
}

export function toLabelArray(labels: Labels): Int32Array {
  if (labels instanceof Int32Array) return labels;
  if (Array.isArray(labels)) return Int32Array.from(labels);
  return Int32Array.from(labels.dataSync());
}

function checkIndices(what: string, idx: number[], n: number): void {
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${what}: index ${i} is outside the batch of ${n} rows`);
  }
}

function validate(embeddings: tf.Tensor2D, labels: Int32Array, tuples?: IndexTuples, pairs?: PairTuples): void {
  if (embeddings.rank !== 2) throw new Error(`embeddings must be [n, d], got rank ${embeddings.rank}`);
  const n = embeddings.shape[0];
  if (labels.length !== n) throw new Error(`${labels.length} labels for ${n} embeddings`);
  for (const l of labels) if (l < NO_LABEL) throw new RangeError(`label ${l}: use -1 for "no label"`);
  if (tuples) {
    if (isTripletTuples(tuples)) {
      const { anchor, positive, negative } = tuples;
      if (anchor.length !== positive.length || anchor.length !== negative.length) throw new Error('triplet index arrays differ in length');
      checkIndices('triplet', [...anchor, ...positive, ...negative], n);
    } else {
      if (tuples.a.length !== tuples.b.length || tuples.a.length !== tuples.match.length) throw new Error('pair index arrays differ in length');
      checkIndices('pair', [...tuples.a, ...tuples.b], n);
    }
  }
  if (pairs) {
    if (pairs.a.length !== pairs.b.length || pairs.a.length !== pairs.match.length) throw new Error('marked pair arrays differ in length');
    checkIndices('marked pair', [...pairs.a, ...pairs.b], n);
  }
}
