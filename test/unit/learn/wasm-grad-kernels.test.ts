// The wasm gradient kernels must give the cpu backend's gradients: each case differentiates a
// convolution with respect to its input and its filter on both backends, from the same random
// data, and compares them entry by entry.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { registerWasmGradKernels, WASM_GRAD_KERNEL_NAMES } from '../../../src-main/learn/wasm-grad-kernels.js';

beforeAll(async () => {
  registerWasmGradKernels();
  await initBackend();
  await tf.setBackend('wasm');
});

interface Case {
  depthwise: boolean;
  inShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

function randomArray(size: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: size }, () => r() * 2 - 1);
}

/** Gradients of sum(conv(x, W) · g) w.r.t. x and W on the named backend, as plain arrays. */
async function gradsOn(backend: 'cpu' | 'wasm', c: Case, xData: Float32Array, wData: Float32Array, seed: number): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  return tf.tidy(() => {
    const x = tf.tensor4d(xData, c.inShape);
    const w = tf.tensor4d(wData, c.filterShape);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      c.depthwise ? tf.depthwiseConv2d(a, b, c.stride, c.pad) : tf.conv2d(a, b, c.stride, c.pad);
    const outShape = conv(x, w).shape;
    // A random upstream gradient, so every output position weighs differently.
    const g = tf.tensor(randomArray(outShape.reduce((p, d) => p * d, 1), seed), outShape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), g)))([x, w]);
    return grads.map((t) => t.dataSync() as Float32Array);
  });
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
}

const cases: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push({ depthwise: true, inShape: [2, 7, 8, 12], filterShape: [3, 3, 12, 1], stride, pad });
    cases.push({ depthwise: true, inShape: [1, 6, 5, 4], filterShape: [3, 3, 4, 2], stride, pad });
    cases.push({ depthwise: false, inShape: [2, 7, 7, 16], filterShape: [1, 1, 16, 24], stride, pad });
    cases.push({ depthwise: false, inShape: [2, 9, 8, 5], filterShape: [3, 3, 5, 7], stride, pad });
  }
}

describe('wasm gradient kernels', () => {
  it('registers the missing kernels and the pointwise Conv2DBackpropInput once (a second call adds nothing)', () => {
    for (const name of WASM_GRAD_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(registerWasmGradKernels()).toEqual([]);
  });

  for (const [k, c] of cases.entries()) {
    const what = `${c.depthwise ? 'depthwise' : 'conv'} ${c.filterShape.join('×')} on ${c.inShape.join('×')}, stride ${c.stride}, ${c.pad}`;
    it(`${what}: input and filter gradients match cpu to 1e-4 relative`, async () => {
      const xData = randomArray(c.inShape.reduce((p, d) => p * d, 1), 10 + k);
      const wData = randomArray(c.filterShape.reduce((p, d) => p * d, 1), 100 + k);
      const want = await gradsOn('cpu', c, xData, wData, 1000 + k);
      const got = await gradsOn('wasm', c, xData, wData, 1000 + k);
      expect(got[0].length).toBe(want[0].length);
      expect(got[1].length).toBe(want[1].length);
      expect(maxRelativeError(got[0], want[0])).toBeLessThan(1e-4);
      expect(maxRelativeError(got[1], want[1])).toBeLessThan(1e-4);
    });
  }

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const c = cases[0];
    const xData = randomArray(c.inShape.reduce((p, d) => p * d, 1), 1);
    const wData = randomArray(c.filterShape.reduce((p, d) => p * d, 1), 2);
    await gradsOn('wasm', c, xData, wData, 3);
    const before = tf.memory().numTensors;
    await gradsOn('wasm', { ...cases[2] }, randomArray(2 * 7 * 7 * 16, 4), randomArray(16 * 24, 5), 6);
    await gradsOn('wasm', c, xData, wData, 3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
