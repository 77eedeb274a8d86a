import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { ContrastiveLoss, createLoss, lossNames, ProxyAnchorLoss, ProxyNcaLoss, TripletMarginLoss } from '../../../src-main/learn/losses/index.js';
import { batchHardTriplets } from '../../../src-main/learn/miners/index.js';
import { l2NormalizeRows, unitDistanceMatrix } from '../../../src-main/learn/tensor-ops.js';

beforeAll(async () => {
  await initBackend();
});

// Plain-JS references, written from the papers' formulas (not from the implementation).
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const dist = (a: number[], b: number[]) => {
  const ua = unit(a);
  const ub = unit(b);
  return Math.hypot(...ua.map((x, i) => x - ub[i]));
};
const sqDist = (a: number[], b: number[]) => dist(a, b) ** 2;
const meanNonZero = (xs: number[]) => {
  const nz = xs.filter((x) => x > 0);
  return nz.length ? nz.reduce((s, x) => s + x, 0) / nz.length : 0;
};

function value(t: tf.Scalar): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

// Raw (unnormalised) embeddings: the losses must normalise them.
const X = [[2, 0], [0, 3], [0.8, 0.6], [-1, -1]];
const xT = () => tf.tensor2d(X);

describe('ProxyNcaLoss', () => {
  it('is the mean of -log softmax(-scale·||x̂ - p̂||²) at the own proxy', () => {
    const loss = new ProxyNcaLoss({ numClasses: 2, embeddingDim: 2, scale: 2 });
    const P = [[1, 0], [0.6, 0.8]];
    loss.proxies.assign(tf.tensor2d(P));
    const labels = [0, 1, 1, 0];
    const per = X.map((x, i) => {
      const logits = P.map((p) => -2 * sqDist(x, p));
      const lse = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
      return lse - logits[labels[i]];
    });
    const expected = per.reduce((s, v) => s + v, 0) / per.length;
    const x = xT();
    expect(value(loss.compute(x, labels))).toBeCloseTo(expected, 5);
    // Unlabelled rows (-1) do not count.
    expect(value(loss.compute(x, [0, 1, -1, -1]))).toBeCloseTo((per[0] + per[1]) / 2, 5);
    x.dispose();
    loss.dispose();
  });
});

describe('ProxyAnchorLoss', () => {
  it('matches the paper formula with margin 0.1 and alpha 32', () => {
    const loss = new ProxyAnchorLoss({ numClasses: 3, embeddingDim: 2 });
    const P = [[1, 0], [0.6, 0.8], [0, -1]];
    loss.proxies.assign(tf.tensor2d(P));
    const labels = [0, 1, 1, 0];
    const cos = X.map((x) => P.map((p) => dot(unit(x), unit(p))));
    let pos = 0;
    let withPos = 0;
    let neg = 0;
    P.forEach((_, c) => {
      const posRows = labels.flatMap((l, i) => (l === c ? [i] : []));
      const negRows = labels.flatMap((l, i) => (l !== c ? [i] : []));
      if (posRows.length) {
        withPos++;
        pos += Math.log(1 + posRows.reduce((s, i) => s + Math.exp(-32 * (cos[i][c] - 0.1)), 0));
      }
      neg += Math.log(1 + negRows.reduce((s, i) => s + Math.exp(32 * (cos[i][c] + 0.1)), 0));
    });
    const expected = pos / withPos + neg / P.length;
    const x = xT();
    expect(value(loss.compute(x, labels))).toBeCloseTo(expected, 3);
    x.dispose();
    loss.dispose();
  });
  // A case where α·(cos + δ) reaches 109.5 at α = 100: exp overflows float32 (from exp(88.8) on).
  // Expected values: the paper's formula in float64 torch, log(1 + Σ exp) as a log-sum-exp with a zero entry.
  const farX = [[1, 0.2, 0, 0], [0.9, -0.1, 0.3, 0], [0, 1, 0.1, 0], [0.1, 0.9, 0, 0.4], [0.95, 0, 0.3, 0], [-1, 0, 0, 0.1], [0.5, 0.5, 0.5, 0.5]];
  const farLabels = [0, 0, 1, 1, 2, 0, -1];
  const farP = [[1, 0.1, 0, 0], [0, 1, 0, 0.1], [0.1, 0, 1, 0]];
  for (const [alpha, expected] of [[32, 31.371181], [100, 98.029807], [200, 196.059614]]) {
    it(`stays finite where exp overflows: α ${alpha}`, () => {
      const loss = new ProxyAnchorLoss({ numClasses: 3, embeddingDim: 4, alpha });
      loss.proxies.assign(tf.tensor2d(farP));
      const x = tf.tensor2d(farX);
      expect(value(loss.compute(x, farLabels))).toBeCloseTo(expected, 3);
      const g = tf.grad((e: tf.Tensor) => loss.compute(e as tf.Tensor2D, farLabels))(x);
      expect(tf.tidy(() => tf.all(tf.isFinite(g)).dataSync()[0])).toBe(1);
      tf.dispose([x, g]);
      loss.dispose();
    });
  }
});

