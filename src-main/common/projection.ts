// A linear map from full embeddings to a few dimensions that keeps inner products as well as
// any map of that size can: the top principal directions of the vectors' second moment (not
// centred, because it is inner products with the query that must survive, not distances to
// the mean). ProjectedIndex searches a graph of projected vectors and re-ranks exactly.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { seededRandom } from './random.js';

/** Row-major `reducedDim × dim`: row j is the j-th unit direction. */
export interface Projection {
  readonly dim: number;
  readonly reducedDim: number;
  readonly rows: Float32Array;
}

/**
 * Subspace iterations on the second-moment matrix. Only the energy the subspace captures
 * matters, not converged components, and each iteration costs reducedDim·dim² multiply-adds.
 */
const ITERATIONS = 4;

/**
 * The top `reducedDim` directions of the samples' second moment. Only the subspace matters
 * (projected inner products do not depend on a rotation inside it), so subspace iteration
 * stops without sorting individual components.
 */
export function fitProjection(samples: readonly Float32Array[], dim: number, reducedDim: number, seed = 7): Projection {
  const steps = fitSteps(samples, dim, reducedDim, seed);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * fitProjection with `pause` awaited between blocks of its work (a few tens of ms each at 1,024
 * samples of 1,280 dimensions, where the whole fit takes ~3 s): for a fit on a thread that must
 * go on answering. The same projection to the last bit.
 */
export async function fitProjectionInSteps(samples: readonly Float32Array[], dim: number, reducedDim: number, seed = 7, pause: () => Promise<unknown> = nextTurn): Promise<Projection> {
  const steps = fitSteps(samples, dim, reducedDim, seed);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** The fit, yielding after each block of work. */
function* fitSteps(samples: readonly Float32Array[], dim: number, reducedDim: number, seed: number): Generator<void, Projection> {
  if (reducedDim < 1 || reducedDim > dim) throw new RangeError(`reduced dimension must be in [1, ${dim}], got ${reducedDim}`);
  // Multiplying by the second moment: through the dim×dim matrix, or as (B·Xᵀ)·X without
  // forming it, whichever costs fewer multiply-adds (few samples: the latter, by far).
  const n = samples.length;
  const viaMoment = (n * dim * dim) / 2 + ITERATIONS * reducedDim * dim * dim;
  const viaSamples = ITERATIONS * 2 * n * dim * reducedDim;
  const moment = viaMoment <= viaSamples ? yield* secondMoment(samples, dim) : null;
  const normal = gaussian(seededRandom(seed));
  // Basis kept as reducedDim rows of length dim (row-major), orthonormal after every step.
  let basis = new Float64Array(reducedDim * dim);
  for (let i = 0; i < basis.length; i++) basis[i] = normal();
  orthonormaliseRows(basis, reducedDim, dim, normal);
  for (let t = 0; t < ITERATIONS; t++) {
    basis = moment ? yield* multiplyRowsBySymmetric(basis, reducedDim, moment, dim) : yield* multiplyRowsByMoment(basis, reducedDim, samples, dim);
    orthonormaliseRows(basis, reducedDim, dim, normal);
  }
  return { dim, reducedDim, rows: Float32Array.from(basis) };
}

/** `out[j] = rows[j] · vector`. */
export function project(projection: Projection, vector: ArrayLike<number>, out: Float64Array = new Float64Array(projection.reducedDim)): Float64Array {
  const { dim, reducedDim, rows } = projection;
  const tail = dim - (dim % 4);
  for (let j = 0, base = 0; j < reducedDim; j++, base += dim) {
    const r = rows.subarray(base, base + dim);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < tail; i += 4) {
      s0 += r[i] * vector[i];
      s1 += r[i + 1] * vector[i + 1];
      s2 += r[i + 2] * vector[i + 2];
      s3 += r[i + 3] * vector[i + 3];
    }
    for (let i = tail; i < dim; i++) s0 += r[i] * vector[i];
    out[j] = s0 + s1 + s2 + s3;
  }
  return out;
}

// The four-accumulator inner products below are written out in each loop on purpose: one
// shared dot() over ArrayLike<number> (called with Float32Array and Float64Array) measured
// twice as slow for project() and 1.5× for a fit, as V8 can no longer specialise it.

/** Rows of work kept together so the data they share stays in cache (measured 3-4× faster). */
const BLOCK = 32;

/** Upper triangle accumulated, then mirrored: Σ x xᵀ / m, dim × dim, row-major. Yields after each block of samples. */
function* secondMoment(samples: readonly Float32Array[], dim: number): Generator<void, Float64Array> {
  const moment = new Float64Array(dim * dim);
  for (let start = 0; start < samples.length; start += BLOCK) {
    const block = samples.slice(start, start + BLOCK);
    for (let i = 0; i < dim; i++) {
      const row = moment.subarray(i * dim, (i + 1) * dim);
      for (const x of block) {
        const xi = x[i];
        if (xi === 0) continue;
        for (let j = i; j < dim; j++) row[j] += xi * x[j];
      }
    }
    yield;
  }
  const scale = 1 / Math.max(1, samples.length);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = moment[i * dim + j] * scale;
      moment[i * dim + j] = v;
      moment[j * dim + i] = v;
    }
  }
  return moment;
}

