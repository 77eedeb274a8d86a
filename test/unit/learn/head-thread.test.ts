// The head trained on a thread of its own (wasm): the engine's thread answers while it trains,
// and the run is the one this thread would have made.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { trainHead, type TrainOptions } from '../../../src-main/learn/trainer.js';
import { trainHeadOnThread } from '../../../src-main/learn/finetune-thread.js';
import { mixedLabels } from './synthetic.js';

beforeAll(async () => {
  await initBackend();
});

const set = mixedLabels(60, 24, 1);
const context = mixedLabels(20, 24, 3).features;
const base: TrainOptions = { features: set.features, labels: set.labels, context, loss: 'triplet', miner: 'semi-hard', epochs: 3, lr: 0.01, embeddingDim: 8, batchSize: 32, seed: 11 };

describe('trainHeadOnThread', () => {
  it('trains the head this thread would train, and says its phases and epochs', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const here = await trainHead(base);
    const phases: string[] = [];
    const epochs: number[] = [];
    const there = await trainHeadOnThread({ ...base, onPhase: (p) => phases.push(p), onProgress: (p) => void (p.validation && epochs.push(p.epoch)) });
    expect(there.head.getWeights()).toEqual(here.head.getWeights());
    expect({ ...there.head.metadata, createdAt: '' }).toEqual({ ...here.head.metadata, createdAt: '' });
    expect(there.history.map((h) => h.loss)).toEqual(here.history.map((h) => h.loss));
    expect([there.before, there.after]).toEqual([here.before, here.after]);
    expect(phases).toEqual(['measuring the model in use', 'starting the head', 'measuring the trained model']);
    expect(epochs).toEqual([1, 2, 3]);
    // The caller's rows are its own still: copied to the thread, not moved.
    expect(base.features[0].length).toBe(24);
    for (const r of [here, there]) r.head.dispose();
  });

  it('holds no tensor on this thread while it trains', async () => {
    // Counted, not timed: on this thread the head, its optimiser and every step's tensors would
    // live here (and this thread's calls wait behind each step); on its own thread none do.
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const r = await trainHeadOnThread({ ...base, onPhase: () => seen.push(tf.memory().numTensors), onProgress: () => seen.push(tf.memory().numTensors) });
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen)).toEqual(new Set([before]));
    r.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancels with cancelled=true, and reports a failure in words', async () => {
    const controller = new AbortController();
    let steps = 0;
    const r = await trainHeadOnThread({ ...base, epochs: 1000, signal: controller.signal, onProgress: () => void (++steps === 3 && controller.abort()) });
    expect(r.cancelled).toBe(true);
    expect(steps).toBeLessThan(20);
    r.head.dispose();
    await expect(trainHeadOnThread({ ...base, features: [], labels: [] })).rejects.toThrow(/no features to train on/);
  });
});