describe('ContrastiveLoss', () => {
  const labels = [0, 0, 1, 1];
  function expectedFor(pairs: [number, number, boolean][], posMargin: number, negMargin: number) {
    const pull = pairs.filter((p) => p[2]).map(([a, b]) => Math.max(0, dist(X[a], X[b]) - posMargin));
    const push = pairs.filter((p) => !p[2]).map(([a, b]) => Math.max(0, negMargin - dist(X[a], X[b])));
    return meanNonZero(pull) + meanNonZero(push);
  }
  const allPairs: [number, number, boolean][] = [];
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) allPairs.push([i, j, labels[i] === labels[j]]);

  it('averages the margin violations of alike and unlike pairs', () => {
    const loss = new ContrastiveLoss({ posMargin: 0.1, negMargin: 1.2 });
    const x = xT();
    expect(value(loss.compute(x, labels))).toBeCloseTo(expectedFor(allPairs, 0.1, 1.2), 5);
    x.dispose();
  });

  it('counts marked pairs as extra alike/unlike pairs', () => {
    const loss = new ContrastiveLoss({ posMargin: 0, negMargin: 1.5 });
    const x = xT();
    // Row 0 and 2 marked "not alike" once more, rows 1 and 3 "alike" although labels differ.
    const marked = { a: [0, 1], b: [2, 3], match: [false, true] };
    const got = value(loss.compute(x, labels, undefined, marked));
    const expected = expectedFor(allPairs, 0, 1.5) + expectedFor([[0, 2, false], [1, 3, true]], 0, 1.5);
    expect(got).toBeCloseTo(expected, 5);
    x.dispose();
  });
});

// A class of two or three photos fills a class-balanced batch by repeating rows.
describe('repeated rows', () => {
  const repeated = [[1, 0], [1, 0], [0.8, 0.6], [-1, 0]];

  it('are exactly 0 apart, also where 2 − 2cos rounds above 0, with a finite zero gradient', () => {
    const r = tf.randomNormal([16, 128], 0, 1, 'float32', 3);
    const x = tf.concat([r, r]) as tf.Tensor2D;
    const d = tf.tidy(() => unitDistanceMatrix(l2NormalizeRows(x)).arraySync());
    for (let i = 0; i < 16; i++) {
      expect(d[i][i + 16]).toBe(0);
      expect(d[i][(i + 1) % 16]).toBeGreaterThan(0.5); // distinct rows keep their distance
    }
    const g = tf.grad((e: tf.Tensor) => tf.sum(unitDistanceMatrix(l2NormalizeRows(e as tf.Tensor2D))))(x);
    expect(tf.tidy(() => tf.all(tf.isFinite(g)).dataSync()[0])).toBe(1);
    tf.dispose([r, x, g]);
  });

  it('do not dilute the contrastive pull: only pairs still apart are averaged', () => {
    const x = tf.tensor2d(repeated);
    // Alike pairs (0,1) at 0, (0,2) and (1,2) at √0.4; unlike pairs all beyond the margin of 1.
    expect(value(new ContrastiveLoss().compute(x, [0, 0, 0, 1]))).toBeCloseTo(Math.sqrt(0.4), 5);
    // A batch whose only alike pair is a repeated row costs nothing and moves nothing.
    const g = tf.grad((e: tf.Tensor) => new ContrastiveLoss().compute(e as tf.Tensor2D, [0, 0, -1, 1]))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    tf.dispose([x, g]);
  });

  it('do not dilute the marked-pair term', () => {
    const loss = new TripletMarginLoss({ margin: 0.3 });
    const x = tf.tensor2d(repeated);
    const labels = [-1, -1, -1, -1]; // no triplets: the marked pairs alone
    const got = value(loss.compute(x, labels, undefined, { a: [0, 0], b: [1, 2], match: [true, true] }));
    expect(got).toBeCloseTo(Math.sqrt(0.4), 5);
    x.dispose();
  });
});

