// Can re-embedding after whole-CNN training read the library's ~256 px WebP thumbnails instead of
// decoding every original again? Cosine between the 1280-d features of each photo's thumbnail
// (made exactly as an import makes it) and of its original, through the pretrained folded CNN
// (a whole-CNN model starts from those weights; its convolutions see the same pixels).
//   npx tsx bench/thumbnail-features.ts [--dir /usr/share/backgrounds] [--limit 40]
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { loadBackbone } from '../src-main/model/backbone.js';
import { decodeForBackbone } from '../src-main/model/preprocess.js';
import { decodeAndThumbnail } from '../src-main/ingest/thumbnail.js';

const { values: args } = parseArgs({ options: { dir: { type: 'string', default: '/usr/share/backgrounds' }, limit: { type: 'string', default: '40' } } });
const files = readdirSync(args.dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).slice(0, Number(args.limit)).map((f) => path.join(args.dir, f));
if (files.length === 0) throw new Error(`no photos in ${args.dir}`);
const backend = await initBackend();
const backbone = await loadBackbone();
const tmp = await mkdtemp(path.join(os.tmpdir(), 'thumb-features-'));

const features = (pixels: Uint8Array) =>
  tf.tidy(() => backbone.features(tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [1, 224, 224, 3])).dataSync() as Float32Array);
const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
};
const cosines: number[] = [];
const times = { original: 0, thumbnail: 0 };
for (const [i, file] of files.entries()) {
  const thumb = path.join(tmp, `${i}.webp`);
  const d = await decodeAndThumbnail(file, thumb);
  let t = Date.now();
  const original = await decodeForBackbone(file);
  times.original += Date.now() - t;
  t = Date.now();
  const small = await decodeForBackbone(thumb);
  times.thumbnail += Date.now() - t;
  const c = cosine(features(original), features(small));
  cosines.push(c);
  console.log(`${c.toFixed(4)}  ${d.width}×${d.height}  ${path.basename(file)}`);
}
await rm(tmp, { recursive: true, force: true });
cosines.sort((a, b) => a - b);
const q = (p: number) => cosines[Math.min(cosines.length - 1, Math.floor(p * cosines.length))].toFixed(4);
console.log(`backend ${backend.name}, ${files.length} photos from ${args.dir}`);
console.log(`cosine(thumbnail, original): min ${q(0)}, 10th pct ${q(0.1)}, median ${q(0.5)}, max ${q(1)}`);
console.log(`decode to 224 px: original ${(times.original / files.length).toFixed(0)} ms/photo, thumbnail ${(times.thumbnail / files.length).toFixed(0)} ms/photo`);
backbone.dispose();
