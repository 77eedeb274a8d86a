// Seconds per fine-tuning step of 16 photos (block_15, block_16, Conv_1 and a 1280→128 head,
// ProxyNCA), from cached block_14_add activations and from pixels, on wasm with the gradient
// kernels of src-main/learn/wasm-grad-kernels.ts and, briefly, on tfjs's cpu backend.
// "From pixels" = the frozen forward pass pixels→block_14_add for the 16 photos + one step from
// its activations (what a step costs when nothing is cached).
// Run: npx tsx bench/finetune.ts   (FT_STEPS=8 wasm steps, FT_CPU_STEPS=2 cpu steps, 0 skips cpu)
// Prints medians; the first step of each run (optimiser slots, kernel warm-up) is left out.
import { execSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/model/backend.js';
import { registerWasmGradKernels } from '../src-main/learn/wasm-grad-kernels.js';
import { cacheActivations, loadFineTunableBackbone, TAIL_INPUT_SIZE, type FineTunableBackbone } from '../src-main/learn/backbone-trunk.js';
import { fineTuneBackbone } from '../src-main/learn/backbone-finetune.js';
import { seededRandom } from '../src-main/common/random.js';

const BATCH = 16;
const STEPS = Number(process.env.FT_STEPS ?? 8);
const CPU_STEPS = Number(process.env.FT_CPU_STEPS ?? 2);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = () => execSync('uptime').toString().trim().replace(/.*load average/, 'load average');

/** Random pixels: the step's cost does not depend on what the photos show. */
function randomPixels(seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: 224 * 224 * 3 }, () => r());
}

async function frozenForwardSeconds(backbone: FineTunableBackbone, reps: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k <= reps; k++) {
    const t = performance.now();
    await cacheActivations(backbone, BATCH, async (i) => randomPixels(1000 * k + i), { flip: false, batchSize: BATCH });
    if (k > 0) out.push((performance.now() - t) / 1000);
  }
  return out;
}

async function stepSeconds(backbone: FineTunableBackbone, steps: number): Promise<number[]> {
  // 4 labels × 4 photos fill each batch of 16; flat random activations stand in for cached ones.
  const photos = 32;
  const r = seededRandom(7);
  const activations = Array.from({ length: photos }, () => ({
    views: [Float32Array.from({ length: TAIL_INPUT_SIZE }, () => r() * 4 - 1)],
  }));
  const labels = Array.from({ length: photos }, (_, i) => `label-${i % 4}`);
  const tail = backbone.newTail();
  const stamps: number[] = [];
  const result = await fineTuneBackbone({
    tail, activations, labels, loss: 'proxy-nca', batchSize: BATCH, mPerClass: 4, validationFraction: 0,
    epochs: 1, minStepsPerEpoch: steps + 1, maxStepsPerEpoch: steps + 1, patience: 10,
    onProgress: (p) => void (p.validation || stamps.push(performance.now())),
  });
  result.head.dispose();
  tail.dispose();
  return stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);
}

async function run(backendName: 'wasm' | 'cpu', steps: number): Promise<void> {
  if (!(await tf.setBackend(backendName))) throw new Error(`${backendName} did not initialise`);
  const backbone = await loadFineTunableBackbone();
  try {
    const tail = backbone.newTail();
    console.log(`${backendName}: ${tail.parameterCount()} tail parameters (+ 1280×128 head), batch ${BATCH}, ${steps} timed steps; ${load()}`);
    tail.dispose();
    const step = await stepSeconds(backbone, steps);
    const forward = await frozenForwardSeconds(backbone, Math.max(2, Math.min(steps, 4)));
    const s = median(step);
    const f = median(forward);
    console.log(`  step from cached block_14_add:      ${s.toFixed(3)} s   (all: ${step.map((x) => x.toFixed(2)).join(' ')})`);
    console.log(`  frozen pixels→block_14_add (16):    ${f.toFixed(3)} s   (all: ${forward.map((x) => x.toFixed(2)).join(' ')})`);
    console.log(`  step from pixels (forward + step):  ${(s + f).toFixed(3)} s`);
  } finally {
    backbone.dispose();
  }
}

async function main() {
  registerWasmGradKernels();
  const info = await initBackend();
  console.log(`backend picked: ${info.name} (${info.detail})`);
  await run('wasm', STEPS);
  if (CPU_STEPS > 0) await run('cpu', CPU_STEPS);
  console.log(`end: ${load()}`);
}

await main();
