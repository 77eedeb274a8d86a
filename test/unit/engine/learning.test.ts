// Teaching the embedding through the engine: labels, pairs, training a new model version,
// switching back, cancelling, and evaluation. Features here are real CNN features of
// generated photos; the head trains on them in seconds.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRef } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { finishJob, labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let engine: Engine;

const finish = (ref: JobRef) => finishJob(engine, ref);

beforeAll(async () => {
  ({ work, engine } = await labelledLibrary('lookalike-learning-', 6, ['rings', 'discs', 'checkers', 'stripes']));
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('learning through the engine', () => {
  it('knows the labels from the folders, with counts', async () => {
    expect(await engine.call('labels', {})).toEqual(
      expect.arrayContaining([
        { id: expect.any(Number), name: 'rings', count: 6 },
        { id: expect.any(Number), name: 'discs', count: 6 },
      ]),
    );
  });

  it('labels and unlabels images, refusing unknown ids', async () => {
    const page = await engine.call('listImages', { limit: 2 });
    const ids = page.items.map((i) => i.id);
    await engine.call('setLabel', { label: 'favourite', ids });
    expect((await engine.call('listImages', { label: 'favourite' })).total).toBe(2);
    await engine.call('removeLabel', { label: 'favourite', ids });
    expect((await engine.call('listImages', { label: 'favourite' })).total).toBe(0);
    await expect(engine.call('setLabel', { label: 'x', ids: [424242] })).rejects.toThrow(/no such image: #424242/);
  });

  it('trains a new model that becomes active, keeps metrics, and can be rolled back', async () => {
    const before = await engine.call('evaluate', {});
    const job = await finish(await engine.call('train', { loss: 'proxy-nca', epochs: 12, seed: 3 }));
    expect(job.state).toBe('done');
    const r = job.result!;
    if (r.kind !== 'train') throw new Error('not a training result');
    expect(r.modelId).not.toBeNull();
    const models = await engine.call('models', {});
    const trained = models.find((m) => m.id === r.modelId)!;
    expect(trained.active).toBe(true);
    expect(trained.loss).toBe('proxy-nca');
    expect(trained.before).not.toBeNull();
    expect(trained.after).not.toBeNull();
    expect((await engine.call('status', {})).activeModel?.id).toBe(r.modelId);

    // The new index serves queries straight away, over every image.
    expect((await engine.call('status', {})).embedded).toBe(24);
    const after = await engine.call('evaluate', {});
    expect(after.map_at_r).toBeGreaterThanOrEqual(before.map_at_r);

    await engine.call('useModel', { id: null });
    expect((await engine.call('status', {})).activeModel).toBeNull();
    const back = await engine.call('evaluate', {});
    expect(back.map_at_r).toBeCloseTo(before.map_at_r, 6);
    await engine.call('useModel', { id: r.modelId });
    expect((await engine.call('status', {})).activeModel?.id).toBe(r.modelId);
  }, 120_000);

  it('leaves the active model as it was when training is cancelled', async () => {
    const active = (await engine.call('status', {})).activeModel;
    const count = (await engine.call('models', {})).length;
    const ref = await engine.call('train', { loss: 'triplet', miner: 'semi-hard', epochs: 200 });
    await new Promise<void>((resolve) => {
      const off = engine.onEvent((name) => {
        if (name === 'trainProgress') {
          off();
          resolve();
        }
      });
    });
    expect(await engine.call('cancelJob', { jobId: ref.jobId })).toEqual({ cancelled: true });
    const job = await finish(ref);
    expect(job.state).toBe('cancelled');
    expect((await engine.call('status', {})).activeModel).toEqual(active);
    expect((await engine.call('models', {})).length).toBe(count);
  }, 120_000);

  it('refuses to train with fewer than two labels', async () => {
    const other = await Engine.open(path.join(work, 'empty-library'));
    try {
      await expect(other.call('train', {})).rejects.toThrow(/at least two labels/);
      expect(await other.call('listJobs', {})).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('refuses, before any work, labels with one photo each (no positives, no validation queries)', async () => {
    const modelsBefore = (await engine.call('models', {})).length;
    await engine.call('setLabel', { label: 'solo-a', ids: [1] });
    await engine.call('setLabel', { label: 'solo-b', ids: [2] });
    try {
      await expect(engine.call('train', { labels: ['solo-a', 'solo-b'] })).rejects.toThrow(
        /mark at least 10 look-alikes “alike” and 10 “not alike” \(you have 0 and 0\), or give two or more photos each to at least two labels \(0 labels have that; one photo only: "solo-a", "solo-b"\)/,
      );
      expect((await engine.call('models', {})).length).toBe(modelsBefore);
    } finally {
      await engine.call('removeLabel', { label: 'solo-a', ids: [1] });
      await engine.call('removeLabel', { label: 'solo-b', ids: [2] });
    }
  });

  it('learns only unambiguous classes: an image with two training labels is left out', async () => {
    const rings = await engine.call('listImages', { label: 'rings' });
    await engine.call('setLabel', { label: 'favourite', ids: [rings.items[0].id] });
    try {
      const all = await finish(await engine.call('train', { epochs: 2 }));
      expect(all.result).toMatchObject({ kind: 'train', ambiguous: 1, images: 23 });
      const chosen = await finish(
        await engine.call('train', { epochs: 2, labels: ['rings', 'discs', 'checkers', 'stripes'] }),
      );
      expect(chosen.result).toMatchObject({ kind: 'train', ambiguous: 0, images: 24 });
    } finally {
      await engine.call('removeLabel', { label: 'favourite', ids: [rings.items[0].id] });
    }
  }, 120_000);

  it('stores marked pairs and proposes hard pairs that exclude them', async () => {
    const pairs = await engine.call('hardPairs', { limit: 10 });
    expect(pairs.length).toBeGreaterThan(0);
    const first = pairs[0];
    await engine.call('markPair', { a: first.a.id, b: first.b.id, verdict: 'mismatch' });
    expect(await engine.call('pairs', { ids: [first.b.id] })).toEqual([
      expect.objectContaining({ a: Math.min(first.a.id, first.b.id), b: Math.max(first.a.id, first.b.id), verdict: 'mismatch' }),
    ]);
    const again = await engine.call('hardPairs', { limit: 10 });
    expect(again.some((p) => p.a.id === first.a.id && p.b.id === first.b.id)).toBe(false);
    await expect(engine.call('markPair', { a: first.a.id, b: first.a.id, verdict: 'match' })).rejects.toThrow(/two different images/);
  });

  it('reports an active model whose files are gone instead of silently using the pretrained one', async () => {
    const trained = await finish(await engine.call('train', { epochs: 2 }));
    if (trained.result?.kind !== 'train' || trained.result.modelId === null) throw new Error('training did not make a model');
    const id = trained.result.modelId;
    await engine.close();
    rmSync(path.join(work, 'library', 'models', String(id)), { recursive: true, force: true });
    engine = await Engine.open(path.join(work, 'library'));
    const status = await engine.call('status', {});
    expect(status.activeModel?.id).toBe(id);
    expect(status.modelProblem).toMatch(new RegExp(`model #${id} could not be loaded .*files are missing`));
    // Queries still work meanwhile, in the pretrained space.
    const some = (await engine.call('listImages', { limit: 1 })).items[0];
    expect((await engine.call('similar', { id: some.id, k: 3 })).hits.length).toBe(3);
    await engine.call('useModel', { id: null });
    expect(await engine.call('status', {})).toMatchObject({ activeModel: null, modelProblem: null });
  }, 120_000);
});
