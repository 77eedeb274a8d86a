import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { BACKBONE_FEATURE_DIM, loadBackbone, type Backbone } from '../../../src-main/model/backbone.js';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../../../src-main/model/preprocess.js';
import { highFrequencyPattern, nearestOther, smoothGradient } from './images.js';

async function batchOf(images: Buffer[]): Promise<tf.Tensor4D> {
  const pixels = new Float32Array(images.length * PIXELS_PER_IMAGE);
  const decoded = await Promise.all(images.map((b) => decodeForBackbone(b)));
  decoded.forEach((d, i) => d.forEach((v, j) => (pixels[i * PIXELS_PER_IMAGE + j] = v / 255)));
  return tf.tensor4d(pixels, [images.length, 224, 224, 3]);
}

describe('backbone (nsfwjs MobileNetV2 cut at flatten_1)', () => {
  let folded: Backbone;
  beforeAll(async () => {
    await initBackend();
    folded = await loadBackbone();
  });
  afterAll(() => folded.dispose());

  it('has a stable id naming the package version and layer', () => {
    expect(folded.id).toBe('nsfwjs-mobilenet_v2@4.4.0/flatten_1');
    expect(folded.dim).toBe(1280);
  });

  it('separates smooth gradients from high-frequency patterns (nearest neighbour within kind)', async () => {
    const kinds = [smoothGradient, highFrequencyPattern];
    const n = 5;
    const images = await Promise.all(kinds.flatMap((make) => Array.from({ length: n }, (_, v) => make(v))));
    const x = await batchOf(images);
    const feats = folded.features(x);
    const data = await feats.data();
    tf.dispose([x, feats]);
    const vectors = images.map((_, i) => data.slice(i * BACKBONE_FEATURE_DIM, (i + 1) * BACKBONE_FEATURE_DIM) as Float32Array);
    for (let i = 0; i < vectors.length; i++) {
      expect(Math.floor(nearestOther(vectors, i) / n), `image ${i}`).toBe(Math.floor(i / n));
    }
  });

  it('with BatchNorm folded, gives the unfolded LayersModel features within 1e-4', async () => {
    const reference = await loadBackbone({ foldBatchNorm: false });
    const x = tf.randomUniform([3, 224, 224, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const a = folded.features(x);
    const b = reference.features(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    const scale = tf.tidy(() => tf.max(b).dataSync()[0]);
    // also an intermediate layer, where a folding bug in one block would show before pooling
    const [fa] = folded.layers(x, ['block_6_expand_relu']);
    const [fb] = reference.layers(x, ['block_6_expand_relu']);
    const midDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(fa, fb))).dataSync()[0]);
    tf.dispose([x, a, b, fa, fb]);
    reference.dispose();
    expect(a.shape).toEqual([3, 1280]);
    expect(scale).toBeGreaterThan(0.1); // features are not trivially zero
    expect(diff).toBeLessThan(1e-4);
    expect(midDiff).toBeLessThan(1e-4);
  });
});
