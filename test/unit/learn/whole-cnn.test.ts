// The whole CNN as a trainable function of pixels, on tfjs's cpu backend: it computes what the
// inference-only folded graph computes, its gradients (1×1 convolutions as matrix products,
// fused bias) equal those of the plain conv2d graph, one step lowers the loss without leaking
// tensors, the flat Adam is tf.train.adam, and augmentation repeats per seed.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../../src-main/model/backbone.js';
import { loadPretrainedWholeCnn } from '../../../src-main/learn/whole-file.js';
import { FusedAdam } from '../../../src-main/learn/fused-adam.js';
import { augmentBatch } from '../../../src-main/learn/augment.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { Head } from '../../../src-main/learn/head.js';
import { createLoss } from '../../../src-main/learn/losses/index.js';
import { wholeStep } from '../../../src-main/learn/whole-finetune.js';
import type { WholeCnn } from '../../../src-main/learn/whole-cnn.js';

let cnn: WholeCnn;
let plain: WholeCnn;

beforeAll(async () => {
  await tf.setBackend('cpu');
  cnn = (await loadPretrainedWholeCnn()).cnn;
  plain = (await loadPretrainedWholeCnn({ levers: false })).cnn;
});

afterAll(() => {
  cnn?.dispose();
  plain?.dispose();
});

const pixels = (n: number, size: number, seed: number) => tf.randomUniform([n, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('whole CNN', () => {
  it('computes the folded graph’s features', async () => {
    const backbone = await loadBackbone();
    const x = pixels(1, 224, 1);
    const [ref, mine] = [backbone.features(x), cnn.apply(x)];
    expect(mine.shape).toEqual([1, 1280]);
    expect(maxAbs(ref, mine)).toBeLessThan(1e-4);
    expect(tf.tidy(() => tf.max(ref).dataSync()[0])).toBeGreaterThan(0.1); // not all zeros
    tf.dispose([x, ref, mine]);
    backbone.dispose();
  });

  it('has the gradients of the plain conv2d graph', () => {
    const x = pixels(2, 32, 2);
    const target = tf.randomNormal([2, 1280], 0, 1, 'float32', 5);
    const gradsOf = (net: WholeCnn) => {
      const vars = net.variables();
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(net.apply(x), target)) as tf.Scalar, vars);
      return vars.map((v) => grads[v.name]);
    };
    const [a, b] = [gradsOf(cnn), gradsOf(plain)];
    expect(a.length).toBe(104);
    let worst = 0;
    a.forEach((g, i) => {
      const scale = tf.tidy(() => tf.max(tf.abs(b[i])).dataSync()[0]);
      worst = Math.max(worst, maxAbs(g, b[i]) / Math.max(scale, 1e-6));
    });
    expect(worst).toBeLessThan(1e-3);
    expect(tf.tidy(() => tf.max(tf.abs(a[0])).dataSync()[0])).toBeGreaterThan(0); // Conv1 gets a gradient
    tf.dispose([x, target, ...a, ...b]);
  });

  it('lowers the loss in one step, with a flat tensor count across steps', async () => {
    const head = Head.create({ inputDim: 1280, outputDim: 16, seed: 1 });
    const loss = createLoss('proxy-nca', 2, 16, 1);
    const optimizers = [new FusedAdam(cnn.variables(), 1e-5), new FusedAdam(head.variables(), 1e-3), new FusedAdam(loss.variables(), 1e-2)];
    const start = await cnn.getWeights();
    const x = pixels(4, 32, 3);
    const classes = Int32Array.from([0, 0, 1, 1]);
    const lossNow = () => tf.tidy(() => loss.compute(head.apply(cnn.apply(x)), classes).dataSync()[0]);
    const first = lossNow();
    await wholeStep(cnn, head, loss, optimizers, x, classes);
    expect(lossNow()).toBeLessThan(first);
    const tensors = tf.memory().numTensors;
    await wholeStep(cnn, head, loss, optimizers, x, classes);
    await wholeStep(cnn, head, loss, optimizers, x, classes);
    expect(tf.memory().numTensors).toBe(tensors);
    cnn.setWeights(start);
    optimizers.forEach((o) => o.dispose());
    loss.dispose();
    head.dispose();
    x.dispose();
  });
});

describe('flat Adam', () => {
  it('updates as tf.train.adam does', () => {
    const make = () => [tf.variable(tf.tensor2d([[1, -2], [3, 0.5]])), tf.variable(tf.tensor1d([0.1, -0.3, 2]))];
    const [mine, theirs] = [make(), make()];
    const fused = new FusedAdam(mine, 0.05);
    const adam = tf.train.adam(0.05);
    for (let step = 0; step < 4; step++) {
      const lossOf = (vs: tf.Variable[]) => () => tf.add(tf.sum(tf.square(tf.sub(vs[0], step))), tf.sum(tf.pow(vs[1], 3))) as tf.Scalar;
      const g1 = tf.variableGrads(lossOf(mine), mine);
      fused.applyGradients(g1.grads);
      const g2 = tf.variableGrads(lossOf(theirs), theirs);
      adam.applyGradients(Object.entries(g2.grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
    }
    mine.forEach((v, i) => expect(maxAbs(v, theirs[i])).toBeLessThan(1e-5));
    expect(maxAbs(mine[0], tf.tensor2d([[1, -2], [3, 0.5]]))).toBeGreaterThan(0.1); // it moved
    fused.dispose();
    adam.dispose();
    tf.dispose([...mine, ...theirs]);
  });
});

describe('augmentation', () => {
  it('repeats per seed, keeps shape and range, differs between seeds', () => {
    const x = pixels(3, 32, 4);
    const a = augmentBatch(x, seededRandom(7));
    const b = augmentBatch(x, seededRandom(7));
    const c = augmentBatch(x, seededRandom(8));
    expect(a.shape).toEqual([3, 32, 32, 3]);
    expect(maxAbs(a, b)).toBe(0);
    expect(maxAbs(a, c)).toBeGreaterThan(0.05);
    expect(tf.tidy(() => tf.min(a).dataSync()[0])).toBeGreaterThanOrEqual(0);
    expect(tf.tidy(() => tf.max(a).dataSync()[0])).toBeLessThanOrEqual(1);
    tf.dispose([x, a, b, c]);
  });

  it('flips horizontally and jitters nothing when told so', () => {
    const x = pixels(2, 32, 5);
    const same = { minScale: 1, ratio: [1, 1] as [number, number], brightness: 0, contrast: 0, saturation: 0 };
    const flipped = augmentBatch(x, seededRandom(1), { ...same, flip: 1 });
    const kept = augmentBatch(x, seededRandom(1), { ...same, flip: 0 });
    const mirror = tf.reverse(x, 2);
    expect(maxAbs(flipped, mirror)).toBeLessThan(1e-5);
    expect(maxAbs(kept, x)).toBeLessThan(1e-5);
    tf.dispose([x, flipped, kept, mirror]);
  });
});
