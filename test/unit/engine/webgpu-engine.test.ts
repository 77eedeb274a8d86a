// The whole app path on WebGPU: import, "find similar", train the head, with
// LOOKALIKE_BACKEND=webgpu on a machine without a GPU (Dawn's OpenGL ES backend on Mesa's
// llvmpipe, ~2 images/s: the library is tiny). Own file: tfjs backends are per process.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { runLookalike } from '../../fixtures/cli.js';
import { finishJob, importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;

beforeAll(async () => {
  process.env.LOOKALIKE_BACKEND = 'webgpu';
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-webgpu-'));
  await makeKindImages(path.join(work, 'photos'), 3, ['rings', 'checkers']);
  engine = await Engine.open(path.join(work, 'library'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
  delete process.env.LOOKALIKE_BACKEND;
});

describe('the engine on webgpu (llvmpipe, forced)', () => {
  it('runs on webgpu and status names the software adapter', async () => {
    const s = await engine.call('status', { loadBackend: true });
    expect(s.backend?.name).toBe('webgpu');
    expect(tf.findBackend('webgpu')).not.toBeNull();
    expect(s.backend?.gpu).toMatchObject({ software: true, device: expect.stringMatching(/llvmpipe/) });
  });

  it('`lookalike status` names the GPU and says it is a software adapter', async () => {
    const r = await runLookalike(path.join(work, 'cli-library'), 'status', '--backend');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend\s+webgpu \(WebGPU on llvmpipe/m);
    expect(r.stdout).toMatch(/^gpu\s+llvmpipe\S* \(software adapter, runs on the CPU\)$/m);
  }, 60_000);

  it('imports and embeds, then finds a photo\'s own kind first', async () => {
    const imported = await importFolder(engine, path.join(work, 'photos'), true);
    expect(imported.state, imported.message ?? '').toBe('done');
    expect((await engine.call('status', {})).embedded).toBe(6);
    const rings = await engine.call('listImages', { label: 'rings' });
    const query = (rings as { items: { id: number }[] }).items[0];
    const r = await engine.call('similar', { id: query.id, k: 2 });
    expect(r.hits.length).toBe(2);
    const others = new Set((rings as { items: { id: number }[] }).items.map((i) => i.id));
    expect(others.has(r.hits[0].id)).toBe(true);
  }, 240_000);

  it('trains the head (on the host backend beside webgpu) and makes the new model active', async () => {
    const job = await finishJob(engine, await engine.call('train', { loss: 'proxy-nca', epochs: 3, seed: 1 }));
    expect(job.state, job.message ?? '').toBe('done');
    const models = await engine.call('models', {});
    expect(models.find((m) => m.active)).toBeDefined();
    expect((await engine.call('status', {})).embedded).toBe(6);
  }, 240_000);
});
