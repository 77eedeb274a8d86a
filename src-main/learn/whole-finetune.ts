// The third depth: every layer of the CNN trained from pixels, with a head, each step on a freshly
// augmented batch (random resized crop, flip, colour jitter: augment.ts). Same split, sampler,
// losses, miners, early stopping on validation MAP@R and best-epoch weights as the other depths
// (epoch-loop.ts). BatchNorm stays frozen, folded into the convolutions (whole-cnn.ts), and the
// optimiser is one flat Adam per learning rate (fused-adam.ts), so a step is few dispatches.
import { onHost } from '../model/backend.js';
import * as tf from '@tensorflow/tfjs';
import { Head } from './head.js';
import { startingHead } from './pca-init.js';
import { createLoss } from './losses/index.js';
import { retrievalMetrics } from './metrics.js';
import { judge } from './judgement.js';
import { seededRandom, subSeed } from '../common/random.js';
import { ClassBalancedSampler } from './sampler.js';
import { fineTuneSetup } from './finetune-setup.js';
import { anyTwoClasses, type createMiner } from './miners/index.js';
import { runEpochs, type EpochLoopResult } from './epoch-loop.js';
import { augmentBatch, type AugmentOptions } from './augment.js';
import { FusedAdam } from './fused-adam.js';
import { pixelBatch, type WholeCnn } from './whole-cnn.js';
import type { TrainOptions, TrainResult } from './trainer.js';
import type { NamedWeight } from './backbone-tail.js';
import type { PairTuples } from './tuples.js';
import { batchTuples, type BatchRelations } from './batch-tuples.js';

/**
 * Head-training options (trainer.ts) with photos' pixels in place of features. Defaults as for
 * the last blocks (backbone-finetune.ts): epochs 10, batchSize 16, patience 3, minStepsPerEpoch
 * 10, pairsPerBatch 4, headInit 'random'; but the backbone's learning rate is lr × 0.01: Adam's
 * first step moves each of the 2.2 M weights by about its learning rate, and at lr × 0.1 that
 * first step raised the loss of a tiny batch (4.96 → 5.50) where lr × 0.01 lowered it (→ 1.56).
 */
export interface WholeFineTuneOptions extends Omit<TrainOptions, 'features'> {
  /** The CNN to train, in place; the caller owns it. */
  cnn: WholeCnn;
  /** Per photo: size × size × 3 RGB bytes; `labels` and `pairs` index into it. */
  pixels: readonly Uint8Array[];
  /** Side of the square input (default 224; a multiple of 32). */
  inputSize?: number;
  backboneLrMultiplier?: number;
  maxStepsPerEpoch?: number;
  augment?: AugmentOptions;
}

export interface WholeFineTuneResult extends TrainResult {
  /** Best-epoch weights of the CNN (also loaded into opts.cnn). */
  cnnWeights: NamedWeight[];
}

