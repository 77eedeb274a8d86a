// The one door to training: a depth, the photos with what they teach (classes from labels and
// groups of "alike" marks, marked pairs, held-back marks), and settings in; a trained model
// ready to save and install out. The engine neither knows nor cares how each depth trains.
import * as tf from '@tensorflow/tfjs';
import type { Failure, TrainDepth } from '../../src-shared/contract.js';
import { FeatureExtractor } from '../model/extractor.js';
import type { NamedWeight } from './backbone-tail.js';
import { fineTuneBackbone, type FineTuneResult } from './backbone-finetune.js';
import { fineTuneOnThread, trainHeadOnThread } from './finetune-thread.js';
import { frozenActivations, loadPretrainedTail, type CachedActivations } from './backbone-trunk.js';
import type { TrainOptions, TrainResult } from './trainer.js';
import { trainHead } from './trainer.js';
import type { MarkedPair } from './split.js';
import { runWholeCnnTraining, type WholeRunProgress } from './whole-run.js';

/** What a run is taught from; every array shares one row order. */
export interface TeachingPhotos {
  /** Originals, for the depths that decode pixels again. */
  paths: string[];
  /** Pretrained features, for the head depth. */
  features: Float32Array[];
  /** A label, a group of "alike" marks, or null (a photo in "not alike" marks only). */
  classes: (string | null)[];
  groupClasses: ReadonlySet<string>;
  pairs: MarkedPair[];
  heldBack: MarkedPair[];
  /** Features of photos nobody taught about (head depth: kept where they were). */
  context?: Float32Array[];
}

export type TeachSettings = Pick<
  TrainOptions,
  'loss' | 'miner' | 'epochs' | 'seed' | 'holdoutLabels' | 'embeddingDim' | 'signal' | 'onProgress'
> & {
  /** Phases before training starts (reading photos, running the frozen blocks). */
  onPhase?: (p: WholeRunProgress) => void;
  /**
   * Where the last-blocks depth runs the frozen blocks: the engine's extractor, whose threads
   * already hold the CNN. Without it, one is started for the run and closed (its threads, and
   * their memory, gone) before training starts.
   */
  extractor?: FeatureExtractor;
};

export interface TaughtModel extends TrainResult {
  tail: { weights: NamedWeight[]; backboneVersion: string } | null;
  cnn: { weights: NamedWeight[]; backboneVersion: string; inputSize: number } | null;
  /** Photos trained on; photos that could not be read again (deeper depths) are left out. */
  trained: number;
  unreadable: Failure[];
}

export async function teach(depth: TrainDepth, photos: TeachingPhotos, settings: TeachSettings): Promise<TaughtModel> {
  const { onPhase, extractor, ...trainSettings } = settings;
  const taught = {
    labels: photos.classes, pairs: photos.pairs, heldBack: photos.heldBack, groupClasses: photos.groupClasses, ...trainSettings,
  };
  if (depth === 'whole') {
    const run = await runWholeCnnTraining(photos.paths, taught, (p) => onPhase?.(p), settings.signal);
    return { ...run, tail: null };
  }
  if (depth === 'blocks') return fineTuneBlocks(photos.paths, taught, { onPhase, extractor });
  const head = { ...taught, features: photos.features, context: photos.context, onPhase: (phase: string) => onPhase?.({ phase }) };
  // On wasm on a thread of its own, as the last blocks: the engine answers while it trains.
  const result = tf.getBackend() === 'wasm' ? await trainHeadOnThread(head) : await trainHead(head);
  return { ...result, tail: null, cnn: null, trained: photos.features.length, unreadable: [] };
}

/**
 * The last blocks: the frozen blocks run once per photo (and once mirrored) where the extractor
 * runs the CNN, then the last blocks and a head train together from those activations: on wasm
 * on a thread of their own that ends with the run (finetune-thread.ts), so this thread's wasm
 * heap, which never shrinks, holds neither the frozen blocks' 224 px activations nor a training
 * step's (each some 200 MB).
 */
async function fineTuneBlocks(
  paths: string[],
  taught: Omit<TrainOptions, 'features'>,
  settings: Pick<TeachSettings, 'onPhase' | 'extractor'>,
): Promise<TaughtModel> {
  const unreadable: Failure[] = [];
  const phase = 'running the frozen blocks';
  settings.onPhase?.({ phase, done: 0, total: paths.length });
  const extractor = settings.extractor ?? (await FeatureExtractor.create());
  let cached: CachedActivations[];
  try {
    cached = await frozenActivations(extractor, paths, {
      signal: taught.signal,
      // Every count: the job runner thins progress for the UI.
      onProgress: (done, total) => settings.onPhase?.({ phase, done, total }),
      onUnreadable: (i, err) => unreadable.push({ path: paths[i], error: err.message }),
    });
  } finally {
    if (!settings.extractor) await extractor.close();
  }
  // Photos that could not be read again are left out, with the marked pairs they are in.
  const kept = cached.flatMap((c, i) => (c.views.length > 0 ? [i] : []));
  const row = new Map(kept.map((old, k) => [old, k]));
  const moved = (pairs: readonly MarkedPair[] = []) =>
    pairs.flatMap((p) => (row.has(p.a) && row.has(p.b) ? [{ a: row.get(p.a)!, b: row.get(p.b)!, match: p.match }] : []));
  if (unreadable.length) settings.onPhase?.({ phase, message: `${unreadable.length} photo(s) could not be read and were left out` });
  const run = {
    ...taught, activations: kept.map((i) => cached[i]), labels: kept.map((i) => taught.labels[i]),
    pairs: moved(taught.pairs), heldBack: moved(taught.heldBack),
  };
  const taughtModel = (result: FineTuneResult, backboneVersion: string): TaughtModel =>
    ({ ...result, tail: { weights: result.tailWeights, backboneVersion }, cnn: null, trained: kept.length, unreadable });
  if (tf.getBackend() === 'wasm') {
    const { backboneVersion, ...result } = await fineTuneOnThread(run);
    return taughtModel(result, backboneVersion);
  }
  const { version, tail } = await loadPretrainedTail();
  try {
    return taughtModel(await fineTuneBackbone({ ...run, tail }), version);
  } finally {
    tail.dispose();
  }
}
