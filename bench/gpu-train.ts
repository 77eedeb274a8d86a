// Training speed on whatever tf backend runs: images/s of whole-CNN fine-tuning (pixels in,
// augmentation, folded BatchNorm, 1×1 convs as matMuls, flat Adam) and of the last blocks + head
// from cached block_14_add activations, and kernels dispatched per whole-CNN step with and
// without the levers. Generated pixels only (no sharp, no SQLite), so ../shared/gpu/pack.sh can
// bundle it; bench/gpu.ts imports the exported functions. Packed alone:
//   ../shared/gpu/pack.sh bench/gpu-train.ts && LOOKALIKE_BENCH=gpu-train bash .device-pack/run.sh [ARGS]
//   npx tsx bench/gpu-train.ts [--only all|kernels|whole|blocks] [--levers on|off|both] [--backend webgpu|wasm|cpu] [--batch 128] [--size 224] [--steps 5] [--blocks-batch 128] [--kernels-batch 4] [--kernels-size 224]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Head } from '../src-main/learn/head.js';
import { createLoss } from '../src-main/learn/losses/index.js';
import { FusedAdam } from '../src-main/learn/fused-adam.js';
import { augmentBatch } from '../src-main/learn/augment.js';
import { seededRandom } from '../src-main/common/random.js';
import { wholeStep } from '../src-main/learn/whole-finetune.js';
import { loadPretrainedWholeCnn } from '../src-main/learn/whole-file.js';
import { loadNsfwjsLayersModel, readNsfwjsModel } from '../src-main/model/nsfwjs-files.js';
import { BackboneTail, type KerasTopology } from '../src-main/learn/backbone-tail.js';
import { TAIL_INPUT_SHAPE } from '../src-main/model/descriptor.js';

export interface SpeedOptions {
  batch?: number;
  /** Input side for the whole CNN (default 224). */
  size?: number;
  /** Timed steps after one warm-up step (default 5). */
  steps?: number;
  /** Whole CNN only: false runs plain conv2d + add + relu6 and tf.train.adam, to measure what the levers buy (default true). */
  levers?: boolean;
}

export interface SpeedResult {
  batch: number;
  /** Median over the timed steps. */
  imagesPerSecond: number;
  stepMs: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const classesOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 8);

/** Random bytes as RGB photos [n,s,s,3] in [0,1]. */
function generatedPixels(n: number, size: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.floor(tf.randomUniform([n, size, size, 3], 0, 256, 'float32', seed)), 255) as tf.Tensor4D);
}

async function timeSteps(steps: number, batch: number, one: () => Promise<number>): Promise<SpeedResult> {
  await one(); // warm-up: shader compilation, allocations
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await one(); // reads the loss back, so the step has finished on the device
    stepMs.push(performance.now() - t);
  }
  return { batch, imagesPerSecond: (batch * 1000) / median(stepMs), stepMs };
}

/** Whole-CNN fine-tuning from pixels: augmentation + forward + backward + flat Adam, per step. */
export async function wholeCnnTrainingSpeed(opts: SpeedOptions = {}): Promise<SpeedResult> {
  const batch = opts.batch ?? 128;
  const size = opts.size ?? 224;
  const levers = opts.levers ?? true;
  const { cnn } = await loadPretrainedWholeCnn({ levers });
  const head = Head.create({ inputDim: 1280, outputDim: 128, seed: 1 });
  const loss = createLoss('proxy-nca', 8, 128, 1);
  const groups = [cnn.variables(), head.variables(), loss.variables()];
  const optimizers = groups.map((vars, i) => {
    const lr = [1e-5, 1e-3, 1e-2][i];
    if (levers) return new FusedAdam(vars, lr);
    // The same interface over tf.train.adam, for the comparison.
    const adam = tf.train.adam(lr);
    return { applyGradients: (g: tf.NamedTensorMap) => adam.applyGradients(vars.map((v) => ({ name: v.name, tensor: g[v.name] }))), dispose: () => adam.dispose() };
  });
  const pixels = generatedPixels(batch, size, 1);
  const random = seededRandom(1);
  const classes = classesOf(batch);
  try {
    return await timeSteps(opts.steps ?? 5, batch, async () => {
      const x = augmentBatch(pixels, random);
      try {
        return await wholeStep(cnn, head, loss, optimizers, x, classes);
      } finally {
        x.dispose();
      }
    });
  } finally {
    tf.dispose(pixels);
    optimizers.forEach((o) => o.dispose());
    loss.dispose();
    head.dispose();
    cnn.dispose();
  }
}

