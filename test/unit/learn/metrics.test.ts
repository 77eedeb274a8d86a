import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { retrievalMetrics, scoreQuery } from '../../../src-main/learn/metrics.js';

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
