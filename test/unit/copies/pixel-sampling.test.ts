// The refinement's scores made without images (uprightScores, turnedScore) are the correlation of
// the window the samplers make with the target: the pixel match's verdicts rest on it.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/common/random.js';
import { sample, sampleUpright, SOURCE_SIDE, summedArea, turnedScore, uprightScores } from '../../../src-main/copies/pixel-sampling.js';

const M = 32;

/** Zero mean, unit length (all zeros when flat), as the pixel match normalises. */
function normalised(v: ArrayLike<number>): Float64Array {
  const mean = Array.from(v).reduce((s, x) => s + x, 0) / v.length;
  const out = Float64Array.from(v, (x) => x - mean);
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
  return norm > 1e-6 * v.length ? out.map((x) => x / norm) : out.fill(0);
}

const correlation = (window: ArrayLike<number>, target: Float32Array) => normalised(window).reduce((s, x, i) => s + x * target[i], 0);

/** A smooth random grey image, SOURCE_SIDE square. */
function image(seed: number): Float32Array {
  const r = seededRandom(seed);
  const n = SOURCE_SIDE;
  const waves = Array.from({ length: 5 }, () => [r() * 9, r() * 9, r() * 6]);
  return Float32Array.from({ length: n * n }, (_, k) => waves.reduce((s, [a, b, p]) => s + Math.sin(((k % n) / n) * a + (Math.floor(k / n) / n) * b + p), 0));
}

describe('refinement scores', () => {
  const grey = image(1);
  const target = Float32Array.from(normalised(sampleUpright(image(2), 0.1, 0.05, 0.8, M)));
  const targetSum = target.reduce((s, x) => s + x, 0);

  it('score each upright window as its sampled image would, at every place asked', () => {
    const [xs, ys, side] = [[0, 0.07, 0.14], [0.02, 0.1, 0.2], 0.8];
    const out = new Float64Array(2 + xs.length * ys.length);
    uprightScores(grey, xs, ys, side, M, target, targetSum, out, 2);
    for (const [j, y] of ys.entries()) {
      for (const [i, x] of xs.entries()) expect(out[2 + j * xs.length + i]).toBeCloseTo(correlation(sampleUpright(grey, x, y, side, M), target), 6);
    }
    expect(out.slice(0, 2)).toEqual(new Float64Array(2));
  });

  it('score a turned window as its sampled image would', () => {
    const table = summedArea(grey);
    for (const angle of [-0.05, 0.03]) {
      const expected = correlation(sample(table, 0.1, 0.08, 0.75, M, angle, 1.5), target);
      expect(turnedScore(table, 0.1, 0.08, 0.75, M, angle, 1.5, target, targetSum)).toBeCloseTo(expected, 6);
    }
  });

  it('score a flat window 0', () => {
    const flat = new Float32Array(SOURCE_SIDE * SOURCE_SIDE).fill(0.5);
    const out = new Float64Array(1);
    uprightScores(flat, [0.1], [0.1], 0.5, M, target, targetSum, out, 0);
    expect(out[0]).toBe(0);
    expect(turnedScore(summedArea(flat), 0.1, 0.1, 0.5, M, 0.04, 1, target, targetSum)).toBe(0);
  });
});
