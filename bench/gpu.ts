// GPU figures: the adapter, embedding images/s through the app's GPU runner (pixels in), and training.
// Run: npx tsx bench/gpu.ts   (LOOKALIKE_BACKEND=webgpu forces WebGPU, llvmpipe included;
//      GPU_BATCHES=64,128,256 batch sizes; GPU_REPS=5 runs each; GPU_IMAGES=images per run)
// On a GPU machine without Node: bash ../shared/gpu/pack.sh bench/gpu.ts, send .device-pack/,
// run `bash .device-pack/run.sh --torch` there (PyTorch's figures first, same GPU).
// Imports nothing that needs sharp, better-sqlite3 or hnswlib-node: the pack leaves them out.
// Sections: SECTIONS below; training figures (issue 11's other half) add theirs to that list.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { blocksTrainingSpeed, kernelsPerStep, wholeCnnTrainingSpeed } from './gpu-train.js';
import { initBackend, type BackendInfo } from '../src-main/model/backend.js';
import { BACKBONE_INPUT_SIZE, loadBackbone } from '../src-main/model/backbone.js';
import { GpuRunner } from '../src-main/model/gpu-runner.js';
import { gpuName, type GpuProvider } from '../src-main/model/webgpu.js';

const PIXELS = BACKBONE_INPUT_SIZE * BACKBONE_INPUT_SIZE * 3;
const REPS = Number(process.env.GPU_REPS ?? 5);
const BATCHES = (process.env.GPU_BATCHES ?? '64,128,256').split(',').map(Number);

export const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** What every section gets: the backend as the ladder (or LOOKALIKE_BACKEND) chose it. */
export interface BenchContext {
  backend: BackendInfo;
  /** Batch sizes asked for (GPU_BATCHES). */
  batches: number[];
  reps: number;
}

