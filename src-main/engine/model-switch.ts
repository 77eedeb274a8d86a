// Switching the active model. A head-only model embeds the cached features (a matrix product,
// no CNN pass); a fine-tuned one first runs the photos it has not seen through its blocks. Its
// index is loaded or built, and only then does the switch happen, in one step: a cancelled or
// failed switch leaves the active model as it was.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createIndex, type LiveIndex } from '../search/index.js';
import { disposeModelParts, openModelIndex, saveModelIndex, type ModelParts } from './model-parts.js';
import type { ListedImage, VectorLibrary } from './vector-library.js';

export interface SwitchProgress {
  signal?: AbortSignal;
  /** Photos run through a fine-tuned model's blocks (only for such models, only those it lacks). */
  onEmbed?: (done: number, total: number, rate: number | null) => void;
  /** Embeddings added to the model's new index. */
  onIndex?: (done: number, total: number) => void;
}

/** What readying a model reads of the vector library: its photos, their features, the model's files. */
export type ModelSource = Pick<VectorLibrary, 'catalog' | 'listed' | 'loadParts' | 'pass' | 'withFeatures' | 'active'>;

/**
 * Embeddings per index-building step; the engine answers other calls between steps. At 77,000
 * photos 2,048 took ~0.8 s a step and the whole rebuild (32 s) ran without a pause: a `status`
 * call waited 25 s; 512 took 130-220 ms a step (adding to the graph slows as it grows).
 */
export const INDEX_CHUNK = 256;

/**
 * Photos whose cached features are looked up per step when deciding whether the index needs
 * rebuilding: 77,000 in one go held the engine's thread 3-8 s after training.
 */
export const LOOKUP_SLICE = 2000;

/** Whether switching to this model first needs photos run through its fine-tuned blocks. */
export function needsEmbedding(library: Pick<VectorLibrary, 'activeModelId' | 'folders' | 'tuned' | 'listed'>, modelId: number | null): boolean {
  if (modelId === null || modelId === library.activeModelId || !library.folders.hasOwnFeatures(modelId)) return false;
  return library.tuned.of(modelId).missing(library.listed().map((i) => i.hash)).length > 0;
}

export async function switchModel(library: ModelSource & Pick<VectorLibrary, 'install'>, modelId: number | null, opts: SwitchProgress = {}): Promise<void> {
  const { parts, index } = await prepareModel(library, modelId, opts);
  library.install(parts, index);
}

/** A model made ready to answer, every photo embedded and indexed, but not yet active: the caller installs or disposes it. */
export interface PreparedModel {
  parts: ModelParts;
  index: LiveIndex;
}

/**
 * Whether some listed photo with a cached feature is missing from `index`. Existence checks
 * only (reading every feature here, to then read them again for the rebuild, would move the
 * whole store twice), a slice at a time with a pause between, and only for photos the index
 * lacks: none for an index that is whole, the first slice decides for a new model's.
 */
async function needsRebuild(listed: readonly ListedImage[], index: LiveIndex, parts: ModelParts): Promise<boolean> {
  const absent = listed.filter((i) => !index.has(i.id));
  for (let s = 0; s < absent.length; s += LOOKUP_SLICE) {
    const slice = absent.slice(s, s + LOOKUP_SLICE);
    const lacking = new Set(parts.features.missing(slice.map((i) => i.hash)));
    if (slice.some((i) => !lacking.has(i.hash))) return true;
    await nextTurn();
  }
  return false;
}

/**
 * `trained`: the parts as training left them in memory (a head on the pretrained features), so a
 * model just saved is not loaded back from its files; otherwise they are loaded.
 */
export async function prepareModel(
  library: ModelSource,
  modelId: number | null,
  opts: SwitchProgress = {},
  trained?: ModelParts,
): Promise<PreparedModel> {
  const parts = trained ?? (await library.loadParts(modelId));
  try {
    const listed = library.listed();
    if (parts.tail || parts.cnn) {
      await library.pass.fillMissing(listed, parts, { signal: opts.signal, onProgress: opts.onEmbed });
      if (opts.signal?.aborted) throw new Error('cancelled');
    }
    let index = openModelIndex(library.catalog, parts);
    if (await needsRebuild(listed, index, parts)) {
      const fresh = createIndex(parts.head.outputDim, listed.length);
      for (let s = 0; s < listed.length; s += INDEX_CHUNK) {
        const { ids, features } = library.withFeatures(listed.slice(s, s + INDEX_CHUNK), parts.features);
        if (ids.length) fresh.add(ids, parts.head.embed(features));
        opts.onIndex?.(Math.min(s + INDEX_CHUNK, listed.length), listed.length);
        await nextTurn();
      }
      index = fresh;
      saveModelIndex(library.catalog, index, parts);
    }
    return { parts, index };
  } catch (err) {
    if (parts !== library.active) disposeModelParts(parts);
    throw err;
  }
}
