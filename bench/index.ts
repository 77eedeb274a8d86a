// Index benchmark on synthetic low-rank-plus-noise embeddings, 128-d and 1280-d: plain HNSW
// (HnswIndex) and, for wide vectors, HNSW over a PCA projection with exact re-ranking
// (ProjectedIndex, what createIndex uses from PROJECTED_FROM_DIM up). Prints build time, query
// p50/p99 at k=10, recall@10 against exact search, save/load times, file size and memory.
// Goal (issue 4): recall@10 >= 0.99 at p50 <= 2 ms for 100k vectors.
//
//   npx tsx bench/index.ts                 # 100,000 vectors, 128-d and 1280-d (plain HNSW at
//                                          # 1280-d alone builds for 11-16 min)
//   npx tsx bench/index.ts --n 20000       # smaller
//   npx tsx bench/index.ts --dims 128      # one dimension only
//   npx tsx bench/index.ts --kinds projected   # skip plain HNSW where a projected index runs
//   npx tsx bench/index.ts --cache DIR     # keep built indexes in DIR; later runs load them
//                                          # (same seed, so same vectors) and skip the build
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExactIndex } from '../src-main/search/exact-index.js';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../src-shared/contract.js';
import { centredGroups, duplicatePairs } from '../src-main/copies/duplicates.js';
import { DEFAULT_HNSW_SETTINGS, HnswIndex } from '../src-main/search/hnsw-index.js';
import { sidecarPath } from '../src-main/search/index-file.js';
import { PROJECTED_FROM_DIM } from '../src-main/search/live-index.js';
import { DEFAULT_PROJECTED_SETTINGS, ProjectedIndex } from '../src-main/search/projected-index.js';
import type { VectorIndex } from '../src-main/search/vector-index.js';
import { lowRankVectors } from '../test/unit/search/synthetic-vectors.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '128,1280' },
    kinds: { type: 'string', default: 'hnsw,projected' },
    queries: { type: 'string', default: '200' },
    cache: { type: 'string' },
  },
});
const n = Number(values.n);
const dims = values.dims.split(',').map(Number);
const kinds = values.kinds.split(',');
const queryCount = Number(values.queries);
const K = 10;

type Kind = 'hnsw' | 'projected';

/** How each kind is built, loaded and tuned; `sweep` lists the search settings tried. */
interface KindSetup<I extends VectorIndex> {
  make(dim: number): I;
  load(file: string): I;
  sweep: Array<{ label: string; apply(index: I): void }>;
  reset(index: I): void;
  describe: string;
}

const hnswSetup: KindSetup<HnswIndex> = {
  make: (dim) => new HnswIndex(dim, { capacity: n }),
  load: (file) => HnswIndex.load(file),
  sweep: [64, 128, 160, DEFAULT_HNSW_SETTINGS.ef, 300].map((ef) => ({
    label: `ef ${String(ef).padStart(3)}`,
    apply: (index: HnswIndex) => { index.ef = ef; },
  })),
  reset: (index) => { index.ef = DEFAULT_HNSW_SETTINGS.ef; },
  describe: `HnswIndex ${JSON.stringify(DEFAULT_HNSW_SETTINGS)}`,
};

const projectedSetup: KindSetup<ProjectedIndex> = {
  make: (dim) => new ProjectedIndex(dim, { capacity: n }),
  load: (file) => ProjectedIndex.load(file),
  sweep: [
    ...[64, 100, 128, 160, 200].map((ef) => ({ candidates: DEFAULT_PROJECTED_SETTINGS.candidates, ef })),
    ...[20, 40, 100].map((candidates) => ({ candidates, ef: Math.max(candidates, DEFAULT_PROJECTED_SETTINGS.ef) })),
  ].map((search) => ({
    label: `ef ${String(search.ef).padStart(3)} candidates ${String(search.candidates).padStart(3)}`,
    apply: (index: ProjectedIndex) => index.tune(search),
  })),
  reset: (index) => index.tune(DEFAULT_PROJECTED_SETTINGS),
  describe: `ProjectedIndex ${JSON.stringify(DEFAULT_PROJECTED_SETTINGS)}`,
};

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
// RSS +build is only meaningful when the index was built (not loaded) in this run.
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function build(index: VectorIndex, ids: number[], vectors: Float32Array[]): void {
  const batch = 5000;
  let lastReport = performance.now();
  for (let start = 0; start < ids.length; start += batch) {
    index.add(ids.slice(start, start + batch), vectors.slice(start, start + batch));
    if (performance.now() - lastReport > 30_000) {
      console.log(`  building: ${start + batch}/${ids.length}`);
      lastReport = performance.now();
    }
  }
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

/** p50, p99 (ms) and recall@K of `index` on `queries` against `truth`. */
function measureQueries(index: VectorIndex, queries: Float32Array[], truth: Set<number>[]): { p50: number; p99: number; recall: number } {
  for (const q of queries.slice(0, 20)) index.search(q, K); // warm up the JIT
  const times: number[] = [];
  let found = 0;
  queries.forEach((q, i) => {
    const [hits, ms] = time(() => index.search(q, K));
    times.push(ms);
    for (const hit of hits) if (truth[i].has(hit.id)) found++;
  });
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), recall: found / (K * queries.length) };
}

