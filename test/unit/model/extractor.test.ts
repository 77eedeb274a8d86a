import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { WorkerPoolRunner } from '../../../src-main/model/worker-pool.js';
import { cosine, highFrequencyPattern, smoothGradient } from './images.js';

describe('FeatureExtractor on this thread', () => {
  let extractor: FeatureExtractor;
  let images: Buffer[];
  beforeAll(async () => {
    extractor = await FeatureExtractor.create({ workers: 0, batchSize: 3 });
    images = await Promise.all([0, 1, 2, 3].flatMap((v) => [smoothGradient(v), highFrequencyPattern(v)]));
  });
  afterAll(() => extractor.close());

  it('reports its backend, feature id and dimension', () => {
    expect(extractor.info.backend.name).toBe('wasm');
    expect(extractor.info.inference).toBe('in-thread');
    expect(extractor.featureId).toBe('nsfwjs-mobilenet_v2@4.4.0/flatten_1');
    expect(extractor.dim).toBe(1280);
  });

  it('returns an Error for a corrupt input and features for the rest of its batch', async () => {
    const corrupt = Buffer.from('this is not a JPEG at all');
    const inputs = [images[0], corrupt, images[1], '/nonexistent/photo.jpg', images[2]];
    const progress: number[] = [];
    const out = await extractor.extract(inputs, { onProgress: (done) => progress.push(done) });
    expect(out).toHaveLength(5);
    expect(out[1]).toBeInstanceOf(Error);
    expect(out[3]).toBeInstanceOf(Error);
    expect((out[3] as Error).message).toContain('/nonexistent/photo.jpg');
    for (const i of [0, 2, 4]) {
      expect(out[i]).toBeInstanceOf(Float32Array);
      expect((out[i] as Float32Array).length).toBe(1280);
    }
    expect(progress.at(-1)).toBe(5);
    // a vector does not depend on its batch neighbours
    const [alone] = await extractor.extract([images[1]]);
    expect(cosine(alone as Float32Array, out[2] as Float32Array)).toBeGreaterThan(0.99999);
  });

  it('leaks no tensors across extraction batches', async () => {
    await extractor.extract(images.slice(0, 3)); // warm-up allocations
    const before = tf.memory().numTensors;
    await extractor.extract(images); // 3 batches of 3, 3, 2
    const afterOne = tf.memory().numTensors;
    await extractor.extract(images);
    expect(afterOne).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects with an AbortError when its signal aborts, and keeps working afterwards', async () => {
    const controller = new AbortController();
    const run = extractor.extract([...images, ...images], {
      signal: controller.signal,
      onProgress: (done) => done >= 3 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const out = await extractor.extract(images.slice(0, 2));
    expect(out.every((v) => v instanceof Float32Array)).toBe(true);
  });
});

describe('FeatureExtractor with worker threads', () => {
  it('gives the same features as this thread, and cancel/close leave no worker running', async () => {
    const images = await Promise.all([smoothGradient(1), highFrequencyPattern(2), smoothGradient(5)]);
    const local = await FeatureExtractor.create({ workers: 0 });
    const expected = await local.extract(images);
    await local.close();

    const pool = await WorkerPoolRunner.start(2);
    expect(pool.liveWorkers()).toBe(2);
    const pooled = await FeatureExtractor.create({ workers: 2, batchSize: 2 });
    expect(pooled.info.inference).toBe('workers');
    expect(pooled.info.threads).toBe(2);
    const got = await pooled.extract([...images, Buffer.from('junk')]);
    expect(got[3]).toBeInstanceOf(Error);
    images.forEach((_, i) => expect(cosine(got[i] as Float32Array, expected[i] as Float32Array)).toBeGreaterThan(0.99999));

    // cancel while a batch runs: its promise rejects and the busy worker is terminated
    const pending = pool.infer(new Uint8Array(2 * 224 * 224 * 3), 2);
    pool.cancel();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.liveWorkers()).toBe(1);
    // the pool replaces it on demand
    const rows = await pool.infer(new Uint8Array(224 * 224 * 3), 1);
    expect(rows.length).toBe(1280);
    await pool.close();
    expect(pool.liveWorkers()).toBe(0);
    await expect(pool.infer(new Uint8Array(224 * 224 * 3), 1)).rejects.toThrow(/closed/);
    await pooled.close();
  });
});
