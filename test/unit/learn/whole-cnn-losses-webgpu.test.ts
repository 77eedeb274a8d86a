// Every loss trains the whole CNN on WebGPU for real (Mesa's llvmpipe through Dawn's OpenGL ES
// backend, forced: no GPU here). The step runs on the GPU backend, which cannot read a tensor
// synchronously under Node, so a loss or a miner that does (the triplet miner once did: "OffscreenCanvas
// is not defined") fails here. Tiny on purpose: four 32 px photos, one step per loss.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, whileOnGpu } from '../../../src-main/model/backend.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { loadPretrainedWholeCnn } from '../../../src-main/learn/whole-file.js';
import { wholeStep } from '../../../src-main/learn/whole-finetune.js';
import { pixelBatch, type WholeCnn } from '../../../src-main/learn/whole-cnn.js';
import { FusedAdam } from '../../../src-main/learn/fused-adam.js';
import { Head } from '../../../src-main/learn/head.js';
import { createLoss, lossNames } from '../../../src-main/learn/losses/index.js';
import { createMiner } from '../../../src-main/learn/miners/index.js';
import type { NamedWeight } from '../../../src-main/learn/backbone-tail.js';

const SIZE = 32;
let cnn: WholeCnn;
let pretrained: NamedWeight[];

// Noise photos: a fresh head then ranks them at random, so every loss (and batch-hard's hardest
// triplets) starts with something to correct.
const random = seededRandom(11);
const pixels = Array.from({ length: 4 }, () => Uint8Array.from({ length: SIZE * SIZE * 3 }, () => Math.floor(random() * 256)));
const classes = Int32Array.from([0, 0, 1, 1]);

beforeAll(async () => {
  process.env.LOOKALIKE_BACKEND = 'webgpu';
  expect((await initBackend()).name).toBe('webgpu');
  ({ cnn } = await whileOnGpu(() => loadPretrainedWholeCnn()));
  pretrained = await whileOnGpu(() => cnn.getWeights());
}, 60_000);

afterAll(() => {
  cnn?.dispose();
  delete process.env.LOOKALIKE_BACKEND;
});

describe('whole-CNN training on WebGPU (llvmpipe)', () => {
  for (const name of lossNames) {
    it(`${name}: steps run on the GPU backend and lower the loss`, async () => {
      const losses = await whileOnGpu(async () => {
        expect(tf.getBackend()).toBe('webgpu');
        cnn.setWeights(pretrained);
        const head = Head.create({ inputDim: 1280, outputDim: 16, seed: 1 });
        const loss = createLoss(name, 2, 16, 1);
        const miner = name === 'triplet' ? createMiner('batch-hard') : null;
        const optimizers = [new FusedAdam(cnn.variables(), 1e-5), new FusedAdam(head.variables(), 1e-3), new FusedAdam(loss.variables(), 1e-2)];
        const batch = pixelBatch(pixels, SIZE);
        try {
          // The triplets the step will mine (the same weights and batch), to measure it on after.
          const embedded = tf.tidy(() => head.apply(cnn.apply(batch)));
          const tuples = miner ? await miner.mine(embedded, classes) : undefined;
          embedded.dispose();
          const first = await wholeStep(cnn, head, loss, optimizers, batch, classes, undefined, miner);
          // A forward pass only: llvmpipe takes seconds a step.
          const after = tf.tidy(() => loss.compute(head.apply(cnn.apply(batch)), classes, tuples));
          const second = (await after.data())[0];
          after.dispose();
          return [first, second];
        } finally {
          tf.dispose(batch);
          optimizers.forEach((o) => o.dispose());
          loss.dispose();
          head.dispose();
        }
      });
      expect(losses[0]).toBeGreaterThan(0); // a real loss (for triplet: the miner found triplets)
      expect(Number.isFinite(losses[0])).toBe(true);
      expect(losses[1]).toBeLessThan(losses[0]);
    }, 30_000);
  }
});
