// Marks teach: a library with no labels at all, where the user's "alike" / "not alike" marks on
// look-alikes are the only teaching. Real CNN features of generated photos, the real engine.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { whyNotActivate } from '../../../src-main/engine/learning.js';
import { MIN_MARKS } from '../../../src-main/engine/training-data.js';
import { finishJob, labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let engine: Engine;
/** The truth the simulated user knows: each photo's kind (its folder). */
const kindOf = new Map<number, string>();

beforeAll(async () => {
  ({ work, engine } = await labelledLibrary('lookalike-marks-', 6, ['rings', 'discs', 'checkers', 'stripes']));
  for (const l of await engine.call('labels', {})) {
    const items = (await engine.call('listImages', { label: l.name })).items;
    for (const i of items) kindOf.set(i.id, l.name);
    await engine.call('removeLabel', { label: l.name, ids: items.map((i) => i.id) });
  }
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Marks the top `k` look-alikes of each of `queries` as the truth says. */
async function markLookalikes(queries: number[], k: number): Promise<void> {
  for (const q of queries) {
    for (const h of (await engine.call('similar', { id: q, k })).hits) {
      await engine.call('markPair', { a: q, b: h.id, verdict: kindOf.get(h.id) === kindOf.get(q) ? 'match' : 'mismatch' });
    }
  }
}

describe('training from marks alone', () => {
  it('refuses before enough marks, saying how many of each are needed and how many there are', async () => {
    expect((await engine.call('labels', {})).filter((l) => l.count > 0)).toEqual([]);
    const ids = [...kindOf.keys()];
    await engine.call('markPair', { a: ids[0], b: ids[1], verdict: 'match' });
    const r = await engine.call('trainReadiness', {});
    expect(r).toMatchObject({ ready: false, labels: 0, alike: 1, notAlike: 0, minMarks: MIN_MARKS });
    expect(r.why).toContain(`mark at least ${MIN_MARKS} look-alikes “alike” and ${MIN_MARKS} “not alike” (you have 1 and 0)`);
    await expect(engine.call('train', { epochs: 2 })).rejects.toThrow(`mark at least ${MIN_MARKS} look-alikes`);
    await engine.call('unmarkPair', { a: ids[0], b: ids[1] });
  });

  it('trains a model from marks, judges it on held-back marks and says what it was taught from', async () => {
    const ids = [...kindOf.keys()].sort((a, b) => a - b);
    await markLookalikes(ids.filter((_, i) => i % 2 === 0), 8);
    const marks = (await engine.call('pairs', {})).length; // a pair marked from both ends counts once
    const ready = await engine.call('trainReadiness', {});
    expect(ready.ready).toBe(true);
    expect(ready.alike + ready.notAlike).toBe(marks);
    expect(ready.alike).toBeGreaterThanOrEqual(MIN_MARKS);
    expect(ready.notAlike).toBeGreaterThanOrEqual(MIN_MARKS);

    const job = await finishJob(engine, await engine.call('train', { loss: 'contrastive', epochs: 6, seed: 2 }));
    expect(job.state).toBe('done');
    const r = job.result!;
    if (r.kind !== 'train') throw new Error('not a training result');
    expect(r.modelId).not.toBeNull();
    // No label to measure retrieval by: the marks judge.
    expect(r.before).toBeNull();
    expect(r.after).toBeNull();
    expect(r.taughtFrom.labels).toBe(0);
    expect(r.taughtFrom.alike + r.taughtFrom.notAlike + r.taughtFrom.heldBack).toBe(marks);
    expect(r.taughtFrom.heldBack).toBeGreaterThan(0);
    expect(r.taughtFrom.groups).toBeGreaterThan(0);
    expect(r.marksBefore!.alike + r.marksBefore!.notAlike).toBe(r.taughtFrom.heldBack);
    expect(r.marksAfter!.auc).toBeGreaterThanOrEqual(0);
    // Neighbourhoods moved are measured on photos nobody marked, when there are enough of them.
    const touched = new Set((await engine.call('pairs', {})).flatMap((p) => [p.a, p.b]));
    if (kindOf.size - touched.size < 12) expect(r.neighbourOverlap).toBeNull();
    else expect(r.neighbourOverlap).toBeGreaterThan(0);
    // Made active exactly when it ranks the held-back marks no worse than the model it replaces.
    expect(r.activated).toBe(r.marksAfter!.auc >= r.marksBefore!.auc);
    expect((await engine.call('status', {})).activeModel?.id ?? null).toBe(r.activated ? r.modelId : null);
    const model = (await engine.call('models', {})).find((m) => m.id === r.modelId)!;
    expect(model.taughtFrom).toEqual(r.taughtFrom);
    expect(model.marksAfter).toEqual(r.marksAfter);
  }, 120_000);

  it('refines a query with its marks at once, and shows the marked photos as marked', async () => {
    await engine.call('useModel', { id: null });
    const q = [...kindOf.keys()].sort((a, b) => a - b)[0];
    const mine = await engine.call('pairs', { ids: [q] });
    expect(mine.length).toBeGreaterThan(0);
    const plain = await engine.call('similar', { id: q, k: 23 });
    const refined = await engine.call('similar', { id: q, k: 23, refine: true });
    const verdictOf = new Map(mine.map((p) => [p.a === q ? p.b : p.a, p.verdict]));
    expect(refined.refined).toEqual({
      alike: mine.filter((p) => p.verdict === 'match').length,
      notAlike: mine.filter((p) => p.verdict === 'mismatch').length,
    });
    for (const result of [plain, refined]) {
      for (const h of result.hits) expect(h.verdict).toBe(verdictOf.get(h.id));
    }
    expect(plain.refined).toBeUndefined();
    // Every "alike" photo ranks above every "not alike" one once the query is refined.
    const rank = (id: number) => refined.hits.findIndex((h) => h.id === id);
    const alikeRanks = [...verdictOf].filter(([, v]) => v === 'match').map(([id]) => rank(id));
    const notRanks = [...verdictOf].filter(([, v]) => v === 'mismatch').map(([id]) => rank(id));
    if (notRanks.length) expect(Math.max(...alikeRanks)).toBeLessThan(Math.min(...notRanks));
  });

  it('proposes pairs to review near the marks, with no label in the library', async () => {
    const proposals = await engine.call('hardPairs', { limit: 10 });
    expect(proposals.length).toBeGreaterThan(0);
    expect(new Set(proposals.map((p) => p.reason))).toEqual(new Set(['uncertain-near-marks']));
    const marked = new Set((await engine.call('pairs', {})).flatMap((p) => [p.a, p.b]));
    for (const p of proposals) expect(marked.has(p.a.id) || marked.has(p.b.id)).toBe(true);
  });
});

describe('whyNotActivate', () => {
  it('keeps a model that ranks held-back marks worse out of use, and says why', () => {
    expect(whyNotActivate({ auc: 0.8, alike: 5, notAlike: 5 }, { auc: 0.7, alike: 5, notAlike: 5 })).toMatch(/worse than the model in use \(0\.700 against 0\.800/);
    expect(whyNotActivate({ auc: 0.8, alike: 5, notAlike: 5 }, { auc: 0.8, alike: 5, notAlike: 5 })).toBeNull();
    expect(whyNotActivate(null, { auc: 0.1, alike: 5, notAlike: 5 })).toBeNull();
  });
});
