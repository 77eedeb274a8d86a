import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../../src-main/search/exact-index.js';
import { createIndex, crossoverSize, loadIndex, MEASURED_CROSSOVER, PROJECTED_FROM_DIM } from '../../../src-main/search/live-index.js';
import { FIRST_FIT } from '../../../src-main/search/projected-index.js';
import { lowRankVectors } from './synthetic-vectors.js';
import { useTempDirs } from './temp-dir.js';

describe('createIndex / loadIndex', () => {
  const tempDir = useTempDirs();
  const dim = 64;
  const crossover = crossoverSize(dim);
  const set = lowRankVectors({ n: crossover * 3, dim, seed: 5 });
  const ids = set.rows.map((_, i) => i);
  const queries = set.more(30);

  it('uses the measured crossover sizes and interpolates between them', () => {
    for (const { dim: d, size } of MEASURED_CROSSOVER) expect(crossoverSize(d)).toBe(size);
    const [low, high] = MEASURED_CROSSOVER;
    const mid = crossoverSize(Math.round(Math.sqrt(low.dim * high.dim)));
    expect(mid).toBeGreaterThan(Math.min(low.size, high.size));
    expect(mid).toBeLessThan(Math.max(low.size, high.size));
  });

  it('starts exact for a small library and switches to HNSW as it grows, answering the same', () => {
    const index = createIndex(dim, 10);
    expect(index.kind).toBe('exact');
    const reference = new ExactIndex(dim);
    for (let start = 0; start < ids.length; start += 50) {
      index.add(ids.slice(start, start + 50), set.rows.slice(start, start + 50));
    }
    reference.add(ids, set.rows);
    expect(index.kind).toBe('hnsw');
    expect(index.size).toBe(ids.length);
    for (const q of queries) expect(index.search(q, 5).map((h) => h.id)).toEqual(reference.search(q, 5).map((h) => h.id));
  });

  it('starts with HNSW when the expected size is past the crossover', () => {
    expect(createIndex(dim, crossover + 1).kind).toBe('hnsw');
    expect(createIndex(dim, crossover).kind).toBe('exact');
  });

  it('loads back whichever kind was saved, with the same answers', () => {
    for (const n of [crossover - 1, crossover * 2]) {
      const index = createIndex(dim);
      index.add(ids.slice(0, n), set.rows.slice(0, n));
      index.remove(ids[3]);
      const file = join(tempDir(), `${n}.idx`);
      index.save(file);
      const loaded = loadIndex(file);
      expect(loaded.kind).toBe(index.kind);
      expect(loaded.size).toBe(n - 1);
      expect(loaded.has(ids[3])).toBe(false);
      const live = ids.slice(0, n).filter((id) => id !== ids[3]);
      expect(index.ids().sort((a, b) => a - b)).toEqual(live);
      expect(loaded.ids().sort((a, b) => a - b)).toEqual(live);
      for (const q of queries) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    }
  });

  it('serves wide embeddings with a projected graph, saved and loaded as such', () => {
    const wide = PROJECTED_FROM_DIM;
    const n = Math.max(crossoverSize(wide), FIRST_FIT) + 100;
    const wideSet = lowRankVectors({ n, dim: wide, seed: 6 });
    const wideIds = wideSet.rows.map((_, i) => i);
    const wideQueries = wideSet.more(20);
    expect(createIndex(wide, n).kind).toBe('projected');
    expect(createIndex(wide - 1, n).kind).toBe('hnsw');
    const index = createIndex(wide);
    for (let start = 0; start < n; start += 100) index.add(wideIds.slice(start, start + 100), wideSet.rows.slice(start, start + 100));
    expect(index.kind).toBe('projected');
    const reference = new ExactIndex(wide);
    reference.add(wideIds, wideSet.rows);
    let found = 0;
    for (const q of wideQueries) {
      const truth = new Set(reference.search(q, 10).map((h) => h.id));
      found += index.search(q, 10).filter((h) => truth.has(h.id)).length;
    }
    expect(found / (10 * wideQueries.length)).toBeGreaterThanOrEqual(0.99);
    const file = join(tempDir(), 'wide.idx');
    index.save(file);
    const loaded = loadIndex(file);
    expect(loaded.kind).toBe('projected');
    for (const q of wideQueries) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
  });

  it('grown in steps, moves from a full scan to a projected graph as add() does, giving the thread back on the way', async () => {
    const wide = PROJECTED_FROM_DIM;
    const n = Math.max(crossoverSize(wide), FIRST_FIT) + 100;
    const wideSet = lowRankVectors({ n, dim: wide, seed: 9 });
    const wideIds = wideSet.rows.map((_, i) => i);
    const plain = createIndex(wide);
    const stepped = createIndex(wide);
    let pauses = 0;
    const pause = () => new Promise((r) => setImmediate(() => r(pauses++)));
    for (let start = 0; start < n; start += 100) {
      plain.add(wideIds.slice(start, start + 100), wideSet.rows.slice(start, start + 100));
      await stepped.addInSteps(wideIds.slice(start, start + 100), wideSet.rows.slice(start, start + 100), pause);
    }
    expect(stepped.kind).toBe('projected');
    expect(pauses).toBeGreaterThan(5);
    for (const q of wideSet.more(20)) expect(stepped.search(q, 10)).toEqual(plain.search(q, 10));
  });

  it('gives back each live vector as its unit copy, in every kind and after loading, and nothing for a removed one', () => {
    // Hard pairs read the anchors' vectors from the index instead of the whole feature store.
    const unit = (v: Float32Array) => {
      const norm = Math.hypot(...v);
      return Array.from(v, (x) => x / norm);
    };
    const wide = PROJECTED_FROM_DIM;
    const wideSet = lowRankVectors({ n: FIRST_FIT + 10, dim: wide, seed: 7 });
    const cases = [
      { dim, rows: set.rows.slice(0, 20), expected: 20, kind: 'exact' },
      { dim, rows: set.rows, expected: set.rows.length, kind: 'hnsw' },
      { dim: wide, rows: wideSet.rows, expected: wideSet.rows.length, kind: 'projected' },
    ];
    for (const c of cases) {
      const index = createIndex(c.dim, c.expected);
      index.add(c.rows.map((_, i) => i), c.rows);
      expect(index.kind).toBe(c.kind);
      index.remove(3);
      const file = join(tempDir(), `${c.kind}-vectors.idx`);
      index.save(file);
      for (const held of [index, loadIndex(file)]) {
        expect(held.vector(3)).toBeUndefined();
        expect(held.vector(c.rows.length + 5)).toBeUndefined();
        for (const id of [0, 7, c.rows.length - 1]) {
          const got = held.vector(id) as Float32Array;
          expect(got).toBeInstanceOf(Float32Array);
          unit(c.rows[id]).forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
        }
      }
    }
  });
});
