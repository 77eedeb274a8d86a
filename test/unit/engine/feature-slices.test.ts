import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VectorLibrary } from '../../../src-main/engine/vector-library.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { FeatureStore } from '../../../src-main/model/feature-store.js';

describe('VectorLibrary.withFeaturesInSlices', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-slices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the same features as one read, letting other calls run between slices', async () => {
    // Training reads every labelled photo's features first: at 77,000 photos 6–8 s in one go,
    // during which the engine answered nothing.
    const catalog = Catalog.open(path.join(dir, 'library'));
    const library = await VectorLibrary.open(catalog);
    const store = FeatureStore.open(catalog.paths.features, 'slices-test', 4);
    const images = Array.from({ length: 4500 }, (_, i) => ({ id: i + 1, hash: `hash-${i}` }));
    // Every third photo has no features yet: it is left out, as withFeatures leaves it out.
    store.putMany(images.filter((_, i) => i % 3 !== 0).map((img) => [img.hash, Float32Array.from([img.id, 1, 2, 3])] as const));

    const happened: string[] = [];
    const answer = () =>
      setImmediate(() => {
        happened.push('another call');
        if (!done) answer();
      });
    let done = false;
    answer();
    const sliced = await library.withFeaturesInSlices(images, store);
    done = true;
    happened.push('read');

    expect(happened.filter((h) => h === 'another call').length).toBeGreaterThanOrEqual(2);
    expect(happened.at(-1)).toBe('read');
    expect(sliced).toEqual(library.withFeatures(images, store));
    expect(sliced.ids).toHaveLength(3000);
    expect(sliced.features[0][0]).toBe(sliced.ids[0]);
    store.close();
    await library.close();
    catalog.close();
  });
});
