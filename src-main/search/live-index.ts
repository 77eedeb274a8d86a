// The index the app holds: brute force while the library is small, HNSW once a full scan would
// be slower, switching by itself as images are added. Wide embeddings get HNSW over a learnt
// projection with exact re-ranking (ProjectedIndex), which searches them several times faster. Callers see one VectorIndex either way,
// and `loadIndex` reads back whichever kind `save` wrote.
import { ExactIndex } from './exact-index.js';
import { HnswIndex } from './hnsw-index.js';
import { readSidecar } from './index-file.js';
import { ProjectedIndex } from './projected-index.js';
import { checkDim, type SearchHit, type SearchOptions, type VectorIndex } from './vector-index.js';

/**
 * Sizes at which ExactIndex's k=10 query p50 reaches HnswIndex's (default settings), measured
 * by bench/index-crossover.ts on this 2-core machine (ef 200): 128-d ≈ 500 vectors (both
 * 0.07 ms), 1280-d ≈ 200 (both ≈ 0.2 ms). A full scan costs ∝ n·dim while an HNSW query
 * grows slowly with n, so other dimensions interpolate on log scales between the two points.
 */
export const MEASURED_CROSSOVER: ReadonlyArray<{ dim: number; size: number }> = [
  { dim: 128, size: 500 },
  { dim: 1280, size: 200 },
];

export function crossoverSize(dim: number): number {
  checkDim(dim);
  const [low, high] = MEASURED_CROSSOVER;
  const t = Math.min(1, Math.max(0, Math.log(dim / low.dim) / Math.log(high.dim / low.dim)));
  return Math.round(Math.exp(Math.log(low.size) + t * (Math.log(high.size) - Math.log(low.size))));
}

/**
 * From this dimension up, graphs are built over a projection (ProjectedIndex). Measured by
 * bench/index.ts at 20k vectors (load average ~4.7): at 512-d it matched plain HNSW's recall
 * (0.997 vs 0.996) at half the p50 (0.35 vs 0.71 ms) and built 2.6× faster; at 1280-d, 100k,
 * it meets issue 4's goal where plain HNSW does not. Below 512-d nothing was measured.
 */
export const PROJECTED_FROM_DIM = 512;

export type IndexKind = 'exact' | 'hnsw' | 'projected';

type Inner = ExactIndex | HnswIndex | ProjectedIndex;

/** The graph index that serves `dim` once a full scan is too slow. */
function graphIndex(dim: number, capacity: number): HnswIndex | ProjectedIndex {
  return dim >= PROJECTED_FROM_DIM ? new ProjectedIndex(dim, { capacity }) : new HnswIndex(dim, { capacity });
}

export class LiveIndex implements VectorIndex {
  private inner: Inner;

  constructor(inner: Inner) {
    this.inner = inner;
  }

  get dim(): number {
    return this.inner.dim;
  }

  get size(): number {
    return this.inner.size;
  }

  /** Which structure answers queries now (for status displays and tests). */
  get kind(): IndexKind {
    if (this.inner instanceof ExactIndex) return 'exact';
    return this.inner instanceof ProjectedIndex ? 'projected' : 'hnsw';
  }

  has(id: number): boolean {
    return this.inner.has(id);
  }

  ids(): number[] {
    return this.inner.ids();
  }

  vector(id: number): Float32Array | undefined {
    return this.inner.vector(id);
  }

  add(ids: readonly number[], vectors: readonly Float32Array[]): void {
    this.inner.add(ids, vectors);
    if (this.inner instanceof ExactIndex && this.inner.size > crossoverSize(this.dim)) this.promote(this.inner);
  }

  /**
   * add(), giving the thread back (`pause`) between blocks of the work where that work is long:
   * a projected index's fit and rebuild, or the move to one from a full scan. The same index as add().
   */
  async addInSteps(ids: readonly number[], vectors: readonly Float32Array[], pause: () => Promise<unknown>): Promise<void> {
    if (this.inner instanceof ProjectedIndex) return this.inner.addInSteps(ids, vectors, pause);
    this.inner.add(ids, vectors);
    if (!(this.inner instanceof ExactIndex) || this.inner.size <= crossoverSize(this.dim)) return;
    const exact = this.inner;
    const { graph, ids: sorted, vectors: all } = graphFor(exact);
    if (graph instanceof ProjectedIndex) await graph.addInSteps(sorted, all, pause);
    else graph.add(sorted, all);
    // Meanwhile the full scan went on answering; what changed in it since is carried over.
    for (const id of graph.ids()) if (!exact.has(id)) graph.remove(id);
    const added = exact.ids().filter((id) => !graph.has(id));
    if (added.length) graph.add(added, added.map((id) => exact.vector(id) as Float32Array));
    this.inner = graph;
  }

  remove(id: number): void {
    this.inner.remove(id);
  }

  search(query: Float32Array, k: number, opts?: SearchOptions): SearchHit[] {
    return this.inner.search(query, k, opts);
  }

  save(file: string): void {
    this.inner.save(file);
  }

  private promote(exact: ExactIndex): void {
    const { graph, ids, vectors } = graphFor(exact);
    graph.add(ids, vectors);
    this.inner = graph;
  }
}

/** An empty graph index to take over from `exact`, and what goes into it: its ids in order, and their vectors. */
function graphFor(exact: ExactIndex): { graph: HnswIndex | ProjectedIndex; ids: number[]; vectors: Float32Array[] } {
  // Id order makes the graph, and so the answers, independent of insertion history.
  const ids = exact.ids().sort((a, b) => a - b);
  return { graph: graphIndex(exact.dim, ids.length * 2), ids, vectors: ids.map((id) => exact.vector(id) as Float32Array) };
}

/**
 * An empty index for `dim`-dimensional embeddings, sized for about `expectedSize` vectors.
 * It grows past that size without limit.
 */
export function createIndex(dim: number, expectedSize = 0): LiveIndex {
  if (expectedSize > crossoverSize(dim)) return new LiveIndex(graphIndex(dim, expectedSize));
  return new LiveIndex(new ExactIndex(dim, Math.max(16, expectedSize)));
}

/** Reads an index written by `save`, whichever kind it was. Throws IndexFileError if unusable. */
export function loadIndex(file: string): LiveIndex {
  const { kind } = readSidecar(file, false); // the loader below verifies the data
  if (kind === 'exact') return new LiveIndex(ExactIndex.load(file));
  return new LiveIndex(kind === 'projected' ? ProjectedIndex.load(file) : HnswIndex.load(file));
}
