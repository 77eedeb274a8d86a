// The order the pixel pool matches a duplicates search's pairs in: every pair once, and each
// photo's small image needed for a short stretch, so a large library's images are not all held
// (decoded on the engine's thread, copied into every worker) until the search ends.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/common/random.js';
import { planBatches, planBatchesInSteps, type PairPlan } from '../../../src-main/copies/pixel-pool.js';

/**
 * Photos on a 2-D sheet (a stand-in for look-alikes spread over a few directions of change),
 * named by random keys as content hashes are, each paired with its `k` nearest.
 */
function nearestPairs(count: number, k: number, seed = 1): [string, string][] {
  const random = seededRandom(seed);
  const at = Array.from({ length: count }, () => [random(), random()] as const);
  const key = (i: number) => `${Math.floor(random() * 1e9).toString(16).padStart(8, '0')}-${i}`;
  const keys = at.map((_, i) => key(i));
  const seen = new Set<string>();
  const pairs: [string, string][] = [];
  at.forEach(([x, y], i) => {
    const near = at
      .map(([u, v], j) => [j, (u - x) ** 2 + (v - y) ** 2] as const)
      .filter(([j]) => j !== i)
      .sort((p, q) => p[1] - q[1])
      .slice(0, k);
    for (const [j] of near) {
      const [a, b] = keys[i] < keys[j] ? [keys[i], keys[j]] : [keys[j], keys[i]];
      if (!seen.has(`${a} ${b}`)) {
        seen.add(`${a} ${b}`);
        pairs.push([a, b]);
      }
    }
  });
  return pairs;
}

/** The most images held at once: from the batch that first needs one to the batch that releases it. */
function mostHeld(pairs: readonly (readonly [string, string])[], plan: PairPlan): number {
  const firstIn = new Map<string, number>();
  plan.batches.forEach((batch, b) => batch.forEach((i) => pairs[i].forEach((key) => firstIn.has(key) || firstIn.set(key, b))));
  const change = new Array<number>(plan.batches.length + 1).fill(0);
  for (const b of firstIn.values()) change[b]++;
  plan.lastIn.forEach((keys, b) => (change[b + 1] -= keys.length));
  let [held, most] = [0, 0];
  for (const c of change) most = Math.max(most, (held += c));
  return most;
}

describe('planBatches', () => {
  const pairs = nearestPairs(1500, 12);

  it('matches every pair once and releases each image after the last batch that needs it, never before', () => {
    const plan = planBatches(pairs);
    expect(plan.batches.flat().sort((p, q) => p - q)).toEqual(pairs.map((_, i) => i));
    expect(plan.batches.every((b) => b.length <= 64)).toBe(true);
    const released = new Map<string, number>();
    plan.lastIn.forEach((keys, b) => keys.forEach((key) => released.set(key, b)));
    expect(released.size).toBe(new Set(pairs.flat()).size);
    plan.batches.forEach((batch, b) => batch.forEach((i) => pairs[i].forEach((key) => expect(released.get(key)).toBeGreaterThanOrEqual(b))));
    // Released at the last use: each image is in the batch that releases it.
    plan.lastIn.forEach((keys, b) => keys.forEach((key) => expect(plan.batches[b].some((i) => pairs[i].includes(key))).toBe(true)));
  });

  it('holds a small share of the images at once, where pairs taken by key hold most of them', () => {
    const plan = planBatches(pairs);
    const images = new Set(pairs.flat()).size;
    const byKey = pairs.map((_, i) => i).sort((p, q) => (pairs[p][0] < pairs[q][0] ? -1 : pairs[p][0] > pairs[q][0] ? 1 : 0));
    const keyBatches: number[][] = [];
    for (let s = 0; s < byKey.length; s += 64) keyBatches.push(byKey.slice(s, s + 64));
    const keyLast = new Map<string, number>();
    keyBatches.forEach((batch, b) => batch.forEach((i) => pairs[i].forEach((key) => keyLast.set(key, b))));
    const keyLastIn: string[][] = keyBatches.map(() => []);
    for (const [key, b] of keyLast) keyLastIn[b].push(key);
    // Premise: in key order, most images are needed from early on to near the end.
    expect(mostHeld(pairs, { batches: keyBatches, lastIn: keyLastIn })).toBeGreaterThan(0.5 * images);
    expect(mostHeld(pairs, plan)).toBeLessThan(0.15 * images);
  });

  it('plans in steps with pauses between, to the same plan; a pause that throws (a cancel) stops it', async () => {
    // Enough pairs for the plan to run well past a step (40 ms): each of 20,000 photos with 24 others.
    const random = seededRandom(3);
    const keys = Array.from({ length: 20_000 }, (_, i) => `${Math.floor(random() * 1e9).toString(16)}-${i}`);
    const pairs = keys.flatMap((a, i) => Array.from({ length: 12 }, (_, j) => [a, keys[(i + 1 + Math.floor(random() * 500) + j * 500) % keys.length]] as [string, string]));
    let pauses = 0;
    const stepped = await planBatchesInSteps(pairs, async () => {
      pauses++;
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(stepped).toEqual(planBatches(pairs));
    expect(pauses).toBeGreaterThan(0);
    await expect(planBatchesInSteps(pairs, () => Promise.reject(new Error('cancelled')))).rejects.toThrow('cancelled');
  }, 120_000);
});
