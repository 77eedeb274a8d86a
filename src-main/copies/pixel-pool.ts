// The pixel match (pixel-match.ts) of many pairs on worker threads: the match is synchronous
// arithmetic, milliseconds a pair, and the duplicates view may ask millions of pairs at once.
// Workers keep the caller's thread free and use every core. Pairs go in batches, in an order
// that needs each photo for a short stretch (planBatches): a photo's small image is read once,
// sent to each worker once, and dropped by all once its last pair is matched, so the images held
// at once stay a small share of a large library.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../common/start-worker.js';
import { STEP_MS } from './duplicates.js';
import type { PixelMatch } from './pixel-match.js';

/** A photo's small image as the match reads it (SOURCE_SIDE square RGB) and its proportions. */
export interface PixelImage {
  key: string;
  rgb: Uint8Array;
  aspect: number;
}

export interface PixelBatch {
  id: number;
  /** Images this worker has not been sent yet. */
  images: PixelImage[];
  pairs: [string, string][];
  /** Images to drop after this batch: no later batch needs them. */
  release: string[];
}

/** Pairs sent to a worker at once: a few hundred milliseconds of work. */
const BATCH = 64;
/** Workers at most (each keeps up to ~600 MB of views at its fullest). */
const MOST_WORKERS = 8;

export interface PixelPoolOptions {
  workers?: number;
  /** Called after each batch with the pairs matched so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting sends no more batches: the call ends once the batches out come back (their results still go to onBatch). */
  signal?: AbortSignal;
  /** Awaited now and then while the pairs' order is planned (the caller's thread answers others meanwhile). */
  pause?: () => Promise<void>;
}

/**
 * Matches `pairs` (keys of images `imageOf` gives) on worker threads, started for this call and
 * stopped at its end. Matches come back in the order of `pairs`; null where an image is missing.
 * `onBatch` receives each batch's results as they arrive (to save them midway).
 */
