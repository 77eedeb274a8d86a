// Photos in, feature vectors out. Decoding (sharp, on libuv's thread pool) runs ahead of batched
// inference (this thread or worker threads), so neither waits on the other. A photo that cannot
// be decoded becomes an Error in its slot; the rest of its batch is unaffected.
import { ContentChangedError } from '../common/known-content.js';
import { BACKEND_ORDER, initBackend, type BackendName } from './backend.js';
import type { DescriptorName } from './descriptor.js';
import { abortError, InThreadRunner, type RunnerInfo, type InferenceRunner } from './inference-runner.js';
import { decodeForBackbone, PIXELS_PER_IMAGE, type ImageInput } from './preprocess.js';
import { WorkerPoolRunner } from './worker-pool.js';
import { DEFAULT_GPU_BATCH_SIZE, GpuRunner } from './gpu-runner.js';

/**
 * Inference threads on wasm when the caller does not say. Two workers beat one thread: 40 vs 32
 * images/s idle (MEASURED.md); 13.4 vs 11.9 end to end under load ~10 (bench/embed.ts).
 */
export const DEFAULT_WORKERS = 2;
export const DEFAULT_BATCH_SIZE = 16;

export interface FeatureExtractorOptions {
  /**
   * 0: inference on this thread; n >= 1: n worker threads, each with its own wasm backend.
   * Default: DEFAULT_WORKERS on wasm/cpu, 0 on the libtensorflow backends.
   */
  workers?: number;
  /**
   * Images per inference call (default 16; 32 doubles memory for little gain). On webgpu:
   * DEFAULT_GPU_BATCH_SIZE, and never more than the adapter's limits allow.
   */
  batchSize?: number;
  /** Which vector to compute (default 'pooled', the backbone's 1280-d average pool). */
  descriptor?: DescriptorName;
  /** Images decoded concurrently ahead of inference (default 4; on webgpu two batches). */
  decodeConcurrency?: number;
  /** Backends to skip, as if absent (tests, benchmarks). */
  exclude?: BackendName[];
}

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Called after each decoded-and-embedded or failed image; `done` counts both. */
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
  /**
   * Another vector than the one the extractor was made for, from the same loaded CNN (no second
   * copy of it); its rows are not what `featureId` names.
   */
  descriptor?: DescriptorName;
}

export interface ExtractorInfo extends RunnerInfo {
  inference: 'in-thread' | 'workers';
  /** Why workers were not used although asked for, if so. */
  note?: string;
}

