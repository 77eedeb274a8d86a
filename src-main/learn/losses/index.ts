// Builds a loss by name, as the trainer and CLI select it.
import type { LossName, MarkedPairOptions } from './base.js';
import { ContrastiveLoss } from './contrastive.js';
import { ProxyAnchorLoss } from './proxy-anchor.js';
import { ProxyNcaLoss } from './proxy-nca.js';
import { TripletMarginLoss } from './triplet-margin.js';

export { MetricLoss, toLabelArray, type Labels, type LossName, type MarkedPairOptions } from './base.js';
export { ProxyNcaLoss, type ProxyNcaOptions } from './proxy-nca.js';
export { ProxyAnchorLoss, type ProxyAnchorOptions } from './proxy-anchor.js';
export { ContrastiveLoss, allLabelledPairs, type ContrastiveOptions } from './contrastive.js';
export { TripletMarginLoss, type TripletMarginOptions } from './triplet-margin.js';

export const LOSS_NAMES: readonly LossName[] = ['proxy-nca', 'proxy-anchor', 'contrastive', 'triplet'];

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

export function createLoss(name: LossName, numClasses: number, embeddingDim: number, seed: number, s: LossSettings = {}) {
  switch (name) {
    case 'proxy-nca':
      return new ProxyNcaLoss({ ...s, numClasses, embeddingDim, seed });
    case 'proxy-anchor':
      return new ProxyAnchorLoss({ ...s, numClasses, embeddingDim, seed });
    case 'contrastive':
      return new ContrastiveLoss(s);
    case 'triplet':
      return new TripletMarginLoss(s);
  }
}
