// Bench 3 of issue 4: near-duplicates on real photos. Every wallpaper is edited (see
// near-dup-edits.ts) and each copy is queried against the originals by cosine similarity;
// recall@1 = share of copies whose nearest original is their own. Prints a dHash baseline, the
// plain pooled features and the other descriptors tried.
//
// Photos (bench only, not app dependencies):
//   apt-get install -y --no-install-recommends mate-backgrounds ukui-wallpapers gnome-backgrounds lomiri-wallpapers
// Run: npx tsx bench/near-duplicates.ts            (LOOKALIKE_BACKEND / NEARDUP_LIMIT=N optional)
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../src-main/model/backend.js';
import { loadBackbone } from '../src-main/model/backbone.js';
import type { DescriptorName } from '../src-main/model/descriptor.js';
import { FeatureExtractor } from '../src-main/model/extractor.js';
import { decodeForBackbone } from '../src-main/model/preprocess.js';
import { BLANK_STDEV, dHash, EDITS, hamming, listPhotos, MAX_SIDE } from './near-dup-edits.js';
import {
  DESCRIPTOR_RECIPES, LAYERS, poolLayers, recipeCost, recipeVector, variantKey, whitenApply, whitenFit,
  type Pooled, type PooledParts, type Transform,
} from './near-dup-descriptors.js';
import { dot } from './vectors.js';

const CACHE = '.bench-out/neardup-cache';


async function main() {
  const backend = await initBackend();
  const backbone = await loadBackbone();
  let photos = listPhotos();
  if (process.env.NEARDUP_LIMIT) photos = photos.slice(0, Number(process.env.NEARDUP_LIMIT));
  if (photos.length < 10) throw new Error('install the wallpaper packages listed at the top of this file');
  console.log(`backend ${backend.name} (${backend.detail}); ${photos.length} originals x ${EDITS.length} edits; load: ${execSync('uptime').toString().trim()}`);

  // Library copies (at most 1600 px) and their edited versions, as encoded files.
  const originals: Buffer[] = [];
  const sizes: [number, number][] = [];
  const blank: string[] = [];
  for (const p of photos) {
    const { data, info } = await sharp(p).resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
    const stats = await sharp(data).greyscale().stats();
    if (stats.channels[0].stdev < BLANK_STDEV) {
      blank.push(basename(p));
      continue;
    }
    originals.push(data);
    sizes.push([info.width, info.height]);
  }
  photos = photos.filter((p) => !blank.includes(basename(p)));
  console.log(`skipped as blank once alpha is dropped: ${blank.join(', ') || 'none'}; ${photos.length} originals`);
  const copies: Buffer[][] = []; // [edit][photo]
  for (const edit of EDITS) copies.push(await Promise.all(originals.map((b, i) => edit.apply(b, ...sizes[i]))));

  // dHash baseline.
  const origHash = await Promise.all(originals.map(dHash));
  const rows: [string, number[], number][] = [];
  const dhashPerEdit = await Promise.all(
    copies.map(async (list) => {
      const hashes = await Promise.all(list.map(dHash));
      return hashes.filter((h, i) => argmin(origHash.map((o) => hamming(o, h))) === i).length / list.length;
    }),
  );
  rows.push(['dHash 64-bit (Hamming)', dhashPerEdit, 0]);

  // CNN descriptors: pooled activations per (input size, transform), cached on disk by content.
  const dbVariants = new Set<string>();
  const queryVariants = new Set<string>();
  for (const r of DESCRIPTOR_RECIPES) {
    for (const size of new Set(r.parts.map((p) => p.size ?? r.size ?? 224))) {
      for (const set of [dbVariants, queryVariants]) {
        set.add(variantKey(size, 'id'));
        if (r.flipAverage) set.add(variantKey(size, 'flip'));
      }
      if (r.queryRotations) for (const t of ['rot90', 'rot270'] as const) queryVariants.add(variantKey(size, t));
      if (r.queryFlip) queryVariants.add(variantKey(size, 'flip'));
    }
  }
  const timing = new Map<number, number[]>();
  const origParts = await poolAll(backbone, originals, dbVariants, timing);
  const copyParts: PooledParts[][] = [];
  for (const list of copies) copyParts.push(await poolAll(backbone, list, queryVariants, timing));
  for (const [size, ms] of timing) console.log(`forward pass at ${size} px (all ${LAYERS.length} layers): ${median(ms).toFixed(1)} ms/image (median of ${ms.length} uncached batches)`);

  for (const recipe of DESCRIPTOR_RECIPES) {
    let db = origParts.map((p) => recipeVector(recipe, p));
    let whiten: ReturnType<typeof whitenFit> | undefined;
    if (recipe.whiten) {
      whiten = whitenFit(db, recipe.whiten);
      db = db.map((v) => whitenApply(whiten!, v));
    }
    const queryTransforms: Transform[] = ['id'];
    if (recipe.queryRotations) queryTransforms.push('rot90', 'rot270');
    if (recipe.queryFlip) queryTransforms.push('flip');
    const perEdit = copyParts.map((parts, editIndex) => {
      let hits = 0;
      parts.forEach((p, i) => {
        const scores = db.map(() => -Infinity);
        for (const t of queryTransforms) {
          let q = recipeVector(recipe, p, t);
          if (whiten) q = whitenApply(whiten, q);
          db.forEach((d, j) => (scores[j] = Math.max(scores[j], dot(d, q))));
        }
        if (argmax(scores) === i) hits++;
        else if (process.env.NEARDUP_MISSES === recipe.name) console.log(`miss ${recipe.name}: ${EDITS[editIndex].name} of ${basename(photos[i])} -> ${basename(photos[argmax(scores)])}`);
      });
      return hits / parts.length;
    });
    const cost = recipeCost(recipe);
    rows.push([`${recipe.name} [${cost.db.toFixed(2)}/${cost.query.toFixed(2)}]`, perEdit, db[0].length]);
  }

  // The shipped descriptor, computed by the product's own extractor (not the bench's pooling).
  if (process.env.NEARDUP_PRODUCT !== '0') {
    const t1 = performance.now();
    const extract = async (descriptor: DescriptorName, images: Buffer[]) => {
      const ex = await FeatureExtractor.create({ workers: 0, descriptor });
      const out = await ex.extract(images);
      await ex.close();
      return out.map((v) => {
        if (v instanceof Error) throw v;
        return v;
      });
    };
    const db = await extract('near-duplicate', originals);
    const perEdit: number[] = [];
    for (const list of copies) {
      const [q0, q90, q270] = [await extract('near-duplicate', list), await extract('near-duplicate-rot90', list), await extract('near-duplicate-rot270', list)];
      perEdit.push(list.filter((_, i) => argmax(db.map((d) => Math.max(dot(d, q0[i]), dot(d, q90[i]), dot(d, q270[i])))) === i).length / list.length);
    }
    rows.push(['SHIPPED near-duplicate (+rot90/270 queries) [1.00/3.00]', perEdit, db[0].length]);
    console.log(`shipped descriptor through FeatureExtractor: ${((performance.now() - t1) / 1000).toFixed(0)} s`);
  }

  console.log('\n[a/b] = cost in 224 px forward passes per library image / per query');
  const header = ['descriptor'.padEnd(52), 'dim'.padStart(5), 'all'.padStart(6), ...EDITS.map((e) => e.name.padStart(9))].join(' ');
  console.log(`\nrecall@1 of ${originals.length * EDITS.length} edited copies against ${originals.length} originals\n${header}`);
  for (const [name, perEdit, dim] of rows) {
    const all = perEdit.reduce((a, b) => a + b, 0) / perEdit.length;
    console.log([name.padEnd(52), String(dim || '-').padStart(5), all.toFixed(3).padStart(6), ...perEdit.map((r) => r.toFixed(2).padStart(9))].join(' '));
  }
  console.log(`\nphotos: ${photos.map((p) => basename(p)).join(', ')}`);
  console.log(`load after: ${execSync('uptime').toString().trim()}`);
}

