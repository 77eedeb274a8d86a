// The library as vectors: backbone features (cached by content), the active head that turns
// them into embeddings, and the index that answers "find similar" over them. One index per
// model version lives in index/, so switching models never rebuilds from the CNN.
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
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
import { Head } from '../learn/head.js';
import { BACKBONE_FEATURE_DIM, backboneId } from '../model/backbone.js';
import { CopyViews } from '../model/copy-views.js';
import { NEAR_DUPLICATE_DIM, splitPooledNearDuplicate } from '../model/descriptor.js';
import { FeatureExtractor } from '../model/extractor.js';
import { FeatureStore } from '../model/feature-store.js';
import { nsfwjsPackageDir } from '../model/nsfwjs-files.js';
import type { ImageInput } from '../model/preprocess.js';
import { createIndex, findDuplicateGroups, loadIndex, type LiveIndex } from '../search/index.js';
import { findCopy, type FoundCopy } from './copy-check.js';

export interface EmbedProgress {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rate: number | null) => void;
}

interface ListedImage {
  id: number;
  hash: string;
  path: string;
}

interface IndexMeta {
  featureId: string;
  modelId: number | null;
}

/** Photos extracted between two writes to the feature cache (and index updates). */
const EXTRACT_CHUNK = 256;

/** Rate over the whole run so far, in items per second. */
function rateSince(start: number, done: number): number | null {
  const s = (Date.now() - start) / 1000;
  return s > 0.5 && done > 0 ? done / s : null;
}

export class EmbeddingSpace {
  private extractor: Promise<FeatureExtractor> | null = null;
  private nearDupIndex: LiveIndex | null = null;
  private copyViews: Promise<CopyViews> | null = null;

  private constructor(
    private readonly catalog: Catalog,
    private readonly store: FeatureStore,
    private readonly nearDupStore: FeatureStore,
    private head: Head,
    private index: LiveIndex,
    private modelId: number | null,
  ) {}

  /** The index answering queries now (hard-pair proposals reuse it). */
  get activeIndex(): LiveIndex {
    return this.index;
  }

  static async open(catalog: Catalog): Promise<EmbeddingSpace> {
    const featureId = backboneId(nsfwjsVersion());
    const store = FeatureStore.open(catalog.paths.features, featureId, BACKBONE_FEATURE_DIM);
    const nearDupStore = FeatureStore.open(catalog.paths.features, `${featureId}#near-duplicate-v1`, NEAR_DUPLICATE_DIM);
    let modelId = catalog.activeModel()?.id ?? null;
    let head = Head.identity(BACKBONE_FEATURE_DIM);
    if (modelId !== null) {
      try {
        head = await Head.load(modelDir(catalog, modelId));
      } catch {
        // Its files are gone or unreadable: fall back to the pretrained space rather than fail.
        modelId = null;
        catalog.setActiveModel(null);
      }
    }
    const index = openIndex(catalog, featureId, modelId, head.outputDim);
    const space = new EmbeddingSpace(catalog, store, nearDupStore, head, index, modelId);
    space.syncIndex();
    return space;
  }

