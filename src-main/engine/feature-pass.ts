// The CNN pass over library photos: one forward pass per photo yields the pooled features, the
// near-duplicate descriptor and the block_14_add activations; the first two are cached for
// every photo, and a fine-tuned model's own features are made from the third. Chunks of photos
// are stored as they finish, so a stopped run keeps its work.
import { ContractError, TRUNCATED, truncatedPhoto, type Failure } from '../../src-shared/contract.js';
import { BACKBONE_FEATURE_DIM } from '../model/backbone.js';
import { splitDescriptor } from '../model/descriptor.js';
import { FeatureExtractor } from '../model/extractor.js';
import type { FeatureStore } from '../model/feature-store.js';
import { modelFeatures, type ModelParts } from './model-parts.js';
import { stageTimes } from '../common/stage-times.js';
import { wholeCnnFeatures } from '../learn/whole-run.js';

export interface PassProgress {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rate: number | null) => void;
  /** Photos extracted between two writes to the feature cache (default EXTRACT_CHUNK; tests use fewer). */
  chunkSize?: number;
}

/** What one chunk of a pass stored: features of `store`, by content hash. */
export interface StoredChunk {
  store: FeatureStore;
  entries: readonly (readonly [string, Float32Array])[];
}

export interface PassImage {
  hash: string;
  path: string;
}

/** Photos extracted between two writes to the feature cache (and index updates). */
const EXTRACT_CHUNK = 256;

/** Rate over the whole run so far, in items per second. */
function rateSince(start: number, done: number): number | null {
  const s = (Date.now() - start) / 1000;
  return s > 0.5 && done > 0 ? done / s : null;
}

export class FeaturePass {
  private started: Promise<FeatureExtractor> | null = null;

  constructor(
    private readonly pooled: FeatureStore,
    private readonly nearDuplicates: FeatureStore,
  ) {}

  /**
   * Runs the CNN over those of `images` lacking pooled features, the near-duplicate descriptor,
   * or `parts`' own features, and caches all three, chunk by chunk. `afterChunk` gets each chunk's
   * features of `parts.features` as just computed, so the caller can index them without reading
   * them back. Photos that cannot be read are returned as failures; the rest go on.
   */
  async fillMissing(images: readonly PassImage[], parts: ModelParts, opts: PassProgress, afterChunk?: (chunk: StoredChunk) => void): Promise<Failure[]> {
    if (parts.cnn) return this.fillWholeCnn(images, parts, opts, afterChunk);
    const hashes = images.map((i) => i.hash);
    const own = parts.features === this.pooled ? null : parts.features;
    const lacking = new Set([...this.pooled.missing(hashes), ...this.nearDuplicates.missing(hashes), ...(own?.missing(hashes) ?? [])]);
    const needing = [...new Map(images.filter((i) => lacking.has(i.hash)).map((i) => [i.hash, i])).values()];
    const failed: Failure[] = [];
    if (needing.length === 0) return failed;
    const start = Date.now();
    const extractor = await this.extractor();
    const chunk = opts.chunkSize ?? EXTRACT_CHUNK;
    for (let s = 0; s < needing.length && !opts.signal?.aborted; s += chunk) {
      const part = needing.slice(s, s + chunk);
      const cnnStart = performance.now();
      // Each photo is decoded from bytes that hash as recorded, or fails as changed: features
      // are cached by hash, so content read later must be checked (common/known-content.ts).
      const out = await extractor.extract(
        part.map((i) => ({ path: i.path, hash: i.hash })),
        { signal: opts.signal, onProgress: (done) => opts.onProgress?.(s + done, needing.length, rateSince(start, s + done)) },
      );
      stageTimes.add('CNN (224 decode + inference)', cnnStart);
      const ok: { hash: string; pooled: Float32Array; nearDuplicate: Float32Array; tailInput: Float32Array }[] = [];
      out.forEach((v, j) => {
        if (v instanceof Error) return failed.push({ path: part[j].path, error: v.message });
        ok.push({ hash: part[j].hash, ...split(v) });
      });
      const pooled = ok.map((r) => [r.hash, r.pooled.slice()] as const);
      stageTimes.time('feature writes', () => {
        this.pooled.putMany(pooled);
        this.nearDuplicates.putMany(ok.map((r) => [r.hash, r.nearDuplicate.slice()] as const));
      });
      if (own) {
        const features = await modelFeatures(parts, ok.map((r) => r.pooled), ok.map((r) => r.tailInput));
        const entries = ok.map((r, k) => [r.hash, features[k]] as const);
        own.putMany(entries);
        afterChunk?.({ store: own, entries });
      } else {
        afterChunk?.({ store: this.pooled, entries: pooled });
      }
    }
    opts.onProgress?.(needing.length, needing.length, rateSince(start, needing.length));
    return failed;
  }

