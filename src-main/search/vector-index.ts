// The few verbs the app needs from a nearest-neighbour index, whatever does the work behind them
// (brute force while the library is small, HNSW beyond). Scores are cosine similarities.

export interface SearchOptions {
  /** Keep only hits with score >= minScore. */
  minScore?: number;
  /** Keep only hits with score <= maxScore (e.g. to hide near-identical copies). */
  maxScore?: number;
  /** An id never returned, typically the query image itself. */
  exclude?: number;
}

export interface SearchHit {
  id: number;
  /** Cosine similarity in [-1, 1]; 1 means same direction. */
  score: number;
}

export interface VectorIndex {
  readonly dim: number;
  /** Number of live (searchable) vectors. */
  readonly size: number;
  /** Adds or replaces vectors. Ids are image ids: integers in [0, 2^32). */
  add(ids: readonly number[], vectors: readonly Float32Array[]): void;
  /** Removes an id; it is never returned again until re-added. Unknown ids are ignored. */
  remove(id: number): void;
  has(id: number): boolean;
  /** The live ids, in no particular order. */
  ids(): number[];
  /** A copy of the stored unit vector of a live id, or undefined: reading one costs no database. */
  vector(id: number): Float32Array | undefined;
  /** Up to k hits, best first (score descending, then id ascending). */
  search(query: Float32Array, k: number, opts?: SearchOptions): SearchHit[];
  /** Writes the index atomically to `file` plus a JSON sidecar `file + '.json'`. */
  save(file: string): void;
}

/** Largest id an index accepts: hnswlib's node binding converts labels with Uint32Value. */
export const MAX_ID = 0xffff_ffff;

export function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new RangeError(`index ids must be integers in [0, ${MAX_ID}], got ${id}`);
  }
}

export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dimension must be a positive integer, got ${dim}`);
}

/**
 * A unit-length copy of `vector` as float64 values, checked against the index's dimension.
 * Embeddings arrive normalised; normalising again costs little and keeps scores true cosines
 * if a caller forgets.
 */
export function normalised(vector: ArrayLike<number>, dim: number, what: string): Float64Array {
  if (vector.length !== dim) {
    throw new RangeError(`${what} has ${vector.length} values, but the index has dimension ${dim}`);
  }
  let squares = 0;
  for (let i = 0; i < dim; i++) squares += vector[i] * vector[i];
  const norm = Math.sqrt(squares);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new RangeError(`${what} has zero length or non-finite values; it cannot be compared by angle`);
  }
  const unit = new Float64Array(dim);
  for (let i = 0; i < dim; i++) unit[i] = vector[i] / norm;
  return unit;
}

export function checkAddArguments(ids: readonly number[], vectors: readonly Float32Array[]): void {
  if (ids.length !== vectors.length) {
    throw new RangeError(`add() got ${ids.length} ids but ${vectors.length} vectors`);
  }
  for (const id of ids) checkId(id);
}

/** k as a count of hits: 0 gives no hits; anything else must be a positive integer. */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
}

/** Whether a score passes the caller's range; both bounds inclusive. */
export function inRange(score: number, opts: SearchOptions | undefined): boolean {
  if (opts === undefined) return true;
  if (opts.minScore !== undefined && score < opts.minScore) return false;
  if (opts.maxScore !== undefined && score > opts.maxScore) return false;
  return true;
}

/**
 * A computed cosine kept within [-1, 1]. Float rounding puts a vector's cosine with itself a
 * hair above 1 (1.000000020922562), which a "max score 1" filter then drops: the original of
 * a byte-identical query vanished from its own results (issue 18).
 */
export function cosineScore(raw: number): number {
  return raw > 1 ? 1 : raw < -1 ? -1 : raw;
}

export function byScoreThenId(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || a.id - b.id;
}
