import { describe, expect, it } from 'vitest';
import { BestPairs, centredGroups, duplicatePairs, PairSet, type DuplicateSearchOptions } from '../../../src-main/copies/duplicates.js';

/** The synthetic clusters below sit above 0.95 inside and near 0.85 between neighbours. */
const THRESHOLD = 0.95;
import { ExactIndex } from '../../../src-main/search/exact-index.js';
import { HnswIndex } from '../../../src-main/search/hnsw-index.js';
import type { VectorIndex } from '../../../src-main/search/vector-index.js';
import { gaussian, lowRankVectors, normalise, seededRandom } from '../search/synthetic-vectors.js';

const dim = 96;
const normal = gaussian(seededRandom(99));

/** A copy of `v` moved by noise so that its cosine to `v` is about `similarity`. */
function perturbed(v: Float32Array, similarity: number): Float32Array {
  const noise = normalise(Float32Array.from(v, () => normal()));
  const t = Math.sqrt(1 - similarity * similarity);
  return normalise(Float32Array.from(v, (x, i) => similarity * x + t * noise[i]));
}

/**
 * Background photos, a few tight clusters of edited copies (cosine ≈ 0.99 to their original),
 * and for some originals a loose neighbour (≈ 0.85: alike, not the same picture).
 */
function library(): { vectors: Map<number, Float32Array>; clusters: number[][]; loose: [number, number][] } {
  const base = lowRankVectors({ n: 400, dim, seed: 8 });
  const vectors = new Map<number, Float32Array>();
  base.rows.forEach((v, i) => vectors.set(i, v));
  let next = 1000;
  const clusters: number[][] = [];
  for (const [original, copies] of [[3, 1], [50, 4], [120, 2], [399, 7]] as const) {
    const cluster: number[] = [original];
    for (let c = 0; c < copies; c++) {
      vectors.set(next, c === 0 && copies === 1 ? Float32Array.from(base.rows[original]) : perturbed(base.rows[original], 0.99));
      cluster.push(next++);
    }
    clusters.push(cluster.sort((a, b) => a - b));
  }
  const loose: [number, number][] = [];
  for (const original of [3, 50, 200]) {
    vectors.set(next, perturbed(base.rows[original], 0.85));
    loose.push([original, next++]);
  }
  return { vectors, clusters, loose };
}

function indexOf(kind: 'exact' | 'hnsw', vectors: Map<number, Float32Array>): VectorIndex {
  const index = kind === 'exact' ? new ExactIndex(dim) : new HnswIndex(dim);
  index.add([...vectors.keys()], [...vectors.values()]);
  return index;
}

/** The pairs above `threshold`, grouped as the app groups them (engine/near-duplicates.ts). */
function groupsOf(index: VectorIndex, vectors: Map<number, Float32Array>, threshold: number, options?: DuplicateSearchOptions): number[][] {
  return centredGroups(duplicatePairs(index, vectors, threshold, options));
}

describe('duplicatePairs', () => {
  const { vectors, clusters, loose } = library();

  it.each(['exact', 'hnsw'] as const)('groups tight clusters and nothing else (%s index)', (kind) => {
    const groups = groupsOf(indexOf(kind, vectors), vectors, THRESHOLD);
    const expected = [...clusters].sort((a, b) => b.length - a.length || a[0] - b[0]);
    expect(groups).toEqual(expected);
    for (const [a, b] of loose) expect(groups.some((g) => g.includes(a) && g.includes(b))).toBe(false);
  });

  it('is deterministic whatever the order of the input', () => {
    const index = indexOf('hnsw', vectors);
    const shuffled = new Map([...vectors].reverse());
    expect(duplicatePairs(index, shuffled, THRESHOLD)).toEqual(duplicatePairs(index, vectors, THRESHOLD));
  });

  it('finds every member of a group larger than the neighbours asked per image', () => {
    const original = vectors.get(10) as Float32Array;
    const many = new Map(vectors);
    for (let i = 0; i < 40; i++) many.set(5000 + i, Float32Array.from(original));
    const groups = groupsOf(indexOf('hnsw', many), many, THRESHOLD, { neighbours: 4 });
    expect(groups[0]).toHaveLength(41);
    expect(groups[0][0]).toBe(10);
  });

  it('a lower threshold also joins loose neighbours; progress reaches the total', () => {
    let last = [0, 0];
    const groups = groupsOf(indexOf('exact', vectors), vectors, 0.8, { onProgress: (d, t) => (last = [d, t]) });
    for (const [a, b] of loose) expect(groups.some((g) => g.includes(a) && g.includes(b))).toBe(true);
    expect(last).toEqual([vectors.size, vectors.size]);
  });

  it('centred groups keep a photo with its crops, which do not pair with each other', () => {
    // 1 is a photo; 2, 3, 4 are crops of different corners of it (each pairs with 1 only), 5 a re-encode of 1 (pairs with all).
    const pairs = [[1, 2], [1, 3], [1, 4], [1, 5], [5, 2], [5, 3], [5, 4]].map(([a, b]) => ({ a, b, score: 0.97 }));
    expect(centredGroups(pairs)).toEqual([[1, 2, 3, 4, 5]]);
    // 1 and 5 would keep as many: the better one (say, more pixels) is the centre.
    expect(centredGroups(pairs, undefined, (id) => (id === 5 ? 2 : 1))).toEqual([[5, 1, 2, 3, 4]]);
  });

  it('centred groups do not let one photo gather unrelated ones', () => {
    // 10 lines up with its copies 11-13 (which line up with each other) and with unrelated 20, 21, 22
    // (a grey square lines up with every square); 20 and 21 also line up with each other.
    const pairs = [[10, 11], [10, 12], [10, 13], [11, 12], [11, 13], [12, 13], [10, 20], [10, 21], [10, 22], [20, 21]].map(([a, b]) => ({ a, b, score: 0.98 }));
    const groups = centredGroups(pairs);
    expect(groups[0]).toEqual([10, 11, 12, 13]);
    // The strays left over group among themselves only where they pair.
    expect(groups.slice(1)).toEqual([[20, 21]]);
    expect(centredGroups([...pairs].reverse())).toEqual(groups);
  });

  it('rejects a threshold outside cosine range', () => {
    expect(() => duplicatePairs(new ExactIndex(dim), vectors, 1.5)).toThrow(/threshold/);
  });
});

describe('BestPairs and PairSet', () => {
  it('keep each pair once, either way round, with the best score it was seen with', () => {
    const best = new BestPairs();
    best.keep(7, 3, 0.96);
    best.keep(3, 7, 0.97);
    best.keep(3, 7, 0.95);
    best.keep(1, 3, 0.99);
    best.keep(3, 1, 0.98);
    expect(best.all()).toEqual([{ a: 3, b: 7, score: 0.97 }, { a: 1, b: 3, score: 0.99 }]);
    expect(best.sorted()).toEqual([{ a: 1, b: 3, score: 0.99 }, { a: 3, b: 7, score: 0.97 }]);
    const set = new PairSet();
    set.add(7, 3);
    expect([set.has(3, 7), set.has(7, 3), set.has(3, 1), set.has(7, 7)]).toEqual([true, true, false, false]);
  });
});
