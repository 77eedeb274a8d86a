// Fine-tuning the backbone's last blocks from cached block_14_add activations, on wasm with the
// registered gradient kernels: the activations the extractor's worker thread computes are the
// frozen blocks' output of each photo and of its mirror image, the trainable tail starts as the
// pretrained network, a few steps lower the loss without leaking tensors, and cancelling
// restores the weights it started from.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { loadBackbone } from '../../../src-main/model/backbone.js';
import { decodeForBackbone } from '../../../src-main/model/preprocess.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { registerWasmGradKernels } from '../../../src-main/learn/wasm-grad-kernels.js';
import { embedPixels, frozenActivations, loadFineTunableBackbone, type CachedActivations, type FineTunableBackbone } from '../../../src-main/learn/backbone-trunk.js';
import { fineTuneBackbone, type FineTuneOptions } from '../../../src-main/learn/backbone-finetune.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let dir = '';
let backbone: FineTunableBackbone;
const files: string[] = [];
const labels: string[] = [];
let cached: CachedActivations[] = [];

beforeAll(async () => {
  registerWasmGradKernels();
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'lookalike-finetune-'));
  const byKind = await makeKindImages(dir, 4, ['stripes', 'checkers', 'rings']);
  for (const [kind, paths] of byKind) {
    for (const p of paths) {
      files.push(p);
      labels.push(kind);
    }
  }
  // What a training run does: the extractor's thread runs the frozen blocks. The reference
  // backbone on this thread checks them and gives the trainable tail.
  const extractor = await FeatureExtractor.create({ workers: 1 });
  try {
    cached = await frozenActivations(extractor, files);
  } finally {
    await extractor.close();
  }
  backbone = await loadFineTunableBackbone();
}, 60_000);

afterAll(async () => {
  backbone?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// 12 photos of 3 kinds, 4 each: every batch holds all of them, so losses of successive steps
// differ only by the training (and by which views, plain or mirrored, were drawn).
const settings = (): FineTuneOptions => ({
  tail: backbone.newTail(), activations: cached, labels, loss: 'proxy-nca', batchSize: 12, mPerClass: 4,
  validationFraction: 0, epochs: 2, minStepsPerEpoch: 4, maxStepsPerEpoch: 4, patience: 10, seed: 3,
});

describe('backbone fine-tuning', () => {
  it('caches a plain and a mirrored view per photo, and the pretrained tail reproduces the backbone features', async () => {
    expect(cached).toHaveLength(12);
    for (const c of cached) expect(c.views).toHaveLength(2);
    const diff = cached[0].views[0].reduce((s, v, k) => s + Math.abs(v - cached[0].views[1][k]), 0);
    expect(diff).toBeGreaterThan(0); // stripes are not mirror-symmetric at the pixel level either
    const reference = await loadBackbone();
    const tail = backbone.newTail();
    const close = (got: Float32Array, want: Float32Array) => {
      expect(got.length).toBe(want.length);
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(Math.max(...Array.from(want, (w, k) => Math.abs(got[k] - w)))).toBeLessThan(1e-4 * scale);
    };
    try {
      const pixels = Float32Array.from(await decodeForBackbone(files[5]), (v) => v / 255);
      const x = tf.tensor4d(pixels, [1, 224, 224, 3]);
      const [want, plain, mirrored] = tf.tidy(() =>
        [reference.features(x), backbone.trunk(x), backbone.trunk(tf.reverse(x, 2))].map((t) => t.dataSync() as Float32Array),
      );
      x.dispose();
      close(cached[5].views[0], plain);
      close(cached[5].views[1], mirrored); // the mirrored photo's activations, not mirrored activations
      close(tail.features([cached[5].views[0]], [7, 7, 160])[0], want);
    } finally {
      tail.dispose();
      reference.dispose();
    }
  }, 30_000);

  it("embeds a batch through the tail holding only the activations still to be read, not every layer's", async () => {
    const tail = backbone.newTail();
    try {
      const rows = Array.from({ length: 64 }, (_, i) => cached[i % cached.length].views[i % 2]);
      const profile = await tf.profile(() => tf.tensor(tail.features(rows, [7, 7, 160], 64)[0]));
      // One layer's output for 64 photos is at most 64·7·7·1280 floats (16 MB); all of them at once were 204 MB.
      expect(profile.peakBytes).toBeLessThan(5 * 64 * 7 * 7 * 1280 * 4);
      (profile.result as tf.Tensor).dispose();
    } finally {
      tail.dispose();
    }
  });

  it('a few steps lower the loss, and tensors do not leak across steps', async () => {
    const losses: number[] = [];
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const opts = settings();
    const r = await fineTuneBackbone({
      ...opts,
      onProgress: (p) => {
        if (p.validation) return;
        losses.push(p.loss);
        counts.push(tf.memory().numTensors);
      },
    });
    expect(losses).toHaveLength(8);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(losses.slice(-2))).toBeLessThan(mean(losses.slice(0, 2)) * 0.9);
    // The optimisers create their slots on the first step; after that the count stays flat.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(r.tailWeights.length).toBe(opts.tail.variables().length);
    expect(r.after!.mapAtR).toBeGreaterThan(0);
    // Re-embedding from pixels runs the same network as from the cached activations.
    const pixels = Float32Array.from(await decodeForBackbone(files[7]), (v) => v / 255);
    const fromPixels = tf.tidy(() => embedPixels(backbone, opts.tail, r.head, tf.tensor4d(pixels, [1, 224, 224, 3])).dataSync() as Float32Array);
    const fromCache = r.head.embed(opts.tail.features([cached[7].views[0]], [7, 7, 160]))[0];
    fromCache.forEach((v, k) => expect(Math.abs(v - fromPixels[k])).toBeLessThan(1e-4));
    r.head.dispose();
    opts.tail.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 40_000);

  it('cancelling keeps the pretrained tail weights', async () => {
    const controller = new AbortController();
    const opts = settings();
    const initial = opts.tail.getWeights();
    const r = await fineTuneBackbone({ ...opts, signal: controller.signal, onProgress: (p) => p.step === 2 && controller.abort() });
    expect(r.cancelled).toBe(true);
    expect(r.bestEpoch).toBe(0);
    const now = opts.tail.getWeights();
    expect(now.map((w) => w.name)).toEqual(initial.map((w) => w.name));
    now.forEach((w, i) => expect(w.values).toEqual(initial[i].values));
    r.head.dispose();
    opts.tail.dispose();
  }, 30_000);
});
