// Brute force over a packed matrix: exact answers, the reference for HnswIndex in tests, and
// the live index while the library is small enough for a full scan to be as fast as HNSW.
import { readFileSync } from 'node:fs';
import { IndexFileError, readSidecar, saveIndexFiles, writeParts } from './index-file.js';
import {
  byScoreThenId, checkAddArguments, checkDim, checkK, cosineScore, inRange, normalised,
  type SearchHit, type SearchOptions, type VectorIndex,
} from './vector-index.js';

export class ExactIndex implements VectorIndex {
  readonly dim: number;
  /** Row-major unit vectors; rows [0, size) are live, the rest is spare capacity. */
  private matrix: Float32Array;
  private rowIds: Uint32Array;
  private readonly rowOf = new Map<number, number>();

  constructor(dim: number, capacity = 1024) {
    checkDim(dim);
    this.dim = dim;
    const rows = Math.max(1, Math.ceil(capacity));
    this.matrix = new Float32Array(rows * dim);
    this.rowIds = new Uint32Array(rows);
  }

  get size(): number {
    return this.rowOf.size;
  }

  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  add(ids: readonly number[], vectors: readonly Float32Array[]): void {
    checkAddArguments(ids, vectors);
    const units = vectors.map((v, i) => normalised(v, this.dim, `vector for id ${ids[i]}`));
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      let row = this.rowOf.get(id);
      if (row === undefined) {
        row = this.rowOf.size;
        this.ensureRows(row + 1);
        this.rowOf.set(id, row);
        this.rowIds[row] = id;
      }
      this.matrix.set(units[i], row * this.dim);
    }
  }

  remove(id: number): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    // Move the last row into the hole so live rows stay contiguous for the scan.
    const last = this.rowOf.size - 1;
    if (row !== last) {
      const lastId = this.rowIds[last];
      this.matrix.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.rowIds[row] = lastId;
      this.rowOf.set(lastId, row);
    }
    this.rowOf.delete(id);
  }

  /** A copy of the stored unit vector, or undefined. */
  vector(id: number): Float32Array | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.matrix.slice(row * this.dim, (row + 1) * this.dim);
  }

  /** Live ids in storage order. */
  ids(): number[] {
    return Array.from(this.rowIds.subarray(0, this.size));
  }

  search(query: Float32Array, k: number, opts?: SearchOptions): SearchHit[] {
    checkK(k);
    const q = normalised(query, this.dim, 'query');
    if (k === 0 || this.size === 0) return [];
    const top = new TopK(k);
    const dim = this.dim;
    const m = this.matrix;
    const exclude = opts?.exclude;
    const rows = this.size;
    const tail = dim - (dim % 4);
    for (let row = 0, base = 0; row < rows; row++, base += dim) {
      // A row view plus four accumulators measured ~25 % faster than indexing the whole matrix
      // with one sum (the CPU overlaps the multiply-adds; V8 drops some bounds arithmetic).
      const r = m.subarray(base, base + dim);
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < tail; j += 4) {
        s0 += q[j] * r[j];
        s1 += q[j + 1] * r[j + 1];
        s2 += q[j + 2] * r[j + 2];
        s3 += q[j + 3] * r[j + 3];
      }
      for (let j = tail; j < dim; j++) s0 += q[j] * r[j];
      const score = cosineScore(s0 + s1 + s2 + s3);
      if (score <= top.floor) continue;
      const id = this.rowIds[row];
      if (id === exclude || !inRange(score, opts)) continue;
      top.offer(id, score);
    }
    return top.sorted();
  }

  /**
   * Cosine of a stored vector with a unit query (as made by `normalised`), computed in place;
   * undefined for an unknown id. Lets another index re-rank its candidates exactly.
   */
  score(id: number, unitQuery: Float64Array): number | undefined {
    const row = this.rowOf.get(id);
    if (row === undefined) return undefined;
    const r = this.matrix.subarray(row * this.dim, (row + 1) * this.dim);
    const dim = this.dim;
    const tail = dim - (dim % 4);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < tail; j += 4) {
      s0 += unitQuery[j] * r[j];
      s1 += unitQuery[j + 1] * r[j + 1];
      s2 += unitQuery[j + 2] * r[j + 2];
      s3 += unitQuery[j + 3] * r[j + 3];
    }
    for (let j = tail; j < dim; j++) s0 += unitQuery[j] * r[j];
    return cosineScore(s0 + s1 + s2 + s3);
  }

  /**
   * The live rows as bytes, viewed in place (valid until the next add or remove): ids
   * (uint32 × size), then vectors (float32 × size × dim), platform byte order (little-endian
   * on every platform Electron ships for).
   */
  packed(): [Uint8Array, Uint8Array] {
    const rows = this.size;
    return [
      new Uint8Array(this.rowIds.buffer, this.rowIds.byteOffset, rows * 4),
      new Uint8Array(this.matrix.buffer, this.matrix.byteOffset, rows * this.dim * 4),
    ];
  }

  /** Reads `packed()` bytes back; throws RangeError if their length does not fit dim and count. */
  static unpack(bytes: Uint8Array, dim: number, count: number): ExactIndex {
    if (bytes.length !== count * 4 * (1 + dim)) throw new RangeError('packed vectors do not match their dimension and count');
    const index = new ExactIndex(dim, count);
    // Typed-array views need 4-byte alignment; a Buffer read from a file usually has it.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    index.rowIds.set(new Uint32Array(aligned.buffer, aligned.byteOffset, count));
    index.matrix.set(new Float32Array(aligned.buffer, aligned.byteOffset + count * 4, count * dim));
    for (let row = 0; row < count; row++) index.rowOf.set(index.rowIds[row], row);
    return index;
  }

  save(file: string): void {
    saveIndexFiles(file, (path) => writeParts(path, this.packed()), { kind: 'exact', dim: this.dim, count: this.size });
  }

  static load(file: string): ExactIndex {
    const sidecar = readSidecar(file);
    if (sidecar.kind !== 'exact') throw new IndexFileError(file, `it holds a ${sidecar.kind} index, not an exact one`);
    try {
      return ExactIndex.unpack(readFileSync(file), sidecar.dim, sidecar.count);
    } catch (error) {
      if (error instanceof RangeError) throw new IndexFileError(file, 'its size does not match its sidecar');
      throw error;
    }
  }

  private ensureRows(rows: number): void {
    if (rows <= this.rowIds.length) return;
    const grown = Math.max(rows, this.rowIds.length * 2);
    const matrix = new Float32Array(grown * this.dim);
    matrix.set(this.matrix);
    const rowIds = new Uint32Array(grown);
    rowIds.set(this.rowIds);
    this.matrix = matrix;
    this.rowIds = rowIds;
  }
}

/** The k best (id, score) pairs seen so far, kept sorted ascending so the worst is at [0]. */
class TopK {
  private readonly ids: number[] = [];
  private readonly scores: number[] = [];
  /** Scores at or below this cannot enter (only once full). */
  floor = -Infinity;

  constructor(private readonly k: number) {}

  offer(id: number, score: number): void {
    const { ids, scores } = this;
    if (ids.length === this.k) {
      ids.shift();
      scores.shift();
    }
    let at = scores.length;
    while (at > 0 && scores[at - 1] > score) at--;
    ids.splice(at, 0, id);
    scores.splice(at, 0, score);
    if (ids.length === this.k) this.floor = scores[0];
  }

  sorted(): SearchHit[] {
    return this.ids.map((id, i) => ({ id, score: this.scores[i] })).sort(byScoreThenId);
  }
}
