// Bench 1 of issue 4: embedding throughput end to end from JPEG files, and where the time goes.
// Run: npx tsx bench/embed.ts   (EMBED_REPS=3 runs per setting; EMBED_N=200 files; EMBED_E2E_ONLY=1
//      skips the decode/inference breakdown; EMBED_SETTINGS=0x16,2x16 picks workers x batch)
// Prints medians; the machine is shared, so it prints `uptime` before and after.
import { execSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend, type BackendInfo } from '../src-main/model/backend.js';
import { loadBackbone, type Backbone } from '../src-main/model/backbone.js';
import { DESCRIPTORS } from '../src-main/model/descriptor.js';
import { FeatureExtractor } from '../src-main/model/extractor.js';
import { createBatchInference } from '../src-main/model/inference.js';
import { decodeForBackbone, PIXELS_PER_IMAGE } from '../src-main/model/preprocess.js';
import { makeBenchJpegs } from './bench-images.js';

const N = Number(process.env.EMBED_N ?? 200);
const REPS = Number(process.env.EMBED_REPS ?? 3);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = () => execSync('uptime').toString().trim().replace(/.*load average/, 'load average');
const mb = () => `${Math.round(process.memoryUsage().rss / 2 ** 20)} MB rss`;

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function inParallel<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function main() {
  console.log(`start: ${load()}; sharp concurrency ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4}`);
  const files = await makeBenchJpegs('.bench-out/embed-jpegs', N);
  const meta = await sharp(files[0]).metadata();
  console.log(`${files.length} JPEGs of ${meta.width}x${meta.height} (${((meta.width! * meta.height!) / 1e6).toFixed(1)} MP)`);

  const e2eOnly = process.env.EMBED_E2E_ONLY === '1';
  const backend = await initBackend();
  const backbone = await loadBackbone();
  if (!e2eOnly) await breakdown(files, backend, backbone);
  await endToEnd(files);
  if (!e2eOnly) await cpuBackend(backbone);
  console.log(`end: ${load()}`);
}

/** Where the time goes: decoding and resizing, inference by batch size and descriptor. */
async function breakdown(files: string[], backend: BackendInfo, backbone: Backbone) {
  // 1. Decoding and resizing (sharp), no inference.
  const sample = files.slice(0, 20);
  const fullDecode = await Promise.all([0, 1, 2].map(async () => (await timeIt(async () => { for (const f of sample) await sharp(f).raw().toBuffer(); })) / sample.length));
  const pipeline = await Promise.all([0, 1, 2].map(async () => (await timeIt(async () => { for (const f of sample) await decodeForBackbone(f); })) / sample.length));
  console.log(`\n[decode] full-size JPEG decode, one at a time: ${median(fullDecode).toFixed(1)} ms/image`);
  console.log(`[decode+resize] decodeForBackbone (JPEG shrink-on-load + resize to 224), one at a time: ${median(pipeline).toFixed(1)} ms/image`);
  for (const c of [1, 4, 8]) {
    const runs: number[] = [];
    for (let r = 0; r < REPS; r++) runs.push(N / ((await timeIt(() => inParallel(files, c, (f) => decodeForBackbone(f)))) / 1000));
    console.log(`[decode+resize] ${c} in flight: ${median(runs).toFixed(0)} images/s`);
  }

  // 2. Inference only, this thread, by backend and batch size.
  console.log(`\n[inference] backend ${backend.name} (${backend.detail}); skipped: ${backend.skipped.map((s) => `${s.name}: ${s.reason}`).join(', ')}`);
  for (const batch of [8, 16, 32]) {
    const x = tf.randomUniform([batch, 224, 224, 3], 0, 1) as tf.Tensor4D;
    backbone.features(x).dispose(); // warm-up: kernel setup, wasm heap growth
    const runs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      runs.push((await timeIt(async () => { const y = backbone.features(x); await y.data(); y.dispose(); })) / batch);
    }
    x.dispose();
    console.log(`[inference] wasm, folded, batch ${batch}: ${median(runs).toFixed(1)} ms/image = ${(1000 / median(runs)).toFixed(1)} images/s (${mb()})`);
  }
  // Cost of each descriptor (inference only, batch 16, this thread).
  for (const name of DESCRIPTORS) {
    const inference = await createBatchInference({ descriptor: name });
    const pixels = new Uint8Array(16 * PIXELS_PER_IMAGE).map((_, i) => (i * 7919) % 251);
    inference.run(pixels, 16);
    const runs: number[] = [];
    for (let r = 0; r < REPS; r++) runs.push((await timeIt(async () => inference.run(pixels, 16))) / 16);
    inference.dispose();
    console.log(`[inference] descriptor ${name} (${inference.dim}-d), batch 16: ${median(runs).toFixed(1)} ms/image`);
  }
  const unfolded = await loadBackbone({ foldBatchNorm: false });
  {
    const x = tf.randomUniform([16, 224, 224, 3], 0, 1) as tf.Tensor4D;
    unfolded.features(x).dispose();
    const ms = (await timeIt(async () => { const y = unfolded.features(x); await y.data(); y.dispose(); })) / 16;
    console.log(`[inference] wasm, tfjs LayersModel (BatchNorm not folded), batch 16: ${ms.toFixed(1)} ms/image = ${(1000 / ms).toFixed(1)} images/s`);
    x.dispose();
    unfolded.dispose();
  }

}

/** End to end from files: FeatureExtractor by inference threads and batch size. */
async function endToEnd(files: string[]) {
  console.log('');
  const settings: [number, number][] = process.env.EMBED_SETTINGS
    ? process.env.EMBED_SETTINGS.split(',').map((s) => s.split('x').map(Number) as [number, number])
    : [[0, 8], [0, 16], [0, 32], [1, 16], [2, 8], [2, 16], [2, 32]];
  for (const [workers, batchSize] of settings) {
    const extractor = await FeatureExtractor.create({ workers, batchSize });
    await extractor.extract(files.slice(0, batchSize * Math.max(1, workers))); // warm-up
    const runs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const ms = await timeIt(async () => {
        const out = await extractor.extract(files);
        if (out.some((v) => v instanceof Error)) throw new Error('extraction failed');
      });
      runs.push(files.length / (ms / 1000));
    }
    const where = workers === 0 ? 'this thread' : `${workers} worker thread${workers > 1 ? 's' : ''}`;
    console.log(`[end-to-end] ${where}, batch ${batchSize}: ${median(runs).toFixed(1)} images/s (runs ${runs.map((r) => r.toFixed(1)).join(', ')}; ${mb()}; ${load()})`);
    await extractor.close();
  }

}

/** tfjs's plain JavaScript backend, briefly: the last resort. */
async function cpuBackend(backbone: Backbone) {
  backbone.dispose();
  const cpu = await initBackend({ exclude: ['tensorflow-gpu', 'tensorflow', 'wasm'] });
  const cpuBackbone = await loadBackbone();
  const px = new Float32Array(2 * PIXELS_PER_IMAGE).fill(0.5);
  const x = tf.tensor4d(px, [2, 224, 224, 3]);
  const ms = (await timeIt(async () => { const y = cpuBackbone.features(x); await y.data(); y.dispose(); })) / 2;
  console.log(`\n[inference] ${cpu.name} backend, batch 2: ${ms.toFixed(0)} ms/image = ${(1000 / ms).toFixed(2)} images/s`);
  x.dispose();
}

await main();