/** Pooled parts of every image for the wanted variants ("size/transform"), via the disk cache. */
async function poolAll(
  backbone: Awaited<ReturnType<typeof loadBackbone>>,
  images: Buffer[],
  variants: Set<string>,
  timing: Map<number, number[]>,
): Promise<PooledParts[]> {
  mkdirSync(CACHE, { recursive: true });
  const layersTag = createHash('sha1').update(LAYERS.join(',')).digest('hex').slice(0, 8);
  const hashes = images.map((b) => createHash('sha1').update(b).digest('hex'));
  const out: PooledParts[] = images.map(() => new Map());
  for (const variant of variants) {
    const [sizeText, t] = variant.split('/') as [string, Transform];
    const size = Number(sizeText);
    const file = (i: number) => join(CACHE, `${hashes[i]}-${size}-${t}-${layersTag}.json`);
    const todo: number[] = [];
    images.forEach((_, i) => {
      if (existsSync(file(i))) out[i].set(variant, fromJson(readFileSync(file(i), 'utf8')));
      else todo.push(i);
    });
    const batch = 8;
    for (let s = 0; s < todo.length; s += batch) {
      const idx = todo.slice(s, s + batch);
      const decoded = await Promise.all(idx.map((i) => decodeForBackbone(images[i], size)));
      const per = size * size * 3;
      const pixels = new Float32Array(idx.length * per);
      decoded.forEach((d, k) => d.forEach((v, j) => (pixels[k * per + j] = v / 255)));
      const x = tf.tensor4d(pixels, [idx.length, size, size, 3]);
      const t0 = performance.now();
      const pooled = poolLayers(backbone, x, t);
      const list = timing.get(size) ?? [];
      list.push((performance.now() - t0) / idx.length);
      timing.set(size, list);
      x.dispose();
      pooled.forEach((p, k) => {
        out[idx[k]].set(variant, p);
        writeFileSync(file(idx[k]), toJson(p));
      });
    }
  }
  return out;
}

function toJson(p: Pooled): string {
  return JSON.stringify(Object.fromEntries([...p].map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')])));
}
function fromJson(text: string): Pooled {
  const obj = JSON.parse(text) as Record<string, string>;
  return new Map(Object.entries(obj).map(([k, b64]) => {
    const buf = Buffer.from(b64, 'base64');
    const v = new Float32Array(buf.byteLength / 4);
    new Uint8Array(v.buffer).set(buf);
    return [k, v];
  }));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
const argmin = (v: number[]) => v.reduce((best, x, i) => (x < v[best] ? i : best), 0);

await main();
