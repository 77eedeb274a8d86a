// Vectors for studying similar()'s copy rule offline: every wallpaper's library copy, its edited
// copies, generated images of kinds (test/fixtures/kinds.ts) and Fashion-MNIST test images, each
// as the app computes them for an outside query: pooled features + near-duplicate descriptor
// (one pass) and the near-duplicate descriptor of the image turned a quarter either way.
// Also each image's 7x7 grid of block-13 cells (as model/copy-views.ts computes them), upright and
// turned a quarter either way. Cached in .bench-out/, so rules can be compared in minutes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../src-main/model/backend.js';
import { loadBackbone } from '../src-main/model/backbone.js';
import { COPY_CELL_DIM, COPY_CELLS } from '../src-main/copies/copy-views.js';
import { NEAR_DUP_LAYER, quarterTurn } from '../src-main/model/descriptor.js';
import { decodeForBackbone } from '../src-main/model/preprocess.js';
import { kindSvg, KINDS } from '../test/fixtures/kinds.js';
import { splitDescriptor, type DescriptorName } from '../src-main/model/descriptor.js';
import { FeatureExtractor } from '../src-main/model/extractor.js';
import { EDITS, listPhotos, MAX_SIDE } from './near-dup-edits.js';

export interface StudyImage {
  set: 'wallpaper' | 'edit' | 'kind' | 'fashion';
  /** wallpaper index for 'wallpaper'/'edit'; class for 'kind'/'fashion'. */
  group: string;
  edit?: string;
  pooled: Float32Array;
  nd: Float32Array;
  nd90: Float32Array;
  nd270: Float32Array;
}

const FILE = '.bench-out/similar-copy-study.json';
const CELLS_FILE = '.bench-out/similar-copy-study-cells.bin';
/** Floats per image in the cells cache: 3 turns x cells x values. */
export const CELLS_PER_IMAGE = 3 * COPY_CELLS * COPY_CELL_DIM;
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export async function studyData(): Promise<StudyImage[]> {
  if (existsSync(FILE) && existsSync(CELLS_FILE)) {
    const raw = JSON.parse(readFileSync(FILE, 'utf8')) as (Omit<StudyImage, 'pooled' | 'nd' | 'nd90' | 'nd270'> & Record<'pooled' | 'nd' | 'nd90' | 'nd270', string>)[];
    return raw.map((r) => ({ ...r, pooled: f32(r.pooled), nd: f32(r.nd), nd90: f32(r.nd90), nd270: f32(r.nd270) }));
  }
  const inputs = await studyInputs();
  const out = await vectorsOf(inputs);
  mkdirSync('.bench-out', { recursive: true });
  writeFileSync(FILE, JSON.stringify(out.map((o) => ({ ...o, pooled: b64(o.pooled), nd: b64(o.nd), nd90: b64(o.nd90), nd270: b64(o.nd270) }))));
  writeFileSync(CELLS_FILE, Buffer.from((await cellsOf(inputs.map((x) => x.buf))).buffer));
  return out;
}

/** Cells of each image (upright, turned ccw, turned cw), CELLS_PER_IMAGE floats per image. */
export function studyCells(): Float32Array {
  const buf = readFileSync(CELLS_FILE);
  const v = new Float32Array(buf.byteLength / 4);
  new Uint8Array(v.buffer).set(buf);
  return v;
}

async function cellsOf(images: Buffer[]): Promise<Float32Array> {
  await initBackend();
  const backbone = await loadBackbone();
  const out = new Float32Array(images.length * CELLS_PER_IMAGE);
  const batch = 8;
  for (let s = 0; s < images.length; s += batch) {
    const part = images.slice(s, s + batch);
    const pixels = await Promise.all(part.map((b) => decodeForBackbone(b)));
    const per = 224 * 224 * 3;
    const x = new Float32Array(part.length * per);
    pixels.forEach((p, k) => p.forEach((v, j) => (x[k * per + j] = v / 255)));
    const turns = tf.tidy(() => {
      const t = tf.tensor4d(x, [part.length, 224, 224, 3]);
      return [t, quarterTurn(t, 'ccw'), quarterTurn(t, 'cw')].map((v) => {
        const a = backbone.layers(v, [NEAR_DUP_LAYER])[0] as tf.Tensor4D;
        const c = tf.avgPool(a, 2, 2, 'valid').reshape([part.length, COPY_CELLS, COPY_CELL_DIM]);
        return tf.div(c, tf.maximum(tf.norm(c, 'euclidean', 2, true), 1e-12)).dataSync() as Float32Array;
      });
    });
    const one = COPY_CELLS * COPY_CELL_DIM;
    for (let k = 0; k < part.length; k++) turns.forEach((t, v) => out.set(t.subarray(k * one, (k + 1) * one), (s + k) * CELLS_PER_IMAGE + v * one));
  }
  backbone.dispose();
  return out;
}

async function studyInputs(): Promise<{ set: StudyImage['set']; group: string; edit?: string; buf: Buffer }[]> {
  const inputs: { set: StudyImage['set']; group: string; edit?: string; buf: Buffer }[] = [];
  for (const [i, file] of listPhotos().entries()) {
    const { data, info } = await sharp(file).resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
    inputs.push({ set: 'wallpaper', group: String(i), buf: data });
    for (const edit of EDITS) inputs.push({ set: 'edit', group: String(i), edit: edit.name, buf: await edit.apply(data, info.width, info.height) });
  }
  for (const kind of KINDS) {
    for (let s = 0; s < 15; s++) inputs.push({ set: 'kind', group: kind, buf: await sharp(Buffer.from(kindSvg(kind, s + 1))).jpeg({ quality: 90 }).toBuffer() });
  }
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/t10k-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION_DIR}/t10k-labels-idx1-ubyte.gz`));
  const perClass = new Map<number, number>();
  for (let i = 0; i < 10000 && inputs.filter((x) => x.set === 'fashion').length < 200; i++) {
    const label = labels[8 + i];
    if ((perClass.get(label) ?? 0) >= 20) continue;
    perClass.set(label, (perClass.get(label) ?? 0) + 1);
    const px = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
    inputs.push({ set: 'fashion', group: String(label), buf: await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).png().toBuffer() });
  }
  return inputs;
}

async function vectorsOf(inputs: { set: StudyImage['set']; group: string; edit?: string; buf: Buffer }[]): Promise<StudyImage[]> {
  const run = async (d: DescriptorName) => {
    const ex = await FeatureExtractor.create({ descriptor: d });
    const out = await ex.extract(inputs.map((x) => x.buf));
    await ex.close();
    return out.map((v) => {
      if (v instanceof Error) throw v;
      return v;
    });
  };
  const both = await run('pooled+near-duplicate');
  const r90 = await run('near-duplicate-rot90');
  const r270 = await run('near-duplicate-rot270');
  return inputs.map((x, i) => {
    const { pooled, nearDuplicate } = splitDescriptor(both[i], 1280);
    return { set: x.set, group: x.group, edit: x.edit, pooled: pooled.slice(), nd: nearDuplicate.slice(), nd90: r90[i], nd270: r270[i] };
  });
}

const b64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
function f32(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const v = new Float32Array(buf.byteLength / 4);
  new Uint8Array(v.buffer).set(buf);
  return v;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const d = await studyData();
  console.log(`${d.length} images in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
