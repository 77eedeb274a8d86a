// ProjectedIndex on real embeddings: frozen MobileNetV2 1280-d features of Fashion-MNIST
// images (bench/fashion-mnist-data.ts, cached in .bench-out/), the untrained model's space,
// and, when bench/near-duplicates.ts has cached them, the 1152-d near-duplicate descriptors
// of its photos (the duplicates index, also served by ProjectedIndex). Synthetic low-rank data
// (bench/index.ts) is kind to a PCA; this checks how much of real vectors' energy the
// projection keeps and whether re-ranked recall and duplicate groups hold. Small (thousands of
// vectors), so it says nothing about speed at scale.
//
//   npx tsx bench/index-real-features.ts
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../src-shared/contract.js';
import { centredGroups, duplicatePairs } from '../src-main/copies/duplicates.js';
import { ExactIndex } from '../src-main/search/exact-index.js';
import { HnswIndex } from '../src-main/search/hnsw-index.js';
import { ProjectedIndex } from '../src-main/search/projected-index.js';
import { fitProjection, project } from '../src-main/common/projection.js';
import type { VectorIndex } from '../src-main/search/vector-index.js';
import { fashionMnistFeatures } from './fashion-mnist-data.js';

const QUERIES = 200;
const K = 10;

const { train, test } = await fashionMnistFeatures([0, 1, 2, 3, 4], 500, 200);
const unit = [...train.features, ...test.features].map((v) => unitLength(v));
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

/** The near-duplicate descriptor as src-main/model/descriptor.ts builds it from block 13's two poolings. */
function nearDuplicateDescriptors(folder: string): Float32Array[] {
  const decode = (b64: string): Float32Array => unitLength(new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));
  return readdirSync(folder).sort().map((name) => {
    const layers = JSON.parse(readFileSync(join(folder, name), 'utf8')) as Record<string, string>;
    const average = decode(layers['block_13_expand_relu:gap']);
    const gem = decode(layers['block_13_expand_relu:gem3']);
    const both = new Float32Array(average.length + gem.length);
    both.set(average);
    both.set(gem, average.length);
    return unitLength(both);
  });
}

function unitLength(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const NEAR_DUP_CACHE = '.bench-out/neardup-cache';
if (existsSync(NEAR_DUP_CACHE)) {
  // Every cached variant (sizes, flips, quarter turns) of every photo: variants of one photo are
  // the near-duplicates the duplicates job must group.
  const descriptors = nearDuplicateDescriptors(NEAR_DUP_CACHE);
  const ndDim = descriptors[0].length;
  const ndIds = descriptors.map((_, i) => i);
  const reference = new ExactIndex(ndDim, descriptors.length);
  reference.add(ndIds, descriptors);
  const byId = new Map(ndIds.map((id) => [id, descriptors[id]] as const));
  const key = (groups: number[][]): Set<string> => new Set(groups.map((g) => g.join(',')));
  const exactGroups = key(centredGroups(duplicatePairs(reference, byId, DEFAULT_DUPLICATE_THRESHOLD)));
  const ndQueries = ndIds.filter((id) => id % 40 === 3);
  const ndTruth = ndQueries.map((id) => new Set(reference.search(descriptors[id], K, { exclude: id }).map((h) => h.id)));
  console.log(`\nnear-duplicate descriptors: ${descriptors.length} vectors, ${ndDim}-d; exact search makes ${exactGroups.size} duplicate groups`);
  const check = (name: string, index: VectorIndex): void => {
    let found = 0;
    ndQueries.forEach((id, i) => {
      for (const hit of index.search(descriptors[id], K, { exclude: id })) if (ndTruth[i].has(hit.id)) found++;
    });
    const groups = key(centredGroups(duplicatePairs(index, byId, DEFAULT_DUPLICATE_THRESHOLD)));
    const same = [...groups].filter((g) => exactGroups.has(g)).length;
    console.log(`${name}: recall@10 ${(found / (K * ndQueries.length)).toFixed(4)}, ${groups.size} groups, ${same} identical to exact`);
  };
  const projected = new ProjectedIndex(ndDim);
  projected.add(ndIds, descriptors);
  check(`ProjectedIndex (defaults, fitted on ${projected.fittedOn})`, projected);
  const plain = new HnswIndex(ndDim, { capacity: descriptors.length });
  plain.add(ndIds, descriptors);
  check(`HnswIndex ef ${plain.ef}`, plain);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
