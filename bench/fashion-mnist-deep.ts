// Does tuning the backbone's last blocks beat training the head alone? Fashion-MNIST (Debian's
// dataset-fashion-mnist): 5 classes trained on, retrieval measured on new images of those
// classes and on the 5 classes never trained on, for the frozen features, a head trained on
// them, and a head trained together with block_15, block_16 and Conv_1 (what `train --deep` runs).
// Both runs see the same photos, seeds, loss and early stopping; the frozen blocks run once per
// photo (and once mirrored, for the deep run's augmentation).
// The whole-CNN column (`train --depth whole`: every layer from pixels, augmented) runs with
// --whole (default on GPU backends); --whole-size trains and tests it at a smaller input for a
// CPU run (the other columns stay at 224 px).
//   npx tsx bench/fashion-mnist-deep.ts [--per-class 100] [--test-per-class 100] [--epochs 15] [--loss proxy-nca] [--seeds 1] [--whole] [--whole-size 224]
import { execSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { cacheActivations, loadFineTunableBackbone, TAIL_INPUT_SHAPE, type CachedActivations } from '../src-main/learn/backbone-trunk.js';
import { fineTuneBackbone } from '../src-main/learn/backbone-finetune.js';
import { Head, retrievalMetrics, trainHead, type LossName, type RetrievalMetrics } from '../src-main/learn/index.js';
import { lossNames } from '../src-shared/contract.js';
import { registerWasmGradKernels } from '../src-main/learn/wasm-grad-kernels.js';
import type { BackboneTail } from '../src-main/learn/backbone-tail.js';
import { fineTuneWhole } from '../src-main/learn/whole-finetune.js';
import { loadPretrainedWholeCnn } from '../src-main/learn/whole-file.js';
import { gpuBackends } from '../src-shared/train-depth.js';
import { CLASS_NAMES, FASHION_DIR, firstPerClass, readIdxImages, readIdxLabels, type IdxImages } from './fashion-mnist-data.js';

const TRAIN_CLASSES = [0, 1, 2, 3, 4];
const { values: args } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '100' },
    'test-per-class': { type: 'string', default: '100' },
    epochs: { type: 'string', default: '15' },
    loss: { type: 'string', default: 'proxy-nca' },
    seeds: { type: 'string', default: '1' },
    whole: { type: 'boolean' },
    'whole-size': { type: 'string', default: '224' },
  },
});
const loss = args.loss as LossName;
if (!lossNames.includes(loss)) throw new Error(`--loss is one of ${lossNames.join(', ')}`);
const epochs = Number(args.epochs);
const load = () => execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');
const pct = (x: number) => (100 * x).toFixed(1).padStart(5);

const backend = await initBackend();
if (backend.name === 'wasm') registerWasmGradKernels();
const backbone = await loadFineTunableBackbone();

