// The 2-D projection: one point per vector, the same map for the same seed, clusters kept
// apart (also for points placed by neighbours rather than laid out by UMAP), and cancel.
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/model/backend.js';
import { seededRandom } from '../../../src-main/common/random.js';
import { projectToPlane } from '../../../src-main/map/projection.js';
import { nearestReferences } from '../../../src-main/map/neighbours.js';

await initBackend();

/** `perCluster` unit vectors around each of `clusters` random centres. */
function clustered(perCluster: number, clusters: number, dim: number, seed: number): { vectors: Float32Array[]; cluster: number[] } {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  const vectors: Float32Array[] = [];
  const cluster: number[] = [];
  for (let i = 0; i < perCluster * clusters; i++) {
    const c = i % clusters;
    const v = Float32Array.from(centres[c], (x) => x + 0.4 * gauss());
    const norm = Math.hypot(...v);
    vectors.push(v.map((x) => x / norm));
    cluster.push(c);
  }
  return { vectors, cluster };
}

/** Share of points whose nearest other point on the map is in their own cluster. */
function mapPurity(xy: Float32Array, cluster: number[]): number {
  let same = 0;
  for (let i = 0; i < cluster.length; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < cluster.length; j++) {
      if (j === i) continue;
      const d = (xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (cluster[best] === cluster[i]) same++;
  }
  return same / cluster.length;
}

describe('projectToPlane', () => {
  const { vectors, cluster } = clustered(40, 4, 32, 7);

  it('gives one point per vector, inside the unit square, the same for the same seed', async () => {
    const a = await projectToPlane(vectors, { seed: 5 });
    const b = await projectToPlane(vectors, { seed: 5 });
    expect(a.xy.length).toBe(vectors.length * 2);
    expect(a.sampled).toBe(vectors.length);
    for (const v of a.xy) expect(v >= 0 && v <= 1).toBe(true);
    expect(Array.from(b.xy)).toEqual(Array.from(a.xy));
    const c = await projectToPlane(vectors, { seed: 6 });
    expect(Array.from(c.xy)).not.toEqual(Array.from(a.xy));
  }, 30_000);

  it('keeps clusters together', async () => {
    const { xy } = await projectToPlane(vectors, { seed: 5 });
    expect(mapPurity(xy, cluster)).toBeGreaterThan(0.95);
  }, 30_000);

  it('places points outside the UMAP sample beside their own cluster, stably', async () => {
    const a = await projectToPlane(vectors, { seed: 9, sampleSize: 60 });
    expect(a.sampled).toBe(60);
    expect(mapPurity(a.xy, cluster)).toBeGreaterThan(0.95);
    const b = await projectToPlane(vectors, { seed: 9, sampleSize: 60 });
    expect(Array.from(b.xy)).toEqual(Array.from(a.xy));
  }, 30_000);

  it('reduces wide embeddings with PCA first, still keeping clusters apart, stably', async () => {
    const wide = clustered(30, 4, 300, 11);
    const a = await projectToPlane(wide.vectors, { seed: 2, sampleSize: 80 });
    expect(mapPurity(a.xy, wide.cluster)).toBeGreaterThan(0.95);
    const b = await projectToPlane(wide.vectors, { seed: 2, sampleSize: 80 });
    expect(Array.from(b.xy)).toEqual(Array.from(a.xy));
  }, 30_000);

  it('handles libraries of zero to three photos', async () => {
    expect((await projectToPlane([])).xy.length).toBe(0);
    expect(Array.from((await projectToPlane(vectors.slice(0, 1))).xy)).toEqual([0.5, 0.5]);
    expect((await projectToPlane(vectors.slice(0, 2))).xy.length).toBe(4);
    const three = await projectToPlane(vectors.slice(0, 3));
    expect(three.xy.every((v) => Number.isFinite(v))).toBe(true);
  }, 30_000);

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const run = projectToPlane(vectors, {
      signal: controller.signal,
      onProgress: (phase) => {
        if (phase === 'layout') controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
  }, 30_000);
});

describe('nearestReferences', () => {
  it('finds the same neighbours as brute force, best first', async () => {
    const { vectors } = clustered(10, 3, 16, 3);
    const refs = vectors.slice(0, 12);
    const queries = vectors.slice(12);
    const got = await nearestReferences(queries, refs, 3);
    queries.forEach((q, i) => {
      const sims = refs.map((r, j) => [j, r.reduce((s, x, d) => s + x * q[d], 0)] as const).sort((a, b) => b[1] - a[1]);
      expect(got.indices[i]).toEqual(sims.slice(0, 3).map((s) => s[0]));
      got.similarities[i].forEach((s, k) => expect(s).toBeCloseTo(sims[k][1], 4));
    });
  });
});
