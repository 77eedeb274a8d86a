// Picks the fastest tfjs backend that loads on this machine, in the order the architecture
// fixes: CUDA, WebGPU on a hardware adapter (webgpu.ts), libtensorflow on the CPU, WebAssembly,
// then tfjs's plain JavaScript kernels.
// Every backend that did not load is remembered with its reason, so `status` and the UI can
// tell the user why their run is slower than it could be.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { gpuName, loadWebGpu, type GpuInfo, type WebGpuOptions } from './webgpu.js';

import { backendNames, type BackendName } from '../../src-shared/vocabulary.js';

export type { BackendName };

/** The ladder, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = backendNames;

export interface BackendAttempt {
  name: BackendName;
  reason: string;
}

export interface BackendInfo {
  /** The backend that runs, as the user should read it. */
  name: BackendName;
  /** Details such as SIMD and threads for wasm. */
  detail: string;
  /** Faster backends that did not load, each with why. */
  skipped: BackendAttempt[];
  /** The adapter, when the backend is webgpu. */
  gpu?: GpuInfo;
  /**
   * With webgpu: the backend left active for everything but the GPU runners (wasm, else cpu).
   * tfjs's webgpu backend cannot read a tensor synchronously under Node (dataSync needs an
   * OffscreenCanvas), and the head, metrics, PCA and copy checks read synchronously; their
   * tensors are small. GPU work runs inside onBackend('webgpu', ...) and reads with data().
   */
  host?: 'wasm' | 'cpu';
}

const require = createRequire(import.meta.url);

/**
 * tfjs's cpu backend prints a banner ("Hi, looks like you are running TensorFlow.js in Node.js
 * ... install our node backend") the first time it holds a tensor. The ladder already says which
 * faster backends did not load and why (`lookalike status --backend`), so the banner is kept out
 * of the user's terminal: the cpu backend is made as if already used, whenever it is made.
 */
function quietCpuBackend(): void {
  type Quiet = { firstUse?: boolean };
  const made = tf.findBackend('cpu') as Quiet | null;
  if (made) made.firstUse = false;
  const factory = tf.findBackendFactory('cpu');
  if (!factory || made) return;
  tf.removeBackend('cpu');
  tf.registerBackend(
    'cpu',
    // Synchronous like the original: tfjs makes a backend synchronously only from such a factory.
    () => {
      const backend = factory() as tf.KernelBackend & Quiet;
      backend.firstUse = false;
      return backend;
    },
    1,
  );
}
quietCpuBackend();

let chosen: Promise<BackendInfo> | undefined;

/** Options mainly for tests: pretend some backends are absent, or force one. */
export interface BackendOptions {
  /** Skip these backends as if their packages were missing. */
  exclude?: BackendName[];
  /** A require function, so tests can simulate missing optional packages. */
  requireModule?: (id: string) => unknown;
  /** Dawn's module and tfjs activation, so tests can offer fake adapters. */
  webgpu?: Pick<WebGpuOptions, 'provider' | 'activate' | 'vulkan'>;
}

function shortReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') return 'package not installed';
  const first = String(e?.message ?? err).split('\n')[0];
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

