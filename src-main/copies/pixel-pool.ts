// The pixel match (pixel-match.ts) of many pairs on worker threads: the match is synchronous
// arithmetic, milliseconds a pair, and the duplicates view may ask tens of thousands of pairs
// at once. Workers keep the caller's thread free and use every core. Each worker is sent a
// photo's small image once; pairs go in batches, sorted so a batch shares its photos.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../common/start-worker.js';
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
  const order = pairs.map((_, i) => i).sort((p, q) => cmp(pairs[p][0], pairs[q][0]) || cmp(pairs[p][1], pairs[q][1]));
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += BATCH) batches.push(order.slice(s, s + BATCH));
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
        while (next < batches.length && !options.signal?.aborted) {
          const id = next++;
          const batch = batches[id];
          const keys = [...new Set(batch.flatMap((i) => pairs[i]))].filter((k) => !sent.has(k));
          const found = (await Promise.all(keys.map(image))).filter((x): x is PixelImage => x !== null);
          for (const k of keys) sent.add(k);
          const matches = await ask(worker, { id, images: found, pairs: batch.map((i) => [pairs[i][0], pairs[i][1]]) });
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

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
