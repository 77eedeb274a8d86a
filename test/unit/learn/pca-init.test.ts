// A head can start at the features' principal directions: then, before any training step, it
// ranks photos as the untrained space does, unlike a random projection of the same size.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { Head } from '../../../src-main/learn/head.js';
import { retrievalMetrics } from '../../../src-main/learn/metrics.js';
import { principalProjection } from '../../../src-main/learn/pca-init.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { fitProjection, fitProjectionInSteps } from '../../../src-main/common/projection.js';

beforeAll(async () => {
  await initBackend();
});

/**
 * 6 classes in 256-d: each a point in a 12-d subspace plus isotropic noise. Retrieval in the
 * full space is good; 12 principal directions keep it, 12 random ones lose much of it.
 */
function clusteredFeatures(): { features: Float32Array[]; labels: string[] } {
  const r = seededRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const dim = 256;
  const basis = Array.from({ length: 12 }, () => Float32Array.from({ length: dim }, normal));
  const centres = Array.from({ length: 6 }, () => Array.from({ length: 12 }, () => normal()));
  const features: Float32Array[] = [];
  const labels: string[] = [];
  for (let c = 0; c < 6; c++) {
    for (let k = 0; k < 20; k++) {
      const v = Float32Array.from({ length: dim }, () => 2 * normal() + 4);
      centres[c].forEach((w, j) => basis[j].forEach((b, d) => (v[d] += (w + 0.7 * normal()) * b)));
      features.push(v);
      labels.push(`c${c}`);
    }
  }
  return { features, labels };
}

describe('principal projection', () => {
  it('has orthonormal columns and centres the features', async () => {
    const { features } = clusteredFeatures();
    const x = tf.tensor2d(features.flatMap((f) => Array.from(f)), [features.length, 256]);
    const { kernel, bias } = await principalProjection(features, 256, 12, 1);
    const gram = tf.tidy(() => tf.matMul(kernel, kernel, true, false).arraySync() as number[][]);
    gram.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 3)));
    const projectedMean = tf.tidy(() => tf.mean(tf.add(tf.matMul(x, kernel), bias), 0).arraySync() as number[]);
    for (const m of projectedMean) expect(Math.abs(m)).toBeLessThan(1e-3);
    tf.dispose([x, kernel, bias]);
  });

  it('a head started there ranks as well as the full features before training; a random one does not', async () => {
    const { features, labels } = clusteredFeatures();
    const full = retrievalMetrics(Head.identity(256).embed(features), labels).mapAtR;
    const { kernel, bias } = await principalProjection(features, 256, 12, 1);
    const pca = Head.withWeights(kernel, bias);
    const random = Head.create({ inputDim: 256, outputDim: 12, seed: 1 });
    const viaPca = retrievalMetrics(pca.embed(features), labels).mapAtR;
    const viaRandom = retrievalMetrics(random.embed(features), labels).mapAtR;
    expect(viaPca).toBeGreaterThanOrEqual(full - 0.02);
    expect(viaPca).toBeGreaterThan(viaRandom + 0.1);
    tf.dispose([kernel, bias]);
    pca.dispose();
    random.dispose();
  });
});

describe('the fit in steps', () => {
  it('pauses between blocks of work, none long, and finds the same directions as the fit in one go', async () => {
    const r = seededRandom(3);
    const samples = Array.from({ length: 512 }, () => Float32Array.from({ length: 640 }, () => r() - 0.5));
    const whole = fitProjection(samples, 640, 64, 5);
    let pauses = 0;
    const stepped = await fitProjectionInSteps(samples, 640, 64, 5, async () => pauses++);
    expect([...stepped.rows]).toEqual([...whole.rows]);
    // 512 samples in blocks of 32 for the moment, then 4 iterations of 2 blocks of 32 rows.
    expect(pauses).toBeGreaterThanOrEqual(16);
  });
});
