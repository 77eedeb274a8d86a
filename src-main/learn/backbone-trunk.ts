// The frozen part of the backbone (pixels → block_14_add) and the cache of its activations that
// fine-tuning trains from. Each photo is run once, and once mirrored: a horizontal flip must be
// applied to the pixels, because the convolutions' kernels are not mirror-symmetric — mirroring
// a 7×7 activation map is not the activation map of the mirrored photo, and would show the
// trainable blocks inputs the backbone never produces. Caching both views costs one more
// frozen pass per photo (once) and keeps each training step free of the frozen blocks.
//
// A training run takes them from the feature extractor (frozenActivations): its worker threads
// or its GPU already hold the CNN. Run on the calling thread instead (loadFineTunableBackbone +
// cacheActivations, for benchmarks and tests), the frozen blocks at 224 px grow that thread's
// wasm heap by some 200 MB for good: wasm memory never shrinks.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from '../model/extractor.js';
import { readNsfwjsModel, loadNsfwjsLayersModel } from '../model/nsfwjs-files.js';
import type { ImageInput } from '../model/preprocess.js';
import { compileFoldedGraph, type FoldedGraph } from '../model/folded-graph.js';
import { BACKBONE_INPUT_SIZE } from '../model/backbone.js';
import { BackboneTail, TAIL_INPUT_LAYER, type KerasTopology } from './backbone-tail.js';
import type { Head } from './head.js';

import { TAIL_INPUT_SHAPE, TAIL_INPUT_SIZE } from '../model/descriptor.js';

export { TAIL_INPUT_SHAPE, TAIL_INPUT_SIZE };

export interface FineTunableBackbone {
  /** nsfwjs's version, as in the backbone id. */
  version: string;
  /** block_14_add activations [n,7,7,160] of pixels [n,224,224,3] in [0,1]; no gradient. Caller disposes. */
  trunk(x: tf.Tensor4D): tf.Tensor4D;
  /** A new trainable tail holding the pretrained weights. Caller disposes. */
  newTail(): BackboneTail;
  dispose(): void;
}

