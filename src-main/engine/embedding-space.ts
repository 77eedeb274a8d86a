// The library as vectors: backbone features (cached by content), the active model that turns
// them into embeddings, and the index that answers "find similar" over them. One index per
// model version lives in index/, so switching models never rebuilds from the CNN — except for
// deeply fine-tuned models, whose own features must first be computed for photos they have not
// seen (model-parts.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ContractError,
  DEFAULT_DUPLICATE_THRESHOLD,
  type DuplicateGroup,
  type Failure,
  type Hit,
  type ParsedRequest,
  type SimilarResult,
} from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { BACKBONE_FEATURE_DIM, backboneId } from '../model/backbone.js';
import { NEAR_DUPLICATE_DIM } from '../model/descriptor.js';
import { FeatureStore } from '../model/feature-store.js';
import { nsfwjsPackageDir } from '../model/nsfwjs-files.js';
import type { ImageInput } from '../model/preprocess.js';
import { createIndex, type LiveIndex } from '../search/index.js';
import type { FoundCopy } from './copy-check.js';
import { hasTail } from '../learn/tail-file.js';
import {
  disposeModelParts,
  loadModelParts,
  modelDir,
  openModelIndex,
  saveModelIndex,
  TunedFeatureStores,
  type ModelParts,
} from './model-parts.js';
import { FeaturePass, type PassProgress } from './feature-pass.js';
import { NearDuplicates } from './near-duplicates.js';

export { modelDir } from './model-parts.js';


export interface SwitchProgress {
  signal?: AbortSignal;
  /** Photos run through a fine-tuned model's blocks (only for such models, only those it lacks). */
  onEmbed?: (done: number, total: number, rate: number | null) => void;
  /** Embeddings added to the model's new index. */
  onIndex?: (done: number, total: number) => void;
}

interface ListedImage {
  id: number;
  hash: string;
  path: string;
}

export class EmbeddingSpace {
  private readonly pass: FeaturePass;
  private readonly nearDuplicates: NearDuplicates;

  private constructor(
    private readonly catalog: Catalog,
    private readonly store: FeatureStore,
    private readonly nearDupStore: FeatureStore,
    private readonly tuned: TunedFeatureStores,
    private active: ModelParts,
    private index: LiveIndex,
  ) {
    this.pass = new FeaturePass(store, nearDupStore);
    this.nearDuplicates = new NearDuplicates(catalog, nearDupStore, () => this.listed());
  }

  /** The index answering queries now (hard-pair proposals reuse it). */
  get activeIndex(): LiveIndex {
    return this.index;
  }

  static async open(catalog: Catalog): Promise<EmbeddingSpace> {
    const featureId = backboneId(nsfwjsVersion());
    const store = FeatureStore.open(catalog.paths.features, featureId, BACKBONE_FEATURE_DIM);
    const nearDupStore = FeatureStore.open(catalog.paths.features, `${featureId}#near-duplicate-v1`, NEAR_DUPLICATE_DIM);
    const tuned = new TunedFeatureStores(catalog, featureId);
    let parts: ModelParts;
    try {
      parts = await loadModelParts(catalog, catalog.activeModel()?.id ?? null, store, tuned);
    } catch {
      // Its files are gone or unreadable: fall back to the pretrained space rather than fail.
      catalog.setActiveModel(null);
      parts = await loadModelParts(catalog, null, store, tuned);
    }
    const space = new EmbeddingSpace(catalog, store, nearDupStore, tuned, parts, openModelIndex(catalog, parts));
    space.syncIndex();
    return space;
  }

  get activeModelId(): number | null {
    return this.active.id;
  }

  get featureDim(): number {
    return this.store.dim;
  }

  embeddedCount(): number {
    return this.index.size;
  }

  /** Listed images not in the index yet (their features may or may not be cached). */
  pendingCount(): number {
    return this.listed().filter((i) => !this.index.has(i.id)).length;
  }

  /**
   * Computes missing features, embeds them with the active model, and updates the index. One
   * forward pass gives the pooled features ("similar", training), the near-duplicate
   * descriptor ("duplicates") and, for a fine-tuned model, its own features; all are cached by
   * content, in chunks, so a stopped run keeps its finished part.
   */
  async embedPending(opts: PassProgress = {}): Promise<{ embedded: number; failed: Failure[] }> {
    const listed = this.listed();
    const todo = listed.filter((i) => !this.index.has(i.id));
    const failed = await this.pass.fillMissing(listed, this.active, opts, () => this.addToIndex(todo));
    const embedded = this.addToIndex(todo);
    this.syncIndex();
    return { embedded, failed };
  }

