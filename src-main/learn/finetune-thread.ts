// Training the last blocks on a worker thread that ends with the run. On wasm a training step
// of 16 photos through the blocks holds ~150 MB of tensors (the tape keeps every layer's output
// for the backward pass); the heap that grows to hold them never shrinks while its thread lives.
// On the engine's thread that was ~200 MB kept for good after any deep run; a worker's heap goes
// back to the system when the worker exits. Other backends free what they allocate, and train
// on the calling thread (teach.ts).
import * as tf from '@tensorflow/tfjs';
import { startWorker } from '../common/start-worker.js';
import type { FineTuneOptions, FineTuneResult } from './backbone-finetune.js';
import type { CachedActivations } from './backbone-trunk.js';
import type { TrainProgress } from './epoch-loop.js';
import { Head, type HeadMetadata } from './head.js';

/** What crosses to the worker: the options without the tail it loads itself, nor functions. */
export type ThreadFineTuneOptions = Omit<FineTuneOptions, 'tail' | 'activations' | 'signal' | 'onProgress'>;

export type ToFineTuneWorker =
  | { type: 'train'; options: ThreadFineTuneOptions; activations: CachedActivations[] }
  | { type: 'cancel' };

export interface ThreadFineTuneResult extends Omit<FineTuneResult, 'head'> {
  head: { metadata: HeadMetadata; weights: Float32Array[] };
  /** nsfwjs's version, of the tail the worker loaded. */
  backboneVersion: string;
}

export type FromFineTuneWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; result: ThreadFineTuneResult }
  | { type: 'failed'; message: string };

/**
 * fineTuneBackbone on a fresh wasm thread, from the pretrained tail: the same result, with the
 * head rebuilt on this thread. `opts.activations` are handed over (their buffers move).
 */
export async function fineTuneOnThread(opts: Omit<FineTuneOptions, 'tail'>): Promise<FineTuneResult & { backboneVersion: string }> {
  const { activations, signal, onProgress, ...options } = opts;
  const worker = startWorker(import.meta.url, 'finetune-worker');
  const cancel = () => worker.postMessage({ type: 'cancel' } satisfies ToFineTuneWorker);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const result = await new Promise<ThreadFineTuneResult>((resolve, reject) => {
      worker.on('message', (m: FromFineTuneWorker) => {
        if (m.type === 'progress') onProgress?.(m.progress);
        else if (m.type === 'done') resolve(m.result);
        else reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the training thread exited with code ${code}`)));
      const buffers = new Set(activations.flatMap((a) => a.views.map((v) => v.buffer as ArrayBuffer)));
      worker.postMessage({ type: 'train', options, activations } satisfies ToFineTuneWorker, [...buffers]);
      if (signal?.aborted) cancel();
    });
    const { metadata, weights } = result.head;
    const [kernel, bias] = [tf.tensor2d(weights[0], [metadata.inputDim, metadata.outputDim]), tf.tensor1d(weights[1])];
    const head = Head.withWeights(kernel, bias);
    tf.dispose([kernel, bias]);
    head.metadata = metadata;
    return { ...result, head };
  } finally {
    signal?.removeEventListener('abort', cancel);
    await worker.terminate();
  }
}
