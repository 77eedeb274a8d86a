import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { allTriplets, BatchHardMiner, batchHardTriplets, semiHardTriplets } from '../../../src-main/learn/miners/index.js';
import { ClassBalancedSampler } from '../../../src-main/learn/sampler.js';

beforeAll(async () => {
  await initBackend();
});

// Points on a line (distances = |xi - xj|): labels 0 0 0 1 1, one unlabelled.
//   x: 0   1   4   2   6   1.5(unlabelled)
const xs = [0, 1, 4, 2, 6, 1.5];
const labels = Int32Array.from([0, 0, 0, 1, 1, -1]);
const n = xs.length;
const dist = Float32Array.from({ length: n * n }, (_, k) => Math.abs(xs[Math.floor(k / n)] - xs[k % n]));

describe('miners', () => {
  it('batch-hard picks the furthest positive and the closest negative per anchor', () => {
    const t = batchHardTriplets(dist, labels);
    // anchor 0: positives 1 (1), 2 (4) → 2; negatives 3 (2), 4 (6) → 3
    // anchor 1: positives 0 (1), 2 (3) → 2; negatives 3 (1) → 3
    // anchor 2: positives 0 (4), 1 (3) → 0; negatives 3 (2), 4 (2) → 3 (first of the tie)
    // anchor 3: positive 4 (4); negatives 0 (2), 1 (1), 2 (2) → 1
    // anchor 4: positive 3 (4); negatives 2 (2) → 2
    expect(t).toEqual({ anchor: [0, 1, 2, 3, 4], positive: [2, 2, 0, 4, 3], negative: [3, 3, 3, 1, 2] });
  });

  it('semi-hard picks, per positive pair, the closest negative further than the positive', () => {
    const t = semiHardTriplets(dist, labels);
    const got = t.anchor.map((a, k) => `${a}-${t.positive[k]}-${t.negative[k]}`);
    // (0,1): d 1; negatives at 2 (#3), 6 (#4) → 3.  (0,2): d 4; only #4 (6) → 4.
    // (1,0): d 1; #3 at 1 is not further, #4 at 5 → 4.  (1,2): d 3; #4 (5) → 4.
    // (2,0): d 4; none further (2, 2) → skipped.  (2,1): d 3; none → skipped.
    // (3,4): d 4; negatives 2,1,2 → none further → skipped.  (4,3): d 4; negatives 6,5,2 → #1 (5).
    expect(got).toEqual(['0-1-3', '0-2-4', '1-0-4', '1-2-4', '4-3-1']);
  });

  it('all yields every valid triplet and never an unlabelled row', () => {
    const t = allTriplets(labels);
    // 3·2 anchor–positive pairs of label 0 × 2 negatives + 2·1 of label 1 × 3 negatives
    expect(t.anchor.length).toBe(6 * 2 + 2 * 3);
    expect([...t.anchor, ...t.positive, ...t.negative]).not.toContain(5);
  });

  it('the miner reads distances from embeddings and releases its tensors', async () => {
    const e = tf.tensor2d(xs.map((x) => [Math.cos(x / 4), Math.sin(x / 4)]));
    const before = tf.memory().numTensors;
    const t = await new BatchHardMiner().mine(e, labels);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.anchor).toEqual([0, 1, 2, 3, 4]);
    e.dispose();
  });
});

describe('ClassBalancedSampler', () => {
  const rowLabels = [...Array(40)].map((_, i) => (i < 4 ? -1 : i % 6)); // 6 labels, 4 unlabelled rows

  it('fills each batch with m rows of each of batchSize/m distinct labels', () => {
    const s = new ClassBalancedSampler({ labels: rowLabels, m: 4, batchSize: 12, seed: 1 });
    const batches = s.epoch();
    expect(batches.length).toBe(s.batchesPerEpoch);
    for (const b of batches) {
      expect(b.length).toBe(12);
      const counts = new Map<number, number>();
      for (const r of b) counts.set(rowLabels[r], (counts.get(rowLabels[r]) ?? 0) + 1);
      expect([...counts.values()]).toEqual([4, 4, 4]);
      expect(counts.has(-1)).toBe(false);
    }
  });

  it('repeats for a seed and differs across seeds', () => {
    const a = new ClassBalancedSampler({ labels: rowLabels, m: 2, batchSize: 8, seed: 5 });
    const b = new ClassBalancedSampler({ labels: rowLabels, m: 2, batchSize: 8, seed: 5 });
    const c = new ClassBalancedSampler({ labels: rowLabels, m: 2, batchSize: 8, seed: 6 });
    const ea = [a.epoch(), a.epoch()];
    expect([b.epoch(), b.epoch()]).toEqual(ea);
    expect([c.epoch(), c.epoch()]).not.toEqual(ea);
  });

  it('draws every labelled row of a class before repeating one', () => {
    const s = new ClassBalancedSampler({ labels: rowLabels, m: 3, batchSize: 18, seed: 2 });
    const seen = new Set(s.epoch().flat());
    // 36 labelled rows, 2 batches of 18 that each hold 3 of every label: all 6 rows of each label appear.
    expect(seen.size).toBe(36);
  });
});
