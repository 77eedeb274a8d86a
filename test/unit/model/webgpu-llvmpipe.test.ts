// Real WebGPU on the CPU: Dawn's OpenGL ES backend on Mesa's llvmpipe, forced with
// LOOKALIKE_BACKEND=webgpu as a user without a GPU would. Its own file: tfjs backends are per
// process. llvmpipe runs ~2 images/s, so inputs are tiny. If Dawn or EGL cannot load, these
// tests fail (CI installs libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri): they never skip.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../../src-main/model/backend.js';
import { loadBackbone, type Backbone } from '../../../src-main/model/backbone.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { GpuRunner, maxBatchFor } from '../../../src-main/model/gpu-runner.js';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../../../src-main/model/preprocess.js';
import { makePixels } from '../../fixtures/images.js';
import sharp from 'sharp';

let info: BackendInfo;
let photos: Buffer[];

beforeAll(async () => {
  process.env.LOOKALIKE_BACKEND = 'webgpu';
  info = await initBackend();
  photos = await Promise.all(
    (['solid', 'gradient', 'noise'] as const).map((pattern, i) =>
      sharp(makePixels(96, 80, { r: 40 + 60 * i, g: 180 - 50 * i, b: 90 }, pattern, i + 1), { raw: { width: 96, height: 80, channels: 3 } }).png().toBuffer(),
    ),
  );
}, 60_000);

afterAll(() => {
  delete process.env.LOOKALIKE_BACKEND;
});

/** Features of `pixels` on another tfjs backend, the way the wasm path computes them. */
async function featuresOn(backend: 'cpu' | 'wasm', pixels: Uint8Array, n: number): Promise<Float32Array> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  const backbone: Backbone = await loadBackbone();
  try {
    const floats = Float32Array.from(pixels, (p) => p / 255);
    return tf.tidy(() => backbone.features(tf.tensor4d(floats, [n, 224, 224, 3])).dataSync() as Float32Array);
  } finally {
    backbone.dispose();
    await tf.setBackend(previous);
  }
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

describe('webgpu on llvmpipe (forced)', () => {
  it('loads the webgpu backend on a software adapter and says so', () => {
    expect(info.name).toBe('webgpu');
    // Everything but the GPU runners runs on the host backend, which reads synchronously.
    expect(info.host).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.findBackend('webgpu')).not.toBeNull();
    expect(info.gpu?.software).toBe(true);
    expect(info.gpu?.device).toMatch(/llvmpipe/);
    expect(info.detail).toMatch(/llvmpipe.*software adapter/);
  });

  it('embeds through the extractor on the GPU, equal to cpu within 1e-4 and to wasm by cosine', async () => {
    const extractor = await FeatureExtractor.create({ workers: 2 });
    try {
      expect(extractor.info).toMatchObject({ inference: 'in-thread', threads: 1 });
      expect(extractor.info.note).toMatch(/GPU/);
      const gpu = await extractor.extract(photos);
      const pixels = new Uint8Array(photos.length * PIXELS_PER_IMAGE);
      for (const [i, p] of photos.entries()) pixels.set(await decodeForBackbone(p), i * PIXELS_PER_IMAGE);
      const cpu = await featuresOn('cpu', pixels, photos.length);
      const wasm = await featuresOn('wasm', pixels, photos.length);
      for (const [i, row] of gpu.entries()) {
        if (row instanceof Error) throw row;
        const ref = cpu.subarray(i * 1280, (i + 1) * 1280);
        let worst = 0;
        for (let j = 0; j < 1280; j++) worst = Math.max(worst, Math.abs(row[j] - ref[j]));
        expect(worst).toBeLessThan(1e-4);
        expect(cosine(row, wasm.subarray(i * 1280, (i + 1) * 1280))).toBeGreaterThanOrEqual(0.9999);
      }
    } finally {
      await extractor.close();
    }
  }, 120_000);

  it('keeps GPU memory flat across batches', async () => {
    const engine = await GpuRunner.start();
    try {
      const pixels = new Uint8Array(2 * PIXELS_PER_IMAGE).map((_, i) => (i * 31) % 256);
      await engine.infer(pixels, 2); // first batch compiles the shaders and fills tfjs's buffer pools
      const before = tf.memory();
      for (let b = 0; b < 3; b++) await engine.infer(pixels, 2);
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('bounds batches by the adapter: no tensor over one storage binding', async () => {
    const backbone = await loadBackbone();
    backbone.dispose();
    // The first inverted block's expansion, 112x112x96, is the folded graph's largest tensor
    // (the 113x113x96 ZeroPadding2D before it is absorbed into the convolution).
    expect(backbone.largestActivation).toBe(112 * 112 * 96);
    // On the H200 batch 512 failed (a 2.47 GB binding over the 2 GiB limit); 445 fits.
    expect(maxBatchFor({ maxStorageBufferBindingSize: 2 ** 31 - 1, maxBufferSize: 2 ** 32 }, 112 * 112 * 96)).toBe(445);
    const engine = await GpuRunner.start();
    try {
      // llvmpipe binds at most 128 MiB: 27 images of 4.8 MB; a bigger batch is refused, not run wrong.
      expect(engine.maxBatch).toBe(maxBatchFor(info.gpu!, 112 * 112 * 96));
      expect(engine.maxBatch * 112 * 112 * 96 * 4).toBeLessThanOrEqual(info.gpu!.maxStorageBufferBindingSize);
      await expect(engine.infer(new Uint8Array(0), engine.maxBatch + 1)).rejects.toThrow(/exceeds the adapter's limit/);
    } finally {
      await engine.close();
    }
    const extractor = await FeatureExtractor.create({ batchSize: 10_000 });
    expect((extractor as unknown as { opts: { batchSize: number } }).opts.batchSize).toBe(engine.maxBatch);
    await extractor.close();
  }, 60_000);

  it("matches cpu's gradients for one training step of a small conv + dense model", async () => {
    const grads = async (backend: 'webgpu' | 'cpu') => {
      await tf.setBackend(backend);
      const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -0.5, 0.5, 'float32', seed);
      const w = { conv: tf.variable(rand([3, 3, 3, 4], 1)), dw: tf.variable(rand([3, 3, 4, 1], 2)), dense: tf.variable(rand([4, 2], 3)) };
      const x = rand([2, 8, 8, 3], 4);
      const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
      const { value, grads: g } = tf.variableGrads(() => {
        const h = tf.relu6(tf.conv2d(x as tf.Tensor4D, w.conv as tf.Tensor4D, 1, 'same'));
        const d = tf.relu(tf.depthwiseConv2d(h, w.dw as tf.Tensor4D, 2, 'same'));
        const logits = tf.matMul(tf.mean(d, [1, 2]) as tf.Tensor2D, w.dense);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
      // data(), not dataSync(): tfjs's webgpu backend reads synchronously only through an
      // OffscreenCanvas, which Node does not have.
      const out = { loss: (await value.data())[0], conv: await g[w.conv.name].data(), dw: await g[w.dw.name].data(), dense: await g[w.dense.name].data() };
      tf.dispose([value, x, y, ...Object.values(g), ...Object.values(w)]);
      return out;
    };
    const cpu = await grads('cpu');
    const gpu = await grads('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(gpu.loss).toBeCloseTo(cpu.loss, 5);
    for (const k of ['conv', 'dw', 'dense'] as const) {
      expect(cpu[k].some((v) => v !== 0)).toBe(true);
      for (let i = 0; i < cpu[k].length; i++) expect(Math.abs(gpu[k][i] - cpu[k][i])).toBeLessThan(1e-5);
    }
  }, 60_000);
});
