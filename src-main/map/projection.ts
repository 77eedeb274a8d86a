// A 2-D map of embeddings with UMAP (umap-js). UMAP in JS is fine for a few thousand points
// and slow beyond (its optimisation is O(edges × epochs) in plain JS), so a large library is
// mapped by fitting UMAP on a seeded sample and placing every other point at the similarity-
// weighted mean of its nearest sampled points. Everything random draws from one seeded
// generator, so the same vectors and seed give the same map.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { UMAP } from 'umap-js';
import { nearestReferences } from './neighbours.js';
import { reduceWithPca } from './pca.js';
import { seededRandom } from '../common/random.js';

export const DEFAULT_MAP_SEED = 42;
/** Points UMAP itself lays out; the rest are placed by neighbours (see bench/map.ts). */
export const DEFAULT_SAMPLE_SIZE = 5000;
const NEIGHBOURS = 15;
const PLACEMENT_NEIGHBOURS = 5;
// umap-learn's choice for large inputs; 500 (umap-js's default for small ones) took 2.5x as long
// for no visible difference on our clustered test sets.
const EPOCHS = 200;
/** Wider embeddings are reduced to this many principal components first (see pca.ts). */
export const PCA_DIM = 64;

export type MapPhase = 'reducing' | 'neighbours' | 'layout' | 'placing';

export interface ProjectOptions {
  seed?: number;
  sampleSize?: number;
  signal?: AbortSignal;
  onProgress?: (phase: MapPhase, done: number, total: number) => void;
}

export interface Projection {
  /** x of point i at xy[2i], y at xy[2i+1], both in [0, 1] (aspect kept). */
  xy: Float32Array;
  /** How many points UMAP laid out; the others were placed by nearest neighbours. */
  sampled: number;
}


/** k distinct indices of 0..n-1, ascending, chosen by a partial Fisher-Yates shuffle. */
function sampleIndices(n: number, k: number, random: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}


function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('map cancelled', 'AbortError');
}

/** Projects L2-normalised vectors to 2-D. */
export async function projectToPlane(input: readonly Float32Array[], opts: ProjectOptions = {}): Promise<Projection> {
  const n = input.length;
  const random = seededRandom(opts.seed ?? DEFAULT_MAP_SEED);
  const xy = new Float32Array(n * 2);
  if (n <= 2) {
    // Too few for a neighbourhood graph: a point in the middle, or two side by side.
    for (let i = 0; i < n; i++) xy.set([n === 1 ? 0.5 : i, 0.5], i * 2);
    return { xy, sampled: n };
  }
  const sampleSize = Math.min(n, Math.max(3, opts.sampleSize ?? DEFAULT_SAMPLE_SIZE));
  const sample = sampleSize < n ? sampleIndices(n, sampleSize, random) : Array.from({ length: n }, (_, i) => i);
  let vectors = input;
  if ((input[0]?.length ?? 0) > PCA_DIM) {
    opts.onProgress?.('reducing', 0, n);
    vectors = reduceWithPca(input, sample.map((i) => input[i]), PCA_DIM, opts.seed ?? DEFAULT_MAP_SEED);
    await nextTurn();
    checkAborted(opts.signal);
  }
  const sampled = sample.map((i) => vectors[i]);
  const nNeighbors = Math.min(NEIGHBOURS, sampled.length - 1);

  opts.onProgress?.('neighbours', 0, sampled.length);
  const knn = await nearestReferences(sampled, sampled, nNeighbors, (done) => {
    opts.onProgress?.('neighbours', done, sampled.length);
    return !opts.signal?.aborted;
  });
  checkAborted(opts.signal);
  // Unit vectors: Euclidean distance is sqrt(2 - 2·cos).
  const distances = knn.similarities.map((row) => row.map((s) => Math.sqrt(Math.max(0, 2 - 2 * s))));

  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: 0.1, nEpochs: EPOCHS, random });
  umap.setPrecomputedKNN(knn.indices, distances);
  // UMAP only reads X's length and shape once the neighbours are given; pass light rows.
  const epochs = umap.initializeFit(sampled.map((v) => Array.from(v.subarray(0, 2))));
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) {
      opts.onProgress?.('layout', e, epochs);
      await nextTurn();
      checkAborted(opts.signal);
    }
  }
  const layout = umap.getEmbedding();
  sample.forEach((i, s) => xy.set([layout[s][0], layout[s][1]], i * 2));

  if (sample.length < n) {
    const inSample = new Set(sample);
    const rest = vectors.map((_, i) => i).filter((i) => !inSample.has(i));
    const sampleXY = Float32Array.from(layout.flatMap(([x, y]) => [x, y]));
    const restXY = await placeByNeighbours(rest.map((i) => vectors[i]), sampled, sampleXY, opts);
    rest.forEach((i, r) => xy.set([restXY[2 * r], restXY[2 * r + 1]], i * 2));
  }
  normaliseToUnitSquare(xy);
  return { xy, sampled: sample.length };
}

/**
 * Places each query at the similarity-weighted mean position of its nearest references (unit
 * vectors, positions refXY[2j], refXY[2j+1]). Used for points outside the UMAP sample, and
 * for photos added to a library whose map already exists.
 */
export async function placeByNeighbours(
  queries: readonly Float32Array[],
  references: readonly Float32Array[],
  refXY: ArrayLike<number>,
  opts: Pick<ProjectOptions, 'signal' | 'onProgress'> = {},
): Promise<Float32Array> {
  const placed = await nearestReferences(queries, references, PLACEMENT_NEIGHBOURS, (done) => {
    opts.onProgress?.('placing', done, queries.length);
    return !opts.signal?.aborted;
  });
  checkAborted(opts.signal);
  const xy = new Float32Array(queries.length * 2);
  queries.forEach((_, r) => {
    let x = 0;
    let y = 0;
    let total = 0;
    placed.indices[r].forEach((s, j) => {
      // Sharp weights: a point sits by its closest reference, not at the clusters' mean.
      const w = Math.exp(20 * (placed.similarities[r][j] - 1));
      x += w * refXY[2 * s];
      y += w * refXY[2 * s + 1];
      total += w;
    });
    xy.set([x / total, y / total], r * 2);
  });
  return xy;
}

/** Scales and shifts the points into [0, 1]², keeping the aspect ratio, centred. */
function normaliseToUnitSquare(xy: Float32Array): void {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]);
    maxX = Math.max(maxX, xy[i]);
    minY = Math.min(minY, xy[i + 1]);
    maxY = Math.max(maxY, xy[i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const offX = (1 - (maxX - minX) / span) / 2;
  const offY = (1 - (maxY - minY) / span) / 2;
  for (let i = 0; i < xy.length; i += 2) {
    xy[i] = offX + (xy[i] - minX) / span;
    xy[i + 1] = offY + (xy[i + 1] - minY) / span;
  }
}
