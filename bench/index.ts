// Index benchmark: HnswIndex on synthetic low-rank-plus-noise embeddings, 128-d and 1280-d.
// Prints build time, query p50/p99 at k=10, recall@10 against exact search, save/load times,
// file size and memory. Goal (issue 4): recall@10 >= 0.99 at p50 <= 2 ms for 100k vectors.
//
//   npx tsx bench/index.ts                 # 100,000 vectors, 128-d and 1280-d (minutes)
//   npx tsx bench/index.ts --n 20000       # smaller
//   npx tsx bench/index.ts --dims 128      # one dimension only
//   npx tsx bench/index.ts --cache DIR     # keep built indexes in DIR; later runs load them
//                                          # (same seed, so same vectors) and skip the build
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExactIndex } from '../src-main/search/exact-index.js';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../src-shared/contract.js';
import { findDuplicateGroups } from '../src-main/search/duplicates.js';
import { DEFAULT_HNSW_SETTINGS, HnswIndex } from '../src-main/search/hnsw-index.js';
import { sidecarPath } from '../src-main/search/index-file.js';
import { lowRankVectors } from '../test/unit/search/synthetic-vectors.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '128,1280' },
    queries: { type: 'string', default: '200' },
    cache: { type: 'string' },
  },
});
const n = Number(values.n);
const dims = values.dims.split(',').map(Number);
const queryCount = Number(values.queries);
const K = 10;
const SWEEP = [64, 128, 160, DEFAULT_HNSW_SETTINGS.ef, 300];

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
// RSS +build is only meaningful when the index was built (not loaded) in this run.
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function build(hnsw: HnswIndex, ids: number[], vectors: Float32Array[]): void {
  const batch = 5000;
  let lastReport = performance.now();
  for (let start = 0; start < ids.length; start += batch) {
    hnsw.add(ids.slice(start, start + batch), vectors.slice(start, start + batch));
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
function measureQueries(index: HnswIndex | ExactIndex, queries: Float32Array[], truth: Set<number>[]): { p50: number; p99: number; recall: number } {
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
console.log(`n=${n}, dims ${dims.join(', ')}, ${queryCount} queries, k=${K}, settings ${JSON.stringify(DEFAULT_HNSW_SETTINGS)}`);
console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  for (const dim of dims) {
    const [set, genMs] = time(() => lowRankVectors({ n, dim, seed: 42 }));
    const ids = set.rows.map((_, i) => i);
    const queries = set.more(queryCount);
    console.log(`\n${dim}-d: generated ${n} vectors in ${seconds(genMs)}`);

    const exact = new ExactIndex(dim, n);
    exact.add(ids, set.rows);
    const truth = queries.map((q) => new Set(exact.search(q, K).map((h) => h.id)));
    const exactFigures = measureQueries(exact, queries.slice(0, 50), truth.slice(0, 50));

    const rssBefore = process.memoryUsage().rss;
    const cached = values.cache === undefined ? undefined : join(values.cache, `index-${dim}-${n}.hnsw`);
    let hnsw: HnswIndex;
    let buildMs = NaN;
    if (cached !== undefined && existsSync(cached)) {
      hnsw = HnswIndex.load(cached);
      console.log(`  loaded the index built earlier from ${cached}`);
    } else {
      hnsw = new HnswIndex(dim, { capacity: n });
      buildMs = time(() => build(hnsw, ids, set.rows))[1];
      if (cached !== undefined) hnsw.save(cached);
    }
    const rssAfter = process.memoryUsage().rss;
    if (!Number.isNaN(buildMs)) console.log(`  built in ${seconds(buildMs)}`);

    for (const ef of SWEEP) {
      hnsw.ef = ef;
      const f = measureQueries(hnsw, queries, truth);
      console.log(`  ef ${String(ef).padStart(3)}: recall@10 ${f.recall.toFixed(4)}  p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99.toFixed(3)} ms`);
    }
    hnsw.ef = DEFAULT_HNSW_SETTINGS.ef;
    const figures = measureQueries(hnsw, queries, truth);

    // The duplicates job queries every image once; time a slice and project to the library.
    const sample = new Map(ids.slice(0, 2000).map((id) => [id, set.rows[id]] as const));
    const [, duplicatesMs] = time(() => findDuplicateGroups(hnsw, sample, DEFAULT_DUPLICATE_THRESHOLD));
    const duplicatesPerImage = duplicatesMs / sample.size;
    console.log(`  duplicates: ${duplicatesPerImage.toFixed(3)} ms per image, ~${seconds(duplicatesPerImage * n)} for all ${n}`);

    const file = join(folder, `index-${dim}.hnsw`);
    const [, saveMs] = time(() => hnsw.save(file));
    const bytes = statSync(file).size + statSync(sidecarPath(file)).size;
    const [loaded, loadMs] = time(() => HnswIndex.load(file));
    const loadedFigures = measureQueries(loaded, queries, truth);

    rows.push([
      String(dim), String(n), Number.isNaN(buildMs) ? 'cached' : seconds(buildMs),
      figures.p50.toFixed(3), figures.p99.toFixed(3), figures.recall.toFixed(4),
      loadedFigures.recall.toFixed(4), exactFigures.p50.toFixed(1),
      seconds(saveMs), seconds(loadMs), mb(bytes), mb(rssAfter - rssBefore), mb(rssAfter), seconds(duplicatesPerImage * n),
    ]);
    rmSync(file);
    rmSync(sidecarPath(file));
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const header = ['dim', 'n', 'build', 'p50 ms', 'p99 ms', 'recall@10', 'after load', 'exact p50 ms', 'save', 'load', 'file', 'RSS +build', 'RSS total', 'duplicates'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(`\nHnswIndex, ef ${DEFAULT_HNSW_SETTINGS.ef}, M ${DEFAULT_HNSW_SETTINGS.M}, efConstruction ${DEFAULT_HNSW_SETTINGS.efConstruction}, k ${K}, ${queryCount} queries`);
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
