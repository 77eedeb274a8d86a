// The library as vectors: backbone features (cached by content), the active model that turns
// them into embeddings, and the index over them. One index per model version lives in index/,
// so switching models never rebuilds from the CNN (model-switch.ts), except for deeply
// fine-tuned models, whose own features must first be computed for photos they have not seen.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Failure } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { ModelFolders } from '../learn/model-folders.js';
import { BACKBONE_FEATURE_DIM, backboneId } from '../model/backbone.js';
import { NEAR_DUPLICATE_DIM } from '../model/descriptor.js';
import type { FeatureLoss } from '../model/feature-db.js';
import { FeatureStore } from '../model/feature-store.js';
import { nsfwjsPackageDir } from '../model/nsfwjs-files.js';
import { createIndex, type LiveIndex } from '../search/index.js';
import { stageTimes } from '../common/stage-times.js';
import { FeaturePass, type PassProgress, type StoredChunk } from './feature-pass.js';
import { modelLoadProblem } from './model-list.js';
import { disposeModelParts, loadModelParts, openModelIndex, saveModelIndex, TunedFeatureStores, type ModelParts } from './model-parts.js';

export interface ListedImage {
  id: number;
  hash: string;
  path: string;
}

/** Photos whose features are read between two pauses of a whole-library read (at 77,000 photos 2,000 held the thread 110-160 ms, 500 110-140 ms, 200 up to 74 ms: the feature file is slower to read when large). */
const FEATURE_SLICE = 100;

/**
 * During a pass the index is saved at most this often (crash safety), and once at its end: a
 * save rewrites the whole file (~550 MB at 100k photos), so saving per chunk made an import's
 * cost grow with the square of its size. A killed pass loses no work: the features are cached
 * chunk by chunk, and opening the library adds every cached feature the saved index lacks.
 */
export const INDEX_SAVE_INTERVAL_MS = 3 * 60_000;

export class VectorLibrary {
  readonly pass: FeaturePass;
  /**
   * Why the active model could not be loaded when the library opened, or null. The pretrained
   * space answers meanwhile; the catalog keeps naming the model, so the problem is reported on
   * every start until the user switches or trains again.
   */
  private problem: string | null = null;
  /** Why photos are being embedded again (cached features were lost), until none is pending. */
  private recovering: string | null = null;
  /** Called when cached features were lost, so that the engine starts embedding them again. */
  onFeaturesLost: (() => void) | null = null;
  private stopWatching: () => void = () => {};

  private constructor(
    readonly catalog: Catalog,
    readonly folders: ModelFolders,
    /** The pretrained backbone's pooled features. */
    readonly store: FeatureStore,
    /** Near-duplicate descriptors. */
    readonly nearDupStore: FeatureStore,
    readonly tuned: TunedFeatureStores,
    private activeParts: ModelParts,
    private activeIndex: LiveIndex,
  ) {
    this.pass = new FeaturePass(store, nearDupStore);
  }

  static async open(catalog: Catalog): Promise<VectorLibrary> {
    const featureId = backboneId(nsfwjsVersion());
    const folders = new ModelFolders(catalog.paths.models);
    const store = FeatureStore.open(catalog.paths.features, featureId, BACKBONE_FEATURE_DIM);
    const nearDupStore = FeatureStore.open(catalog.paths.features, `${featureId}#near-duplicate-v1`, NEAR_DUPLICATE_DIM);
    const tuned = new TunedFeatureStores(catalog, featureId);
    const wanted = catalog.activeModel()?.id ?? null;
    let parts: ModelParts;
    let problem: string | null = null;
    try {
      parts = await loadModelParts(folders, wanted, store, tuned);
    } catch (err) {
      problem = modelLoadProblem(wanted!, (err as Error).message);
      parts = await loadModelParts(folders, null, store, tuned);
    }
    // A damaged feature cache was replaced by an empty one, or the file is gone while an index
    // holds photos: every index was built from features that are lost. Start empty, so every
    // photo counts as waiting and is embedded again (the engine starts that at once).
    const saved = openModelIndex(catalog, parts);
    const lost = store.resetReason ?? (store.startedEmpty && saved.size > 0 ? `the feature cache ${store.dbFile} is missing` : null);
    const index = lost ? createIndex(parts.head.outputDim, catalog.countImages()) : saved;
    const library = new VectorLibrary(catalog, folders, store, nearDupStore, tuned, parts, index);
    library.problem = problem;
    if (lost) library.featuresLost({ kind: 'file', reason: lost });
    library.stopWatching = store.onLoss((loss) => library.featuresLost(loss));
    library.syncIndex();
    // A lost or damaged index came back empty: fill it from the cached features now, so that
    // "similar" never answers from a partial index (cheap when nothing is missing).
    library.addToIndex(library.listed());
    return library;
  }

  /** The model answering queries now (null: pretrained). */
  get active(): ModelParts {
    return this.activeParts;
  }