/** (rows × dim) · S for symmetric S: out[r][j] = basis[r] · S[j]. Yields after each block of rows. */
function* multiplyRowsBySymmetric(basis: Float64Array, rows: number, s: Float64Array, dim: number): Generator<void, Float64Array<ArrayBuffer>> {
  const out = new Float64Array(rows * dim);
  const tail = dim - (dim % 4);
  for (let start = 0; start < rows; start += BLOCK) {
    const end = Math.min(rows, start + BLOCK);
    for (let j = 0; j < dim; j++) {
      const srow = s.subarray(j * dim, (j + 1) * dim);
      for (let r = start; r < end; r++) {
        const b = basis.subarray(r * dim, (r + 1) * dim);
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let i = 0; i < tail; i += 4) {
          s0 += b[i] * srow[i];
          s1 += b[i + 1] * srow[i + 1];
          s2 += b[i + 2] * srow[i + 2];
          s3 += b[i + 3] * srow[i + 3];
        }
        for (let i = tail; i < dim; i++) s0 += b[i] * srow[i];
        out[r * dim + j] = s0 + s1 + s2 + s3;
      }
    }
    yield;
  }
  return out;
}

/** (rows × dim) · Σ x xᵀ, as (basis · Xᵀ) · X (the scale does not matter: rows are renormalised). Yields after each block of samples. */
function* multiplyRowsByMoment(basis: Float64Array, rows: number, samples: readonly Float32Array[], dim: number): Generator<void, Float64Array<ArrayBuffer>> {
  const out = new Float64Array(rows * dim);
  const tail = dim - (dim % 4);
  for (const [k, x] of samples.entries()) {
    if (k > 0 && k % BLOCK === 0) yield;
    for (let r = 0; r < rows; r++) {
      const b = basis.subarray(r * dim, (r + 1) * dim);
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < tail; i += 4) {
        s0 += b[i] * x[i];
        s1 += b[i + 1] * x[i + 1];
        s2 += b[i + 2] * x[i + 2];
        s3 += b[i + 3] * x[i + 3];
      }
      for (let i = tail; i < dim; i++) s0 += b[i] * x[i];
      const a = s0 + s1 + s2 + s3;
      const o = out.subarray(r * dim, (r + 1) * dim);
      for (let i = 0; i < tail; i += 4) {
        o[i] += a * x[i];
        o[i + 1] += a * x[i + 1];
        o[i + 2] += a * x[i + 2];
        o[i + 3] += a * x[i + 3];
      }
      for (let i = tail; i < dim; i++) o[i] += a * x[i];
    }
  }
  return out;
}

/** Modified Gram–Schmidt; a row that collapses (rank-deficient samples) is replaced at random. */
function orthonormaliseRows(basis: Float64Array, rows: number, dim: number, normal: () => number): void {
  for (let r = 0; r < rows; r++) {
    const row = basis.subarray(r * dim, (r + 1) * dim);
    for (let attempt = 0; ; attempt++) {
      for (let p = 0; p < r; p++) {
        const prev = basis.subarray(p * dim, (p + 1) * dim);
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += row[i] * prev[i];
        for (let i = 0; i < dim; i++) row[i] -= dot * prev[i];
      }
      let norm = 0;
      for (let i = 0; i < dim; i++) norm += row[i] * row[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-9 || attempt > 3) {
        for (let i = 0; i < dim; i++) row[i] /= norm;
        break;
      }
      for (let i = 0; i < dim; i++) row[i] = normal();
    }
  }
}

function gaussian(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}
