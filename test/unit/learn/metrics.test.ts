import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { rankTop, retrievalMetrics, retrievalMetricsYielding, scoreQuery } from '../../../src-main/learn/metrics.js';

beforeAll(async () => {
  await initBackend();
});

const at = (deg: number) => Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);

describe('retrievalMetrics (Reality Check definitions, exact cosine search)', () => {
  // Five unit vectors on a circle; cosine order = angular order.
  //   #0 0° A, #1 12° A, #2 20° B, #3 100° B, #4 110° A
  // Worked by hand (results ranked by angle, query excluded, R = other items of its label):
  //   q0 A: 1,2,3,4 → rel 1,0,0,1  R=2  P@1 1  R-prec 1/2  MAP@R (1/1)/2 = 0.5    hit@2 1
  //   q1 A: 2,0,3,4 → rel 0,1,0,1  R=2  P@1 0  R-prec 1/2  MAP@R (1/2)/2 = 0.25   hit@2 1
  //   q2 B: 1,0,3,4 → rel 0,0,1,0  R=1  P@1 0  R-prec 0    MAP@R 0               hit@2 0
  //   q3 B: 4,2,1,0 → rel 0,1,0,0  R=1  P@1 0  R-prec 0    MAP@R 0               hit@2 1
  //   q4 A: 3,2,1,0 → rel 0,0,1,1  R=2  P@1 0  R-prec 0    MAP@R 0               hit@2 0
  const embeddings = [at(0), at(12), at(20), at(100), at(110)];
  const labels = ['A', 'A', 'B', 'B', 'A'];

  it('matches the hand-worked example', () => {
    const m = retrievalMetrics(embeddings, labels, [1, 2]);
    expect(m.queries).toBe(5);
    expect(m.precisionAt1).toBeCloseTo(1 / 5, 10);
    expect(m.recallAtK[1]).toBeCloseTo(1 / 5, 10);
    expect(m.recallAtK[2]).toBeCloseTo(3 / 5, 10);
    expect(m.rPrecision).toBeCloseTo((0.5 + 0.5) / 5, 10);
    expect(m.mapAtR).toBeCloseTo((0.5 + 0.25) / 5, 10);
  });

  it('is scale-invariant (cosine) and ignores unlabelled items', () => {
    const scaled = embeddings.map((e, i) => e.map((x) => x * (i + 1)));
    const withUnlabelled = [...scaled, at(15)];
    const m = retrievalMetrics(withUnlabelled, [...labels, null], [1, 2]);
    expect(m.mapAtR).toBeCloseTo((0.5 + 0.25) / 5, 10);
    expect(m.queries).toBe(5);
  });

  it('skips queries whose label has no other item', () => {
    const m = retrievalMetrics([...embeddings, at(200)], [...labels, 'C'], [1]);
    expect(m.queries).toBe(5);
    // C is an irrelevant result for every other query but sits far from them all (≥ 90° from all but #3, #4).
    expect(m.precisionAt1).toBeCloseTo(1 / 5, 10);
  });

  it('is perfect for perfectly separated labels', () => {
    const m = retrievalMetrics([at(0), at(5), at(90), at(95)], ['x', 'x', 'y', 'y']);
    expect(m.mapAtR).toBe(1);
    expect(m.precisionAt1).toBe(1);
  });
});

describe('rankTop', () => {
  // A small seeded generator: the rows below are the same on every run.
  let seed = 9;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  it('gives the first ranks of a full sort (similarity descending, ties by index), with many ties', () => {
    for (const [n, levels] of [[500, 7], [500, 1000], [2000, 40], [37, 3]]) {
      const row = Float32Array.from({ length: n }, () => Math.floor(next() * levels) / levels);
      for (const top of [1, 5, 40, n - 1].filter((t) => t < n)) {
        const skip = Math.floor(next() * n);
        const full = [...row.keys()].filter((j) => j !== skip).sort((a, b) => row[b] - row[a] || a - b);
        const order = new Int32Array(n - 1);
        expect(rankTop(row, skip, top, order, new Float32Array(n - 1))).toBe(top);
        expect(Array.from(order.subarray(0, top))).toEqual(full.slice(0, top));
      }
    }
  });

  it('leaves the metrics of a large labelled set as a full sort gives them', () => {
    // 3 labels of 400, overlapping clusters in 16 dimensions: R = 399 is well under a quarter of
    // the 1,199 others, so only the top ranks are sorted.
    const centres = [0, 1, 2].map(() => Float32Array.from({ length: 16 }, () => next() - 0.5));
    const vectors = Array.from({ length: 1200 }, (_, i) => centres[i % 3].map((x) => x + (next() - 0.5) * 0.9));
    const labels = vectors.map((_, i) => `k${i % 3}`);
    const m = retrievalMetrics(vectors, labels, [1, 10]);
    let mapAtR = 0;
    let p1 = 0;
    for (let q = 0; q < vectors.length; q++) {
      const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
      const sims = vectors.map((v) => cos(v, vectors[q]));
      const ranked = [...sims.keys()].filter((j) => j !== q).sort((a, b) => sims[b] - sims[a] || a - b);
      const s = scoreQuery(ranked.map((j) => labels[j] === labels[q]), 399, [1, 10]);
      mapAtR += s.mapAtR;
      p1 += s.precisionAt1;
    }
    expect(m.mapAtR).toBeCloseTo(mapAtR / vectors.length, 4);
    expect(m.precisionAt1).toBeCloseTo(p1 / vectors.length, 4);
    expect(m.mapAtR).toBeGreaterThan(0.2);
    expect(m.mapAtR).toBeLessThan(0.9);
  });

  it('lets the thread answer other calls while it measures, and measures the same', async () => {
    const vectors = Array.from({ length: 900 }, (_, i) => at(i % 360 + next()));
    const labels = vectors.map((_, i) => `k${i % 4}`);
    const happened: string[] = [];
    setImmediate(() => happened.push('another call'));
    const m = await retrievalMetricsYielding(vectors, labels);
    happened.push('measured');
    expect(happened).toEqual(['another call', 'measured']);
    expect(m).toEqual(retrievalMetrics(vectors, labels));
  });
});

describe('scoreQuery', () => {
  it('MAP@R rewards relevant items ranked early, unlike R-precision', () => {
    // R = 3; relevant at ranks 1, 3 (and 5, beyond R).
    const s = scoreQuery([true, false, true, false, true], 3, [1, 4]);
    expect(s.rPrecision).toBeCloseTo(2 / 3, 10);
    expect(s.mapAtR).toBeCloseTo((1 / 1 + 2 / 3) / 3, 10);
    expect(s.recallAtK[1]).toBe(1);
    const late = scoreQuery([false, true, true, false, true], 3);
    expect(late.rPrecision).toBeCloseTo(2 / 3, 10);
    expect(late.mapAtR).toBeCloseTo((1 / 2 + 2 / 3) / 3, 10);
    expect(late.mapAtR).toBeLessThan(s.mapAtR);
  });
});
