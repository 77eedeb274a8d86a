// Approximate nearest neighbours through hnswlib-node's HNSW graph (cosine space).
// Facts about the binding this relies on (hnswlib-node 3.0.0): it takes plain arrays only; ef is
// not saved with the index (default 10 after every init/load); adding to a full index throws
// unless resizeIndex was called first; mark-deleted labels are never returned and stay deleted
// through write/read; re-adding a deleted label revives it in place; labels go through
// Uint32Value, so our integer image ids are used as labels directly.
import hnswlib from 'hnswlib-node';
import { IndexFileError, readSidecar, saveIndexFiles } from './index-file.js';
import {
  byScoreThenId, checkAddArguments, checkDim, checkK, cosineScore, normalised,
  type SearchHit, type SearchOptions, type VectorIndex,
} from './vector-index.js';

export interface HnswSettings {
  /** Graph degree. */
  M: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Candidate list size while searching (hnswlib uses max(ef, k)). */
  ef: number;
}

/**
 * Chosen by measurement (bench/index.ts, synthetic low-rank-plus-noise, 200 outside queries):
 * at 100k vectors, M 16 / efConstruction 200 gave recall@10 0.987 at ef 128 and 0.995 (128-d),
 * 0.997 (1280-d) at ef 200; M 24 doubled build time at 1280-d. Smaller indexes only do better.
 */
export const DEFAULT_HNSW_SETTINGS: Readonly<HnswSettings> = { M: 16, efConstruction: 200, ef: 200 };

/** Fixed so that the same vectors added in the same order build the same graph. */
const RANDOM_SEED = 100;

export class HnswIndex implements VectorIndex {
  readonly dim: number;
  readonly settings: Readonly<Omit<HnswSettings, 'ef'>>;
  private readonly native: hnswlib.HierarchicalNSW;
  /** Every label in the native index, live or mark-deleted. */
  private readonly labels = new Set<number>();
  private readonly deleted = new Set<number>();
  private capacityValue: number;
  private efValue: number;

  constructor(dim: number, options: Partial<HnswSettings> & { capacity?: number } = {}) {
    checkDim(dim);
    const { M, efConstruction, ef } = { ...DEFAULT_HNSW_SETTINGS, ...options };
    this.dim = dim;
    this.settings = { M, efConstruction };
    this.native = new hnswlib.HierarchicalNSW('cosine', dim);
    this.capacityValue = Math.max(16, Math.ceil(options.capacity ?? 1024));
    this.native.initIndex(this.capacityValue, M, efConstruction, RANDOM_SEED);
    this.efValue = ef;
    this.native.setEf(ef);
  }

  get size(): number {
    return this.labels.size - this.deleted.size;
  }

  /** Slots allocated in the native index (live + deleted + free). */
  get capacity(): number {
    return this.capacityValue;
  }

  /** Read from hnswlib itself, so a forgotten setEf (e.g. after load) shows. */
  get ef(): number {
    return this.native.getEf();
  }

  set ef(ef: number) {
    if (!Number.isInteger(ef) || ef < 1) throw new RangeError(`ef must be a positive integer, got ${ef}`);
    this.efValue = ef;
    this.native.setEf(ef);
  }

  has(id: number): boolean {
    return this.labels.has(id) && !this.deleted.has(id);
  }

  ids(): number[] {
    return [...this.labels].filter((id) => !this.deleted.has(id));
  }

  /** hnswlib's copy of the vector (cosine space stores it normalised). */
  vector(id: number): Float32Array | undefined {
    return this.has(id) ? Float32Array.from(this.native.getPoint(id)) : undefined;
  }

  add(ids: readonly number[], vectors: readonly Float32Array[]): void {
    checkAddArguments(ids, vectors);
    const units = vectors.map((v, i) => normalised(v, this.dim, `vector for id ${ids[i]}`));
    const fresh = new Set(ids.filter((id) => !this.labels.has(id))).size;
    const needed = this.labels.size + fresh;
    // Grow geometrically so that adding one image at a time stays amortised O(1) in resizes.
    if (needed > this.capacityValue) this.resize(Math.max(needed, this.capacityValue * 2));
    for (let i = 0; i < ids.length; i++) {
      this.native.addPoint(Array.from(units[i]), ids[i]);
      this.labels.add(ids[i]);
      this.deleted.delete(ids[i]);
    }
  }

  remove(id: number): void {
    if (!this.has(id)) return;
    this.native.markDelete(id);
    this.deleted.add(id);
  }

  search(query: Float32Array, k: number, opts?: SearchOptions): SearchHit[] {
    checkK(k);
    const q = Array.from(normalised(query, this.dim, 'query'));
    if (k === 0 || this.size === 0) return [];
    const exclude = opts?.exclude;
    const excluding = exclude !== undefined && this.has(exclude) ? 1 : 0;
    // Hits above maxScore are dropped after the search, so ask for more until k survive or
    // the index has no more to give.
    let asked = Math.min(k + excluding, this.size);
    for (;;) {
      const { neighbors, distances } = this.native.searchKnn(q, asked);
      const hits: SearchHit[] = [];
      let droppedAbove = 0;
      let droppedBelow = 0;
      for (let i = 0; i < neighbors.length; i++) {
        const score = cosineScore(1 - distances[i]);
        if (neighbors[i] === exclude) continue;
        if (opts?.maxScore !== undefined && score > opts.maxScore) droppedAbove++;
        else if (opts?.minScore !== undefined && score < opts.minScore) droppedBelow++;
        else hits.push({ id: neighbors[i], score });
      }
      hits.sort(byScoreThenId);
      const exhausted = asked >= this.size || neighbors.length < asked;
      // Once a hit falls below minScore, further neighbours would score lower still.
      if (hits.length >= k || exhausted || droppedBelow > 0 || droppedAbove === 0) return hits.slice(0, k);
      asked = Math.min(asked * 2, this.size);
    }
  }

  save(file: string): void {
    saveIndexFiles(file, (path) => this.native.writeIndexSync(path), {
      kind: 'hnsw',
      dim: this.dim,
      count: this.size,
      hnsw: {
        ...this.settings,
        ef: this.efValue,
        capacity: this.capacityValue,
        deleted: [...this.deleted].sort((a, b) => a - b),
      },
    });
  }

  static load(file: string): HnswIndex {
    const sidecar = readSidecar(file);
    if (sidecar.kind !== 'hnsw' || sidecar.hnsw === undefined) {
      throw new IndexFileError(file, `it holds a ${sidecar.kind} index, not an HNSW one`);
    }
    const { dim, hnsw } = sidecar;
    const index = new HnswIndex(dim, { M: hnsw.M, efConstruction: hnsw.efConstruction, ef: hnsw.ef, capacity: 16 });
    try {
      index.native.readIndexSync(file);
    } catch (error) {
      throw new IndexFileError(file, `hnswlib cannot read it (${(error as Error).message})`);
    }
    // readIndex resets ef to hnswlib's default of 10.
    index.native.setEf(hnsw.ef);
    index.capacityValue = index.native.getMaxElements();
    for (const label of index.native.getIdsList()) index.labels.add(label);
    for (const label of hnsw.deleted) index.deleted.add(label);
    if (index.size !== sidecar.count) {
      throw new IndexFileError(file, `it has ${index.size} live vectors, its sidecar says ${sidecar.count}`);
    }
    return index;
  }

  private resize(capacity: number): void {
    this.native.resizeIndex(capacity);
    this.capacityValue = capacity;
  }
}
