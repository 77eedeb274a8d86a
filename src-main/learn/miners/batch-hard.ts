// Batch-hard mining (Hermans, Beyer & Leibe, "In Defense of the Triplet Loss", arXiv 1703.07737):
// for each anchor, its furthest positive and its closest negative in the batch.
import type * as tf from '@tensorflow/tfjs';
import type { TripletTuples } from '../tuples.js';
import { distanceMatrix } from './distances.js';
import { anyTwoClasses, type Apart, type TripletMiner } from './miner.js';

export function batchHardTriplets(dist: Float32Array, labels: Int32Array, apart: Apart = anyTwoClasses): TripletTuples {
  const n = labels.length;
  const out: TripletTuples = { anchor: [], positive: [], negative: [] };
  for (let a = 0; a < n; a++) {
    if (labels[a] < 0) continue;
    let hardPos = -1;
    let hardNeg = -1;
    for (let j = 0; j < n; j++) {
      if (j === a || labels[j] < 0) continue;
      const d = dist[a * n + j];
      if (labels[j] === labels[a]) {
        if (hardPos < 0 || d > dist[a * n + hardPos]) hardPos = j;
      } else if (apart(labels[a], labels[j]) && (hardNeg < 0 || d < dist[a * n + hardNeg])) {
        hardNeg = j;
      }
    }
    if (hardPos < 0 || hardNeg < 0) continue;
    out.anchor.push(a);
    out.positive.push(hardPos);
    out.negative.push(hardNeg);
  }
  return out;
}

export class BatchHardMiner implements TripletMiner {
  readonly name = 'batch-hard' as const;
  async mine(embeddings: tf.Tensor2D, labels: Int32Array, apart?: Apart): Promise<TripletTuples> {
    return batchHardTriplets(await distanceMatrix(embeddings), labels, apart);
  }
}