/** Loads nsfwjs's MobileNetV2 once: a folded, frozen graph up to block_14_add, and the tail's source weights. */
export async function loadFineTunableBackbone(): Promise<FineTunableBackbone> {
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  const topology = readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology;
  let graph: FoldedGraph;
  try {
    graph = compileFoldedGraph(model, topology as Parameters<typeof compileFoldedGraph>[1], TAIL_INPUT_LAYER);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return {
    version,
    trunk: (x) => graph.run(x, [TAIL_INPUT_LAYER])[0] as tf.Tensor4D,
    newTail: () => BackboneTail.fromLayersModel(model, topology),
    dispose: () => {
      graph.dispose();
      model.dispose();
    },
  };
}

/** The trainable tail with the pretrained weights, and nsfwjs's version; nothing of the frozen blocks is built. Caller disposes the tail. */
export async function loadPretrainedTail(): Promise<{ version: string; tail: BackboneTail }> {
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  try {
    const topology = readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology;
    return { version, tail: BackboneTail.fromLayersModel(model, topology) };
  } finally {
    model.dispose(); // the tail holds copies of its weights
  }
}

/** One photo's cached block_14_add activations: view 0 the photo, view 1 its mirror image (if flipping); none if unreadable. */
export interface CachedActivations {
  views: Float32Array[];
}

export interface CacheActivationsOptions {
  /** Also cache the mirrored photo (default true). */
  flip?: boolean;
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after each batch with the photos done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called for a photo whose pixels cannot be had; that photo then gets no views and the rest
   * go on. Without it, such a photo stops the whole run.
   */
  onUnreadable?: (index: number, error: Error) => void;
}

export type FrozenActivationsOptions = Pick<CacheActivationsOptions, 'signal' | 'onProgress' | 'onUnreadable'>;

/**
 * Both views of each photo, computed by `extractor` wherever it runs the CNN (its inference
 * threads, or the GPU), decoding the photos itself. A photo that cannot be decoded gets no views
 * (and `onUnreadable`); without `onUnreadable` it stops the run.
 */
export async function frozenActivations(
  extractor: FeatureExtractor,
  photos: ImageInput[],
  opts: FrozenActivationsOptions = {},
): Promise<CachedActivations[]> {
  const rows = await extractor.extract(photos, { descriptor: 'tail-input+mirrored', signal: opts.signal, onProgress: opts.onProgress });
  return rows.map((row, i) => {
    if (row instanceof Error) {
      if (!opts.onUnreadable) throw row;
      opts.onUnreadable(i, row);
      return { views: [] };
    }
    if (row.length !== 2 * TAIL_INPUT_SIZE) throw new Error(`photo ${i}: ${row.length} activations, expected ${2 * TAIL_INPUT_SIZE}`);
    return { views: [row.subarray(0, TAIL_INPUT_SIZE), row.subarray(TAIL_INPUT_SIZE)] };
  });
}

/**
 * Runs the frozen blocks once per photo on the calling thread. `pixels(i)` gives photo i as 224×224×3 RGB bytes
 * (what decodeForBackbone returns) or floats in [0,1].
 */
export async function cacheActivations(
  backbone: FineTunableBackbone,
  count: number,
  pixels: (i: number) => Promise<Uint8Array | Float32Array>,
  opts: CacheActivationsOptions = {},
): Promise<CachedActivations[]> {
  const flip = opts.flip ?? true;
  const batchSize = opts.batchSize ?? 16;
  const size = BACKBONE_INPUT_SIZE * BACKBONE_INPUT_SIZE * 3;
  const out: CachedActivations[] = [];
  for (let s = 0; s < count; s += batchSize) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const n = Math.min(batchSize, count - s);
    const flat = new Float32Array(n * size);
    const unreadable = new Set<number>();
    for (let i = 0; i < n; i++) {
      let p: Uint8Array | Float32Array;
      try {
        p = await pixels(s + i);
      } catch (err) {
        if (!opts.onUnreadable) throw err;
        opts.onUnreadable(s + i, err instanceof Error ? err : new Error(String(err)));
        unreadable.add(i);
        continue; // its slot stays black; its activations are dropped below
      }
      if (p.length !== size) throw new Error(`photo ${s + i}: ${p.length} values, expected ${size}`);
      if (p instanceof Float32Array) flat.set(p, i * size);
      else for (let k = 0; k < size; k++) flat[i * size + k] = p[k] / 255;
    }
    const x = tf.tensor4d(flat, [n, BACKBONE_INPUT_SIZE, BACKBONE_INPUT_SIZE, 3]);
    const plain = backbone.trunk(x);
    const mirrored = flip ? tf.tidy(() => backbone.trunk(tf.reverse(x, 2))) : null;
    x.dispose();
    const pa = plain.dataSync() as Float32Array;
    const ma = mirrored ? (mirrored.dataSync() as Float32Array) : null;
    tf.dispose([plain, ...(mirrored ? [mirrored] : [])]);
    for (let i = 0; i < n; i++) {
      if (unreadable.has(i)) {
        out.push({ views: [] });
        continue;
      }
      const views = [pa.slice(i * TAIL_INPUT_SIZE, (i + 1) * TAIL_INPUT_SIZE)];
      if (ma) views.push(ma.slice(i * TAIL_INPUT_SIZE, (i + 1) * TAIL_INPUT_SIZE));
      out.push({ views });
    }
    opts.onProgress?.(out.length, count);
    await nextTurn();
  }
  return out;
}

/**
 * Embeddings of pixels [n,224,224,3] in [0,1] through the frozen blocks, a (fine-tuned) tail and
 * a head — what re-embedding photos whose block_14_add activations are not cached runs. Caller disposes.
 */
export function embedPixels(backbone: FineTunableBackbone, tail: BackboneTail, head: Head, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => head.apply(tail.apply(backbone.trunk(x))));
}
