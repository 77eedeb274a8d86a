import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { Head } from '../../../src-main/learn/head.js';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(os.tmpdir(), 'lookalike-head-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const features = [...Array(7)].map((_, i) => Float32Array.from({ length: 20 }, (_, j) => Math.sin(i * 3 + j) + 0.5));
const norm = (v: Float32Array) => Math.hypot(...v);

describe('Head', () => {
  it('embeds in batches to unit vectors of the output size, equal to one big batch', () => {
    const head = Head.create({ inputDim: 20, outputDim: 5, seed: 3 });
    const small = head.embed(features, 3);
    const big = head.embed(features, 100);
    expect(small.length).toBe(7);
    for (const [i, e] of small.entries()) {
      expect(e.length).toBe(5);
      expect(norm(e)).toBeCloseTo(1, 5);
      for (let j = 0; j < 5; j++) expect(e[j]).toBeCloseTo(big[i][j], 6);
    }
    head.dispose();
  });

  it('identity head only L2-normalises', () => {
    const head = Head.identity(20);
    const [e] = head.embed([features[2]]);
    const n = norm(features[2]);
    for (let j = 0; j < 20; j++) expect(e[j]).toBeCloseTo(features[2][j] / n, 6);
    expect(head.variables()).toEqual([]);
  });

  it('does not leak tensors while embedding', () => {
    const head = Head.create({ inputDim: 20, outputDim: 4 });
    head.embed(features, 2);
    const before = tf.memory().numTensors;
    head.embed(features, 2);
    head.embed(features, 5);
    expect(tf.memory().numTensors).toBe(before);
    head.dispose();
  });

  it('saves and loads weights and metadata', async () => {
    const head = Head.create({ inputDim: 20, outputDim: 6, seed: 9 });
    head.metadata = { ...head.metadata, loss: 'proxy-nca', settings: { lr: 0.001 } };
    const expected = head.embed(features);
    const target = path.join(dir, 'm1');
    await head.save(target);
    const loaded = await Head.load(target);
    expect(loaded.metadata.loss).toBe('proxy-nca');
    expect(loaded.metadata.settings).toEqual({ lr: 0.001 });
    expect([loaded.inputDim, loaded.outputDim]).toEqual([20, 6]);
    const got = loaded.embed(features);
    got.forEach((e, i) => e.forEach((x, j) => expect(x).toBeCloseTo(expected[i][j], 6)));
    head.dispose();
    loaded.dispose();

    await Head.identity(20).save(path.join(dir, 'untrained'));
    const id = await Head.load(path.join(dir, 'untrained'));
    expect(id.metadata.kind).toBe('identity');
  });

  it('refuses a folder that is not a head', async () => {
    const bogus = path.join(dir, 'bogus');
    const head = Head.create({ inputDim: 3, outputDim: 2 });
    await head.save(bogus);
    head.dispose();
    const meta = JSON.parse(await readFile(path.join(bogus, 'head.json'), 'utf8'));
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(bogus, 'head.json'), JSON.stringify({ ...meta, format: 'other' })));
    await expect(Head.load(bogus)).rejects.toThrow(/not a Lookalike head/);
  });
});