  /**
   * Look-alikes ranked by the active embedding, with one correction: a photo the copy check
   * (copy-check.ts) finds to be clearly an edited copy of the query (re-encoded, cropped, turned,
   * made grey, ...) comes first, even where the embedding ranks look-alikes above it. Otherwise
   * the embedding's ranking stands. (Raising every hit whose near-duplicate descriptor passed
   * the duplicate threshold, as before, changed the top hit of most Fashion-MNIST queries that
   * were copies of nothing: bench/similar-near-duplicates.ts.) The check decodes the query and
   * its candidates again (~0.3 s), so it runs for photos from outside the library — "do I have
   * this already?" — and not on a click in the grid, whose copies the duplicates view shows.
   * `copyCheck: 'all'` runs it for library photos too (bench/ordinary-queries.ts measures with
   * it what the check does to queries that are copies of nothing).
   */
  async similar(req: ParsedRequest<'similar'>, copyCheck: 'outside' | 'all' = 'outside'): Promise<SimilarResult> {
    let queryId: number | null = null;
    let name: string;
    let query: { embedding: Float32Array };
    // What the copy check decodes: the query's file or bytes (outside queries only).
    let pixels: ImageInput | null = null;
    if (req.id !== undefined || req.path !== undefined) {
      const image = req.id !== undefined ? this.catalog.getImage(req.id) : this.catalog.imageByPath(req.path!);
      if (req.id !== undefined && (!image || image.paths.length === 0)) {
        throw new ContractError(`no image #${req.id} in the library`, 'not-found');
      }
      if (image && image.paths.length > 0) {
        queryId = image.id;
        name = image.paths[0];
        const [feature] = this.active.features.get([image.contentHash]);
        if (!feature) {
          throw new ContractError(`image #${image.id} is not embedded yet: wait for indexing to finish`, 'conflict');
        }
        query = { embedding: this.active.head.embed([feature])[0] };
        if (copyCheck === 'all') pixels = image.paths[0];
      } else {
        name = req.path!;
        query = await this.embedOutside(req.path!);
        pixels = req.path!;
      }
    } else {
      const upload = req.upload!;
      name = upload.name;
      pixels = Buffer.from(upload.dataBase64, 'base64');
      query = await this.embedOutside(pixels);
    }
    const pool = this.index.search(query.embedding, req.k, {
      minScore: req.minScore,
      maxScore: req.maxScore,
      exclude: queryId ?? undefined,
    });
    const copy = pixels === null ? null : await this.nearDuplicates.findCopy(pixels, pool, queryId);
    const hits = this.promoteCopy(pool, copy)
      .filter((h) => (req.minScore === undefined || h.score >= req.minScore) && (req.maxScore === undefined || h.score <= req.maxScore))
      .slice(0, req.k);
    return { query: { id: queryId, name }, hits: this.toHits(hits) };
  }

  /** The copy check's find first, the rest in the embedding's order. */
  private promoteCopy(hits: { id: number; score: number }[], found: FoundCopy | null) {
    if (!found) return hits;
    // It may not be among the look-alikes at all (found by its descriptor): it scores at least
    // its copy score and the best look-alike's, so scores stay in rank order.
    const own = hits.find((h) => h.id === found.id)?.score ?? -1;
    const first = { id: found.id, score: Math.max(own, found.score, hits[0]?.score ?? -1) };
    return [first, ...hits.filter((h) => h.id !== found.id)];
  }

  /**
   * Groups of near-identical photos, found with the near-duplicate descriptor (not the
   * embedding: training may pull merely alike photos together, which must not make them
   * duplicates).
   */
  async duplicates(threshold = DEFAULT_DUPLICATE_THRESHOLD): Promise<DuplicateGroup[]> {
    return (await this.nearDuplicates.groups(threshold)).map((group) => ({ images: this.toHits(group) }));
  }

  /**
   * Labelled images with cached features: what training and evaluation work on, as classes.
   * An image counts when exactly one of its labels is among `classes` (all labels when not
   * given); one carrying several of them is ambiguous and left out, so a tag such as
   * "favourite" never silently becomes a training class. Ids, features and labels share one order.
   */
  labelledFeatures(classes?: readonly string[]): {
    ids: number[];
    features: Float32Array[];
    labels: string[];
    ambiguous: number;
  } {
    const { rows, ambiguous } = this.labelledImages(classes);
    const { ids, features } = this.withFeatures(rows);
    const labelOf = new Map(rows.map((r) => [r.id, r.label]));
    return { ids, features, labels: ids.map((id) => labelOf.get(id)!), ambiguous };
  }

  /** The images labelledFeatures picks, without reading any features (see there). */
  labelledImages(classes?: readonly string[]): { rows: { id: number; hash: string; label: string }[]; ambiguous: number } {
    const wanted = classes ? new Set(classes) : null;
    const rows: { id: number; hash: string; label: string }[] = [];
    let ambiguous = 0;
    for (const i of this.catalog.eachImage()) {
      const mine = i.labels.filter((l) => !wanted || wanted.has(l));
      if (mine.length === 1) rows.push({ id: i.id, hash: i.contentHash, label: mine[0] });
      else if (mine.length > 1) ambiguous++;
    }
    return { rows, ambiguous };
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
    if (modelId === undefined || modelId === this.active.id) return embed(this.active);
    const parts = await loadModelParts(this.catalog, modelId, this.store, this.tuned);
    try {
      return embed(parts);
    } finally {
      disposeModelParts(parts);
    }
  }