/** The frozen blocks' output for each picked photo: grey 28×28 upscaled to 224×224 RGB, as the app would see it. */
async function activations(images: IdxImages, picked: number[], flip: boolean): Promise<CachedActivations[]> {
  const size = images.rows * images.cols;
  const t0 = Date.now();
  const out = await cacheActivations(
    backbone,
    picked.length,
    async (i) =>
      tf.tidy(() => {
        const grey = Float32Array.from(images.pixels.subarray(picked[i] * size, (picked[i] + 1) * size), (v) => v / 255);
        const x = tf.tensor4d(grey, [1, images.rows, images.cols, 1]);
        return tf.tile(tf.image.resizeBilinear(x, [224, 224]), [1, 1, 1, 3]).dataSync() as Float32Array;
      }),
    { flip },
  );
  console.log(`  ${picked.length} photos${flip ? ' (+ mirrored)' : ''} through the frozen blocks in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return out;
}

const trainImages = readIdxImages(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
const trainLabelBytes = readIdxLabels(path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz'));
const testImages = readIdxImages(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'));
const testLabelBytes = readIdxLabels(path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'));
const trainPicked = firstPerClass(trainLabelBytes, TRAIN_CLASSES, Number(args['per-class']));
const testPicked = firstPerClass(testLabelBytes, CLASS_NAMES.map((_, i) => i), Number(args['test-per-class']));
console.log(`backend ${backend.name}; ${trainPicked.length} training photos of ${TRAIN_CLASSES.map((c) => CLASS_NAMES[c]).join(', ')}; ` +
  `${testPicked.length} test photos of all 10 classes; ${loss}, ≤ ${epochs} epochs; load ${load()}`);
const trainActs = await activations(trainImages, trainPicked, true);
const testActs = await activations(testImages, testPicked, false);
const runWhole = args.whole ?? gpuBackends.includes(backend.name);
const wholeSize = Number(args['whole-size']);
/** Photos as the whole CNN reads them: grey 28×28 upscaled to wholeSize², RGB bytes. */
const bytesOf = (images: IdxImages, picked: number[]) =>
  picked.map((k) =>
    tf.tidy(() => {
      const size = images.rows * images.cols;
      const x = tf.tensor4d(Float32Array.from(images.pixels.subarray(k * size, (k + 1) * size)), [1, images.rows, images.cols, 1]);
      return Uint8Array.from(tf.tile(tf.image.resizeBilinear(x, [wholeSize, wholeSize]), [1, 1, 1, 3]).dataSync(), (v) => Math.round(v));
    }),
  );
const trainPixels = runWhole ? bytesOf(trainImages, trainPicked) : [];
const testPixels = runWhole ? bytesOf(testImages, testPicked) : [];
const trainLabels = trainPicked.map((i) => CLASS_NAMES[trainLabelBytes[i]]);
const testLabels = testPicked.map((i) => CLASS_NAMES[testLabelBytes[i]]);
const seen = testPicked.flatMap((i, r) => (TRAIN_CLASSES.includes(testLabelBytes[i]) ? [r] : []));
const unseen = testPicked.flatMap((i, r) => (TRAIN_CLASSES.includes(testLabelBytes[i]) ? [] : [r]));

function evaluate(tail: BackboneTail, head: Head): { seen: RetrievalMetrics; unseen: RetrievalMetrics } {
  const vectors = head.embed(tail.features(testActs.map((a) => a.views[0]), TAIL_INPUT_SHAPE));
  const on = (rows: number[]) => retrievalMetrics(rows.map((r) => vectors[r]), rows.map((r) => testLabels[r]));
  return { seen: on(seen), unseen: on(unseen) };
}

const rows: { name: string; seed: number; m: { seen: RetrievalMetrics; unseen: RetrievalMetrics }; seconds: number; bestEpoch: number }[] = [];
const pretrained = backbone.newTail();
const frozenFeatures = pretrained.features(trainActs.map((a) => a.views[0]), TAIL_INPUT_SHAPE);
const identity = Head.identity(1280);
rows.push({ name: 'frozen features', seed: 0, m: evaluate(pretrained, identity), seconds: 0, bestEpoch: 0 });
for (let seed = 1; seed <= Number(args.seeds); seed++) {
  let t0 = Date.now();
  const head = await trainHead({ features: frozenFeatures, labels: trainLabels, loss, epochs, seed, batchSize: 16, patience: 4, minStepsPerEpoch: 10 });
  rows.push({ name: 'head only', seed, m: evaluate(pretrained, head.head), seconds: (Date.now() - t0) / 1000, bestEpoch: head.bestEpoch });
  head.head.dispose();
  console.log(`  head only, seed ${seed}: ${rows.at(-1)!.seconds.toFixed(0)} s`);

  t0 = Date.now();
  const tail = backbone.newTail();
  const deep = await fineTuneBackbone({ tail, activations: trainActs, labels: trainLabels, loss, epochs, seed, patience: 4 });
  rows.push({ name: 'head + last blocks', seed, m: evaluate(tail, deep.head), seconds: (Date.now() - t0) / 1000, bestEpoch: deep.bestEpoch });
  console.log(`  head + last blocks, seed ${seed}: ${rows.at(-1)!.seconds.toFixed(0)} s`);
  deep.head.dispose();
  tail.dispose();

  if (!runWhole) continue;
  t0 = Date.now();
  const { cnn } = await loadPretrainedWholeCnn();
  const whole = await fineTuneWhole({ cnn, pixels: trainPixels, inputSize: wholeSize, labels: trainLabels, loss, epochs, seed, patience: 4 });
  const vectors = whole.head.embed(await cnn.features(testPixels, wholeSize));
  const on = (rs: number[]) => retrievalMetrics(rs.map((r) => vectors[r]), rs.map((r) => testLabels[r]));
  rows.push({ name: `head + whole CNN${wholeSize === 224 ? '' : ` ${wholeSize}px`}`, seed, m: { seen: on(seen), unseen: on(unseen) }, seconds: (Date.now() - t0) / 1000, bestEpoch: whole.bestEpoch });
  console.log(`  head + whole CNN, seed ${seed}: ${rows.at(-1)!.seconds.toFixed(0)} s`);
  whole.head.dispose();
  cnn.dispose();
}

console.log(`\nretrieval on test photos (load ${load()}); P@1 / MAP@R in %`);
console.log('method               seed   seen P@1  seen MAP@R   unseen P@1  unseen MAP@R   best epoch   train s');
for (const r of rows) {
  console.log(`${r.name.padEnd(20)} ${String(r.seed).padStart(4)}      ${pct(r.m.seen.precisionAt1)}       ${pct(r.m.seen.mapAtR)}        ${pct(r.m.unseen.precisionAt1)}         ${pct(r.m.unseen.mapAtR)}   ${String(r.bestEpoch).padStart(10)}   ${r.seconds.toFixed(0).padStart(7)}`);
}
pretrained.dispose();
identity.dispose();
backbone.dispose();