async function tryNode(
  pkg: string,
  name: BackendName,
  req: (id: string) => unknown,
): Promise<void> {
  req(pkg); // registers the 'tensorflow' backend with the shared tfjs-core engine
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${pkg} loaded but its backend did not initialise`);
  if (name === 'tensorflow-gpu') {
    // tfjs-node-gpu falls back to the CPU silently when CUDA is missing; check for a device.
    const gpuCount = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
    if (gpuCount === false) throw new Error('no CUDA device visible');
  }
}

/** Loads the best available backend once per process and reports what happened. */
export function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  if (!chosen || opts.exclude || opts.requireModule || opts.webgpu) chosen = pickBackend(opts);
  return chosen;
}

async function pickBackend(opts: BackendOptions): Promise<BackendInfo> {
  const exclude = new Set(opts.exclude ?? []);
  const forced = process.env.LOOKALIKE_BACKEND as BackendName | undefined;
  const req = opts.requireModule ?? require;
  const skipped: BackendAttempt[] = [];
  let gpu: GpuInfo | undefined;
  const candidates: [BackendName, () => Promise<void>][] = [
    ['tensorflow-gpu', () => tryNode('@tensorflow/tfjs-node-gpu', 'tensorflow-gpu', req)],
    ['webgpu', async () => void (gpu = await loadWebGpu({ forced: forced === 'webgpu', ...opts.webgpu }))],
    ['tensorflow', () => tryNode('@tensorflow/tfjs-node', 'tensorflow', req)],
    [
      'wasm',
      async () => {
        await import('@tensorflow/tfjs-backend-wasm');
        if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
      },
    ],
    [
      'cpu',
      async () => {
        if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise');
      },
    ],
  ];
  for (const [name, load] of candidates) {
    if (exclude.has(name) || (forced && forced !== name)) {
      skipped.push({ name, reason: forced ? `LOOKALIKE_BACKEND=${forced}` : 'excluded' });
      continue;
    }
    try {
      await load();
      await tf.ready();
      if (!gpu) return { name, detail: describe(name), skipped };
      const host = await loadHost();
      return { name, detail: `${describeGpu(gpu)}; small tensors on ${host}`, skipped, gpu, host };
    } catch (err) {
      skipped.push({ name, reason: shortReason(err) });
    }
  }
  throw new Error(`no tfjs backend could load: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** Makes wasm (else cpu) the active backend beside webgpu; see BackendInfo.host. */
async function loadHost(): Promise<'wasm' | 'cpu'> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if ((await tf.setBackend('wasm')) && tf.getBackend() === 'wasm') return 'wasm';
  } catch {
    // wasm missing or failing: cpu always loads
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('no host backend for webgpu (cpu did not initialise)');
  return 'cpu';
}

/**
 * Runs `fn` synchronously with `name` as tfjs's active backend, then restores the previous one.
 * Synchronous on purpose: nothing else can run tensor code in between. `name` must be
 * initialised already (initBackend did so for webgpu). Read results after, with await data().
 */
export function onBackend<T>(name: BackendName, fn: () => T): T {
  const previous = tf.getBackend();
  if (previous === name) return fn();
  void tf.setBackend(name); // an initialised backend switches before this returns
  if (tf.getBackend() !== name) throw new Error(`tfjs backend ${name} is not initialised`);
  try {
    return fn();
  } finally {
    void tf.setBackend(previous);
  }
}

function describeGpu(gpu: GpuInfo): string {
  const via = gpu.api === 'opengles' ? ', through OpenGL ES' : '';
  return `WebGPU on ${gpuName(gpu)}${gpu.software ? ' (software adapter: runs on the CPU, slow)' : ''}${via}`;
}

function describe(name: BackendName): string {
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `WebAssembly${simd ? ', SIMD' : ''}${threads ? ', threads' : ', 1 thread'}`;
  }
  if (name === 'tensorflow-gpu') return 'libtensorflow with CUDA';
  if (name === 'tensorflow') return 'libtensorflow on the CPU';
  return 'plain JavaScript kernels (slow)';
}

/**
 * Runs long asynchronous GPU work (training the whole CNN) with webgpu as the active backend
 * when the ladder chose it, restoring the host backend after; elsewhere it just runs `fn`.
 * Meanwhile other tensor code that reads synchronously (see BackendInfo.host) cannot run: the
 * engine trains one model at a time, and its other calls wait for, or report, the GPU being busy.
 */
export async function whileOnGpu<T>(fn: () => Promise<T>): Promise<T> {
  const info = await initBackend();
  if (info.name !== 'webgpu') return fn();
  const previous = tf.getBackend();
  await tf.setBackend('webgpu');
  try {
    return await fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * Runs synchronous tensor code (metrics, the PCA start: code that reads with dataSync) on the
 * host backend when called during GPU work (whileOnGpu), which cannot read synchronously.
 */
export function onHost<T>(fn: () => T): T {
  if (tf.getBackend() !== 'webgpu') return fn();
  return onBackend(tf.findBackend('wasm') ? 'wasm' : 'cpu', fn);
}