  /** The index answering queries now (hard-pair proposals reuse it). */
  get index(): LiveIndex {
    return this.activeIndex;
  }

  get activeModelId(): number | null {
    return this.activeParts.id;
  }

  get embeddingDim(): number {
    return this.activeParts.head.outputDim;
  }

  /** See `problem`. */
  get modelProblem(): string | null {
    return this.problem;
  }

  embeddedCount(): number {
    return this.activeIndex.size;
  }

  /** "re-embedding N photos after …" while photos whose features were lost wait, else null. */
  recoveryNotice(): string | null {
    const pending = this.recovering ? this.pendingCount() : 0;
    if (pending === 0) return (this.recovering = null);
    return `re-embedding ${pending} photo${pending === 1 ? '' : 's'} after a damaged feature store (${this.recovering})`;
  }

  /** Whether an image is in the active index (so its features are cached). */
  isEmbedded(id: number): boolean {
    return this.activeIndex.has(id);
  }

  /** Listed images not in the index yet (their features may or may not be cached). */
  pendingCount(): number {
    return this.listed().filter((i) => !this.activeIndex.has(i.id)).length;
  }

  /**
   * Computes missing features, embeds them with the active model, and updates the index. One
   * forward pass gives the pooled features ("similar", training), the near-duplicate
   * descriptor ("duplicates") and, for a fine-tuned model, its own features; all are cached by
   * content, in chunks, so a stopped run keeps its finished part.
   */
  async embedPending(opts: PassProgress = {}): Promise<{ embedded: number; failed: Failure[] }> {
    const listed = this.listed();
    const todo = listed.filter((i) => !this.activeIndex.has(i.id));
    // Photos whose features are cached already (the same bytes as a photo seen before) join at
    // once, read in one go; the rest join chunk by chunk from what the CNN pass computes.
    let embedded = this.addToIndex(todo, { save: false });
    const idsByHash = new Map<string, number[]>();
    for (const i of todo) if (!this.activeIndex.has(i.id)) idsByHash.set(i.hash, [...(idsByHash.get(i.hash) ?? []), i.id]);
    let savedAt = Date.now();
    const failed = await this.pass.fillMissing(listed, this.activeParts, opts, (chunk) => {
      embedded += stageTimes.time('index', () => this.addComputed(chunk, idsByHash));
      if (Date.now() - savedAt >= INDEX_SAVE_INTERVAL_MS) {
        this.saveIndex();
        savedAt = Date.now();
      }
    });
    if (embedded > 0) this.saveIndex();
    this.syncIndex();
    return { embedded, failed };
  }

  /**
   * Drops what is cached under `hashes` (features, descriptors, the active model's own
   * features) and takes their images out of the index, so the next pass computes them again
   * from bytes that hash right. Healing: an earlier version could cache the features of a
   * photo replaced during its import under the replaced photo's hash.
   */
  forget(hashes: readonly string[]): void {
    if (hashes.length === 0) return;
    const gone = new Set(hashes);
    for (const store of new Set([this.store, this.nearDupStore, this.activeParts.features])) store.remove([...gone]);
    let changed = false;
    for (const image of this.listed()) {
      if (gone.has(image.hash) && this.activeIndex.has(image.id)) {
        this.activeIndex.remove(image.id);
        changed = true;
      }
    }
    if (changed) saveModelIndex(this.catalog, this.activeIndex, this.activeParts);
  }

  /** The pretrained backbone's features of these images (undefined where not embedded yet). */
  featuresOf(ids: readonly number[]): (Float32Array | undefined)[] {
    return this.store.get(ids.map((id) => this.catalog.getImage(id)?.contentHash ?? ''));
  }

  /**
   * Embeddings under a model (the active one when undefined) of those of `ids` whose features
   * that model has, in the order given; a fine-tuned model has features only for photos it has
   * embedded.
   */
  async embeddingsOf(modelId: number | null | undefined, ids: readonly number[]): Promise<{ ids: number[]; vectors: Float32Array[] }> {
    const images = ids.map((id) => ({ id, hash: this.catalog.getImage(id)?.contentHash ?? '' }));
    const embed = (parts: ModelParts) => {
      const have = this.withFeatures(images, parts.features);
      return { ids: have.ids, vectors: parts.head.embed(have.features) };
    };
    if (modelId === undefined || modelId === this.activeParts.id) return embed(this.activeParts);
    const parts = await this.loadParts(modelId);
    try {
      return embed(parts);
    } finally {
      disposeModelParts(parts);
    }
  }

  /** The active model's embeddings of all indexed images. */
  allEmbeddings(): Map<number, Float32Array> {
    const { ids, features } = this.withFeatures(this.listed().filter((i) => this.activeIndex.has(i.id)), this.activeParts.features);
    const vectors = this.activeParts.head.embed(features);
    return new Map(ids.map((id, i) => [id, vectors[i]] as const));
  }

  /** A model's parts, loaded fresh (the caller disposes them, or installs them). */
  loadParts(modelId: number | null): Promise<ModelParts> {
    return loadModelParts(this.folders, modelId, this.store, this.tuned);
  }

