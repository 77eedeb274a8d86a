// Deeper fine-tuning: trains the backbone's last blocks (block_15, block_16, Conv_1, pool) and a
// head together, from cached block_14_add activations (backbone-trunk.ts), so a step never runs
// the frozen blocks. Same split, sampler, losses and early stopping on validation MAP@R as
// trainHead; the backbone moves with a smaller learning rate than the fresh head, so the
// pretrained features are adjusted rather than overwritten. Augmentation: each step takes, per
// photo, the plain or the mirrored view at random (seeded); validation uses the plain view.
import * as tf from '@tensorflow/tfjs';
import { Head } from './head.js';
import { startingHead } from './pca-init.js';
import { createLoss } from './losses/index.js';
import { retrievalMetrics } from './metrics.js';
import { judge } from './judgement.js';
import { seededRandom, subSeed } from '../common/random.js';
import { ClassBalancedSampler } from './sampler.js';
import { fineTuneSetup } from './finetune-setup.js';
import { runEpochs, type EpochLoopResult } from './epoch-loop.js';
import type { TrainOptions, TrainResult } from './trainer.js';
import type { BackboneTail, NamedWeight } from './backbone-tail.js';
import { TAIL_INPUT_SHAPE, TAIL_INPUT_SIZE, type CachedActivations } from './backbone-trunk.js';
import type { PairTuples } from './tuples.js';
import { batchTuples } from './batch-tuples.js';

/**
 * The head-training options (trainer.ts), with photos' cached activations in place of features
 * and these defaults: epochs 10, batchSize 16, mPerClass ≥ 2, patience 3, minStepsPerEpoch 10,
 * pairsPerBatch 4, headInit 'random' (unlike head-only training, the PCA start did not help
 * here: on Fashion-MNIST, bench/fashion-mnist-deep.ts, seed 1, it trained on to epoch 17 instead
 * of 9 and left unseen classes at 29.3 MAP@R against 34.4; trained classes 60.6 vs 59.2).
 */
export interface FineTuneOptions extends Omit<TrainOptions, 'features'> {
  /** The tail to train, in place (e.g. FineTunableBackbone.newTail()); the caller owns it. */
  tail: BackboneTail;
  /** Per photo, from cacheActivations; `labels` and `pairs` index into it. */
  activations: CachedActivations[];
  /** Backbone learning rate = lr × this (default 0.1). */
  backboneLrMultiplier?: number;
  /** Cap on steps per epoch (default: one pass over the training photos). */
  maxStepsPerEpoch?: number;
}

export interface FineTuneResult extends TrainResult {
  /** Best-epoch weights of the tail (also loaded into opts.tail); `before` is the pretrained features'. */
  tailWeights: NamedWeight[];
}