export async function matchPairs(
  pairs: readonly (readonly [string, string])[],
  imageOf: (key: string) => Promise<PixelImage | null>,
  onBatch: (done: { index: number; match: PixelMatch | null }[]) => void,
  options: PixelPoolOptions = {},
): Promise<void> {
  if (pairs.length === 0) return;
  const { batches, lastIn } = options.pause ? await planBatchesInSteps(pairs, options.pause) : planBatches(pairs);
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), MOST_WORKERS, batches.length));
  const workers = Array.from({ length: count }, () => startWorker(import.meta.url, 'pixel-worker'));
  const images = new Map<string, Promise<PixelImage | null>>();
  const image = (key: string) => {
    let p = images.get(key);
    if (!p) images.set(key, (p = imageOf(key)));
    return p;
  };
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        const sent = new Set<string>();
        let releasedUpTo = -1;
        while (next < batches.length && !options.signal?.aborted) {
          const id = next++;
          const batch = batches[id];
          const keys = [...new Set(batch.flatMap((i) => pairs[i]))].filter((k) => !sent.has(k));
          const reading = Promise.all(keys.map(image));
          // Batches are taken in order, so every earlier batch has already asked for its images:
          // those last needed here are not asked for again.
          for (const k of lastIn[id]) images.delete(k);
          const found = (await reading).filter((x): x is PixelImage => x !== null);
          for (const k of keys) sent.add(k);
          // This worker's later batches come after this one: images last needed up to here are done with.
          const release: string[] = [];
          for (let b = releasedUpTo + 1; b <= id; b++) for (const k of lastIn[b]) if (sent.delete(k)) release.push(k);
          releasedUpTo = id;
          const matches = await ask(worker, { id, images: found, pairs: batch.map((i) => [pairs[i][0], pairs[i][1]]), release });
          onBatch(batch.map((index, k) => ({ index, match: matches[k] })));
          done += batch.length;
          options.onProgress?.(done, pairs.length);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function ask(worker: Worker, batch: PixelBatch): Promise<(PixelMatch | null)[]> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: { id: number; matches: (PixelMatch | null)[] }) => {
      if (m.id !== batch.id) return;
      cleanup();
      resolve(m.matches);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`a pixel match worker stopped (exit code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(batch);
  });
}

/** The pairs in the order they are matched, BATCH at a time, and when each image is last needed. */
export interface PairPlan {
  /** Indexes into the pairs, a batch each. */
  batches: number[][];
  /** The keys of the images whose last pair is in each batch: no later batch needs them. */
  lastIn: string[][];
}

/**
 * An order of the pairs that needs each image for a short stretch: images are placed one at a
 * time, next the one with most pairs to images already placed (the last one touched on ties:
 * a maximum-adjacency order), and each pair is matched as soon as both its images are placed.
 * A photo's pairs are with its nearest few dozen, so it is done with soon after it is first
 * read. Fashion-MNIST shots paired with their 24 nearest by layout (21,000 shots, 407,416
 * pairs; two workers keeping 500 views each): 2,667 images held at most (18,267 with the pairs
 * sorted by key, nearly every image to the end), a worker's views made 0.19 times a pair
 * (1.01 by key). Breadth-first order (as Cuthill-McKee numbers a sparse matrix) held 4,915 and
 * made views 0.40 times a pair.
 */
export function planBatches(pairs: readonly (readonly [string, string])[], size = BATCH): PairPlan {
  const steps = planning(pairs, size);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * planBatches() with `pause` awaited whenever STEP_MS have run: at 77,000 photos (1.9 M pairs)
 * the plan took ~0.7 s of the engine's thread, with the calls to it waiting.
 */
export async function planBatchesInSteps(pairs: readonly (readonly [string, string])[], pause: () => Promise<void>, size = BATCH): Promise<PairPlan> {
  const steps = planning(pairs, size);
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since < STEP_MS) continue;
    await pause();
    since = performance.now();
  }
}

/** Rounds of a loop of planning() between two looks at the clock. */
const ROUNDS = 4096;

/** planBatches() as steps: yields every ROUNDS rounds of its loops, returns the plan. */
function* planning(pairs: readonly (readonly [string, string])[], size: number): Generator<void, PairPlan> {
  const number = new Map<string, number>();
  const keys: string[] = [];
  const ends = new Int32Array(2 * pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    for (let e = 0; e < 2; e++) {
      const key = pairs[i][e];
      let n = number.get(key);
      if (n === undefined) number.set(key, (n = keys.push(key) - 1));
      ends[2 * i + e] = n;
    }
    if (i % ROUNDS === ROUNDS - 1) yield;
  }
  // Each image's pairs, as lists in one array (compressed rows).
  const n = keys.length;
  const first = new Int32Array(n + 1);
  for (const e of ends) first[e + 1]++;
  for (let k = 0; k < n; k++) first[k + 1] += first[k];
  const pairOf = new Int32Array(ends.length);
  const filled = first.slice(0, n);
  for (let i = 0; i < pairs.length; i++) {
    pairOf[filled[ends[2 * i]]++] = i;
    pairOf[filled[ends[2 * i + 1]]++] = i;
  }
  const other = (i: number, k: number) => (ends[2 * i] === k ? ends[2 * i + 1] : ends[2 * i]);
  // Unplaced images by their number of placed partners: a stack per count, stale entries skipped.
  const place = new Int32Array(n).fill(-1);
  const placedPartners = new Int32Array(n);
  const stacks: number[][] = [[]];
  // A new group of images starts from the one with fewest pairs (then smallest key): the same pairs always give the same order.
  const starts = Array.from({ length: n }, (_, k) => k).sort((p, q) => first[p + 1] - first[p] - (first[q + 1] - first[q]) || cmp(keys[p], keys[q]));
  let [top, nextStart] = [0, 0];
  const order: number[] = [];
  for (let placed = 0; placed < n; placed++) {
    if (placed % ROUNDS === ROUNDS - 1) yield;
    let k = -1;
    while (top > 0 && k < 0) {
      const c = stacks[top].pop();
      if (c === undefined) top--;
      else if (place[c] < 0 && placedPartners[c] === top) k = c;
    }
    if (k < 0) {
      while (place[starts[nextStart]] >= 0) nextStart++;
      k = starts[nextStart];
    }
    place[k] = placed;
    // The pairs this image completes, with the partners placed earliest first.
    const done: number[] = [];
    for (let j = first[k]; j < first[k + 1]; j++) {
      const i = pairOf[j];
      const o = other(i, k);
      if (o === k || place[o] >= 0) done.push(i);
      else {
        const c = ++placedPartners[o];
        (stacks[c] ??= []).push(o);
        top = Math.max(top, c);
      }
    }
    done.sort((p, q) => place[other(p, k)] - place[other(q, k)] || p - q);
    for (const i of done) order.push(i);
  }
  yield;
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += size) batches.push(order.slice(s, s + size));
  const lastBatch = new Int32Array(n);
  batches.forEach((batch, b) => {
    for (const i of batch) lastBatch[ends[2 * i]] = lastBatch[ends[2 * i + 1]] = b;
  });
  const lastIn: string[][] = batches.map(() => []);
  keys.forEach((key, k) => lastIn[lastBatch[k]].push(key));
  return { batches, lastIn };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