  /**
   * A whole-CNN model's own features come from each photo's pixels (originals: see
   * learn/whole-run.ts), after the pretrained features and descriptors every model shares.
   */
  private async fillWholeCnn(images: readonly PassImage[], parts: ModelParts, opts: PassProgress, afterChunk?: (chunk: StoredChunk) => void): Promise<Failure[]> {
    const cnn = parts.cnn!;
    const failed = await this.fillMissing(images, { ...parts, cnn: null, features: this.pooled }, opts, afterChunk);
    const bad = new Set(failed.map((f) => f.path));
    const lacking = new Set(parts.features.missing(images.map((i) => i.hash)));
    const needing = [...new Map(images.filter((i) => lacking.has(i.hash) && !bad.has(i.path)).map((i) => [i.hash, i])).values()];
    const start = Date.now();
    const chunk = opts.chunkSize ?? EXTRACT_CHUNK;
    for (let s = 0; s < needing.length && !opts.signal?.aborted; s += chunk) {
      const part = needing.slice(s, s + chunk);
      const out = await wholeCnnFeatures(cnn.net, cnn.inputSize, part.map((i) => ({ path: i.path, hash: i.hash })));
      const ok = part.flatMap((img, j) => {
        const v = out[j];
        if (v instanceof Error) return failed.push({ path: img.path, error: v.message }), [];
        return [[img.hash, v] as const];
      });
      parts.features.putMany(ok);
      opts.onProgress?.(s + part.length, needing.length, rateSince(start, s + part.length));
      afterChunk?.({ store: parts.features, entries: ok });
    }
    return failed;
  }

  /** The features `parts` embeds, of a photo from outside the library (nothing is cached). */
  async outside(input: string | Buffer, parts: ModelParts): Promise<Float32Array> {
    if (parts.cnn) {
      const [f] = await wholeCnnFeatures(parts.cnn.net, parts.cnn.inputSize, [input]);
      if (f instanceof Error) throw unreadableQuery(input, f);
      return f;
    }
    const extractor = await this.extractor();
    const [all] = await extractor.extract([input]);
    if (all instanceof Error) throw unreadableQuery(input, all);
    const { pooled, tailInput } = split(all);
    const [feature] = await modelFeatures(parts, [pooled], [tailInput]);
    return feature;
  }

  /** Whether the CNN is loaded (or loading): a long-lived engine keeps it between passes. */
  get cnnLoaded(): boolean {
    return this.started !== null;
  }

  async close(): Promise<void> {
    const extractor = this.started;
    this.started = null;
    if (extractor) await (await extractor).close();
  }

  /** The CNN on its inference threads (or the GPU), started on first use and kept: training's frozen blocks run there too. */
  extractor(): Promise<FeatureExtractor> {
    this.started ??= FeatureExtractor.create({ descriptor: 'pooled+near-duplicate+tail-input' });
    return this.started;
  }
}

/** A query photo that cannot be decoded: cut short (TRUNCATED), or unreadable in the decoder's words. */
function unreadableQuery(input: string | Buffer, err: Error): ContractError {
  const what = typeof input === 'string' ? input : 'the dropped file';
  if (err.message.endsWith(TRUNCATED)) return new ContractError(truncatedPhoto(what), 'bad-request');
  // libvips repeats its complaint once per decoding stage: the first line says it.
  return new ContractError(`cannot read ${what} as an image: ${err.message.split('\n')[0]}`, 'bad-request');
}

function split(v: Float32Array): { pooled: Float32Array; nearDuplicate: Float32Array; tailInput: Float32Array } {
  const { pooled, nearDuplicate, tailInput } = splitDescriptor(v, BACKBONE_FEATURE_DIM);
  if (!tailInput) throw new Error('the extractor returned no block_14_add activations');
  return { pooled, nearDuplicate, tailInput };
}
