import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../../src-main/search/exact-index.js';
import { IndexFileError, sidecarPath } from '../../../src-main/search/index-file.js';
import { FIRST_FIT, ProjectedIndex, REFIT_GROWTH, REFIT_UNTIL } from '../../../src-main/search/projected-index.js';
import type { VectorIndex } from '../../../src-main/search/vector-index.js';
import { lowRankVectors } from './synthetic-vectors.js';
import { useTempDirs } from './temp-dir.js';

function recallAt10(index: VectorIndex, reference: ExactIndex, queries: Float32Array[]): number {
  let found = 0;
  for (const q of queries) {
    const truth = new Set(reference.search(q, 10).map((h) => h.id));
    for (const hit of index.search(q, 10)) if (truth.has(hit.id)) found++;
  }
  return found / (10 * queries.length);
}

describe('ProjectedIndex', () => {
  const tempDir = useTempDirs();
  // The dimension the app's untrained model produces, with the default settings.
  const dim = 1280;
  const n = 2000;
  const set = lowRankVectors({ n, dim, seed: 31 });
  const ids = set.rows.map((_, i) => 5000 + i);
  const queries = set.more(100);
  const exact = new ExactIndex(dim, n);
  exact.add(ids, set.rows);
  const shared = new ProjectedIndex(dim);
  shared.add(ids, set.rows);

  it('finds at least 99 % of the exact top 10, with true full-dimension cosine scores', () => {
    expect(shared.fittedOn).toBe(n);
    expect(recallAt10(shared, exact, queries)).toBeGreaterThanOrEqual(0.99);
    for (const q of queries.slice(0, 20)) {
      const byId = new Map(exact.search(q, 50).map((h) => [h.id, h.score]));
      const hits = shared.search(q, 10);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      for (const hit of hits) expect(hit.score).toBeCloseTo(byId.get(hit.id) as number, 5);
    }
  });

  it('answers exactly by a full scan until it has enough vectors to fit a projection', () => {
    const index = new ProjectedIndex(dim);
    index.add(ids.slice(0, FIRST_FIT - 1), set.rows.slice(0, FIRST_FIT - 1));
    expect(index.fittedOn).toBe(0);
    const reference = new ExactIndex(dim);
    reference.add(ids.slice(0, FIRST_FIT - 1), set.rows.slice(0, FIRST_FIT - 1));
    for (const q of queries.slice(0, 10)) expect(index.search(q, 10)).toEqual(reference.search(q, 10));
  });

  it('applies minScore, maxScore and exclude like exact search', () => {
    for (const q of [set.rows[5], ...queries.slice(0, 10)]) {
      const scores = exact.search(q, 40).map((h) => h.score);
      const opts = { minScore: scores[30], maxScore: scores[4], exclude: ids[5] };
      const want = exact.search(q, 20, opts).map((h) => h.id);
      const hits = shared.search(q, 20, opts);
      expect(hits.filter((h) => want.includes(h.id)).length).toBeGreaterThanOrEqual(19);
      for (const hit of hits) {
        expect(hit.score).toBeGreaterThanOrEqual(opts.minScore);
        expect(hit.score).toBeLessThanOrEqual(opts.maxScore);
        expect(hit.id).not.toBe(ids[5]);
      }
    }
    expect(shared.search(set.rows[5], 10, { exclude: ids[5] })).toHaveLength(10);
    // A maxScore that drops far more than the usual candidates still yields k hits.
    const q = set.rows[9];
    const cut = exact.search(q, 200)[150].score;
    expect(shared.search(q, 10, { maxScore: cut })).toHaveLength(10);
  });

  it('saves and loads to the same answers, and keeps growing after loading', () => {
    const file = join(tempDir(), 'model-1.idx');
    shared.save(file);
    const loaded = ProjectedIndex.load(file);
    expect(loaded.size).toBe(n);
    expect(loaded.fittedOn).toBe(shared.fittedOn);
    expect(loaded.settings).toEqual(shared.settings);
    expect(loaded.ids().sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const q of queries.slice(0, 30)) expect(loaded.search(q, 10)).toEqual(shared.search(q, 10));
    const extra = set.more(1)[0];
    loaded.add([1], [extra]);
    expect(loaded.search(extra, 1)[0]).toMatchObject({ id: 1 });
  });

  it('saves and loads before a projection is fitted', () => {
    const index = new ProjectedIndex(dim);
    index.add(ids.slice(0, 50), set.rows.slice(0, 50));
    const file = join(tempDir(), 'small.idx');
    index.save(file);
    const loaded = ProjectedIndex.load(file);
    expect(loaded.fittedOn).toBe(0);
    for (const q of queries.slice(0, 5)) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
  });

  it('never returns a removed id, also after save and load, and takes it back when re-added', () => {
    const index = new ProjectedIndex(dim);
    index.add(ids.slice(0, FIRST_FIT + 100), set.rows.slice(0, FIRST_FIT + 100));
    expect(index.fittedOn).toBeGreaterThan(0);
    const rows = [0, 7, 42];
    for (const row of rows) index.remove(ids[row]);
    index.remove(ids[0]); // twice: ignored
    expect(index.size).toBe(FIRST_FIT + 97);
    const check = (ix: ProjectedIndex): void => {
      for (const row of rows) {
        expect(ix.has(ids[row])).toBe(false);
        expect(ix.ids()).not.toContain(ids[row]);
        const hits = ix.search(set.rows[row], 50);
        expect(hits.map((h) => h.id)).not.toContain(ids[row]);
        expect(hits).toHaveLength(50);
      }
    };
    check(index);
    const file = join(tempDir(), 'removed.idx');
    index.save(file);
    const loaded = ProjectedIndex.load(file);
    check(loaded);
    loaded.add([ids[7]], [set.rows[7]]);
    expect(loaded.has(ids[7])).toBe(true);
    expect(loaded.search(set.rows[7], 1)[0]).toMatchObject({ id: ids[7] });
  });

  it('refuses a data file whose parts do not match its sidecar', () => {
    const dir = tempDir();
    const file = join(dir, 'a.idx');
    const index = new ProjectedIndex(dim);
    index.add(ids.slice(0, 20), set.rows.slice(0, 20));
    index.save(file);
    const sidecar = JSON.parse(readFileSync(sidecarPath(file), 'utf8')) as { projected: { vectorBytes: number; projectionBytes: number } };
    sidecar.projected.vectorBytes -= 4;
    sidecar.projected.projectionBytes += 4;
    writeFileSync(sidecarPath(file), JSON.stringify(sidecar));
    expect(() => ProjectedIndex.load(file)).toThrow(IndexFileError);
    expect(() => ProjectedIndex.load(join(dir, 'missing.idx'))).toThrow(IndexFileError);
  });
});