/** Last blocks + head from cached activations, as `train --deep` steps (tf.train.adam per group). */
export async function blocksTrainingSpeed(opts: SpeedOptions = {}): Promise<SpeedResult> {
  const batch = opts.batch ?? 128;
  const { model } = await loadNsfwjsLayersModel('mobilenet_v2');
  const tail = BackboneTail.fromLayersModel(model, readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology);
  model.dispose();
  const head = Head.create({ inputDim: 1280, outputDim: 128, seed: 1 });
  const loss = createLoss('proxy-nca', 8, 128, 1);
  const groups = [tail.variables(), head.variables(), loss.variables()];
  const optimizers = [tf.train.adam(1e-4), tf.train.adam(1e-3), tf.train.adam(1e-2)];
  const activations = tf.tidy(() => tf.relu(tf.randomNormal([batch, ...TAIL_INPUT_SHAPE], 0, 1, 'float32', 2)) as tf.Tensor4D);
  const classes = classesOf(batch);
  try {
    return await timeSteps(opts.steps ?? 5, batch, async () => {
      const { value, grads } = tf.variableGrads(() => loss.compute(head.apply(tail.apply(activations)), classes), groups.flat());
      groups.forEach((vars, i) => optimizers[i].applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] }))));
      tf.dispose(Object.values(grads));
      const out = (await value.data())[0];
      value.dispose();
      return out;
    });
  } finally {
    tf.dispose(activations);
    optimizers.forEach((o) => o.dispose());
    loss.dispose();
    head.dispose();
    tail.dispose();
  }
}

export interface KernelCount {
  what: string;
  /** Kernels tf.profile saw in one step. */
  kernels: number;
  /** Of them, ones that move data (Reshape, Identity and float→float Cast only relabel a buffer). */
  compute: number;
  top: [string, number][];
}

const VIEW_KERNELS = new Set(['Reshape', 'Identity', 'Cast']);

/** Kernels per whole-CNN training step: stock LayersModel (training-mode BatchNorm; 224 px only, its pool is 7×7), folded plain, folded with the levers. */
export async function kernelsPerStep(opts: { batch?: number; size?: number; stock?: boolean } = {}): Promise<KernelCount[]> {
  const batch = opts.batch ?? 4;
  const size = opts.size ?? 224;
  const x = generatedPixels(batch, size, 3);
  const target = tf.randomNormal([batch, 1280], 0, 1, 'float32', 4);
  const out: KernelCount[] = [];
  const count = async (what: string, vars: tf.Variable[], features: () => tf.Tensor2D, update: (g: tf.NamedTensorMap) => void) => {
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(features(), target))) as tf.Scalar, vars);
      update(grads);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step();
    const p = await tf.profile(step);
    const by = new Map<string, number>();
    for (const k of p.kernels) by.set(k.name, (by.get(k.name) ?? 0) + 1);
    out.push({ what, kernels: p.kernels.length, compute: p.kernels.filter((k) => !VIEW_KERNELS.has(k.name)).length, top: [...by].sort((a, b) => b[1] - a[1]).slice(0, 8) });
  };
  const adamStep = (opt: tf.Optimizer) => (g: tf.NamedTensorMap) => opt.applyGradients(Object.entries(g).map(([name, tensor]) => ({ name, tensor })));
  if ((opts.stock ?? true) && size === 224) {
    const { model } = await loadNsfwjsLayersModel('mobilenet_v2');
    const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer('flatten_1').output as tf.SymbolicTensor });
    const opt = tf.train.adam(1e-5);
    const vars = cut.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    await count('stock LayersModel, training-mode BatchNorm, tf.train.adam', vars, () => cut.apply(x, { training: true }) as tf.Tensor2D, adamStep(opt));
    opt.dispose();
    model.dispose();
  }
  for (const levers of [false, true]) {
    const { cnn } = await loadPretrainedWholeCnn({ levers });
    const opt = levers ? new FusedAdam(cnn.variables(), 1e-5) : tf.train.adam(1e-5);
    const what = levers ? 'folded BN, 1×1 convs as matMuls, fused bias, flat Adam' : 'folded BN, plain conv2d + add + relu6, tf.train.adam';
    await count(what, cnn.variables(), () => cnn.apply(x), levers ? (g) => (opt as FusedAdam).applyGradients(g) : adamStep(opt as tf.Optimizer));
    opt.dispose();
    cnn.dispose();
  }
  tf.dispose([x, target]);
  return out;
}