export async function fineTuneBackbone(opts: FineTuneOptions): Promise<FineTuneResult> {
  const { tail, activations, labels } = opts;
  const { epochs, batchSize, lr, backboneLr, proxyLr, embeddingDim, seed, patience, minStepsPerEpoch, pairsPerBatch, headInit, miner, split, numClasses, mPerClass, evaluatedOn, evalRows } =
    fineTuneSetup(opts, activations.length, 0.1);
  const plainViews = (rows: number[]) => rows.map((r) => activations[r].views[0]);
  const labelsOf = (rows: number[]) => rows.map((r) => labels[r]);
  const evaluate = (rows: number[], h: Head) =>
    retrievalMetrics(h.embed(tail.features(plainViews(rows), TAIL_INPUT_SHAPE)), labelsOf(rows));
  const judgeWith = (h: Head) => judge(split, evalRows, labels, (rows) => h.embed(tail.features(plainViews(rows), TAIL_INPUT_SHAPE)));

  const identity = Head.identity(1280);
  const start = await judgeWith(identity);
  const unseenBefore = split.unseenRows.length ? evaluate(split.unseenRows, identity) : null;
  identity.dispose();

  const head = await startingHead(headInit, () => tail.features(plainViews(split.trainRows), TAIL_INPUT_SHAPE), 1280, embeddingDim, subSeed(seed, 2));
  const loss = createLoss(opts.loss, numClasses, embeddingDim, subSeed(seed, 3), opts.lossSettings);
  const optimizers = { tail: tf.train.adam(backboneLr), head: tf.train.adam(lr), proxies: tf.train.adam(proxyLr) };
  const sampler = new ClassBalancedSampler({ labels: split.trainClass, m: mPerClass, batchSize, seed: subSeed(seed, 4) });
  const pickView = seededRandom(subSeed(seed, 5));
  const tailVars = new Set(tail.variables().map((v) => v.name));
  const headVars = new Set(head.variables().map((v) => v.name));

  let loop: EpochLoopResult<{ tail: NamedWeight[]; head: Float32Array[] }>;
  try {
    loop = await runEpochs({
      sampler, epochs, patience, minStepsPerEpoch, maxStepsPerEpoch: opts.maxStepsPerEpoch, trainPairs: split.trainPairs, pairsPerBatch,
      signal: opts.signal, onProgress: opts.onProgress,
      step: trainStep,
      validate: () => judgeWith(head),
      snapshot: () => ({ tail: tail.getWeights(), head: head.getWeights() }),
    });
  } finally {
    Object.values(optimizers).forEach((o) => o.dispose());
    loss.dispose();
  }
  const { history, best, cancelled } = loop;

  tail.setWeights(best.weights.tail);
  head.setWeights(best.weights.head);
  const end = await judgeWith(head);
  const [before, after, marksBefore, marksAfter] = [start.retrieval, end.retrieval, start.marks, end.marks];
  const unseenAfter = split.unseenRows.length ? evaluate(split.unseenRows, head) : null;
  head.metadata = {
    ...head.metadata,
    loss: opts.loss,
    settings: {
      kind: 'backbone-finetune', loss: opts.loss, miner: miner?.name ?? null, epochs, batchSize, mPerClass, lr, backboneLr, proxyLr,
      embeddingDim, headInit, seed, patience, pairsPerBatch, classNames: split.classNames, bestEpoch: best.epoch, cancelled, lossParams: loss.settings(),
    },
    metrics: { before, after, unseenBefore, unseenAfter },
  };
  return {
    tailWeights: best.weights.tail, head, before, after, marksBefore, marksAfter, unseenBefore, unseenAfter, evaluatedOn,
    classNames: split.classNames, history, bestEpoch: best.epoch, bestElapsedMs: best.elapsedMs, cancelled,
  };

  async function trainStep(rows: number[], pairs: PairTuples): Promise<number> {
    const flat = new Float32Array(rows.length * TAIL_INPUT_SIZE);
    rows.forEach((r, i) => {
      const views = activations[r].views;
      flat.set(views[Math.floor(pickView() * views.length)], i * TAIL_INPUT_SIZE);
    });
    const classes = Int32Array.from(rows, (r) => split.trainClass[r]);
    const batch = tf.tensor4d(flat, [rows.length, ...TAIL_INPUT_SHAPE]);
    try {
      const tuples = await batchTuples(opts.loss, miner, classes, split, () => tf.tidy(() => head.apply(tail.apply(batch))));
      const vars = [...tail.variables(), ...head.variables(), ...loss.variables()];
      const { value, grads } = tf.variableGrads(() => loss.compute(head.apply(tail.apply(batch)), classes, tuples, pairs), vars);
      const groups: Record<'tail' | 'head' | 'proxies', { name: string; tensor: tf.Tensor }[]> = { tail: [], head: [], proxies: [] };
      for (const [name, tensor] of Object.entries(grads)) {
        (tailVars.has(name) ? groups.tail : headVars.has(name) ? groups.head : groups.proxies).push({ name, tensor });
      }
      optimizers.tail.applyGradients(groups.tail);
      optimizers.head.applyGradients(groups.head);
      if (groups.proxies.length) optimizers.proxies.applyGradients(groups.proxies);
      const out = value.dataSync()[0];
      value.dispose();
      tf.dispose(grads);
      return out;
    } finally {
      batch.dispose();
    }
  }
}
