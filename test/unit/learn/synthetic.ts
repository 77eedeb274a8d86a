// Synthetic frozen features where two labels are mixed: the label moves a row only slightly
// along one direction, while a nuisance direction with far more variance (and a shared offset)
// dominates cosine similarity. A head that learns to look along the label direction separates them.
import { seededRandom } from '../../../src-main/common/random.js';

export interface SyntheticSet {
  features: Float32Array[];
  labels: string[];
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function mixedLabels(perLabel: number, dim: number, seed: number, labelNames = ['cat', 'dog']): SyntheticSet {
  const random = seededRandom(seed);
  const features: Float32Array[] = [];
  const labels: string[] = [];
  labelNames.forEach((name, k) => {
    // Labels sit at evenly spaced small offsets along dimension 1.
    const signal = labelNames.length === 1 ? 0 : (k / (labelNames.length - 1) - 0.5) * 0.8;
    for (let i = 0; i < perLabel; i++) {
      const f = new Float32Array(dim);
      for (let j = 0; j < dim; j++) f[j] = 0.1 * gaussian(random);
      f[0] += 3 * gaussian(random); // nuisance: large variance
      f[1] += signal; // what the label means
      f[2] += 2; // shared offset, as non-negative CNN features have
      features.push(f);
      labels.push(name);
    }
  });
  return { features, labels };
}