export async function fineTuneWhole(opts: WholeFineTuneOptions): Promise<WholeFineTuneResult> {
  const { cnn, pixels, labels } = opts;
  const size = opts.inputSize ?? 224;
  const { epochs, batchSize, lr, backboneLr, proxyLr, embeddingDim, seed, patience, minStepsPerEpoch, pairsPerBatch, headInit, miner, split, numClasses, mPerClass, evaluatedOn, evalRows } =
    fineTuneSetup(opts, pixels.length, 0.01);
  const featuresOf = (rows: number[]) => cnn.features(rows.map((r) => pixels[r]), size);
  const evaluate = async (rows: number[], h: Head) => {
    const embeddings = await embedAsync(h, await featuresOf(rows));
    return onHost(() => retrievalMetrics(embeddings, rows.map((r) => labels[r])));
  };

  const judgeWith = async (h: Head) => judge(split, evalRows, labels, async (rows) => embedAsync(h, await featuresOf(rows)), onHost);

  const identity = Head.identity(1280);
  const start = await judgeWith(identity);
  const unseenBefore = split.unseenRows.length ? await evaluate(split.unseenRows, identity) : null;
  identity.dispose();

  const head = await startingHead(headInit, () => featuresOf(split.trainRows), 1280, embeddingDim, subSeed(seed, 2), onHost);
  const loss = createLoss(opts.loss, numClasses, embeddingDim, subSeed(seed, 3), opts.lossSettings);
  const optimizers = [new FusedAdam(cnn.variables(), backboneLr), new FusedAdam(head.variables(), lr), new FusedAdam(loss.variables(), proxyLr)];
  const sampler = new ClassBalancedSampler({ labels: split.trainClass, m: mPerClass, batchSize, seed: subSeed(seed, 4) });
  const augmentRandom = seededRandom(subSeed(seed, 5));

  let loop: EpochLoopResult<{ cnn: NamedWeight[]; head: Float32Array[] }>;
  try {
    loop = await runEpochs({
      sampler, epochs, patience, minStepsPerEpoch, maxStepsPerEpoch: opts.maxStepsPerEpoch,
      trainPairs: split.trainPairs, pairsPerBatch, signal: opts.signal, onProgress: opts.onProgress,
      step: trainStep,
      validate: () => judgeWith(head),
      snapshot: async () => ({ cnn: await cnn.getWeights(), head: await Promise.all(head.variables().map(async (v) => Float32Array.from((await v.data()) as Float32Array))) }),
    });
  } finally {
    optimizers.forEach((o) => o.dispose());
    loss.dispose();
  }
  const { history, best, cancelled } = loop;

  cnn.setWeights(best.weights.cnn);
  head.setWeights(best.weights.head);
  const end = await judgeWith(head);
  const [before, after, marksBefore, marksAfter] = [start.retrieval, end.retrieval, start.marks, end.marks];
  const unseenAfter = split.unseenRows.length ? await evaluate(split.unseenRows, head) : null;
  head.metadata = {
    ...head.metadata,
    loss: opts.loss,
    settings: {
      kind: 'whole-cnn', loss: opts.loss, miner: miner?.name ?? null, epochs, batchSize, mPerClass, lr, backboneLr, proxyLr, inputSize: size,
      embeddingDim, headInit, seed, classNames: split.classNames, bestEpoch: best.epoch, cancelled, lossParams: loss.settings(),
    },
    metrics: { before, after, unseenBefore, unseenAfter },
  };
  return {
    cnnWeights: best.weights.cnn, head, before, after, marksBefore, marksAfter, unseenBefore, unseenAfter, evaluatedOn,
    classNames: split.classNames, history, bestEpoch: best.epoch, bestElapsedMs: best.elapsedMs, cancelled,
  };

  async function trainStep(rows: number[], pairs: PairTuples): Promise<number> {
    const classes = Int32Array.from(rows, (r) => split.trainClass[r]);
    const batch = tf.tidy(() => augmentBatch(pixelBatch(rows.map((r) => pixels[r]), size), augmentRandom, opts.augment));
    try {
      return await wholeStep(cnn, head, loss, optimizers, batch, classes, pairs, miner, split);
    } finally {
      batch.dispose();
    }
  }
}

/** Embeddings of features through a head, read back asynchronously (Head.embed reads synchronously). */
export async function embedAsync(head: Head, features: Float32Array[], batchSize = 512): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let s = 0; s < features.length; s += batchSize) {
    const rows = features.slice(s, s + batchSize);
    const flat = new Float32Array(rows.length * head.inputDim);
    rows.forEach((f, i) => flat.set(f, i * head.inputDim));
    const y = tf.tidy(() => head.apply(tf.tensor2d(flat, [rows.length, head.inputDim])));
    const data = (await y.data()) as Float32Array;
    y.dispose();
    for (let i = 0; i < rows.length; i++) out.push(data.slice(i * head.outputDim, (i + 1) * head.outputDim));
  }
  return out;
}

/** One optimiser step on an (augmented) batch; returns its loss, read back asynchronously. */
export async function wholeStep(
  cnn: WholeCnn,
  head: Head,
  loss: ReturnType<typeof createLoss>,
  optimizers: readonly { applyGradients(grads: tf.NamedTensorMap): void }[],
  batch: tf.Tensor4D,
  classes: Int32Array,
  pairs?: PairTuples,
  miner?: ReturnType<typeof createMiner> | null,
  relations: BatchRelations = { apart: anyTwoClasses, hasGroups: false },
): Promise<number> {
  const tuples = await batchTuples(loss.name, miner ?? null, classes, relations, () => tf.tidy(() => head.apply(cnn.apply(batch))));
  const vars = [...cnn.variables(), ...head.variables(), ...loss.variables()];
  const { value, grads } = tf.variableGrads(() => loss.compute(head.apply(cnn.apply(batch)), classes, tuples, pairs), vars);
  for (const o of optimizers) o.applyGradients(grads);
  tf.dispose(grads);
  const out = (await value.data())[0];
  value.dispose();
  return out;
}
