// Builds a loss by name, as the trainer and CLI select it.
import type { LossName, MarkedPairOptions, MetricLoss } from './base.js';
import { ContrastiveLoss } from './contrastive.js';
import { ProxyAnchorLoss } from './proxy-anchor.js';
import { ProxyNcaLoss } from './proxy-nca.js';
import { TripletMarginLoss } from './triplet-margin.js';

export { MetricLoss, toLabelArray, type Labels, type LossName, type MarkedPairOptions } from './base.js';
export { ProxyNcaLoss, type ProxyNcaOptions } from './proxy-nca.js';
export { ProxyAnchorLoss, type ProxyAnchorOptions } from './proxy-anchor.js';
export { ContrastiveLoss, allLabelledPairs, type ContrastiveOptions } from './contrastive.js';
export { TripletMarginLoss, type TripletMarginOptions } from './triplet-margin.js';

export { lossNames } from '../../../src-shared/vocabulary.js';

export interface LossSettings extends MarkedPairOptions {
  /** ProxyNCA softmax scale. */
  scale?: number;
  /** ProxyAnchor δ or TripletMargin margin. */
  margin?: number;
  /** ProxyAnchor α. */
  alpha?: number;
  posMargin?: number;
  negMargin?: number;
}

interface LossArgs {
  numClasses: number;
  embeddingDim: number;
  seed: number;
  settings: LossSettings;
}

/** One entry per name of the vocabulary: a missing or extra loss fails to compile. */
const registry = {
  'proxy-nca': ({ numClasses, embeddingDim, seed, settings }) => new ProxyNcaLoss({ ...settings, numClasses, embeddingDim, seed }),
  'proxy-anchor': ({ numClasses, embeddingDim, seed, settings }) => new ProxyAnchorLoss({ ...settings, numClasses, embeddingDim, seed }),
  contrastive: ({ settings }) => new ContrastiveLoss(settings),
  triplet: ({ settings }) => new TripletMarginLoss(settings),
} satisfies Record<LossName, (args: LossArgs) => MetricLoss>;

export function createLoss(name: LossName, numClasses: number, embeddingDim: number, seed: number, settings: LossSettings = {}): MetricLoss {
  return registry[name]({ numClasses, embeddingDim, seed, settings });
}