  /** Makes `parts` and its complete `index` the active model, in one step. */
  install(parts: ModelParts, index: LiveIndex): void {
    const old = this.activeParts;
    this.activeParts = parts;
    this.activeIndex = index;
    this.catalog.setActiveModel(parts.id);
    this.problem = null;
    if (old !== parts) disposeModelParts(old);
    this.syncIndex();
  }

  listed(): ListedImage[] {
    return this.catalog.listedImageRefs().map((i) => ({ id: i.id, hash: i.contentHash, path: i.path }));
  }

  /** The images whose features `store` holds, with those features, in the same order. */
  withFeatures(images: readonly { id: number; hash: string }[], store: FeatureStore = this.store): { ids: number[]; features: Float32Array[] } {
    const cached = store.get(images.map((i) => i.hash));
    const out = { ids: [] as number[], features: [] as Float32Array[] };
    images.forEach((img, i) => {
      const f = cached[i];
      if (f) {
        out.ids.push(img.id);
        out.features.push(f);
      }
    });
    return out;
  }

  /**
   * withFeatures, FEATURE_SLICE photos at a time with a pause between, so the engine answers
   * other calls meanwhile: at 77,000 photos reading every feature took 6–8 s in one go.
   */
  async withFeaturesInSlices(images: readonly { id: number; hash: string }[], store: FeatureStore = this.store): Promise<{ ids: number[]; features: Float32Array[] }> {
    const out = { ids: [] as number[], features: [] as Float32Array[] };
    for (let start = 0; start < images.length; start += FEATURE_SLICE) {
      // A pause before each slice, the first too: the caller's own work (a request's checks) is a piece of its own.
      await nextTurn();
      const { ids, features } = this.withFeatures(images.slice(start, start + FEATURE_SLICE), store);
      out.ids.push(...ids);
      out.features.push(...features);
    }
    // And after the last: what the caller does next is a piece of its own too.
    await nextTurn();
    return out;
  }

  async close(): Promise<void> {
    this.stopWatching();
    await this.pass.close();
    disposeModelParts(this.activeParts);
    this.store.close();
    this.nearDupStore.close();
    this.tuned.close();
  }

  /** Adds every image of `images` whose feature is cached and that the index lacks (and saves the index, unless told not to). */
  addToIndex(images: ListedImage[], opts: { save?: boolean } = {}): number {
    const { ids, features } = this.withFeatures(images.filter((i) => !this.activeIndex.has(i.id)), this.activeParts.features);
    if (ids.length > 0) {
      this.activeIndex.add(ids, this.activeParts.head.embed(features));
      if (opts.save !== false) this.saveIndex();
    }
    return ids.length;
  }

  /** Adds the images of a chunk the CNN pass just computed (by content hash), from its own vectors. */
  private addComputed(chunk: StoredChunk, idsByHash: Map<string, number[]>): number {
    // A whole-CNN model's pass computes the pretrained features first: not what its head embeds.
    if (chunk.store !== this.activeParts.features) return 0;
    const ids: number[] = [];
    const features: Float32Array[] = [];
    for (const [hash, feature] of chunk.entries) {
      for (const id of idsByHash.get(hash) ?? []) {
        if (this.activeIndex.has(id)) continue;
        ids.push(id);
        features.push(feature);
      }
    }
    if (ids.length > 0) this.activeIndex.add(ids, this.activeParts.head.embed(features));
    return ids.length;
  }

  private saveIndex(): void {
    stageTimes.time('index saves', () => saveModelIndex(this.catalog, this.activeIndex, this.activeParts));
  }

  /**
   * Cached features were lost: a lost file makes every saved index stale (they were built from
   * it), lost rows take their photos out of the active index; either way they are embedded again.
   */
  private featuresLost(loss: FeatureLoss): void {
    if (loss.kind === 'file') {
      rmSync(this.catalog.paths.index, { recursive: true, force: true });
      this.activeIndex = createIndex(this.activeParts.head.outputDim, this.catalog.countImages());
      saveModelIndex(this.catalog, this.activeIndex, this.activeParts);
    } else if (loss.featureId === this.activeParts.features.featureId) {
      const hashes = new Set(loss.hashes);
      for (const img of this.listed()) if (hashes.has(img.hash) && this.activeIndex.has(img.id)) this.activeIndex.remove(img.id);
      saveModelIndex(this.catalog, this.activeIndex, this.activeParts);
    }
    this.recovering = loss.reason;
    this.onFeaturesLost?.();
  }

  /** Drops images that left the library from the index. */
  private syncIndex(): void {
    const live = new Set(this.listed().map((i) => i.id));
    let changed = false;
    for (const id of this.activeIndex.ids()) {
      if (!live.has(id)) {
        this.activeIndex.remove(id);
        changed = true;
      }
    }
    if (changed) this.saveIndex();
  }
}

function nsfwjsVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(nsfwjsPackageDir(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