const rows: string[][] = [];
const folder = mkdtempSync(join(tmpdir(), 'lookalike-bench-index-'));
console.log(`n=${n}, dims ${dims.join(', ')}, kinds ${kinds.join(', ')}, ${queryCount} queries, k=${K}`);
console.log(`${hnswSetup.describe}\n${projectedSetup.describe} (used from ${PROJECTED_FROM_DIM}-d up)`);
console.log(`load average before: ${load()}`);

function run<I extends VectorIndex>(kind: Kind, setup: KindSetup<I>, dim: number, set: ReturnType<typeof lowRankVectors>, queries: Float32Array[], truth: Set<number>[], exactP50: number): void {
  const ids = set.rows.map((_, i) => i);
  const rssBefore = process.memoryUsage().rss;
  const cached = values.cache === undefined ? undefined : join(values.cache, `index-${kind}-${dim}-${n}.idx`);
  let index: I;
  let buildMs = NaN;
  if (cached !== undefined && existsSync(cached)) {
    index = setup.load(cached);
    console.log(`  ${kind}: loaded the index built earlier from ${cached}`);
  } else {
    index = setup.make(dim);
    buildMs = time(() => build(index, ids, set.rows))[1];
    if (cached !== undefined) index.save(cached);
  }
  const rssAfter = process.memoryUsage().rss;
  if (!Number.isNaN(buildMs)) console.log(`  ${kind}: built in ${seconds(buildMs)} (load average ${load()})`);

  for (const { label, apply } of setup.sweep) {
    apply(index);
    const f = measureQueries(index, queries, truth);
    console.log(`  ${kind} ${label}: recall@10 ${f.recall.toFixed(4)}  p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99.toFixed(3)} ms  (load average ${load()})`);
  }
  setup.reset(index);
  const figures = measureQueries(index, queries, truth);

  // The duplicates job queries every image once; time a slice and project to the library.
  const sample = new Map(ids.slice(0, 2000).map((id) => [id, set.rows[id]] as const));
  const [, duplicatesMs] = time(() => centredGroups(duplicatePairs(index, sample, DEFAULT_DUPLICATE_THRESHOLD)));
  const duplicatesPerImage = duplicatesMs / sample.size;
  console.log(`  ${kind} duplicates: ${duplicatesPerImage.toFixed(3)} ms per image, ~${seconds(duplicatesPerImage * n)} for all ${n}`);

  const file = join(folder, `index-${kind}-${dim}.idx`);
  const [, saveMs] = time(() => index.save(file));
  const bytes = statSync(file).size + statSync(sidecarPath(file)).size;
  const [loaded, loadMs] = time(() => setup.load(file));
  const loadedFigures = measureQueries(loaded, queries, truth);

  rows.push([
    kind, String(dim), String(n), Number.isNaN(buildMs) ? 'cached' : seconds(buildMs),
    figures.p50.toFixed(3), figures.p99.toFixed(3), figures.recall.toFixed(4),
    loadedFigures.recall.toFixed(4), exactP50.toFixed(1),
    seconds(saveMs), seconds(loadMs), mb(bytes), mb(rssAfter - rssBefore), mb(rssAfter), seconds(duplicatesPerImage * n), load(),
  ]);
  rmSync(file);
  rmSync(sidecarPath(file));
}

try {
  for (const dim of dims) {
    const [set, genMs] = time(() => lowRankVectors({ n, dim, seed: 42 }));
    const ids = set.rows.map((_, i) => i);
    const queries = set.more(queryCount);
    console.log(`\n${dim}-d: generated ${n} vectors in ${seconds(genMs)}`);

    const exact = new ExactIndex(dim, n);
    exact.add(ids, set.rows);
    const truth = queries.map((q) => new Set(exact.search(q, K).map((h) => h.id)));
    const exactP50 = measureQueries(exact, queries.slice(0, 50), truth.slice(0, 50)).p50;

    // Plain HNSW runs where it is what the app uses, or where asked for comparison.
    if (kinds.includes('hnsw') || dim < PROJECTED_FROM_DIM) run('hnsw', hnswSetup, dim, set, queries, truth, exactP50);
    if (kinds.includes('projected') && dim >= DEFAULT_PROJECTED_SETTINGS.reducedDim * 2) run('projected', projectedSetup, dim, set, queries, truth, exactP50);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const header = ['kind', 'dim', 'n', 'build', 'p50 ms', 'p99 ms', 'recall@10', 'after load', 'exact p50 ms', 'save', 'load', 'file', 'RSS +build', 'RSS total', 'duplicates', 'load average'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`\nDefault settings, k ${K}, ${queryCount} queries`);
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`load average after: ${load()}`);