  /** The active model's embeddings of all indexed images. */
  allEmbeddings(): Map<number, Float32Array> {
    const { ids, features } = this.withFeatures(this.listed().filter((i) => this.index.has(i.id)), this.active.features);
    const vectors = this.active.head.embed(features);
    return new Map(ids.map((id, i) => [id, vectors[i]] as const));
  }

  /** Whether switching to this model first needs photos run through its fine-tuned blocks. */
  needsEmbedding(modelId: number | null): boolean {
    if (modelId === null || modelId === this.active.id || !hasTail(modelDir(this.catalog, modelId))) return false;
    return this.tuned.of(modelId).missing(this.listed().map((i) => i.hash)).length > 0;
  }

  /**
   * Makes a model the active one. A head-only model embeds the cached features (a matrix
   * product, no CNN pass); a fine-tuned one first runs the photos it has not seen through its
   * blocks. Its index is loaded or built, and only then does the switch happen, in one step: a
   * cancelled or failed switch leaves the active model as it was.
   */
  async switchModel(modelId: number | null, opts: SwitchProgress = {}): Promise<void> {
    const parts = await loadModelParts(this.catalog, modelId, this.store, this.tuned);
    try {
      const listed = this.listed();
      if (parts.tail) {
        await this.pass.fillMissing(listed, parts, { signal: opts.signal, onProgress: opts.onEmbed });
        if (opts.signal?.aborted) throw new Error('cancelled');
      }
      let index = openModelIndex(this.catalog, parts);
      // Existence checks only: reading every feature here, to then read them again for the
      // rebuild, would move the whole store twice.
      const lacking = new Set(parts.features.missing(listed.map((i) => i.hash)));
      if (listed.some((i) => !lacking.has(i.hash) && !index.has(i.id))) {
        const fresh = createIndex(parts.head.outputDim, listed.length);
        const chunk = 2048;
        for (let s = 0; s < listed.length; s += chunk) {
          const { ids, features } = this.withFeatures(listed.slice(s, s + chunk), parts.features);
          if (ids.length) fresh.add(ids, parts.head.embed(features));
          opts.onIndex?.(Math.min(s + chunk, listed.length), listed.length);
        }
        index = fresh;
        saveModelIndex(this.catalog, index, parts);
      }
      const old = this.active;
      this.active = parts;
      this.index = index;
      this.catalog.setActiveModel(modelId);
      if (old !== parts) disposeModelParts(old);
    } catch (err) {
      disposeModelParts(parts);
      throw err;
    }
    this.syncIndex();
  }

  async close(): Promise<void> {
    await this.pass.close();
    await this.nearDuplicates.close();
    disposeModelParts(this.active);
    this.store.close();
    this.nearDupStore.close();
    this.tuned.close();
  }

  // ---- internals ----------------------------------------------------------------------

  /** A photo from outside the library: embedded for the query only, never added. */
  private async embedOutside(input: string | Buffer): Promise<{ embedding: Float32Array }> {
    const feature = await this.pass.outside(input, this.active);
    return { embedding: this.active.head.embed([feature])[0] };
  }

  private listed(): ListedImage[] {
    return this.catalog.listedImageRefs().map((i) => ({ id: i.id, hash: i.contentHash, path: i.path }));
  }

  /** The images whose features `store` holds, with those features, in the same order. */
  private withFeatures(images: readonly { id: number; hash: string }[], store: FeatureStore = this.store): { ids: number[]; features: Float32Array[] } {
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

  /** Adds every image of `images` whose feature is cached and that the index lacks. */
  private addToIndex(images: ListedImage[]): number {
    const { ids, features: feats } = this.withFeatures(images.filter((i) => !this.index.has(i.id)), this.active.features);
    if (ids.length > 0) {
      this.index.add(ids, this.active.head.embed(feats));
      this.saveIndex();
    }
    return ids.length;
  }

  /** Drops images that left the library from the index. */
  private syncIndex(): void {
    const live = new Set(this.listed().map((i) => i.id));
    let changed = false;
    for (const id of this.index.ids()) {
      if (!live.has(id)) {
        this.index.remove(id);
        changed = true;
      }
    }
    if (changed) this.saveIndex();
  }

  private saveIndex(): void {
    saveModelIndex(this.catalog, this.index, this.active);
  }

  private toHits(hits: { id: number; score: number }[]): Hit[] {
    return hits.flatMap((h) => {
      const image = this.catalog.getImage(h.id);
      return image && image.paths.length > 0 ? [{ id: h.id, path: image.paths[0], score: h.score }] : [];
    });
  }
}

function nsfwjsVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(nsfwjsPackageDir(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