describe('ProjectedIndex growth', () => {
  // Narrower vectors keep the refits quick; the rules do not depend on the dimension.
  const dim = 256;
  const chunk = FIRST_FIT / 2;
  const total = REFIT_UNTIL + 4 * chunk;
  const set = lowRankVectors({ n: total, dim, seed: 8 });
  const ids = set.rows.map((_, i) => i);
  const queries = set.more(100);

  it('refits its projection as it grows past the size it was fitted on, keeping recall', () => {
    const index = new ProjectedIndex(dim, { reducedDim: 48 });
    const fits: number[] = [];
    const reference = new ExactIndex(dim, total);
    for (let start = 0; start < total; start += chunk) {
      const end = Math.min(total, start + chunk);
      index.add(ids.slice(start, end), set.rows.slice(start, end));
      reference.add(ids.slice(start, end), set.rows.slice(start, end));
      if (index.fittedOn !== (fits.at(-1) ?? 0)) fits.push(index.fittedOn);
      // Vectors added after the fit go into the graph and are found.
      if (index.fittedOn > 0) expect(index.search(set.rows[end - 1], 1)[0].id).toBe(end - 1);
    }
    expect(fits[0]).toBeGreaterThanOrEqual(FIRST_FIT);
    for (let i = 1; i < fits.length; i++) expect(fits[i]).toBeGreaterThanOrEqual(REFIT_GROWTH * fits[i - 1]);
    // It stops refitting once it was fitted on REFIT_UNTIL vectors: later growth only adds to the graph.
    expect(fits.at(-1)).toBeGreaterThanOrEqual(REFIT_UNTIL);
    expect(fits.at(-1)).toBeLessThan(total);
    expect(recallAt10(index, reference, queries)).toBeGreaterThanOrEqual(0.99);
  });
});

describe('ProjectedIndex.addInSteps', () => {
  // A duplicates search reads a library's descriptors into one of these on the engine's thread.
  const dim = 600;
  const n = FIRST_FIT * REFIT_GROWTH;
  const set = lowRankVectors({ n, dim, seed: 12 });
  const ids = set.rows.map((_, i) => 100 + i);
  const queries = set.more(40);
  const chunk = FIRST_FIT / 2;

  async function grown(removeMeanwhile?: number): Promise<{ index: ProjectedIndex; pauses: number }> {
    const index = new ProjectedIndex(dim);
    let pauses = 0;
    for (let start = 0; start < n; start += chunk) {
      const pause = async () => {
        pauses++;
        // Other work at a pause: a photo leaves the library while its index is rebuilt.
        if (removeMeanwhile !== undefined && index.has(removeMeanwhile)) index.remove(removeMeanwhile);
        await new Promise((r) => setImmediate(r));
      };
      await index.addInSteps(ids.slice(start, start + chunk), set.rows.slice(start, start + chunk), pause);
    }
    return { index, pauses };
  }

  it('makes the index add() makes, giving the thread back through each fit and rebuild', async () => {
    const plain = new ProjectedIndex(dim);
    for (let start = 0; start < n; start += chunk) plain.add(ids.slice(start, start + chunk), set.rows.slice(start, start + chunk));
    const { index, pauses } = await grown();
    expect(index.fittedOn).toBe(plain.fittedOn);
    expect(index.fittedOn).toBe(n);
    // Two fits (at FIRST_FIT and at REFIT_GROWTH times that), each in many steps.
    expect(pauses).toBeGreaterThan(20);
    for (const q of queries) expect(index.search(q, 10)).toEqual(plain.search(q, 10));
  });

  it('leaves out a vector removed while it rebuilt', async () => {
    const gone = ids[7];
    const { index } = await grown(gone);
    expect(index.has(gone)).toBe(false);
    expect(index.size).toBe(n - 1);
    expect(index.search(set.rows[7], 5).map((h) => h.id)).not.toContain(gone);
  });
});
