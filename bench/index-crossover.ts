// Where brute force stops being as fast as HNSW: query p50 of ExactIndex and HnswIndex (default
// settings, k=10) at growing sizes, 128-d and 1280-d. The crossover sizes in
// src-main/search/live-index.ts come from this. Run: npx tsx bench/index-crossover.ts
import { ExactIndex } from '../src-main/search/exact-index.js';
import { HnswIndex } from '../src-main/search/hnsw-index.js';
import type { VectorIndex } from '../src-main/search/vector-index.js';
import { lowRankVectors } from '../test/unit/search/synthetic-vectors.js';

const sizes = [125, 250, 375, 500, 1000, 2000, 4000, 8000];
const QUERIES = 300;

function p50(index: VectorIndex, queries: Float32Array[]): number {
  for (const q of queries.slice(0, 20)) index.search(q, 10); // warm up the JIT
  const times = queries.map((q) => {
    const start = performance.now();
    index.search(q, 10);
    return performance.now() - start;
  });
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

console.log('dim    n      exact p50 ms  hnsw p50 ms');
for (const dim of [128, 1280]) {
  const max = sizes[sizes.length - 1];
  const set = lowRankVectors({ n: max, dim, seed: 11 });
  const queries = set.more(QUERIES);
  for (const n of sizes) {
    const ids = Array.from({ length: n }, (_, i) => i);
    const rows = set.rows.slice(0, n);
    const exact = new ExactIndex(dim, n);
    exact.add(ids, rows);
    const hnsw = new HnswIndex(dim, { capacity: n });
    hnsw.add(ids, rows);
    const e = p50(exact, queries);
    const h = p50(hnsw, queries);
    console.log(`${String(dim).padEnd(6)} ${String(n).padEnd(6)} ${e.toFixed(3).padStart(12)}  ${h.toFixed(3).padStart(11)}`);
  }
}
