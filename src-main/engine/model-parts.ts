// What one model version is made of at run time. A head-only model (and the untrained space)
// embeds the pretrained backbone's cached 1280-d features. A deeply fine-tuned model also has
// its own backbone tail, so its features differ from the pretrained ones for every photo: they
// live in a feature store of their own, keyed by the model, filled by running the tail on the
// backbone's block_14_add activations.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { existsSync, readFileSync } from 'node:fs';
import type { Catalog } from '../library/catalog.js';
import type { BackboneTail } from '../learn/backbone-tail.js';
import { Head } from '../learn/head.js';
import type { ModelFolders } from '../learn/model-folders.js';
import type { WholeCnn } from '../learn/whole-cnn.js';
import { BACKBONE_FEATURE_DIM } from '../model/backbone.js';
import { TAIL_INPUT_SHAPE } from '../model/descriptor.js';
import { FeatureStore } from '../model/feature-store.js';
import { loadIndex, createIndex, type LiveIndex } from '../search/index.js';
import { writeAtomicSync } from '../common/write-atomic.js';
import { indexFile } from './index-files.js';

export interface ModelParts {
  id: number | null;
  head: Head;
  /** The fine-tuned backbone tail, for deeply fine-tuned models. */
  tail: BackboneTail | null;
  /** The model's own whole CNN (trained from pixels), with its input side; its features come from the photos' pixels. */
  cnn: { net: WholeCnn; inputSize: number } | null;
  /** Where the features this model's head embeds are cached. */
  features: FeatureStore;
}

/** Feature stores of fine-tuned models, opened once each. */
export class TunedFeatureStores {
  private readonly open = new Map<number, FeatureStore>();

  constructor(
    private readonly catalog: Catalog,
    private readonly pretrainedFeatureId: string,
  ) {}

  of(modelId: number): FeatureStore {
    let store = this.open.get(modelId);
    if (!store) {
      store = FeatureStore.open(this.catalog.paths.features, `${this.pretrainedFeatureId}#tuned-model-${modelId}`, BACKBONE_FEATURE_DIM);
      this.open.set(modelId, store);
    }
    return store;
  }

  close(): void {
    for (const s of this.open.values()) s.close();
    this.open.clear();
  }
}

/** Loads a model's head (and tail, if it has one); null is the untrained space. */
export async function loadModelParts(folders: ModelFolders, modelId: number | null, pretrained: FeatureStore, tuned: TunedFeatureStores): Promise<ModelParts> {
  if (modelId === null) return { id: null, head: Head.identity(pretrained.dim), tail: null, cnn: null, features: pretrained };
  const { head, tail, cnn } = await folders.load(modelId);
  return { id: modelId, head, tail, cnn, features: tail || cnn ? tuned.of(modelId) : pretrained };
}

export function disposeModelParts(parts: ModelParts): void {
  parts.head.dispose();
  parts.tail?.dispose();
  parts.cnn?.net.dispose();
}

/** Photos per tail pass between yields: 32 take ~0.16 s on wasm (5 ms a photo, load 6). */
const TAIL_SLICE = 32;

/**
 * The features a model's head embeds, from the backbone's pooled features and its block_14_add
 * activations. A fine-tuned tail runs in slices, yielding in between, so calls such as "similar"
 * are answered while a large import is embedded under such a model.
 */
export async function modelFeatures(parts: ModelParts, pooled: Float32Array[], tailInputs: Float32Array[]): Promise<Float32Array[]> {
  if (!parts.tail) return pooled;
  const out: Float32Array[] = [];
  for (let s = 0; s < tailInputs.length; s += TAIL_SLICE) {
    out.push(...parts.tail.features(tailInputs.slice(s, s + TAIL_SLICE), TAIL_INPUT_SHAPE));
    if (s + TAIL_SLICE < tailInputs.length) await nextTurn();
  }
  return out;
}

// ---- index files: one per model, with a sidecar naming the features it was built from ----

interface IndexMeta {
  featureId: string;
  modelId: number | null;
}

export function saveModelIndex(catalog: Catalog, index: LiveIndex, parts: Pick<ModelParts, 'id' | 'features'>): void {
  const file = indexFile(catalog, parts.id);
  index.save(file);
  const meta: IndexMeta = { featureId: parts.features.featureId, modelId: parts.id };
  writeAtomicSync(`${file}.meta.json`, JSON.stringify(meta));
}

/** The saved index of a model when it matches its current features, else a new empty one. */
export function openModelIndex(catalog: Catalog, parts: Pick<ModelParts, 'id' | 'features' | 'head'>): LiveIndex {
  const file = indexFile(catalog, parts.id);
  try {
    if (existsSync(file)) {
      const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as IndexMeta;
      if (meta.featureId === parts.features.featureId && meta.modelId === parts.id) {
        const index = loadIndex(file);
        if (index.dim === parts.head.outputDim) return index;
      }
    }
  } catch (err) {
    // A missing, partial, damaged or stale index is rebuilt from the cached features (the
    // engine adds every cached feature the new index lacks when it opens); say so.
    console.warn(`the saved index is unusable; rebuilding it from the cached features (${(err as Error).message})`);
  }
  return createIndex(parts.head.outputDim, catalog.countImages());
}
