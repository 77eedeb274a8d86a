// The whole CNN trained through the engine on WebGPU for real (Mesa's llvmpipe through Dawn's
// OpenGL ES backend, forced: no GPU here), at a 32 px input: the depth is offered there without
// any force, the run happens on the GPU backend beside the wasm host, and its model serves
// queries afterwards. Tiny on purpose: llvmpipe takes seconds a step.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { finishJob, labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let engine: Engine;

beforeAll(async () => {
  process.env.LOOKALIKE_BACKEND = 'webgpu';
  process.env.LOOKALIKE_WHOLE_CNN_INPUT_SIZE = '32';
  ({ work, engine } = await labelledLibrary('lookalike-whole-webgpu-', 3, ['rings', 'checkers']));
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('whole-CNN training on WebGPU (llvmpipe)', () => {
  it('is offered on a GPU backend, trains there, and its model answers queries', async () => {
    expect((await engine.call('status', { loadBackend: true })).backend?.name).toBe('webgpu');
    const job = await finishJob(engine, await engine.call('train', { depth: 'whole', epochs: 1, seed: 5 }));
    expect(job.state, job.message ?? '').toBe('done');
    const r = job.result!;
    if (r.kind !== 'train' || r.modelId === null) throw new Error('training made no model');
    expect(r).toMatchObject({ depth: 'whole', images: 6 });
    expect(existsSync(path.join(engine.folders.dir(r.modelId), 'cnn.json'))).toBe(true);
    expect((await engine.call('status', {})).activeModel?.id).toBe(r.modelId);
    const first = (await engine.call('listImages', { limit: 1 })).items[0];
    const hits = (await engine.call('similar', { id: first.id, k: 3 })).hits;
    expect(hits).toHaveLength(3);
    for (const h of hits) expect(Number.isFinite(h.score)).toBe(true);
  }, 300_000);
});
