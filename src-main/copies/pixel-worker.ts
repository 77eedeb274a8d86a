// A worker thread of the pixel match pool (pixel-pool.ts): keeps the small images it was sent
// until the pool says no later batch needs them, and the views of the most recently used ones,
// and answers each batch of pairs with their matches.
import { parentPort } from 'node:worker_threads';
import { pixelMatch, pixelViews, type PixelMatch, type PixelViews } from './pixel-match.js';
import type { PixelBatch, PixelImage } from './pixel-pool.js';

const port = parentPort;
if (!port) throw new Error('pixel-worker must run in a worker thread');

/**
 * Views kept at most (about 0.2 MB each). The pool's order needs a photo for a short stretch:
 * Fashion-MNIST shots with their 24 nearest (pixel-pool.ts planBatches), 500 views a worker
 * made 0.19 views a pair at 21,000 shots, 2,000 views 0.12.
 */
const MOST_VIEWS = 500;
const images = new Map<string, PixelImage>();
const views = new Map<string, PixelViews>();

function viewsOf(key: string): PixelViews | null {
  const v = views.get(key);
  if (v) {
    // Most recently used last: the first entries are the ones to drop.
    views.delete(key);
    views.set(key, v);
    return v;
  }
  const image = images.get(key);
  if (!image) return null;
  const made = pixelViews(image.rgb, image.aspect);
  views.set(key, made);
  if (views.size > MOST_VIEWS) views.delete(views.keys().next().value!);
  return made;
}

port.on('message', (batch: PixelBatch) => {
  for (const image of batch.images) images.set(image.key, image);
  const matches: (PixelMatch | null)[] = batch.pairs.map(([x, y]) => {
    const [a, b] = [viewsOf(x), viewsOf(y)];
    return a && b ? pixelMatch(a, b) : null;
  });
  for (const key of batch.release) {
    images.delete(key);
    views.delete(key);
  }
  port.postMessage({ id: batch.id, matches });
});
