import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresWithCache } from '../../../src-main/model/cached-features.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { FeatureStore } from '../../../src-main/model/feature-store.js';
import { highFrequencyPattern, smoothGradient } from './images.js';

const ID = 'nsfwjs-mobilenet_v2@4.4.0/flatten_1';

describe('FeatureStore', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lookalike-features-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips float32 vectors by (hash, feature id), across reopen', () => {
    const store = FeatureStore.open(join(dir, 'features'), ID, 4);
    const a = new Float32Array([0.1, -2, 3.5e-8, 1e20]);
    store.put('aaa', a);
    store.putMany([['bbb', new Float32Array([1, 2, 3, 4])]]);
    expect(store.has('aaa')).toBe(true);
    expect(store.has('zzz')).toBe(false);
    expect(store.missing(['aaa', 'zzz', 'bbb'])).toEqual(['zzz']);
    store.close();

    const again = FeatureStore.open(join(dir, 'features'), ID, 4);
    const [got, none, b] = again.get(['aaa', 'zzz', 'bbb']);
    expect(Array.from(got!)).toEqual(Array.from(a));
    expect(none).toBeUndefined();
    expect(Array.from(b!)).toEqual([1, 2, 3, 4]);
    expect(again.count()).toBe(2);
    // another backbone's features are a different key
    const other = FeatureStore.open(join(dir, 'features'), 'some-other-backbone', 4);
    expect(other.has('aaa')).toBe(false);
    expect(() => other.put('aaa', new Float32Array(3))).toThrow(/expected 4/);
    other.close();
    again.remove(['aaa']);
    expect(again.has('aaa')).toBe(false);
    again.close();
  });

  it('never recomputes features for the same content and backbone', async () => {
    const extractor = await FeatureExtractor.create({ workers: 0 });
    const calls: number[] = [];
    const extract = extractor.extract.bind(extractor);
    extractor.extract = (inputs, opts) => {
      calls.push(inputs.length);
      return extract(inputs, opts);
    };
    const store = FeatureStore.open(join(dir, 'cache'), extractor.featureId, extractor.dim);
    const [g, h] = await Promise.all([smoothGradient(0), highFrequencyPattern(0)]);
    const images = [
      { hash: 'g', input: g },
      { hash: 'h', input: h },
      { hash: 'g', input: g }, // same content twice in one job
      { hash: 'bad', input: Buffer.from('corrupt') },
    ];
    const first = await featuresWithCache(extractor, store, images);
    expect(first.computed).toBe(3);
    expect(calls).toEqual([3]);
    expect(first.features[3]).toBeInstanceOf(Error);
    expect(Array.from(first.features[2] as Float32Array)).toEqual(Array.from(first.features[0] as Float32Array));

    const second = await featuresWithCache(extractor, store, images.slice(0, 3));
    expect(second.computed).toBe(0);
    expect(calls).toEqual([3]); // no new extraction
    expect(Array.from(second.features[1] as Float32Array)).toEqual(Array.from(first.features[1] as Float32Array));
    // a failed decode is not cached as a feature: it is retried next time
    expect(store.has('bad')).toBe(false);
    store.close();
    await extractor.close();
  });
});
