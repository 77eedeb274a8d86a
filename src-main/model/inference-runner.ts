// Where batches of pixels become feature rows: in this thread, or in a pool of workers
// (worker-pool.ts). The extractor's pipeline talks only to this interface.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BackendInfo } from './backend.js';
import type { DescriptorName } from './descriptor.js';
import { createBatchInference, type BatchInference, type InferenceOptions } from './inference.js';

export interface RunnerInfo {
  backend: BackendInfo;
  backboneId: string;
  featureId: string;
  dim: number;
  /** Threads running inference. */
  threads: number;
}

export interface InferenceRunner {
  readonly kind: 'in-thread' | 'workers';
  readonly info: RunnerInfo;
  /** Batches worth keeping in flight to keep every inference thread busy. */
  readonly parallelism: number;
  /**
   * Takes ownership of `pixels` (n images of 224x224x3 uint8); resolves n rows of `dim` floats,
   * or of `descriptor`'s size when given (another vector from the same loaded CNN).
   */
  infer(pixels: Uint8Array, n: number, descriptor?: DescriptorName): Promise<Float32Array>;
  /** Abandons queued and running batches; their promises reject with an AbortError. */
  cancel(): void;
  close(): Promise<void>;
}

/** Inference on the calling thread: blocks it for each batch (~0.5 s for 16 images on wasm). */
export class InThreadRunner implements InferenceRunner {
  readonly kind = 'in-thread';
  readonly parallelism = 1;
  private generation = 0;
  private constructor(
    private readonly inference: BatchInference,
    readonly info: RunnerInfo,
  ) {}

  static async start(options: InferenceOptions = {}): Promise<InThreadRunner> {
    const inference = await createBatchInference(options);
    const { backend, backboneId, featureId, dim } = inference;
    return new InThreadRunner(inference, { backend, backboneId, featureId, dim, threads: 1 });
  }

  async infer(pixels: Uint8Array, n: number, descriptor?: DescriptorName): Promise<Float32Array> {
    const generation = this.generation;
    // Let pending decodes and abort events run before this thread blocks in wasm.
    await nextTurn();
    if (generation !== this.generation) throw abortError();
    return this.inference.run(pixels, n, descriptor);
  }

  cancel(): void {
    this.generation++;
  }

  async close(): Promise<void> {
    this.cancel();
    this.inference.dispose();
  }
}

export function abortError(): Error {
  const err = new Error('cancelled');
  err.name = 'AbortError';
  return err;
}
