// Fashion-MNIST (Debian's dataset-fashion-mnist, gzipped IDX files) turned into frozen
// MobileNetV2 features, cached in .bench-out/ so the loss comparison can be rerun in seconds.
// Running this file on its own only extracts (and caches) the features.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';

import { CLASS_NAMES, FASHION_DIR, readIdxImages, readIdxLabels, type IdxImages } from '../test/fixtures/fashion-mnist.js';

export { CLASS_NAMES, FASHION_DIR, readIdxImages, readIdxLabels, type IdxImages };
const OUT_DIR = '.bench-out';

/** The first `perClass` image indices of each class, in file order (deterministic). */
export function firstPerClass(labels: Uint8Array, classes: number[], perClass: number): number[] {
  const taken = new Map<number, number>(classes.map((c) => [c, 0]));
  const picked: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const n = taken.get(labels[i]);
    if (n === undefined || n >= perClass) continue;
    taken.set(labels[i], n + 1);
    picked.push(i);
  }
  return picked;
}

/** nsfwjs's MobileNetV2 cut at flatten_1 (1280-d), loaded from the package's files directly. */
async function loadBackbone(): Promise<tf.LayersModel> {
  const require = createRequire(import.meta.url);
  // The package's `exports` hides dist/: resolve its entry point and walk up to its folder.
  let pkgDir = path.dirname(require.resolve('nsfwjs'));
  while (!existsSync(path.join(pkgDir, 'dist/models'))) pkgDir = path.dirname(pkgDir);
  const dir = path.join(pkgDir, 'dist/models/mobilenet_v2');
  const model = require(path.join(dir, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const shard = require(path.join(dir, 'group1-shard1of1.min.js')) as string;
  const bytes = Buffer.from(shard, 'base64');
  const full = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  return tf.model({ inputs: full.inputs, outputs: full.getLayer('flatten_1').output as tf.SymbolicTensor });
}

export interface FeatureSet {
  features: Float32Array[];
  labels: number[];
}

async function extract(backbone: tf.LayersModel, images: IdxImages, indices: number[], labels: Uint8Array): Promise<FeatureSet> {
  const size = images.rows * images.cols;
  const features: Float32Array[] = [];
  const batch = 16;
  const t0 = Date.now();
  for (let s = 0; s < indices.length; s += batch) {
    const idx = indices.slice(s, s + batch);
    const grey = new Float32Array(idx.length * size);
    idx.forEach((img, k) => {
      for (let p = 0; p < size; p++) grey[k * size + p] = images.pixels[img * size + p] / 255;
    });
    const out = tf.tidy(() => {
      const x = tf.tensor4d(grey, [idx.length, images.rows, images.cols, 1]);
      // The backbone wants 224×224 RGB in [0,1]: upscale and repeat the grey channel.
      const rgb = tf.tile(tf.image.resizeBilinear(x, [224, 224]), [1, 1, 1, 3]);
      return backbone.predict(rgb) as tf.Tensor2D;
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    const d = data.length / idx.length;
    for (let k = 0; k < idx.length; k++) features.push(data.slice(k * d, (k + 1) * d));
    if ((s / batch) % 20 === 0) {
      const rate = features.length / ((Date.now() - t0) / 1000);
      process.stdout.write(`  ${features.length}/${indices.length} images, ${rate.toFixed(1)}/s\n`);
    }
  }
  return { features, labels: indices.map((i) => labels[i]) };
}

function save(file: string, set: FeatureSet): void {
  const d = set.features[0].length;
  const flat = new Float32Array(set.features.length * d);
  set.features.forEach((f, i) => flat.set(f, i * d));
  writeFileSync(`${file}.f32`, Buffer.from(flat.buffer));
  writeFileSync(`${file}.json`, JSON.stringify({ dim: d, labels: set.labels }));
}

function load(file: string): FeatureSet | null {
  if (!existsSync(`${file}.f32`) || !existsSync(`${file}.json`)) return null;
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { dim: number; labels: number[] };
  const buf = readFileSync(`${file}.f32`);
  const flat = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const features = meta.labels.map((_, i) => flat.slice(i * meta.dim, (i + 1) * meta.dim));
  return { features, labels: meta.labels };
}

export interface FashionFeatures {
  /** Training images of the training classes (from the train split). */
  train: FeatureSet;
  /** Test-split images of all 10 classes (never trained on). */
  test: FeatureSet;
}

/** Features of `trainPerClass` train images of `trainClasses` and `testPerClass` test images of every class. */
export async function fashionMnistFeatures(trainClasses: number[], trainPerClass: number, testPerClass: number): Promise<FashionFeatures> {
  mkdirSync(OUT_DIR, { recursive: true });
  const tag = `fmnist-mnv2-c${trainClasses.join('')}-${trainPerClass}-${testPerClass}`;
  const trainFile = path.join(OUT_DIR, `${tag}-train`);
  const testFile = path.join(OUT_DIR, `${tag}-test`);
  const cachedTrain = load(trainFile);
  const cachedTest = load(testFile);
  if (cachedTrain && cachedTest) return { train: cachedTrain, test: cachedTest };

  await initBackend();
  const backbone = await loadBackbone();
  const allClasses = CLASS_NAMES.map((_, i) => i);
  const trainImages = readIdxImages(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
  const trainLabels = readIdxLabels(path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz'));
  const testImages = readIdxImages(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'));
  const testLabels = readIdxLabels(path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'));
  console.log(`extracting ${trainClasses.length}×${trainPerClass} train + 10×${testPerClass} test features (${tf.getBackend()})`);
  const train = cachedTrain ?? (await extract(backbone, trainImages, firstPerClass(trainLabels, trainClasses, trainPerClass), trainLabels));
  save(trainFile, train);
  const test = cachedTest ?? (await extract(backbone, testImages, firstPerClass(testLabels, allClasses, testPerClass), testLabels));
  save(testFile, test);
  backbone.dispose();
  return { train, test };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  await fashionMnistFeatures([0, 1, 2, 3, 4], 500, 200);
  console.log(`features ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
