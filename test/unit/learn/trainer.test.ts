import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { trainHead, type TrainOptions } from '../../../src-main/learn/trainer.js';
import { Head } from '../../../src-main/learn/head.js';
import { mixedLabels } from './synthetic.js';

beforeAll(async () => {
  await initBackend();
});

const set = mixedLabels(60, 24, 1);
const base: TrainOptions = { features: set.features, labels: set.labels, loss: 'proxy-nca', epochs: 12, lr: 0.01, embeddingDim: 8, batchSize: 32, patience: 50 };

describe('trainHead', () => {
  for (const loss of ['proxy-nca', 'proxy-anchor', 'contrastive', 'triplet'] as const) {
    it(`${loss}: separates labels that frozen features mix (validation MAP@R rises clearly)`, async () => {
      // At the default scale (9) ProxyNCA drives this small set's training loss to zero by fitting
      // its noise dimensions before it finds the quiet label direction; a softer softmax finds it.
      const lossSettings = loss === 'proxy-nca' ? { scale: 3 } : undefined;
      const r = await trainHead({ ...base, loss, lossSettings });
      expect(r.evaluatedOn).toBe('validation');
      expect(r.before!.mapAtR).toBeLessThan(0.65);
      expect(r.after!.mapAtR).toBeGreaterThan(r.before!.mapAtR + 0.25);
      expect(r.head.metadata.metrics.after).toEqual(r.after);
      r.head.dispose();
    });
  }

  it('does not leak tensors across steps', async () => {
    const counts: number[] = [];
    const r = await trainHead({ ...base, epochs: 3, loss: 'triplet', miner: 'batch-hard', onProgress: (p) => void (p.validation || counts.push(tf.memory().numTensors)) });
    // The optimiser creates its slots on the first step; after that the count must stay flat.
    expect(counts.length).toBeGreaterThan(5);
    expect(new Set(counts.slice(1)).size).toBe(1);
    r.head.dispose();
    const before = tf.memory().numTensors;
    (await trainHead({ ...base, epochs: 2 })).head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pushes marked not-alike pairs apart', async () => {
    // Unlabelled rows, marked as not alike, that the frozen features put close together
    // (they differ along one quiet direction only).
    const extra = [0, 1, 2, 3].map((k) => Float32Array.from(set.features[k], (x, j) => x + (j === 5 ? 0.6 : 0)));
    const features = [...set.features, ...extra];
    const labels = [...set.labels, null, null, null, null];
    const n = set.features.length;
    const pairs = [0, 1, 2, 3].map((k) => ({ a: k, b: n + k, match: false }));
    const cos = (e: Float32Array[], a: number, b: number) => e[a].reduce((s, x, j) => s + x * e[b][j], 0);
    const common = { ...base, features, labels, epochs: 6, validationFraction: 0 };
    const withPairs = await trainHead({ ...common, pairs, seed: 4 });
    const without = await trainHead({ ...common, seed: 4 });
    const ew = withPairs.head.embed(features);
    const eo = without.head.embed(features);
    const identity = Head.identity(24).embed(features);
    for (const p of pairs) {
      expect(cos(identity, p.a, p.b)).toBeGreaterThan(0.9);
      expect(cos(ew, p.a, p.b)).toBeLessThan(cos(eo, p.a, p.b) - 0.2);
    }
    withPairs.head.dispose();
    without.head.dispose();
  });

  it('holds out labels as unseen classes and never trains on them', async () => {
    const three = mixedLabels(30, 24, 2, ['a', 'b', 'c']);
    const r = await trainHead({ ...base, features: three.features, labels: three.labels, holdoutLabels: ['c'], epochs: 2 });
    expect(r.classNames).toEqual(['a', 'b']);
    expect(r.unseenBefore?.queries).toBe(30);
    expect(r.unseenAfter?.queries).toBe(30);
    r.head.dispose();
  });

  it('cancels promptly with cancelled=true', async () => {
    const controller = new AbortController();
    let steps = 0;
    const r = await trainHead({ ...base, epochs: 1000, signal: controller.signal, onProgress: () => void (++steps === 3 && controller.abort()) });
    expect(r.cancelled).toBe(true);
    // Promptly: within a few steps of the abort (of the 1000 epochs asked), counted, not timed.
    expect(steps).toBeLessThan(6);
    r.head.dispose();
  });

  it('repeats exactly for the same seed', async () => {
    const a = await trainHead({ ...base, loss: 'triplet', miner: 'semi-hard', epochs: 3, seed: 11 });
    const b = await trainHead({ ...base, loss: 'triplet', miner: 'semi-hard', epochs: 3, seed: 11 });
    const c = await trainHead({ ...base, loss: 'triplet', miner: 'semi-hard', epochs: 3, seed: 12 });
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
    expect(b.head.getWeights()).toEqual(a.head.getWeights());
    expect(c.head.getWeights()).not.toEqual(a.head.getWeights());
    for (const r of [a, b, c]) r.head.dispose();
  });
});
