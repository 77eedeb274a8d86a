// Worker-thread entry for training the last blocks (finetune-thread.ts): its own wasm backend,
// the pretrained tail, one run, then the thread ends and its wasm heap with it.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fineTuneBackbone } from './backbone-finetune.js';
import { loadPretrainedTail } from './backbone-trunk.js';
import type { FromFineTuneWorker, ToFineTuneWorker } from './finetune-thread.js';
import { registerWasmGradKernels } from './wasm-grad-kernels.js';

const port = parentPort;
if (!port) throw new Error('finetune-worker must run in a worker thread');
const post = (m: FromFineTuneWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const cancelled = new AbortController();

port.on('message', (m: ToFineTuneWorker) => {
  if (m.type === 'cancel') cancelled.abort();
  else train(m).catch((err: unknown) => post({ type: 'failed', message: String((err as Error)?.message ?? err) }));
});

async function train({ options, activations }: Extract<ToFineTuneWorker, { type: 'train' }>): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise on the training thread');
  await tf.ready();
  registerWasmGradKernels();
  const { version, tail } = await loadPretrainedTail();
  try {
    const { head, ...result } = await fineTuneBackbone({
      ...options, tail, activations, signal: cancelled.signal, onProgress: (progress) => post({ type: 'progress', progress }),
    });
    const weights = head.getWeights();
    const { metadata } = head;
    head.dispose();
    const transfer = [...weights, ...result.tailWeights.map((w) => w.values)].map((a) => a.buffer as ArrayBuffer);
    post({ type: 'done', result: { ...result, head: { metadata, weights }, backboneVersion: version } }, transfer);
  } finally {
    tail.dispose();
  }
}
