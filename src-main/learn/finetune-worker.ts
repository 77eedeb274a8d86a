// Worker-thread entry for training on a thread of its own (finetune-thread.ts): its own wasm
// backend, one run (the last blocks from the pretrained tail, or a head), then the thread ends
// and its wasm heap with it.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fineTuneBackbone } from './backbone-finetune.js';
import { loadPretrainedTail } from './backbone-trunk.js';
import { unpack, type FromFineTuneWorker, type ThreadHead, type ToFineTuneWorker } from './finetune-thread.js';
import type { Head } from './head.js';
import { trainHead } from './trainer.js';
import { registerWasmGradKernels } from './wasm-grad-kernels.js';

const port = parentPort;
if (!port) throw new Error('finetune-worker must run in a worker thread');
const post = (m: FromFineTuneWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const cancelled = new AbortController();
const onProgress = (progress: Extract<FromFineTuneWorker, { type: 'progress' }>['progress']) => post({ type: 'progress', progress });

port.on('message', (m: ToFineTuneWorker) => {
  if (m.type === 'cancel') cancelled.abort();
  else if (m.type === 'train') train(m).catch(failed);
  else trainOneHead(m).catch(failed);
});

function failed(err: unknown): void {
  post({ type: 'failed', message: String((err as Error)?.message ?? err) });
}

async function wasm(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise on the training thread');
  await tf.ready();
}

/** The head's weights to send back (moved), the head itself disposed. */
function sent(head: Head): { head: ThreadHead; transfer: ArrayBuffer[] } {
  const weights = head.getWeights();
  const { metadata } = head;
  head.dispose();
  return { head: { metadata, weights }, transfer: weights.map((w) => w.buffer as ArrayBuffer) };
}

async function train({ options, activations }: Extract<ToFineTuneWorker, { type: 'train' }>): Promise<void> {
  await wasm();
  registerWasmGradKernels();
  const { version, tail } = await loadPretrainedTail();
  try {
    const { head, ...result } = await fineTuneBackbone({ ...options, tail, activations, signal: cancelled.signal, onProgress });
    const out = sent(head);
    post({ type: 'done', result: { ...result, head: out.head, backboneVersion: version } }, [...out.transfer, ...result.tailWeights.map((w) => w.values.buffer as ArrayBuffer)]);
  } finally {
    tail.dispose();
  }
}

/** The head as the engine's thread would train it: the same backend, no kernels of our own. */
async function trainOneHead({ options, features, context }: Extract<ToFineTuneWorker, { type: 'train-head' }>): Promise<void> {
  await wasm();
  const { head, ...result } = await trainHead({
    ...options, features: unpack(features), context: context ? unpack(context) : undefined,
    signal: cancelled.signal, onProgress, onPhase: (phase) => post({ type: 'phase', phase }),
  });
  const out = sent(head);
  post({ type: 'done', result: { ...result, head: out.head } }, out.transfer);
}
