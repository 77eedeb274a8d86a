// ProjectedIndex on real embeddings: frozen MobileNetV2 1280-d features of Fashion-MNIST
// images (bench/fashion-mnist-data.ts, cached in .bench-out/), the untrained model's space.
// Synthetic low-rank data (bench/index.ts) is kind to a PCA; this checks how much of real
// features' energy the projection keeps and whether re-ranked recall holds. Small (4,500
// vectors), so it says nothing about speed at scale.
//
//   npx tsx bench/index-real-features.ts
import { loadavg } from 'node:os';
import { ExactIndex } from '../src-main/search/exact-index.js';
import { HnswIndex } from '../src-main/search/hnsw-index.js';
import { ProjectedIndex } from '../src-main/search/projected-index.js';
import { fitProjection, project } from '../src-main/search/projection.js';
import type { VectorIndex } from '../src-main/search/vector-index.js';
import { fashionMnistFeatures } from './fashion-mnist-data.js';

const QUERIES = 200;
const K = 10;

const { train, test } = await fashionMnistFeatures([0, 1, 2, 3, 4], 500, 200);
const unit = [...train.features, ...test.features].map((v) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
});
const dim = unit[0].length;
// Queries are held out: test images the index never holds.
const queries = unit.slice(unit.length - QUERIES);
const base = unit.slice(0, unit.length - QUERIES);
const ids = base.map((_, i) => i);
const exact = new ExactIndex(dim, base.length);
exact.add(ids, base);
const truth = queries.map((q) => new Set(exact.search(q, K).map((h) => h.id)));
console.log(`${base.length} vectors, ${dim}-d, ${QUERIES} held-out queries, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// Every other vector: about FIT_SAMPLE_CAP, as ProjectedIndex fits.
const sample = base.filter((_, i) => i % 2 === 0);
for (const reducedDim of [64, 128, 256]) {
  const projection = fitProjection(sample, dim, reducedDim);
  let kept = 0;
  for (const q of queries) kept += project(projection, q).reduce((s, y) => s + y * y, 0);
  console.log(`PCA to ${reducedDim}: held-out queries keep ${((100 * kept) / QUERIES).toFixed(1)} % of their energy`);
}

function measure(name: string, index: VectorIndex): void {
  for (const q of queries.slice(0, 20)) index.search(q, K);
  let found = 0;
  const times = queries.map((q, i) => {
    const start = performance.now();
    const hits = index.search(q, K);
    const ms = performance.now() - start;
    for (const hit of hits) if (truth[i].has(hit.id)) found++;
    return ms;
  });
  times.sort((a, b) => a - b);
  console.log(`${name}: recall@10 ${(found / (K * QUERIES)).toFixed(4)}  p50 ${times[QUERIES / 2].toFixed(3)} ms`);
}

for (const reducedDim of [64, 128]) {
  const projected = new ProjectedIndex(dim, { reducedDim });
  projected.add(ids, base);
  for (const candidates of [20, 60]) {
    projected.tune({ candidates });
    measure(`ProjectedIndex ${reducedDim}-d graph, ${candidates} candidates, ef ${projected.settings.ef}`, projected);
  }
}
const hnsw = new HnswIndex(dim, { capacity: base.length });
hnsw.add(ids, base);
measure(`HnswIndex ef ${hnsw.ef}`, hnsw);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
