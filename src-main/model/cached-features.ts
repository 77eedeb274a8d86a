// Features for a list of images, computing only those the store lacks. This is what the
// embedding job calls: a resumed or repeated job finds its earlier work in the store.
import type { ExtractOptions, FeatureExtractor } from './extractor.js';
import type { FeatureStore } from './feature-store.js';
import type { ImageInput } from './preprocess.js';

export interface ImageToEmbed {
  /** Content hash (the cache key together with the extractor's feature id). */
  hash: string;
  /** What to decode when the feature is not cached: a path or the file's bytes. */
  input: ImageInput;
}

export interface CachedFeaturesResult {
  /** One entry per image, in order. */
  features: (Float32Array | Error)[];
  /** How many were computed now (the rest came from the store). */
  computed: number;
}

/**
 * Cached features where present; the rest extracted, stored (in batches, so an abort keeps the
 * finished part) and returned. Images with the same hash are computed once.
 */
export async function featuresWithCache(
  extractor: FeatureExtractor,
  store: FeatureStore,
  images: ImageToEmbed[],
  opts: ExtractOptions & { storeEvery?: number } = {},
): Promise<CachedFeaturesResult> {
  if (store.featureId !== extractor.featureId) {
    throw new Error(`feature store holds ${store.featureId}, extractor computes ${extractor.featureId}`);
  }
  const cached = store.get(images.map((i) => i.hash));
  const features: (Float32Array | Error)[] = cached.map((v) => v ?? new Error('not computed'));
  const todo = new Map<string, number[]>(); // hash -> indices needing it
  images.forEach((img, i) => {
    if (cached[i]) return;
    const list = todo.get(img.hash);
    if (list) list.push(i);
    else todo.set(img.hash, [i]);
  });
  const hashes = [...todo.keys()];
  const chunk = Math.max(1, opts.storeEvery ?? 256);
  const total = images.length;
  const alreadyDone = total - [...todo.values()].reduce((n, l) => n + l.length, 0);
  opts.onProgress?.(alreadyDone, total);
  let doneHashes = 0;
  let doneImages = alreadyDone;
  for (let start = 0; start < hashes.length; start += chunk) {
    const part = hashes.slice(start, start + chunk);
    const inputs = part.map((h) => images[todo.get(h)![0]].input);
    let reported = 0;
    const out = await extractor.extract(inputs, {
      signal: opts.signal,
      batchSize: opts.batchSize,
      onProgress: (done) => {
        for (; reported < done; reported++) doneImages += todo.get(part[reported])?.length ?? 1;
        opts.onProgress?.(Math.min(doneImages, total), total);
      },
    });
    const fresh: [string, Float32Array][] = [];
    part.forEach((h, j) => {
      const v = out[j];
      if (!(v instanceof Error)) fresh.push([h, v]);
      for (const i of todo.get(h)!) features[i] = v;
    });
    store.putMany(fresh);
    doneHashes += part.length;
  }
  return { features, computed: doneHashes };
}
