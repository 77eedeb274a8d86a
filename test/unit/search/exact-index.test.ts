import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../../src-main/search/exact-index.js';
import { IndexFileError } from '../../../src-main/search/index-file.js';
import { lowRankVectors } from './synthetic-vectors.js';
import { useTempDirs } from './temp-dir.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

describe('ExactIndex', () => {
  const tempDir = useTempDirs();
  const dim = 37; // not a multiple of 4, to exercise the dot product's tail
  const set = lowRankVectors({ n: 300, dim, rank: 8, seed: 3 });
  const ids = set.rows.map((_, i) => i * 10 + 5);

  it('returns the k highest cosine similarities, best first', () => {
    const index = new ExactIndex(dim, 4); // small capacity: must grow
    index.add(ids, set.rows);
    const [query] = set.more(1);
    const expected = ids
      .map((id, i) => ({ id, score: cosine(query, set.rows[i]) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 7);
    const hits = index.search(query, 7);
    expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i].score, 5));
  });

  it('scores a vector against itself 1 or a hair below, never above: a max score of 1 keeps it', () => {
    // Float rounding put such a cosine at 1.000000020922562, and maxScore 1 dropped the original.
    const index = new ExactIndex(dim);
    index.add(ids, set.rows);
    for (const [i, row] of set.rows.entries()) {
      const [hit] = index.search(row, 1, { maxScore: 1 });
      expect(hit?.id).toBe(ids[i]);
      expect(hit.score).toBeLessThanOrEqual(1);
      expect(hit.score).toBeCloseTo(1, 6);
    }
  });

  it('normalises vectors itself, so scores are cosines even for unnormalised input', () => {
    const index = new ExactIndex(2);
    index.add([1, 2], [new Float32Array([3, 0]), new Float32Array([5, 5])]);
    const hits = index.search(new Float32Array([0.5, 0]), 2);
    expect(hits[0]).toEqual({ id: 1, score: 1 });
    expect(hits[1].id).toBe(2);
    expect(hits[1].score).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('replaces the vector of an id added twice and forgets removed ids', () => {
    const index = new ExactIndex(2);
    index.add([1, 2, 3], [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([1, 1])]);
    index.add([1], [new Float32Array([0, 1])]);
    expect(index.size).toBe(3);
    expect(index.search(new Float32Array([0, 1]), 2).map((h) => h.id)).toEqual([1, 2]);
    index.remove(1);
    index.remove(99); // unknown: ignored
    expect(index.has(1)).toBe(false);
    expect(index.size).toBe(2);
    expect(index.search(new Float32Array([0, 1]), 3).map((h) => h.id)).toEqual([2, 3]);
  });

  it('applies minScore, maxScore and exclude', () => {
    const index = new ExactIndex(2);
    const angles = [0, 10, 20, 30, 40, 50];
    index.add(angles, angles.map((a) => new Float32Array([Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)])));
    const query = new Float32Array([1, 0]);
    const ids = (opts: Parameters<ExactIndex['search']>[2]): number[] => index.search(query, 10, opts).map((h) => h.id);
    expect(ids({ minScore: Math.cos((25 * Math.PI) / 180) })).toEqual([0, 10, 20]);
    expect(ids({ maxScore: Math.cos((15 * Math.PI) / 180) })).toEqual([20, 30, 40, 50]);
    expect(ids({ exclude: 0, minScore: 0.9 })).toEqual([10, 20]);
    expect(index.search(query, 2, { exclude: 0 }).map((h) => h.id)).toEqual([10, 20]);
  });

  it('saves and loads to the same answers', () => {
    const index = new ExactIndex(dim);
    index.add(ids, set.rows);
    index.remove(ids[0]);
    const file = join(tempDir(), 'exact.idx');
    index.save(file);
    const loaded = ExactIndex.load(file);
    expect(loaded.size).toBe(index.size);
    expect(loaded.has(ids[0])).toBe(false);
    for (const q of set.more(5)) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
  });

  it('rejects wrong dimensions, bad ids and zero vectors with clear errors', () => {
    const index = new ExactIndex(3);
    expect(() => index.add([1], [new Float32Array(4)])).toThrow(/id 1 has 4 values.*dimension 3/);
    expect(() => index.search(new Float32Array(2), 1)).toThrow(/query has 2 values.*dimension 3/);
    expect(() => index.add([-1], [new Float32Array([1, 0, 0])])).toThrow(/ids must be integers/);
    expect(() => index.add([1.5], [new Float32Array([1, 0, 0])])).toThrow(/ids must be integers/);
    expect(() => index.add([1], [new Float32Array(3)])).toThrow(/zero length/);
    expect(() => index.add([1, 2], [new Float32Array([1, 0, 0])])).toThrow(/2 ids but 1 vectors/);
  });

  it('refuses to load a data file that does not match its sidecar', async () => {
    const { appendFileSync } = await import('node:fs');
    const index = new ExactIndex(dim);
    index.add(ids.slice(0, 10), set.rows.slice(0, 10));
    const file = join(tempDir(), 'exact.idx');
    index.save(file);
    appendFileSync(file, Buffer.alloc(4));
    expect(() => ExactIndex.load(file)).toThrow(IndexFileError);
  });
});