/** One block of figures; prints its own lines. */
export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Uniform-ish pixels, different per image, made once: the bench measures inference, not decoding. */
export function generatedPixels(n: number): Uint8Array {
  const out = new Uint8Array(n * PIXELS);
  let x = 2463534242;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/**
 * Images/s of `engine.infer` over `images` images in batches of `batch`, keeping as many batches
 * in flight as the extractor does (parallelism + 1), so upload, kernels and readback overlap.
 */
export async function embeddingRate(engine: GpuRunner, batch: number, images: number): Promise<number> {
  const pixels = generatedPixels(batch);
  const inFlight = new Set<Promise<unknown>>();
  const t = performance.now();
  for (let done = 0; done < images; done += batch) {
    while (inFlight.size > engine.parallelism) await Promise.race(inFlight);
    const p: Promise<unknown> = engine.infer(pixels.slice(), batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return (Math.ceil(images / batch) * batch) / ((performance.now() - t) / 1000);
}

const adapterSection: BenchSection = {
  name: 'adapter',
  async run({ backend }) {
    console.log(`backend  ${backend.name}: ${backend.detail}`);
    for (const s of backend.skipped) console.log(`  not used: ${s.name}: ${s.reason}`);
    const g = backend.gpu;
    if (!g) return;
    console.log(`adapter  ${gpuName(g)}; vendor "${g.vendor}", architecture "${g.architecture}", device "${g.device}", description "${g.description}"`);
    console.log(`         software ${g.software}, Dawn backend ${g.api}, maxStorageBufferBindingSize ${(g.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB, maxBufferSize ${(g.maxBufferSize / 2 ** 20).toFixed(0)} MiB`);
  },
};

const embeddingSection: BenchSection = {
  name: 'embedding',
  async run({ backend, batches, reps }) {
    if (backend.name !== 'webgpu') return embeddingWithoutGpu(batches, reps);
    const engine = await GpuRunner.start();
    try {
      console.log(`[embed] GPU runner (src-main/model/gpu-runner.ts), folded MobileNetV2, 224 px, pixels in; adapter limit ${engine.maxBatch} images a batch`);
      for (const asked of batches) {
        const batch = Math.min(asked, engine.maxBatch);
        const images = Number(process.env.GPU_IMAGES ?? Math.max(batch * 4, 4 * 64));
        await embeddingRate(engine, batch, batch * 2); // warm-up: shader compilation, buffer pools
        const runs: number[] = [];
        for (let r = 0; r < reps; r++) runs.push(await embeddingRate(engine, batch, images));
        const mem = tf.memory();
        console.log(`[embed] batch ${batch}${batch < asked ? ` (asked ${asked})` : ''}: ${median(runs).toFixed(1)} images/s median of ${reps} (${runs.map((v) => v.toFixed(0)).join(', ')}); ${images} images a run; ${mem.numTensors} tensors, ${(mem.numBytes / 2 ** 20).toFixed(0)} MiB`);
      }
    } finally {
      await engine.close();
    }
  },
};

/** The same forward pass on a CPU backend, briefly, so every run prints a figure. */
async function embeddingWithoutGpu(batches: number[], reps: number): Promise<void> {
  const backbone = await loadBackbone();
  const batch = Math.min(16, ...batches);
  const x = tf.tidy(() => tf.tensor4d(new Float32Array(generatedPixels(batch)), [batch, 224, 224, 3]).div(255) as tf.Tensor4D);
  const runs: number[] = [];
  for (let r = 0; r < Math.min(reps, 3); r++) {
    const t = performance.now();
    const y = backbone.features(x);
    await y.data();
    y.dispose();
    runs.push(batch / ((performance.now() - t) / 1000));
  }
  tf.dispose(x);
  backbone.dispose();
  console.log(`[embed] no GPU: ${tf.getBackend()} in this thread, batch ${batch}: ${median(runs).toFixed(1)} images/s (force WebGPU with LOOKALIKE_BACKEND=webgpu)`);
}

/**
 * Training speed (bench/gpu-train.ts): the whole CNN from pixels (augmentation, forward,
 * backward, flat Adam) and the last blocks + head from cached activations, on the GPU backend
 * when the ladder chose it. GPU_TRAIN_BATCH (default 128 on a hardware GPU, 2 elsewhere),
 * GPU_TRAIN_SIZE (default 224 on a hardware GPU, 32 elsewhere), GPU_TRAIN_STEPS (default 5).
 */
const trainingSection: BenchSection = {
  name: 'training',
  async run({ backend }) {
    const fast = (backend.name === 'webgpu' && !backend.gpu?.software) || backend.name === 'tensorflow-gpu';
    if (tf.getBackend() === 'wasm') (await import('../src-main/learn/wasm-grad-kernels.js')).registerWasmGradKernels();
    const batch = Number(process.env.GPU_TRAIN_BATCH ?? (fast ? 128 : 2));
    const size = Number(process.env.GPU_TRAIN_SIZE ?? (fast ? 224 : 32));
    const steps = Number(process.env.GPU_TRAIN_STEPS ?? (fast ? 5 : 2));
    const onGpu = backend.name === 'webgpu';
    const previous = tf.getBackend();
    if (onGpu) await tf.setBackend('webgpu');
    try {
      for (const k of await kernelsPerStep({ batch: Math.min(batch, 4), size })) {
        console.log(`[train] kernels a step (batch ${Math.min(batch, 4)}, ${size} px): ${k.kernels} (${k.compute} moving data)  ${k.what}`);
      }
      const whole = await wholeCnnTrainingSpeed({ batch, size, steps });
      console.log(`[train] whole CNN on ${tf.getBackend()}, batch ${whole.batch}, ${size} px: ${whole.imagesPerSecond.toFixed(1)} images/s (median step ${median(whole.stepMs).toFixed(0)} ms)`);
      const blocks = await blocksTrainingSpeed({ batch: Number(process.env.GPU_BLOCKS_BATCH ?? (fast ? 128 : 4)), steps });
      console.log(`[train] last blocks + head from cached activations, batch ${blocks.batch}: ${blocks.imagesPerSecond.toFixed(1)} images/s (median step ${median(blocks.stepMs).toFixed(0)} ms)`);
    } finally {
      if (onGpu) await tf.setBackend(previous);
    }
  },
};

/** In order. */
export const SECTIONS: BenchSection[] = [adapterSection, embeddingSection, trainingSection];

/** Dawn from DAWN (the device pack's dawn.node) when set, else the `webgpu` package. */
function packedDawn(): (() => Promise<GpuProvider>) | undefined {
  const file = process.env.DAWN;
  if (!file) return undefined;
  return async () => createRequire(import.meta.url)(file) as GpuProvider;
}

export async function main(): Promise<void> {
  const provider = packedDawn();
  const backend = await initBackend(provider ? { webgpu: { provider } } : {});
  const ctx: BenchContext = { backend, batches: BATCHES, reps: REPS };
  for (const section of SECTIONS) {
    const t = performance.now();
    await section.run(ctx);
    console.log(`(${section.name}: ${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
