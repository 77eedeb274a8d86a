// The loop every training run shares, whatever it trains (a head on cached features, or the
// backbone's last blocks with a head): class-balanced batches with the user's marked pairs
// mixed in, a judgement after each epoch (validation MAP@R, held-back marks), early stopping that remembers the best
// weights, cancellation between steps, progress per step and per epoch, and a yield to the
// event loop after each step so progress and other calls keep flowing.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { judgementScore, type Judgement } from './judgement.js';
import { withMarkedPairs } from './marked-pairs.js';
import type { ClassBalancedSampler } from './sampler.js';
import type { MarkedPair } from './split.js';
import type { PairTuples } from './tuples.js';

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Step within the epoch (1-based); equals `steps` on the end-of-epoch event. */
  step: number;
  steps: number;
  /** This step's loss, or the epoch's mean loss on the end-of-epoch event. */
  loss: number;
  /** Present on the end-of-epoch event only. */
  validation?: Judgement;
  elapsedMs: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  validation: Judgement;
  /** Wall time since the first step, at the end of this epoch's validation. */
  elapsedMs: number;
}

export interface EpochLoopOptions<W> {
  sampler: ClassBalancedSampler;
  epochs: number;
  /** Epochs without a better judgement (MAP@R + held-back marks' AUC) before stopping. */
  patience: number;
  /** Small libraries give one-batch epochs; an epoch runs at least this many steps. */
  minStepsPerEpoch: number;
  /** Cap on steps per epoch (default: one pass of the sampler). */
  maxStepsPerEpoch?: number;
  trainPairs: readonly MarkedPair[];
  pairsPerBatch: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /**
   * One optimiser step on these rows (marked pairs in batch coordinates); returns its loss.
   * Step, validate and snapshot may be async: on WebGPU in Node tensors can only be read back
   * asynchronously (dataSync needs an OffscreenCanvas).
   */
  step(rows: number[], pairs: PairTuples): number | Promise<number>;
  /** The current weights judged on the validation rows and held-back marks. */
  validate(): Judgement | Promise<Judgement>;
  /** A copy of the current weights. */
  snapshot(): W | Promise<W>;
}

export interface EpochLoopResult<W> {
  history: EpochRecord[];
  /** Epoch 0 holds the weights before training, kept if no epoch finished. */
  best: { epoch: number; weights: W; elapsedMs: number };
  cancelled: boolean;
}


export async function runEpochs<W>(o: EpochLoopOptions<W>): Promise<EpochLoopResult<W>> {
  const history: EpochRecord[] = [];
  let best = { epoch: 0, score: -Infinity, weights: await o.snapshot(), elapsedMs: 0 };
  let cancelled = false;
  let sinceBest = 0;
  let pairCursor = 0;
  const t0 = Date.now();
  for (let epoch = 1; epoch <= o.epochs && !cancelled; epoch++) {
    const batches = o.sampler.epoch();
    while (batches.length < o.minStepsPerEpoch) batches.push(...o.sampler.epoch());
    batches.length = Math.min(batches.length, Math.max(o.minStepsPerEpoch, o.maxStepsPerEpoch ?? o.sampler.batchesPerEpoch));
    let lossSum = 0;
    for (let step = 1; step <= batches.length; step++) {
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      const { rows, pairs } = withMarkedPairs(batches[step - 1], o.trainPairs, o.pairsPerBatch, pairCursor);
      pairCursor += pairs.a.length;
      const loss = await o.step(rows, pairs);
      lossSum += loss;
      o.onProgress?.({ epoch, epochs: o.epochs, step, steps: batches.length, loss, elapsedMs: Date.now() - t0 });
      await nextTurn();
    }
    if (cancelled) break;
    const validation = await o.validate();
    const record = { epoch, loss: lossSum / batches.length, validation, elapsedMs: Date.now() - t0 };
    history.push(record);
    o.onProgress?.({ epoch, epochs: o.epochs, step: batches.length, steps: batches.length, loss: record.loss, validation, elapsedMs: record.elapsedMs });
    const score = judgementScore(validation);
    if (score > best.score) {
      best = { epoch, score, weights: await o.snapshot(), elapsedMs: record.elapsedMs };
      sinceBest = 0;
    } else if (++sinceBest >= o.patience) {
      break;
    }
    await nextTurn();
  }
  return { history, best: { epoch: best.epoch, weights: best.weights, elapsedMs: best.elapsedMs }, cancelled };
}
