// Seeded synthetic embeddings shaped like real ones: most energy in a low-rank subspace with a
// decaying spectrum, plus isotropic noise. Shared by the search tests and bench/index.ts.
import { seededRandom } from '../../../src-main/common/random.js';

export { seededRandom };


/** Standard normal samples (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export interface LowRankOptions {
  n: number;
  dim: number;
  /** Dimension of the subspace holding most of the energy. */
  rank?: number;
  /** Per-coordinate noise standard deviation relative to the signal's (which is 1). */
  noise?: number;
  seed?: number;
}

/**
 * n unit vectors packed row-major in one Float32Array (n × dim), plus a generator for more
 * from the same distribution (queries that are not in the set).
 */
export function lowRankVectors(options: LowRankOptions): { matrix: Float32Array; rows: Float32Array[]; more: (count: number) => Float32Array[] } {
  const { n, dim, rank = 32, noise = 0.5, seed = 1 } = options;
  const normal = gaussian(seededRandom(seed));
  // Basis columns scaled so the signal has unit variance per coordinate; component j is
  // weighted by 1/sqrt(j+1) like the decaying spectra of real CNN features.
  const weights = Array.from({ length: rank }, (_, j) => 1 / Math.sqrt(j + 1));
  const totalWeight = Math.sqrt(weights.reduce((s, w) => s + w * w, 0));
  const basis = new Float64Array(rank * dim);
  for (let j = 0; j < rank; j++) {
    for (let i = 0; i < dim; i++) basis[j * dim + i] = (normal() * weights[j]) / totalWeight;
  }
  const z = new Float64Array(rank);
  const fill = (out: Float32Array, offset: number): void => {
    for (let j = 0; j < rank; j++) z[j] = normal();
    for (let i = 0; i < dim; i++) out[offset + i] = noise * normal();
    for (let j = 0; j < rank; j++) {
      const zj = z[j];
      const row = j * dim;
      for (let i = 0; i < dim; i++) out[offset + i] += zj * basis[row + i];
    }
    normalise(out.subarray(offset, offset + dim));
  };
  const matrix = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) fill(matrix, r * dim);
  const rows = Array.from({ length: n }, (_, r) => matrix.subarray(r * dim, (r + 1) * dim));
  const more = (count: number): Float32Array[] =>
    Array.from({ length: count }, () => {
      const v = new Float32Array(dim);
      fill(v, 0);
      return v;
    });
  return { matrix, rows, more };
}