/** WebGPU through Dawn for a standalone run (bench/gpu.ts and the app have their own setup). */
async function useWebGpu(): Promise<void> {
  const dawn = createRequire(import.meta.url)(process.env.DAWN ?? 'webgpu') as { create(o: string[]): unknown; globals: object };
  Object.assign(globalThis, dawn.globals);
  const software = process.env.EGL_PLATFORM === 'surfaceless';
  const gpu = dawn.create(software ? ['backend=opengles'] : []) as { requestAdapter(o?: object): Promise<unknown> };
  if (software) {
    const request = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = (o?: object) => request({ ...o, featureLevel: 'compatibility' });
  }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      backend: { type: 'string', default: 'webgpu' }, batch: { type: 'string', default: '128' }, size: { type: 'string', default: '224' },
      steps: { type: 'string', default: '5' }, 'blocks-batch': { type: 'string', default: '128' },
      'kernels-batch': { type: 'string', default: '4' }, levers: { type: 'string', default: 'on' }, 'kernels-size': { type: 'string', default: '224' }, only: { type: 'string', default: 'all' },
    },
  });
  if (a.backend === 'webgpu') await useWebGpu();
  if (a.backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    (await import('../src-main/learn/wasm-grad-kernels.js')).registerWasmGradKernels();
  }
  if (!(await tf.setBackend(a.backend)) || tf.getBackend() !== a.backend) throw new Error(`backend ${a.backend} did not start (running ${tf.getBackend()})`);
  await tf.ready();
  console.log(`backend ${tf.getBackend()}`);
  const only = a.only;
  if (only === 'all' || only === 'kernels') {
    for (const k of await kernelsPerStep({ batch: Number(a['kernels-batch']), size: Number(a['kernels-size']), stock: a.backend !== 'wasm' })) {
      console.log(`kernels/step (batch ${a['kernels-batch']}, ${a['kernels-size']} px) ${String(k.kernels).padStart(5)} (${k.compute} moving data)  ${k.what}\n    ${k.top.map(([n, c]) => `${n} ${c}`).join(', ')}`);
    }
  }
  if (only === 'all' || only === 'whole') {
    for (const levers of a.levers === 'both' ? [false, true] : [a.levers !== 'off']) {
      const r = await wholeCnnTrainingSpeed({ batch: Number(a.batch), size: Number(a.size), steps: Number(a.steps), levers });
      console.log(`whole CNN${levers ? '' : ' (levers off)'}, batch ${r.batch}, ${a.size} px: ${r.imagesPerSecond.toFixed(1)} images/s (median step ${median(r.stepMs).toFixed(0)} ms)`);
    }
  }
  if (only === 'all' || only === 'blocks') {
    const r = await blocksTrainingSpeed({ batch: Number(a['blocks-batch']), steps: Number(a.steps) });
    console.log(`last blocks + head from cached activations, batch ${r.batch}: ${r.imagesPerSecond.toFixed(1)} images/s (median step ${median(r.stepMs).toFixed(0)} ms)`);
  }
}

// Runs alone as bench/gpu-train.ts; bundled by pack.sh, every module shares the bundle's
// import.meta.url, so a packed run says LOOKALIKE_BENCH=gpu-train (bench/gpu.ts imports without it).
if (/gpu-train\.[mc]?[jt]s$/.test(process.argv[1] ?? '') || process.env.LOOKALIKE_BENCH === 'gpu-train') await main();