export class FeatureExtractor {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private engine: InferenceRunner,
    private readonly opts: Required<Pick<FeatureExtractorOptions, 'batchSize' | 'decodeConcurrency'>> & { maxBatch: number },
    private readonly note: string | undefined,
  ) {}

  static async create(options: FeatureExtractorOptions = {}): Promise<FeatureExtractor> {
    const backend = await initBackend(options.exclude ? { exclude: options.exclude } : {});
    if (backend.name === 'webgpu') return FeatureExtractor.onGpu(options);
    const workers = options.workers ?? defaultWorkers(backend.name);
    const inference = { descriptor: options.descriptor, exclude: options.exclude };
    let engine: InferenceRunner;
    let note: string | undefined;
    if (workers > 0) {
      // Workers go straight to the backend this thread chose, without retrying faster ones
      // (each would load Dawn and look for a GPU again).
      const above = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(backend.name));
      const exclude = [...new Set([...(options.exclude ?? []), ...above])];
      try {
        engine = await WorkerPoolRunner.start(workers, { ...inference, exclude });
      } catch (err) {
        note = `worker threads unavailable (${(err as Error).message}); inference runs on the calling thread`;
        engine = await InThreadRunner.start(inference);
      }
    } else {
      engine = await InThreadRunner.start(inference);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    return new FeatureExtractor(engine, { batchSize, decodeConcurrency: options.decodeConcurrency ?? 4, maxBatch: Infinity }, note);
  }

  /** One GPU runner; batches as large as the adapter allows; two batches decoding ahead of it. */
  private static async onGpu(options: FeatureExtractorOptions): Promise<FeatureExtractor> {
    const engine = await GpuRunner.start({ descriptor: options.descriptor, exclude: options.exclude });
    const batchSize = Math.min(options.batchSize ?? DEFAULT_GPU_BATCH_SIZE, engine.maxBatch);
    const note = options.workers ? 'inference runs on the GPU from this thread; worker threads are not used' : undefined;
    const decodeConcurrency = options.decodeConcurrency ?? 2 * batchSize;
    return new FeatureExtractor(engine, { batchSize, decodeConcurrency, maxBatch: engine.maxBatch }, note);
  }

  get info(): ExtractorInfo {
    return { ...this.engine.info, inference: this.engine.kind, ...(this.note ? { note: this.note } : {}) };
  }

  /** Cache key of the vectors extract() returns (backbone id, plus the descriptor if not plain). */
  get featureId(): string {
    return this.engine.info.featureId;
  }

  get dim(): number {
    return this.engine.info.dim;
  }

  /**
   * One entry per input, in order: its feature vector, or the Error that stopped it.
   * Rejects with an AbortError if `signal` aborts; running batches are abandoned.
   * Calls are served one after another.
   */
  extract(inputs: ImageInput[], opts: ExtractOptions = {}): Promise<(Float32Array | Error)[]> {
    const run = this.queue.then(() => this.runExtract(inputs, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.engine.close();
  }

  private async runExtract(inputs: ImageInput[], opts: ExtractOptions): Promise<(Float32Array | Error)[]> {
    const { signal, onProgress, descriptor } = opts;
    const batchSize = Math.min(this.opts.maxBatch, Math.max(1, opts.batchSize ?? this.opts.batchSize));
    const total = inputs.length;
    const results: (Float32Array | Error)[] = new Array(total);
    let done = 0;
    const progress = (count: number) => {
      done += count;
      onProgress?.(done, total);
    };
    if (signal?.aborted) throw signal.reason ?? abortError();

    let aborted = false;
    const onAbort = () => {
      aborted = true;
      this.engine.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    // Decodes run up to `decodeConcurrency` ahead of the image being batched.
    const decodes = new Map<number, Promise<Uint8Array | Error>>();
    let nextDecode = 0;
    const fillDecodes = (upTo: number) => {
      for (; nextDecode < Math.min(upTo, total); nextDecode++) decodes.set(nextDecode, decodeSafely(inputs[nextDecode]));
    };

    const inFlight = new Set<Promise<void>>();
    const submit = (indices: number[], pixels: Uint8Array) => {
      const p: Promise<void> = this.engine.infer(pixels, indices.length, descriptor).then(
        (rows) => {
          const dim = rows.length / indices.length;
          indices.forEach((idx, j) => (results[idx] = rows.slice(j * dim, (j + 1) * dim)));
          progress(indices.length);
        },
        (err: Error) => {
          if (err.name === 'AbortError') return;
          for (const idx of indices) results[idx] = new Error(`inference failed: ${err.message}`);
          progress(indices.length);
        },
      ).finally(() => inFlight.delete(p));
      inFlight.add(p);
    };

    try {
      let batch: number[] = [];
      let pixels = new Uint8Array(batchSize * PIXELS_PER_IMAGE);
      for (let i = 0; i < total; i++) {
        fillDecodes(i + this.opts.decodeConcurrency);
        const decoded = await decodes.get(i)!;
        decodes.delete(i);
        if (aborted) break;
        if (decoded instanceof Error) {
          results[i] = decoded;
          progress(1);
          continue;
        }
        pixels.set(decoded, batch.length * PIXELS_PER_IMAGE);
        batch.push(i);
        if (batch.length === batchSize) {
          // Keep enough batches in flight to occupy every inference thread, no more (memory).
          while (inFlight.size > this.engine.parallelism) await Promise.race(inFlight);
          if (aborted) break;
          submit(batch, pixels);
          batch = [];
          pixels = new Uint8Array(batchSize * PIXELS_PER_IMAGE);
        }
      }
      if (!aborted && batch.length > 0) submit(batch, pixels.subarray(0, batch.length * PIXELS_PER_IMAGE));
      await Promise.all(inFlight);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await Promise.allSettled(decodes.values());
    }
    if (aborted) throw signal?.reason ?? abortError();
    return results;
  }
}

/** libtensorflow already uses every core from one thread; wasm and cpu run one core per thread. */
function defaultWorkers(backend: BackendName): number {
  return backend === 'wasm' || backend === 'cpu' ? DEFAULT_WORKERS : 0;
}

function decodeSafely(input: ImageInput): Promise<Uint8Array | Error> {
  return decodeForBackbone(input).catch((err: unknown) => {
    if (err instanceof ContentChangedError) return err; // the caller re-imports the file
    const what = typeof input === 'string' ? input : Buffer.isBuffer(input) ? `buffer of ${input.length} bytes` : input.path;
    return new Error(`cannot decode ${what}: ${(err as Error)?.message ?? String(err)}`);
  });
}
