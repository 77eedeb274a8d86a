// Vectors of the mixed library (bench/duplicates-mixed-library.ts) for studying duplicate rules
// offline: each file's near-duplicate descriptor (as the app computes it), its 7x7 grid of
// block-13 cells (as model/copy-views.ts computes them) and its grid thumbnail (as import makes
// it). Cached in .bench-out/, so rules can be compared in seconds.
//
// Run: npx tsx bench/duplicates-mixed-data.ts   (about 10 min on 2 busy cores the first time)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { loadBackbone } from '../src-main/model/backbone.js';
import { COPY_CELL_DIM, COPY_CELLS } from '../src-main/copies/copy-views.js';
import { NEAR_DUP_LAYER, NEAR_DUPLICATE_DIM, nearDuplicateFrom } from '../src-main/model/descriptor.js';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../src-main/model/preprocess.js';
import { thumbnailWebp } from '../src-main/ingest/thumbnail.js';
import { DEFAULT_MIXED, mixedLibrary, type MixedFile, type MixedOptions } from './duplicates-mixed-library.js';

export interface MixedData {
  files: MixedFile[];
  /** n x NEAR_DUPLICATE_DIM */
  nd: Float32Array;
  /** n x COPY_CELLS x COPY_CELL_DIM, each cell unit length */
  cells: Float32Array;
  /** Each file's grid thumbnail (webp bytes). */
  thumbs: Buffer[];
}

export async function mixedData(opts: MixedOptions = DEFAULT_MIXED): Promise<MixedData> {
  const { dir, files } = await mixedLibrary(opts);
  const cache = `${dir}/../vectors`;
  if (existsSync(`${cache}.nd`)) {
    return {
      files,
      nd: f32(readFileSync(`${cache}.nd`)),
      cells: f32(readFileSync(`${cache}.cells`)),
      thumbs: JSON.parse(readFileSync(`${cache}.thumbs.json`, 'utf8')).map((s: string) => Buffer.from(s, 'base64')) as Buffer[],
    };
  }
  await initBackend();
  const backbone = await loadBackbone();
  const n = files.length;
  const nd = new Float32Array(n * NEAR_DUPLICATE_DIM);
  const cells = new Float32Array(n * COPY_CELLS * COPY_CELL_DIM);
  const batch = 8;
  const t0 = Date.now();
  for (let s = 0; s < n; s += batch) {
    const part = files.slice(s, s + batch);
    const pixels = await Promise.all(part.map((f) => decodeForBackbone(f.file)));
    const x = new Float32Array(part.length * PIXELS_PER_IMAGE);
    pixels.forEach((p, k) => p.forEach((v, j) => (x[k * PIXELS_PER_IMAGE + j] = v / 255)));
    const [d, c] = tf.tidy(() => {
      const a = backbone.layers(tf.tensor4d(x, [part.length, 224, 224, 3]), [NEAR_DUP_LAYER])[0] as tf.Tensor4D;
      const grid = tf.avgPool(a, 2, 2, 'valid').reshape([part.length, COPY_CELLS, COPY_CELL_DIM]);
      const unitCells = tf.div(grid, tf.maximum(tf.norm(grid, 'euclidean', 2, true), 1e-12));
      return [nearDuplicateFrom(a).dataSync() as Float32Array, unitCells.dataSync() as Float32Array];
    });
    nd.set(d, s * NEAR_DUPLICATE_DIM);
    cells.set(c, s * COPY_CELLS * COPY_CELL_DIM);
    if ((s / batch) % 20 === 0) console.log(`  ${s + part.length}/${n}, ${((Date.now() - t0) / (s + part.length)).toFixed(0)} ms/image`);
  }
  backbone.dispose();
  const thumbs = await Promise.all(files.map((f) => thumbnailWebp(f.file)));
  writeFileSync(`${cache}.nd`, Buffer.from(nd.buffer));
  writeFileSync(`${cache}.cells`, Buffer.from(cells.buffer));
  writeFileSync(`${cache}.thumbs.json`, JSON.stringify(thumbs.map((t) => t.toString('base64'))));
  return { files, nd, cells, thumbs };
}

function f32(buf: Buffer): Float32Array {
  const v = new Float32Array(buf.byteLength / 4);
  new Uint8Array(v.buffer).set(buf);
  return v;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const d = await mixedData();
  console.log(`${d.files.length} images in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
