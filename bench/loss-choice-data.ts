// The labelled libraries of bench/loss-choice.ts as frozen MobileNetV2 features, cached in
// .bench-out/ (the first run extracts them: a few minutes on 2 cores; later runs read them).
//   fashion: Fashion-MNIST product shots, labelled by class (bench/fashion-mnist-data.ts).
//   mixed:   Debian's wallpapers, each with its ten edited copies and labelled by the picture
//            (crops, greys, rotations... of one photo), beside Fashion-MNIST shots saved as
//            JPEG files and labelled by class (bench/duplicates-mixed-library.ts), all decoded
//            and embedded as the app does.
// Each names labels held out of training, to measure retrieval on labels never trained on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { loadBackbone } from '../src-main/model/backbone.js';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../src-main/model/preprocess.js';
import { CLASS_NAMES, fashionMnistFeatures } from './fashion-mnist-data.js';
import { mixedLibrary, type MixedFile } from './duplicates-mixed-library.js';

export interface LabelledLibrary {
  name: string;
  features: Float32Array[];
  labels: string[];
  /** Labels kept out of training: retrieval on them shows what a head does to unseen labels. */
  holdout: string[];
}

const HELD_OUT_CLASSES = ['Bag', 'Ankle boot'];

export async function fashionLibrary(perClass: number): Promise<LabelledLibrary> {
  // The 1-per-class test split comes with the cache's format; only the train split is used.
  const { train } = await fashionMnistFeatures(CLASS_NAMES.map((_, c) => c), perClass, 1);
  return { name: `fashion-${perClass}`, features: train.features, labels: train.labels.map((c) => CLASS_NAMES[c]), holdout: HELD_OUT_CLASSES };
}

export async function mixedLabelledLibrary(photos: number, fashion: number): Promise<LabelledLibrary> {
  const { dir, files } = await mixedLibrary({ photos, fashion, generated: 0, editedSimple: 0 });
  const kept = files.filter((f) => f.set === 'photo' || f.set === 'fashion');
  // mixedLibrary takes the first test image of each class in turn: fashion<i> is class i mod 10.
  const labelOf = (f: MixedFile) => (f.set === 'photo' ? f.source : CLASS_NAMES[Number(f.source.slice('fashion'.length)) % 10]);
  const labels = kept.map(labelOf);
  const photoSources = [...new Set(kept.filter((f) => f.set === 'photo').map((f) => f.source))];
  const holdout = [...HELD_OUT_CLASSES, ...photoSources.filter((_, i) => i % 5 === 4)];
  return { name: `mixed-${photos}-${fashion}`, features: await cachedFeatures(path.join(dir, '..', 'features'), kept.map((f) => f.file)), labels, holdout };
}

/** The app's features (decoding, folded MobileNetV2) of each file, cached beside the library. */
async function cachedFeatures(cache: string, files: string[]): Promise<Float32Array[]> {
  const dim = 1280;
  if (existsSync(`${cache}.f32`)) {
    const buf = readFileSync(`${cache}.f32`);
    const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    if (flat.length === files.length * dim) return files.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
  }
  await initBackend();
  const backbone = await loadBackbone();
  const flat = new Float32Array(files.length * dim);
  const batch = 8;
  const t0 = Date.now();
  for (let s = 0; s < files.length; s += batch) {
    const part = files.slice(s, s + batch);
    const pixels = await Promise.all(part.map((f) => decodeForBackbone(f)));
    const x = new Float32Array(part.length * PIXELS_PER_IMAGE);
    pixels.forEach((p, k) => p.forEach((v, j) => (x[k * PIXELS_PER_IMAGE + j] = v / 255)));
    const out = tf.tidy(() => backbone.features(tf.tensor4d(x, [part.length, 224, 224, 3])));
    flat.set((await out.data()) as Float32Array, s * dim);
    out.dispose();
    if ((s / batch) % 25 === 0) console.log(`  features ${s + part.length}/${files.length}, ${((Date.now() - t0) / (s + part.length)).toFixed(0)} ms/image`);
  }
  backbone.dispose();
  writeFileSync(`${cache}.f32`, Buffer.from(flat.buffer));
  return files.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
}
