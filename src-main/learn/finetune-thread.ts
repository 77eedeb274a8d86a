// Training on a worker thread that ends with the run, on wasm. The last blocks: a training step
// of 16 photos through the blocks holds ~150 MB of tensors (the tape keeps every layer's output
// for the backward pass); the heap that grows to hold them never shrinks while its thread lives.
// On the engine's thread that was ~200 MB kept for good after any deep run; a worker's heap goes
// back to the system when the worker exits. The head: its run is all synchronous tensor work on
// the thread it runs on, in pieces of 0.1-2 s at 77,000 photos (measuring the model in use on
// 15,400 validation photos of 1,280 dimensions, each epoch's batches, each step), which on the
// engine's thread every call waited behind. Other backends free what they allocate, and train on
// the calling thread (teach.ts).
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { startWorker } from '../common/start-worker.js';
import type { FineTuneOptions, FineTuneResult } from './backbone-finetune.js';
import type { CachedActivations } from './backbone-trunk.js';
import type { TrainProgress } from './epoch-loop.js';
import { Head, type HeadMetadata } from './head.js';
import type { TrainOptions, TrainResult } from './trainer.js';

/** What crosses to the worker: the options without the tail it loads itself, nor functions. */
export type ThreadFineTuneOptions = Omit<FineTuneOptions, 'tail' | 'activations' | 'signal' | 'onProgress'>;

/** The head's options without functions nor rows: the rows cross packed (one buffer each, moved). */
export type ThreadHeadOptions = Omit<TrainOptions, 'features' | 'context' | 'signal' | 'onProgress' | 'onPhase'>;

/** Rows of equal length packed in one buffer. */
export interface PackedRows {
  values: Float32Array;
  dim: number;
}

export type ToFineTuneWorker =
  | { type: 'train'; options: ThreadFineTuneOptions; activations: CachedActivations[] }
  | { type: 'train-head'; options: ThreadHeadOptions; features: PackedRows; context: PackedRows | null }
  | { type: 'cancel' };

/** A trained head as it crosses back: its weights and metadata. */
export interface ThreadHead {
  metadata: HeadMetadata;
  weights: Float32Array[];
}

export interface ThreadFineTuneResult extends Omit<FineTuneResult, 'head'> {
  head: ThreadHead;
  /** nsfwjs's version, of the tail the worker loaded. */
  backboneVersion: string;
}

export type ThreadHeadResult = Omit<TrainResult, 'head'> & { head: ThreadHead };

export type FromFineTuneWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'phase'; phase: string }
  | { type: 'done'; result: ThreadFineTuneResult | ThreadHeadResult }
  | { type: 'failed'; message: string };

/**
 * fineTuneBackbone on a fresh wasm thread, from the pretrained tail: the same result, with the
 * head rebuilt on this thread. `opts.activations` are handed over (their buffers move).
 */
export async function fineTuneOnThread(opts: Omit<FineTuneOptions, 'tail'>): Promise<FineTuneResult & { backboneVersion: string }> {
  const { activations, signal, onProgress, ...options } = opts;
  const buffers = new Set(activations.flatMap((a) => a.views.map((v) => v.buffer as ArrayBuffer)));
  const result = (await onThread({ type: 'train', options, activations }, [...buffers], { signal, onProgress })) as ThreadFineTuneResult;
  return { ...result, head: headFrom(result.head) };
}

/**
 * trainHead on a fresh wasm thread: the same result (the same arithmetic on the same backend),
 * while this thread stays free to answer. The rows are copied into one buffer each and moved.
 */
export async function trainHeadOnThread(opts: TrainOptions): Promise<TrainResult> {
  const { features, context, signal, onProgress, onPhase, ...options } = opts;
  const [packed, packedContext] = [await packInSteps(features), context?.length ? await packInSteps(context) : null];
  const transfer = [packed.values.buffer as ArrayBuffer, ...(packedContext ? [packedContext.values.buffer as ArrayBuffer] : [])];
  const result = (await onThread({ type: 'train-head', options, features: packed, context: packedContext }, transfer, { signal, onProgress, onPhase })) as ThreadHeadResult;
  return { ...result, head: headFrom(result.head) };
}

/** Rows copied between two pauses while packing (61,600 rows of 1,280 took 0.34 s in one go; 8,192 a slice ~100 ms at 77,000 photos). */
const PACK_SLICE = 2048;

/** `rows` as one buffer, copied a slice at a time with a pause between (the caller's thread answers meanwhile). */
async function packInSteps(rows: readonly Float32Array[]): Promise<PackedRows> {
  const dim = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * dim);
  for (let start = 0; start < rows.length; start += PACK_SLICE) {
    for (let i = start; i < Math.min(rows.length, start + PACK_SLICE); i++) values.set(rows[i], i * dim);
    await nextTurn();
  }
  return { values, dim };
}

/** The rows of a packed buffer, as views into it (no copy). */
export function unpack({ values, dim }: PackedRows): Float32Array[] {
  return Array.from({ length: dim ? values.length / dim : 0 }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
}

/** Runs one request on a fresh worker, relaying its progress and a cancel, and ends the worker however it ends. */
async function onThread(
  request: ToFineTuneWorker,
  transfer: ArrayBuffer[],
  watch: { signal?: AbortSignal; onProgress?: (p: TrainProgress) => void; onPhase?: (phase: string) => void },
): Promise<ThreadFineTuneResult | ThreadHeadResult> {
  const worker = startWorker(import.meta.url, 'finetune-worker');
  const cancel = () => worker.postMessage({ type: 'cancel' } satisfies ToFineTuneWorker);
  watch.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await new Promise((resolve, reject) => {
      worker.on('message', (m: FromFineTuneWorker) => {
        if (m.type === 'progress') watch.onProgress?.(m.progress);
        else if (m.type === 'phase') watch.onPhase?.(m.phase);
        else if (m.type === 'done') resolve(m.result);
        else reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the training thread exited with code ${code}`)));
      worker.postMessage(request, transfer);
      if (watch.signal?.aborted) cancel();
    });
  } finally {
    watch.signal?.removeEventListener('abort', cancel);
    await worker.terminate();
  }
}

function headFrom({ metadata, weights }: ThreadHead): Head {
  const [kernel, bias] = [tf.tensor2d(weights[0], [metadata.inputDim, metadata.outputDim]), tf.tensor1d(weights[1])];
  const head = Head.withWeights(kernel, bias);
  tf.dispose([kernel, bias]);
  head.metadata = metadata;
  return head;
}