describe('TripletMarginLoss', () => {
  const labels = [0, 0, 1, 1];
  const tripletLoss = (t: [number, number, number][], margin: number) =>
    meanNonZero(t.map(([a, p, n]) => Math.max(0, dist(X[a], X[p]) - dist(X[a], X[n]) + margin)));

  it('uses every valid triplet without a miner', () => {
    const all: [number, number, number][] = [];
    for (let a = 0; a < 4; a++) for (let p = 0; p < 4; p++) for (let n = 0; n < 4; n++) {
      if (a !== p && labels[a] === labels[p] && labels[n] !== labels[a]) all.push([a, p, n]);
    }
    const loss = new TripletMarginLoss({ margin: 0.3 });
    const x = xT();
    expect(value(loss.compute(x, labels))).toBeCloseTo(tripletLoss(all, 0.3), 5);
    x.dispose();
  });

  it('uses only the mined triplets when given', () => {
    const loss = new TripletMarginLoss({ margin: 0.3 });
    const x = xT();
    const tuples = { anchor: [0, 2], positive: [1, 3], negative: [2, 1] };
    expect(value(loss.compute(x, labels, tuples))).toBeCloseTo(tripletLoss([[0, 1, 2], [2, 3, 1]], 0.3), 5);
    x.dispose();
  });

  it('adds a push term for marked not-alike pairs', () => {
    const loss = new TripletMarginLoss({ margin: 0.3, pairNegMargin: 1.9 });
    const x = xT();
    const plain = value(loss.compute(x, labels));
    const withPair = value(loss.compute(x, labels, undefined, { a: [0], b: [2], match: [false] }));
    expect(withPair - plain).toBeCloseTo(1.9 - dist(X[0], X[2]), 5);
    x.dispose();
  });
});

describe('every loss', () => {
  it('rejects malformed input clearly', () => {
    const loss = new TripletMarginLoss();
    const x = xT();
    expect(() => loss.compute(x, [0, 1])).toThrow(/2 labels for 4 embeddings/);
    expect(() => loss.compute(x, [0, 0, 1, 1], { anchor: [0], positive: [9], negative: [2] })).toThrow(/outside the batch/);
    x.dispose();
  });

  for (const name of lossNames) {
    it(`${name}: one optimiser step lowers the loss and pulls same-label rows together`, () => {
      const labels = [0, 0, 1, 1, 2, 2, 3, 3];
      const init = tf.randomNormal([8, 6], 0, 1, 'float32', 7);
      const emb = tf.variable(init, true, `emb-${name}`) as tf.Variable<tf.Rank.R2>;
      init.dispose();
      const loss = createLoss(name, 4, 6, 1);
      const tuples = name === 'triplet' ? batchHardTriplets(distances(emb), Int32Array.from(labels)) : undefined;
      const gap = () => {
        const d = distances(emb);
        let same = 0, diff = 0, ns = 0, nd = 0;
        for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) {
          if (labels[i] === labels[j]) {
            same += d[i * 8 + j];
            ns++;
          } else {
            diff += d[i * 8 + j];
            nd++;
          }
        }
        return same / ns - diff / nd;
      };
      // Proxy losses pull each row toward its own class proxy; tuple losses pull same-label rows together.
      const proxies = loss.variables()[0] as tf.Variable<tf.Rank.R2> | undefined;
      const proxyGap = () => {
        const rows = emb.arraySync();
        const P = proxies!.arraySync();
        let g = 0;
        rows.forEach((x, i) => P.forEach((p, c) => (g += (c === labels[i] ? -1 : 1 / 3) * dot(unit(x), unit(p)))));
        return g / rows.length;
      };
      const direction = proxies ? proxyGap : gap;
      const before = value(loss.compute(emb, labels, tuples));
      const gapBefore = direction();
      const opt = tf.train.sgd(name === 'proxy-anchor' ? 0.01 : 0.1);
      opt.minimize(() => loss.compute(emb, labels, tuples), false, [emb, ...loss.variables()]);
      const after = value(loss.compute(emb, labels, tuples));
      expect(after).toBeLessThan(before);
      expect(direction()).toBeLessThan(gapBefore);
      opt.dispose();
      emb.dispose();
      loss.dispose();
    });
  }
});

function distances(x: tf.Tensor2D): Float32Array {
  const rows = x.arraySync();
  const n = rows.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = dist(rows[i], rows[j]);
  return out;
}
