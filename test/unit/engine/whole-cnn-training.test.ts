// Training the whole CNN through the engine, on the wasm backend (forced: the depth is offered on
// GPU backends only; wasm rather than cpu, which took 130 s here against 20) at a 32 px input: the job makes a model with its own CNN
// weights, whose features differ from the pretrained ones, that embeds a dropped photo as it
// embedded the library's, and that can be switched away from and back to. Without the force, a
// wasm engine refuses the depth and says why.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { finishJob, labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let engine: Engine;

const status = async () => await engine.call('status', {});
const images = async () => (await engine.call('listImages', { limit: 100 })).items;

beforeAll(async () => {
  process.env.LOOKALIKE_BACKEND = 'wasm';
  process.env.LOOKALIKE_WHOLE_CNN_INPUT_SIZE = '32';
  ({ work, engine } = await labelledLibrary('lookalike-whole-', 3, ['rings', 'checkers']));
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('whole-CNN training through the engine', () => {
  it('is refused on a wasm engine, with the reason', async () => {
    await expect(engine.call('train', { depth: 'whole', epochs: 1 })).rejects.toThrow(/needs a GPU: this machine runs wasm/);
  });

  it('creates a model with its own CNN that serves every photo and can be switched to and back', async () => {
    process.env.LOOKALIKE_WHOLE_CNN_ANY_BACKEND = '1';
    const job = await finishJob(engine, await engine.call('train', { depth: 'whole', epochs: 1, seed: 3 }));
    delete process.env.LOOKALIKE_WHOLE_CNN_ANY_BACKEND;
    expect(job.state).toBe('done');
    const r = job.result!;
    if (r.kind !== 'train') throw new Error('not a training result');
    expect(r).toMatchObject({ depth: 'whole', deep: true, images: 6 });
    const modelId = r.modelId!;
    const dir = engine.folders.dir(modelId);
    expect(existsSync(path.join(dir, 'cnn.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'cnn.json'), 'utf8')).inputSize).toBe(32);
    const listed = await engine.call('models', {});
    expect(listed.find((m) => m.id === modelId)).toMatchObject({ active: true, settings: expect.objectContaining({ kind: 'whole-cnn', depth: 'whole' }) });
    expect((await status()).embedded).toBe(6);

    // Its features are its own: not the pretrained ones.
    const ids = (await images()).map((i) => i.id);
    const own = (await engine.vectors()).allEmbeddings();
    expect(own.size).toBe(6);
    const pretrained = (await engine.vectors()).featuresOf(ids).map((f) => f!);
    expect(own.get(ids[0])!.length).toBe(128);
    expect(pretrained[0].length).toBe(1280);

    // A dropped copy of a library photo is embedded through the same CNN: it finds itself.
    const first = (await images())[0];
    const upload = { name: 'dropped.png', dataBase64: readFileSync(first.path).toString('base64') };
    const hit = (await engine.call('similar', { upload, k: 2 })).hits[0];
    expect(hit.id).toBe(first.id);
    expect(hit.score).toBeGreaterThan(0.999);

    await engine.call('useModel', { id: null });
    expect((await status()).activeModel).toBeNull();
    expect(await engine.call('useModel', { id: modelId })).toEqual({ active: modelId });
    expect((await status()).activeModel?.id).toBe(modelId);
    const again = (await engine.vectors()).allEmbeddings();
    expect(Math.max(...own.get(ids[1])!.map((v, k) => Math.abs(v - again.get(ids[1])![k])))).toBeLessThan(1e-5);

    // Exported, the model carries its CNN's weights beside the head.
    const out = path.join(work, 'export');
    const written = (await engine.call('exportData', { kind: 'model', model: modelId, out })).written;
    expect(written.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['cnn.json', 'cnn.bin']));
    expect(JSON.parse(readFileSync(path.join(out, 'lookalike-model.json'), 'utf8')).input.what).toMatch(/every convolution/);
  }, 300_000);
});
