// The "all" miner: every valid triplet of the batch (anchor and positive share a label, the
// negative's label differs; unlabelled rows never take part).
import type * as tf from '@tensorflow/tfjs';
import type { TripletTuples } from '../tuples.js';
import { anyTwoClasses, type Apart, type TripletMiner } from './miner.js';

export function allTriplets(labels: Int32Array, apart: Apart = anyTwoClasses): TripletTuples {
  const out: TripletTuples = { anchor: [], positive: [], negative: [] };
  const n = labels.length;
  for (let a = 0; a < n; a++) {
    if (labels[a] < 0) continue;
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let q = 0; q < n; q++) {
        if (labels[q] < 0 || !apart(labels[a], labels[q])) continue;
        out.anchor.push(a);
        out.positive.push(p);
        out.negative.push(q);
      }
    }
  }
  return out;
}

export class AllTripletsMiner implements TripletMiner {
  readonly name = 'all' as const;
  mine(_embeddings: tf.Tensor2D, labels: Int32Array, apart?: Apart): Promise<TripletTuples> {
    return Promise.resolve(allTriplets(labels, apart));
  }
}
