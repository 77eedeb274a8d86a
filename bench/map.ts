// How long the embedding map takes at library sizes up to 100k, and how faithful the
// sample + nearest-neighbour placement is: on synthetic clusters, the share of each point's 10
// nearest neighbours on the map that come from its own cluster (probe of 200 points), next to
// the same share in embedding space.
// Run: npx tsx bench/map.ts [sizes, default 2000,20000,100000] [dim, default 128]
import { initBackend } from '../src-main/model/backend.js';
import { seededRandom } from '../src-main/common/random.js';
import { projectToPlane } from '../src-main/map/projection.js';

function clustered(n: number, dim: number, clusters: number, seed: number): Float32Array[] {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % clusters];
    const v = Float32Array.from(c, (x) => x + 0.6 * gauss());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function purity(n: number, clusters: number, near: (q: number) => number[]): number {
  let same = 0;
  let total = 0;
  for (let q = 0; q < n; q += Math.max(1, Math.floor(n / 200))) {
    for (const i of near(q)) same += i % clusters === q % clusters ? 1 : 0;
    total += 10;
  }
  return same / total;
}

function topTen(n: number, q: number, distance: (i: number) => number): number[] {
  const d: [number, number][] = [];
  for (let i = 0; i < n; i++) if (i !== q) d.push([i, distance(i)]);
  return d.sort((a, b) => a[1] - b[1]).slice(0, 10).map((e) => e[0]);
}

const sizes = (process.argv[2] ?? '2000,20000,100000').split(',').map(Number);
const dim = Number(process.argv[3] ?? 128);
const backend = await initBackend();
console.log(`backend ${backend.name}, dim ${dim}`);
for (const n of sizes) {
  const vectors = clustered(n, dim, 20, 1);
  const phases: Record<string, number> = {};
  let last = performance.now();
  let phase = '';
  const t0 = performance.now();
  const p = await projectToPlane(vectors, {
    seed: 42,
    onProgress: (ph) => {
      if (ph !== phase) {
        const now = performance.now();
        if (phase) phases[phase] = (phases[phase] ?? 0) + now - last;
        last = now;
        phase = ph;
      }
    },
  });
  const total = performance.now() - t0;
  phases[phase] = (phases[phase] ?? 0) + performance.now() - last;
  const shares = Object.entries(phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, d) => s + x * b[d], 0);
  const mapPurity = purity(n, 20, (q) => topTen(n, q, (i) => (p.xy[2 * i] - p.xy[2 * q]) ** 2 + (p.xy[2 * i + 1] - p.xy[2 * q + 1]) ** 2));
  const spacePurity = n <= 20000 ? purity(n, 20, (q) => topTen(n, q, (i) => -dot(vectors[q], vectors[i]))).toFixed(2) : 'skipped';
  console.log(`n=${n}: ${(total / 1000).toFixed(1)} s (${shares}); UMAP on ${p.sampled}; 10-NN same cluster: map ${mapPurity.toFixed(2)}, embedding ${spacePurity}; heap ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS`);
}
