import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../../src-main/search/exact-index.js';
import { HnswIndex } from '../../../src-main/search/hnsw-index.js';
import { IndexFileError, sidecarPath } from '../../../src-main/search/index-file.js';
import { lowRankVectors } from './synthetic-vectors.js';
import { useTempDirs } from './temp-dir.js';

function recallAt10(index: HnswIndex, reference: ExactIndex, queries: Float32Array[]): number {
  let found = 0;
  for (const q of queries) {
    const truth = new Set(reference.search(q, 10).map((h) => h.id));
    for (const hit of index.search(q, 10)) if (truth.has(hit.id)) found++;
  }
  return found / (10 * queries.length);
}

describe('HnswIndex', () => {
  const tempDir = useTempDirs();
  const dim = 128;
  const n = 4000;
  const set = lowRankVectors({ n, dim, seed: 21 });
  const ids = set.rows.map((_, i) => 1000 + i);
  const queries = set.more(200);
  const exact = new ExactIndex(dim, n);
  exact.add(ids, set.rows);
  // Built once, starting far below n to exercise geometric growth; tests that mutate build their own.
  const shared = new HnswIndex(dim, { capacity: 100 });
  shared.add(ids, set.rows);

  it('never scores above 1: a max score of 1 keeps a vector found against itself', () => {
    for (const [i, row] of set.rows.slice(0, 300).entries()) {
      const hits = shared.search(row, 3, { maxScore: 1 });
      expect(hits[0]?.score).toBeLessThanOrEqual(1);
      expect(hits.map((h) => h.id)).toContain(ids[i]);
    }
  });

  it('finds at least 99 % of the exact top 10 with default settings', () => {
    expect(recallAt10(shared, exact, queries)).toBeGreaterThanOrEqual(0.99);
  });

  it('reports cosine scores that agree with exact search, best first', () => {
    for (const q of queries.slice(0, 20)) {
      const hits = shared.search(q, 10);
      const byId = new Map(exact.search(q, 50).map((h) => [h.id, h.score]));
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      for (const hit of hits) expect(hit.score).toBeCloseTo(byId.get(hit.id) as number, 4);
    }
  });

  it('grows past its initial capacity, geometrically', () => {
    const index = new HnswIndex(dim, { capacity: 16 });
    for (let i = 0; i < 100; i++) index.add([ids[i]], [set.rows[i]]);
    expect(index.size).toBe(100);
    expect(index.capacity).toBeGreaterThanOrEqual(100);
    expect(index.capacity).toBeLessThan(400);
    expect(index.search(set.rows[99], 1)[0].id).toBe(ids[99]);
  });

  it('saves and loads to the same answers, with ef restored', () => {
    const index = new HnswIndex(dim, { capacity: 600, ef: 40 });
    index.add(ids.slice(0, 500), set.rows.slice(0, 500));
    const file = join(tempDir(), 'model-1.hnsw');
    index.save(file);
    const loaded = HnswIndex.load(file);
    expect(loaded.ef).toBe(40);
    expect(loaded.size).toBe(500);
    expect(loaded.settings).toEqual(index.settings);
    for (const q of queries.slice(0, 30)) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    // A loaded index keeps accepting vectors.
    loaded.add([ids[600]], [set.rows[600]]);
    expect(loaded.search(set.rows[600], 1)[0].id).toBe(ids[600]);
  });

  it('never returns a removed id, also after save and load, and takes it back when re-added', () => {
    const index = new HnswIndex(dim, { capacity: 300 });
    index.add(ids.slice(0, 300), set.rows.slice(0, 300));
    const removed = [ids[0], ids[7], ids[42]];
    for (const id of removed) index.remove(id);
    index.remove(ids[0]); // twice: ignored
    expect(index.size).toBe(297);
    const check = (ix: HnswIndex): void => {
      for (const id of removed) expect(ix.has(id)).toBe(false);
      for (const row of [0, 7, 42]) {
        const hits = ix.search(set.rows[row], 300);
        expect(hits.map((h) => h.id)).not.toContain(ids[row]);
        expect(hits).toHaveLength(297);
      }
    };
    check(index);
    const file = join(tempDir(), 'removed.hnsw');
    index.save(file);
    const loaded = HnswIndex.load(file);
    check(loaded);
    loaded.add([ids[7]], [set.rows[7]]);
    expect(loaded.has(ids[7])).toBe(true);
    expect(loaded.search(set.rows[7], 1)[0]).toMatchObject({ id: ids[7] });
  });

  it('applies minScore, maxScore and exclude like exact search', () => {
    for (const q of [set.rows[5], ...queries.slice(0, 10)]) {
      const scores = exact.search(q, 40).map((h) => h.score);
      const opts = { minScore: scores[30], maxScore: scores[4], exclude: ids[5] };
      const want = exact.search(q, 20, opts).map((h) => h.id);
      const got = shared.search(q, 20, opts).map((h) => h.id);
      expect(got.filter((id) => want.includes(id)).length).toBeGreaterThanOrEqual(19);
      for (const hit of shared.search(q, 20, opts)) {
        expect(hit.score).toBeGreaterThanOrEqual(opts.minScore);
        expect(hit.score).toBeLessThanOrEqual(opts.maxScore);
        expect(hit.id).not.toBe(ids[5]);
      }
    }
    // Excluding the query's own id still returns k hits.
    expect(shared.search(set.rows[5], 10, { exclude: ids[5] })).toHaveLength(10);
  });

  it('returns at most size hits, and none from an empty index', () => {
    const index = new HnswIndex(dim);
    expect(index.search(queries[0], 10)).toEqual([]);
    index.add(ids.slice(0, 3), set.rows.slice(0, 3));
    expect(index.search(queries[0], 10)).toHaveLength(3);
    expect(index.search(queries[0], 0)).toEqual([]);
  });

  it('rejects wrong dimensions and bad ids with clear errors', () => {
    const index = new HnswIndex(4);
    expect(() => index.add([1], [new Float32Array(5)])).toThrow(/id 1 has 5 values.*dimension 4/);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/query has 3 values.*dimension 4/);
    expect(() => index.add([2 ** 32], [new Float32Array([1, 0, 0, 0])])).toThrow(/ids must be integers/);
  });

  it('refuses an index whose sidecar is missing, malformed or from another save', () => {
    const dir = tempDir();
    const file = join(dir, 'a.hnsw');
    const index = new HnswIndex(dim);
    index.add(ids.slice(0, 20), set.rows.slice(0, 20));
    index.save(file);
    const sidecar = readFileSync(sidecarPath(file), 'utf8');
    writeFileSync(sidecarPath(file), '{"format":"something else"}');
    expect(() => HnswIndex.load(file)).toThrow(IndexFileError);
    // A data file from a later save with the old sidecar: sizes differ.
    index.add(ids.slice(20, 40), set.rows.slice(20, 40));
    index.save(join(dir, 'b.hnsw'));
    writeFileSync(file, readFileSync(join(dir, 'b.hnsw')));
    writeFileSync(sidecarPath(file), sidecar);
    expect(() => HnswIndex.load(file)).toThrow(/interrupted save/);
    expect(() => HnswIndex.load(join(dir, 'missing.hnsw'))).toThrow(IndexFileError);
  });
});
