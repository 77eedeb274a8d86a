// Deeper fine-tuning through the engine: training the backbone's last blocks makes a model whose
// features differ from the pretrained ones for every photo, so the engine must run photos through
// its blocks — after training, for photos imported while it is active, and for photos it has not
// seen when the user switches back to it. A query of a photo's own bytes finding that photo with
// a score of ~1 shows the stored embedding and a fresh one agree.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossNames, type JobRef, type Status } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { Head } from '../../../src-main/learn/head.js';
import { readTailWeights } from '../../../src-main/learn/tail-file.js';
import { finishJob, importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;
let modelId: number;

const finish = (ref: JobRef) => finishJob(engine, ref);

async function status(): Promise<Status> {
  return await engine.call('status', {});
}

/** Queries with the bytes of a library photo, as a dropped file: its top hit must be itself. */
async function selfMatch(id: number): Promise<{ id: number; score: number }> {
  const image = (await engine.call('listImages', { limit: 500 })).items.find((i) => i.id === id)!;
  const upload = { name: 'dropped.png', dataBase64: readFileSync(image.path).toString('base64') };
  const r = await engine.call('similar', { upload, k: 3 });
  return r.hits[0];
}

async function importMore(folder: string): Promise<void> {
  expect((await importFolder(engine, folder)).state).toBe('done');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-deep-'));
  await makeKindImages(path.join(work, 'photos'), 4, ['rings', 'checkers', 'stripes']);
  engine = await Engine.open(path.join(work, 'library'));
  expect((await importFolder(engine, path.join(work, 'photos'), true)).state).toBe('done');
}, 120_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('deeper fine-tuning through the engine', () => {
  it('trains the last blocks with the head: the new model is active, has its own features, and serves every photo', async () => {
    let job!: Awaited<ReturnType<typeof finish>>;
    const onThisThread = await tf.profile(async () => {
      job = await finish(await engine.call('train', { deep: true, epochs: 2, seed: 3 }));
    });
    expect(job.state).toBe('done');
    // The frozen blocks ran on the inference threads, which hold the CNN already, and the
    // training steps on a thread that ended with the run: the engine's thread saw nothing larger
    // than the 7×7 activations the trained blocks take, and no backward pass (either would grow
    // its wasm heap by some 200 MB for good).
    const largest = Math.max(...onThisThread.kernels.flatMap((k) => k.inputShapes.map((s) => (s && s.length === 4 ? s[1] : 0))));
    expect(largest).toBe(7);
    expect(onThisThread.kernels.filter((k) => k.name.includes('Backprop')).map((k) => k.name)).toEqual([]);
    const r = job.result!;
    if (r.kind !== 'train') throw new Error('not a training result');
    expect(r).toMatchObject({ deep: true, images: 12 });
    modelId = r.modelId!;
    const trained = (await engine.call('models', {})).find((m) => m.id === modelId)!;
    expect(trained).toMatchObject({ active: true, loss: lossNames[0], settings: expect.objectContaining({ kind: 'backbone-finetune', deep: true }) });
    expect(trained.after).not.toBeNull();
    expect(existsSync(path.join(engine.folders.dir(modelId), 'tail.json'))).toBe(true);
    expect((await status()).embedded).toBe(12);

    // The model's embeddings are not its head applied to the pretrained features: the blocks changed.
    const ids = (await engine.call('listImages', { limit: 500 })).items.map((i) => i.id);
    const head = await Head.load(engine.folders.dir(modelId));
    const headOnly = head.embed((await engine.vectors()).featuresOf(ids).map((f) => f!));
    head.dispose();
    const stored = (await engine.vectors()).allEmbeddings();
    const drift = ids.map((id, i) => 1 - headOnly[i].reduce((s, v, k) => s + v * stored.get(id)![k], 0));
    expect(Math.min(...drift)).toBeGreaterThan(0.01);

    for (const id of ids.slice(0, 3)) {
      const top = await selfMatch(id);
      expect(top.id).toBe(id);
      expect(top.score).toBeGreaterThan(0.999);
    }
  }, 180_000);

  it('embeds photos imported while it is active through its blocks', async () => {
    await makeKindImages(path.join(work, 'more'), 1, ['rings', 'stripes'], 100);
    await importMore(path.join(work, 'more'));
    expect((await status()).embedded).toBe(14);
    const fresh = (await engine.call('listImages', { limit: 500 })).items.filter((i) => i.path.includes(`${path.sep}more${path.sep}`));
    expect(fresh).toHaveLength(2);
    for (const image of fresh) {
      const top = await selfMatch(image.id);
      expect(top.id).toBe(image.id);
      expect(top.score).toBeGreaterThan(0.999);
    }
  }, 120_000);

  it('switching back to it first embeds the photos it has not seen, as a job, then answers for all of them', async () => {
    await engine.call('useModel', { id: null });
    await makeKindImages(path.join(work, 'later'), 1, ['checkers', 'discs'], 200);
    await importMore(path.join(work, 'later'));
    expect((await status()).activeModel).toBeNull();
    const jobsBefore = (await engine.call('listJobs', {})).length;

    expect(await engine.call('useModel', { id: modelId })).toEqual({ active: modelId });
    const jobs = await engine.call('listJobs', {});
    expect(jobs.slice(jobsBefore)).toEqual([expect.objectContaining({ kind: 'embed', state: 'done' })]);
    expect((await status()).activeModel?.id).toBe(modelId);
    expect((await status()).embedded).toBe(16);
    const later = (await engine.call('listImages', { limit: 500 })).items.filter((i) => i.path.includes(`${path.sep}later${path.sep}`));
    for (const image of later) {
      const top = await selfMatch(image.id);
      expect(top.id).toBe(image.id);
      expect(top.score).toBeGreaterThan(0.999);
    }

    // Back to the pretrained space and forth again: nothing left to embed, so no job.
    await engine.call('useModel', { id: null });
    const count = (await engine.call('listJobs', {})).length;
    await engine.call('useModel', { id: modelId });
    expect((await engine.call('listJobs', {})).length).toBe(count);
  }, 120_000);

  it('exports the model with its fine-tuned blocks beside the head', async () => {
    const out = path.join(work, 'export');
    const r = await engine.call('exportData', { kind: 'model', model: modelId, out });
    expect(r.written.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin', 'lookalike-model.json', 'tail.json', 'tail.bin']);
    const { weights } = await readTailWeights(out);
    expect(weights.map((w) => w.name)).toEqual(expect.arrayContaining(['Conv_1/kernel', 'block_16_project/bias']));
    expect(JSON.parse(readFileSync(path.join(out, 'lookalike-model.json'), 'utf8')).input.what).toMatch(/fine-tuned/);
  });

  it('a labelled photo that can no longer be read is left out and reported; training goes on', async () => {
    const victim = (await engine.call('listImages', { label: 'stripes', limit: 1 })).items[0];
    rmSync(victim.path);
    const job = await finish(await engine.call('train', { deep: true, epochs: 1, seed: 5 }));
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ kind: 'train', deep: true, images: 11, unreadable: [{ path: victim.path, error: expect.any(String) }] });
    expect((job.result as { modelId: number | null }).modelId).not.toBeNull();
  }, 120_000);

  it('a cancelled deep training run leaves the active model and the model list as they were', async () => {
    const active = (await status()).activeModel;
    const count = (await engine.call('models', {})).length;
    const ref = await engine.call('train', { deep: true, epochs: 50 });
    await new Promise<void>((resolve) => {
      const off = engine.onEvent((name) => {
        if (name === 'trainProgress') {
          off();
          resolve();
        }
      });
    });
    expect(await engine.call('cancelJob', { jobId: ref.jobId })).toEqual({ cancelled: true });
    expect((await finish(ref)).state).toBe('cancelled');
    expect((await status()).activeModel).toEqual(active);
    expect((await engine.call('models', {})).length).toBe(count);
  }, 120_000);
});
