// What a batch trains on besides its classes, for the losses that take pairs or triplets: a
// miner's triplets (triplet loss), or for contrastive taught by marks the pairs whose relation
// is known. Either way two classes count as different only where that is known (split.apart).
import type * as tf from '@tensorflow/tfjs';
import type { LossName } from './losses/index.js';
import { knownPairs } from './marks.js';
import type { Apart, TripletMiner } from './miners/index.js';
import type { IndexTuples } from './tuples.js';

export interface BatchRelations {
  apart: Apart;
  /** Whether some classes are groups of "alike" marks (not every two classes then differ). */
  hasGroups: boolean;
}

/** `embed` gives the batch's current embeddings (called only by a miner; disposed here). */
export async function batchTuples(
  loss: LossName,
  miner: TripletMiner | null,
  classes: Int32Array,
  relations: BatchRelations,
  embed: () => tf.Tensor2D,
): Promise<IndexTuples | undefined> {
  if (miner) {
    const current = embed();
    try {
      return await miner.mine(current, classes, relations.apart);
    } finally {
      current.dispose();
    }
  }
  if (loss === 'contrastive' && relations.hasGroups) return knownPairs(classes, relations.apart);
  return undefined;
}
