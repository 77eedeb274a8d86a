// Every loss's gradient (tfjs's autodiff through the custom gradients of tensor-ops.ts) against
// central finite differences of its value, with respect to the embeddings and the proxies, on a
// small random case. On the cpu backend: plain float32 kernels, so the differences are only as
// noisy as float32 makes them. The hinge losses are checked away from their kinks (asserted).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContrastiveLoss, createLoss, TripletMarginLoss, type MetricLoss } from '../../../src-main/learn/losses/index.js';
import { allTriplets } from '../../../src-main/learn/miners/index.js';
import type { PairTuples } from '../../../src-main/learn/tuples.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 7;
const DIM = 4;
// The step on each entry: float32's rounding of the loss (~1e-7) is then negligible, and these
// terms are smooth enough at this scale (errors here were at most 7e-4 of the largest entry).
const EPS = 1e-2;
const labels = [0, 0, 1, 1, 2, 2, -1]; // the last row unlabelled: no gradient from the label terms
const marked: PairTuples = { a: [0, 1, 2, 6], b: [3, 4, 5, 0], match: [true, false, true, false] };

function unitRows(seed: number): number[][] {
  return tf.tidy(() => {
    const r = tf.randomNormal([N, DIM], 0, 1, 'float32', seed);
    return tf.div(r, tf.norm(r, 2, 1, true)).arraySync() as number[][];
  });
}
const rows = unitRows(35); // a seed whose hinges all sit ≥ 0.17 from their kinks, some on each side
const dist = (i: number, j: number) => Math.hypot(...rows[i].map((x, k) => x - rows[j][k]));

/** Largest |autodiff − central difference| over every entry of the embeddings and the proxies, relative to the largest gradient entry. */
function worstGradientError(loss: MetricLoss, batch: { labels: number[]; pairs?: PairTuples } = { labels }): number {
  const emb = tf.variable(tf.tensor2d(rows), true);
  const vars = [emb, ...loss.variables()];
  const f = () => loss.compute(emb, batch.labels, undefined, batch.pairs);
  const { value, grads } = tf.variableGrads(f, vars);
  let worst = 0;
  for (const v of vars) {
    const analytic = grads[v.name].dataSync();
    const scale = Math.max(...Array.from(analytic, Math.abs));
    expect(scale).toBeGreaterThan(0); // something to check
    const base = Float32Array.from(v.dataSync());
    const at = (k: number, x: number) => {
      const moved = Float32Array.from(base);
      moved[k] = x;
      v.assign(tf.tensor(moved, v.shape));
      return tf.tidy(() => f().dataSync()[0]);
    };
    for (let k = 0; k < base.length; k++) {
      const [up, down] = [Math.fround(base[k] + EPS), Math.fround(base[k] - EPS)]; // the step float32 really takes
      const numeric = (at(k, up) - at(k, down)) / (up - down);
      worst = Math.max(worst, Math.abs(numeric - analytic[k]) / scale);
    }
    v.assign(tf.tensor(base, v.shape));
  }
  tf.dispose([value, emb, ...Object.values(grads)]);
  loss.dispose();
  return worst;
}

/** How close a hinge's argument comes to its kink; a finite difference across one is wrong, so it must stay well above EPS. */
const nearestKink = (args: number[]) => Math.min(...args.map(Math.abs));

describe('loss gradients match central finite differences', () => {
  it('proxy-nca', () => {
    expect(worstGradientError(createLoss('proxy-nca', 3, DIM, 1))).toBeLessThan(1e-2);
  });

  it('proxy-anchor', () => {
    expect(worstGradientError(createLoss('proxy-anchor', 3, DIM, 1))).toBeLessThan(1e-2);
  });

  it('contrastive', () => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) pairs.push([i, j]);
    // Alike pairs pull while apart (kink at 0), unlike pairs push while within 1.
    expect(nearestKink(pairs.map(([i, j]) => (labels[i] === labels[j] ? dist(i, j) : 1 - dist(i, j))))).toBeGreaterThan(0.1);
    expect(worstGradientError(new ContrastiveLoss())).toBeLessThan(1e-2);
  });

  it('triplet margin', () => {
    const t = allTriplets(Int32Array.from(labels));
    expect(nearestKink(t.anchor.map((a, k) => dist(a, t.positive[k]) - dist(a, t.negative[k]) + 0.1))).toBeGreaterThan(0.1);
    expect(worstGradientError(new TripletMarginLoss({ margin: 0.1 }))).toBeLessThan(1e-2);
  });

  it('the marked-pair term', () => {
    const args = marked.a.map((a, k) => (marked.match[k] ? dist(a, marked.b[k]) : 1 - dist(a, marked.b[k])));
    expect(nearestKink(args)).toBeGreaterThan(0.1);
    // With no labels the triplet loss has no triplets: the marked-pair term alone.
    const unlabelled = labels.map(() => -1);
    expect(worstGradientError(new TripletMarginLoss(), { labels: unlabelled, pairs: marked })).toBeLessThan(1e-2);
  });
});
