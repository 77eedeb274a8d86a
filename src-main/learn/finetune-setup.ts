// What the two deeper depths (backbone-finetune.ts, whole-finetune.ts) set up alike before their
// first step: the defaults they share, the miner, the train/validation split and the rows
// metrics are taken on.
import { defaultMiner } from '../../src-shared/vocabulary.js';
import { createMiner } from './miners/index.js';
import { subSeed } from '../common/random.js';
import { checkTeachable, evaluationRows, splitForTraining } from './split.js';
import type { TrainOptions } from './trainer.js';

/**
 * @param photos          how many photos the caller has features (activations, pixels) for
 * @param backboneLrShare the backbone's learning rate as a share of lr, when opts give none
 */
export function fineTuneSetup(opts: Omit<TrainOptions, 'features'> & { backboneLrMultiplier?: number }, photos: number, backboneLrShare: number) {
  const { labels } = opts;
  if (photos !== labels.length) throw new Error(`${labels.length} labels for ${photos} photos`);
  const batchSize = opts.batchSize ?? 16;
  const lr = opts.lr ?? 1e-3;
  const seed = opts.seed ?? 0;
  const split = splitForTraining(labels, opts.pairs ?? [], {
    validationFraction: opts.validationFraction ?? 0.2, holdoutLabels: opts.holdoutLabels ?? [], seed: subSeed(seed, 1),
    groupClasses: opts.groupClasses, heldBack: opts.heldBack,
  });
  checkTeachable(split);
  // A run taught by marks may have one group only: proxies still need two classes to compare.
  const numClasses = Math.max(2, split.classNames.length);
  const { evaluatedOn, rows: evalRows } = evaluationRows(split);
  return {
    epochs: opts.epochs ?? 10,
    batchSize,
    lr,
    backboneLr: lr * (opts.backboneLrMultiplier ?? backboneLrShare),
    proxyLr: lr * (opts.proxyLrMultiplier ?? 10),
    embeddingDim: opts.embeddingDim ?? 128,
    seed,
    patience: opts.patience ?? 3,
    minStepsPerEpoch: opts.minStepsPerEpoch ?? 10,
    pairsPerBatch: opts.pairsPerBatch ?? 4,
    headInit: opts.headInit ?? 'random',
    miner: opts.loss === 'triplet' ? createMiner(opts.miner ?? defaultMiner) : null,
    split,
    numClasses,
    mPerClass: opts.mPerClass ?? Math.max(2, Math.floor(batchSize / numClasses)),
    evaluatedOn,
    evalRows,
  };
}