  get activeModelId(): number | null {
    return this.modelId;
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
   * Computes missing features, embeds them with the active head, and updates the index. One
   * forward pass gives both the pooled features ("similar", training) and the near-duplicate
   * descriptor ("duplicates"); both are cached by content, in chunks, so a stopped run keeps
   * its finished part.
   */
  async embedPending(opts: EmbedProgress = {}): Promise<{ embedded: number; failed: Failure[] }> {
    const listed = this.listed();
    const todo = listed.filter((i) => !this.index.has(i.id));
    const failed: Failure[] = [];
    const lacking = new Set([
      ...this.store.missing(listed.map((i) => i.hash)),
      ...this.nearDupStore.missing(listed.map((i) => i.hash)),
    ]);
    const needing = [...new Map(listed.filter((i) => lacking.has(i.hash)).map((i) => [i.hash, i])).values()];
    const start = Date.now();
    if (needing.length > 0) {
      const extractor = await this.getExtractor();
      for (let s = 0; s < needing.length; s += EXTRACT_CHUNK) {
        const part = needing.slice(s, s + EXTRACT_CHUNK);
        const out = await extractor.extract(
          part.map((i) => i.path),
          {
            signal: opts.signal,
            onProgress: (done) => opts.onProgress?.(s + done, needing.length, rateSince(start, s + done)),
          },
        );
        const pooled: [string, Float32Array][] = [];
        const nearDup: [string, Float32Array][] = [];
        out.forEach((v, j) => {
          if (v instanceof Error) {
            failed.push({ path: part[j].path, error: v.message });
            return;
          }
          const split = splitPooledNearDuplicate(v);
          pooled.push([part[j].hash, split.pooled.slice()]);
          nearDup.push([part[j].hash, split.nearDuplicate.slice()]);
        });
        this.store.putMany(pooled);
        this.nearDupStore.putMany(nearDup);
        // Index as we go, so a long first import is searchable before it ends.
        this.addToIndex(todo);
      }
    }
    const embedded = this.addToIndex(todo);
    this.syncIndex();
    opts.onProgress?.(needing.length, needing.length, rateSince(start, needing.length));
    return { embedded, failed };
  }

  /**
   * Look-alikes ranked by the active embedding, with one correction: a photo the copy check
   * (copy-check.ts) finds to be clearly an edited copy of the query (re-encoded, cropped, turned,
   * made grey, ...) comes first, even where the embedding ranks look-alikes above it. Otherwise
   * the embedding's ranking stands. (Raising every hit whose near-duplicate descriptor passed
   * the duplicate threshold, as before, changed the top hit of most Fashion-MNIST queries that
   * were copies of nothing: bench/similar-near-duplicates.ts.)
   */
  async similar(req: ParsedRequest<'similar'>): Promise<SimilarResult> {
    let queryId: number | null = null;
    let name: string;
    let query: { embedding: Float32Array };
    // What the copy check decodes: the query's file or bytes.
    let pixels: ImageInput;
    if (req.id !== undefined || req.path !== undefined) {
      const image = req.id !== undefined ? this.catalog.getImage(req.id) : this.catalog.imageByPath(req.path!);
      if (req.id !== undefined && (!image || image.paths.length === 0)) {
        throw new ContractError(`no image #${req.id} in the library`, 'not-found');
      }
      if (image && image.paths.length > 0) {
        queryId = image.id;
        name = image.paths[0];
        const [feature] = this.store.get([image.contentHash]);
        if (!feature) {
          throw new ContractError(`image #${image.id} is not embedded yet: wait for indexing to finish`, 'conflict');
        }
        query = { embedding: this.head.embed([feature])[0] };
        pixels = image.paths[0];
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
    const copy = await this.findCopy(pixels, pool, queryId);
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

  /** The copy check (copy-check.ts) over the whole library; null when it finds no clear copy. */
  private async findCopy(query: ImageInput, lookAlikes: { id: number }[], exclude: number | null): Promise<FoundCopy | null> {
    const index = this.nearDuplicateIndex();
    if (index.size === 0) return null;
    const views = await (this.copyViews ??= CopyViews.create());
    return findCopy(views, query, lookAlikes, {
      nearestByDescriptor: (v, k) => index.search(v, k, { exclude: exclude ?? undefined }),
      fileOf: (id) => this.catalog.getImage(id)?.paths[0] ?? null,
    }, exclude ?? undefined);
  }

  /** The in-memory index of near-duplicate descriptors, brought up to date with the library. */
  private nearDuplicateIndex(): LiveIndex {
    const listed = this.listed();
    const index = (this.nearDupIndex ??= createIndex(NEAR_DUPLICATE_DIM, listed.length));
    const live = new Set(listed.map((i) => i.id));
    for (const id of index.ids()) if (!live.has(id)) index.remove(id);
    const { ids, features } = this.withFeatures(listed.filter((i) => !index.has(i.id)), this.nearDupStore);
    if (ids.length > 0) index.add(ids, features);
    return index;
  }

  /**
   * Groups of near-identical photos, found with the near-duplicate descriptor (not the
   * embedding: training may pull merely alike photos together, which must not make them
   * duplicates). Its own index is kept in memory and brought up to date on each call.
   */
  duplicates(threshold = DEFAULT_DUPLICATE_THRESHOLD): DuplicateGroup[] {
    const { ids, features } = this.withFeatures(this.listed(), this.nearDupStore);
    const byId = new Map(ids.map((id, i) => [id, features[i]] as const));
    const index = (this.nearDupIndex ??= createIndex(NEAR_DUPLICATE_DIM, byId.size));
    for (const id of index.ids()) if (!byId.has(id)) index.remove(id);
    const fresh = [...byId.keys()].filter((id) => !index.has(id));
    if (fresh.length) index.add(fresh, fresh.map((id) => byId.get(id)!));
    const groups = findDuplicateGroups(index, byId, threshold);
    return groups.map((ids) => {
      const first = byId.get(ids[0])!;
      return {
        images: this.toHits(ids.map((id) => ({ id, score: id === ids[0] ? 1 : dot(first, byId.get(id)!) }))),
      };
    });
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
    const wanted = classes ? new Set(classes) : null;
    const rows: { id: number; hash: string; label: string }[] = [];
    let ambiguous = 0;
    for (const i of this.catalog.eachImage()) {
      const mine = i.labels.filter((l) => !wanted || wanted.has(l));
      if (mine.length === 1) rows.push({ id: i.id, hash: i.contentHash, label: mine[0] });
      else if (mine.length > 1) ambiguous++;
    }
    const { ids, features } = this.withFeatures(rows);
    const labelOf = new Map(rows.map((r) => [r.id, r.label]));
    return { ids, features, labels: ids.map((id) => labelOf.get(id)!), ambiguous };
  }

  /** Cached features of these images (undefined where not embedded yet). */
  featuresOf(ids: readonly number[]): (Float32Array | undefined)[] {
    const hashes = ids.map((id) => this.catalog.getImage(id)?.contentHash ?? '');
    return this.store.get(hashes);
  }

  /** The active head's embeddings of all indexed images. */
  allEmbeddings(): Map<number, Float32Array> {
    const { ids, features } = this.withFeatures(this.listed().filter((i) => this.index.has(i.id)));
    const vectors = this.head.embed(features);
    return new Map(ids.map((id, i) => [id, vectors[i]] as const));
  }

  /** Embeddings of features under a given model's head (the active one when undefined). */
  async embedWith(modelId: number | null | undefined, features: Float32Array[]): Promise<Float32Array[]> {
    if (modelId === undefined || modelId === this.modelId) return this.head.embed(features);
    const head = await this.loadHead(modelId);
    try {
      return head.embed(features);
    } finally {
      head.dispose();
    }
  }

  /**
   * Makes a model the active one: its head embeds the cached features (a matrix product, no
   * CNN pass), its index is loaded or built, and only then does the switch happen, in one step.
   */
  async switchModel(modelId: number | null, onProgress?: (done: number, total: number) => void): Promise<void> {
    const head = await this.loadHead(modelId);
    let index = openIndex(this.catalog, this.store.featureId, modelId, head.outputDim);
    const listed = this.listed();
    const missing = listed.filter((i) => !index.has(i.id));
    if (missing.length > 0) {
      const fresh = createIndex(head.outputDim, listed.length);
      const chunk = 2048;
      for (let s = 0; s < listed.length; s += chunk) {
        const { ids, features: fs } = this.withFeatures(listed.slice(s, s + chunk));
        if (ids.length) fresh.add(ids, head.embed(fs));
        onProgress?.(Math.min(s + chunk, listed.length), listed.length);
      }
      index = fresh;
      index.save(indexFile(this.catalog, modelId));
      writeFileAtomic(`${indexFile(this.catalog, modelId)}.meta.json`, JSON.stringify({ featureId: this.store.featureId, modelId }));
    }
    const old = this.head;
    this.head = head;
    this.index = index;
    this.modelId = modelId;
    this.catalog.setActiveModel(modelId);
    if (old !== head) old.dispose();
    this.syncIndex();
  }

  async close(): Promise<void> {
    const extractor = this.extractor;
    this.extractor = null;
    if (extractor) await (await extractor).close();
    const views = this.copyViews;
    this.copyViews = null;
    if (views) (await views).dispose();
    this.store.close();
    this.nearDupStore.close();
  }

  // ---- internals ----------------------------------------------------------------------

  private async loadHead(modelId: number | null): Promise<Head> {
    if (modelId === null) return Head.identity(this.store.dim);
    return Head.load(modelDir(this.catalog, modelId));
  }

  private getExtractor(): Promise<FeatureExtractor> {
    this.extractor ??= FeatureExtractor.create({ descriptor: 'pooled+near-duplicate' });
    return this.extractor;
  }

  /** A photo from outside the library: embedded for the query only, never added. */
  private async embedOutside(input: string | Buffer): Promise<{ embedding: Float32Array; nearDuplicate: Float32Array }> {
    const extractor = await this.getExtractor();
    const [both] = await extractor.extract([input]);
    if (both instanceof Error) {
      const what = typeof input === 'string' ? input : 'the dropped file';
      throw new ContractError(`cannot read ${what} as an image: ${both.message}`, 'bad-request');
    }
    const { pooled, nearDuplicate } = splitPooledNearDuplicate(both);
    return { embedding: this.head.embed([pooled])[0], nearDuplicate };
  }

  private listed(): ListedImage[] {
    return [...this.catalog.eachImage()].map((i) => ({ id: i.id, hash: i.contentHash, path: i.path }));
  }

  /** The images whose features `store` holds, with those features, in the same order. */
  private withFeatures(images: readonly { id: number; hash: string }[], store = this.store): { ids: number[]; features: Float32Array[] } {
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
    const { ids, features: feats } = this.withFeatures(images.filter((i) => !this.index.has(i.id)));
    if (ids.length > 0) {
      this.index.add(ids, this.head.embed(feats));
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
    const file = indexFile(this.catalog, this.modelId);
    this.index.save(file);
    const meta: IndexMeta = { featureId: this.store.featureId, modelId: this.modelId };
    writeFileAtomic(`${file}.meta.json`, JSON.stringify(meta));
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

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function modelDir(catalog: Catalog, modelId: number): string {
  return path.join(catalog.paths.models, String(modelId));
}

function indexFile(catalog: Catalog, modelId: number | null): string {
  return path.join(catalog.paths.index, `${modelId === null ? 'pretrained' : `model-${modelId}`}.index`);
}

function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The saved index of a model when it matches the current features, else a new empty one. */
function openIndex(catalog: Catalog, featureId: string, modelId: number | null, dim: number): LiveIndex {
  const file = indexFile(catalog, modelId);
  try {
    if (existsSync(file)) {
      const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as IndexMeta;
      if (meta.featureId === featureId && meta.modelId === modelId) {
        const index = loadIndex(file);
        if (index.dim === dim) return index;
      }
    }
  } catch {
    // A missing, partial or stale index is rebuilt from the cached features.
  }
  return createIndex(dim, catalog.countImages());
}
