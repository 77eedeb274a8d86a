// Triplet margin loss (Weinberger & Saul; FaceNet): an anchor should be closer to its positive
// than to its negative by `margin` (distances on the unit sphere). Which triplets enter is the
// miner's choice; without tuples every valid triplet of the batch does. Averaged over the
// triplets that still violate the margin.
import * as tf from '@tensorflow/tfjs';
import { meanOfPositive, pickEntries, unitDistanceMatrix } from '../tensor-ops.js';
import { isTripletTuples, type IndexTuples, type TripletTuples } from '../tuples.js';
import { allTriplets } from '../miners/all.js';
import { MetricLoss, type MarkedPairOptions } from './base.js';

export interface TripletMarginOptions extends MarkedPairOptions {
  /** Required gap between anchor–negative and anchor–positive distances (default 0.1). */
  margin?: number;
}

export class TripletMarginLoss extends MetricLoss {
  readonly name = 'triplet' as const;
  readonly margin: number;

  constructor(opts: TripletMarginOptions = {}) {
    super(opts);
    this.margin = opts.margin ?? 0.1;
  }

  settings(): Record<string, number> {
    return { margin: this.margin, pairWeight: this.pairWeight };
  }

  protected computeLoss(x: tf.Tensor2D, labels: Int32Array, tuples?: IndexTuples): tf.Scalar {
    if (tuples && !isTripletTuples(tuples)) throw new Error('triplet loss takes triplet tuples, not pairs');
    const t: TripletTuples = tuples ?? allTriplets(labels);
    if (t.anchor.length === 0) return tf.scalar(0);
    return tf.tidy(() => {
      const dist = unitDistanceMatrix(x);
      const dAp = pickEntries(dist, t.anchor, t.positive);
      const dAn = pickEntries(dist, t.anchor, t.negative);
      return meanOfPositive(tf.relu(tf.add(tf.sub(dAp, dAn), this.margin)) as tf.Tensor1D);
    });
  }
}
