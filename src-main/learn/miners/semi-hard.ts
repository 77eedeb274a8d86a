// Semi-hard mining (Schroff et al., FaceNet): for each anchor–positive pair, the closest negative
// that is still further away than the positive. Such negatives carry a useful gradient without
// the outliers that the very hardest negatives tend to be. Pairs with no such negative are skipped.
import type * as tf from '@tensorflow/tfjs';
import type { TripletTuples } from '../tuples.js';
import { distanceMatrix } from './distances.js';
import { anyTwoClasses, type Apart, type TripletMiner } from './miner.js';

export function semiHardTriplets(dist: Float32Array, labels: Int32Array, apart: Apart = anyTwoClasses): TripletTuples {
  const n = labels.length;
  const out: TripletTuples = { anchor: [], positive: [], negative: [] };
  for (let a = 0; a < n; a++) {
    if (labels[a] < 0) continue;
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dAp = dist[a * n + p];
      let best = -1;
      for (let q = 0; q < n; q++) {
        if (labels[q] < 0 || !apart(labels[a], labels[q])) continue;
        const dAn = dist[a * n + q];
        if (dAn > dAp && (best < 0 || dAn < dist[a * n + best])) best = q;
      }
      if (best < 0) continue;
      out.anchor.push(a);
      out.positive.push(p);
      out.negative.push(best);
    }
  }
  return out;
}

export class SemiHardMiner implements TripletMiner {
  readonly name = 'semi-hard' as const;
  async mine(embeddings: tf.Tensor2D, labels: Int32Array, apart?: Apart): Promise<TripletTuples> {
    return semiHardTriplets(await distanceMatrix(embeddings), labels, apart);
  }
}
