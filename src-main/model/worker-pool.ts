// A fixed set of inference workers, each with its own wasm backend and backbone copy.
// Batches queue here and go to whichever worker is idle. A running wasm call cannot be
// interrupted, so cancel() terminates the busy workers; replacements start on the next batch.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../common/start-worker.js';
import type { DescriptorName } from './descriptor.js';
import type { InferenceOptions } from './inference.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.js';
import { abortError, type InferenceRunner, type RunnerInfo } from './inference-runner.js';

interface Job {
  id: number;
  pixels: Uint8Array;
  n: number;
  descriptor: DescriptorName | undefined;
  resolve: (rows: Float32Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<RunnerInfo>;
  job: Job | null;
  alive: boolean;
  started: boolean;
}

export class WorkerPoolRunner implements InferenceRunner {
  readonly parallelism: number;
  readonly kind = 'workers';
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly count: number,
    private readonly options: InferenceOptions,
    readonly info: RunnerInfo,
  ) {
    this.parallelism = count;
  }

  /** Starts `count` workers and waits until every one has loaded its backend and backbone. */
  static async start(count: number, options: InferenceOptions = {}): Promise<WorkerPoolRunner> {
    const slots = Array.from({ length: count }, () => spawn(options));
    try {
      const infos = await Promise.all(slots.map((s) => s.ready));
      const pool = new WorkerPoolRunner(count, options, { ...infos[0], threads: count });
      pool.slots = slots;
      for (const s of slots) {
        s.started = true;
        pool.listen(s);
      }
      return pool;
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw err;
    }
  }

  infer(pixels: Uint8Array, n: number, descriptor?: DescriptorName): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new Error('the feature extractor is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, pixels, n, descriptor, resolve, reject });
      this.dispatch();
    });
  }

  cancel(): void {
    const cancelled = abortError();
    for (const job of this.queue.splice(0)) job.reject(cancelled);
    for (const slot of this.slots) {
      if (!slot.job) continue;
      slot.job.reject(cancelled);
      slot.job = null;
      slot.alive = false;
      void slot.worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    await Promise.all(
      this.slots.map(async (s) => {
        if (!s.alive) return;
        s.alive = false;
        s.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
        // A worker that does not exit promptly is terminated.
        const exited = new Promise<void>((res) => s.worker.once('exit', () => res()));
        const timeout = new Promise<void>((res) => setTimeout(res, 2000).unref());
        await Promise.race([exited, timeout]);
        await s.worker.terminate();
      }),
    );
    this.slots = [];
  }

  /** Number of live worker threads (for tests: cancel and close must not leave any behind). */
  liveWorkers(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      let slot = this.slots[i];
      if (!slot.alive) {
        slot = spawn(this.options);
        this.slots[i] = slot;
        this.listen(slot);
      }
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      // infer() owns the pixels; transfer the buffer when the view covers it all, else copy.
      const whole = job.pixels.byteOffset === 0 && job.pixels.byteLength === job.pixels.buffer.byteLength;
      const pixels = whole ? job.pixels : job.pixels.slice();
      const msg: WorkerRequest = { type: 'infer', id: job.id, pixels, n: job.n, ...(job.descriptor ? { descriptor: job.descriptor } : {}) };
      // The worker may still be loading; messages queue until its listener is attached.
      slot.worker.postMessage(msg, [pixels.buffer as ArrayBuffer]);
    }
  }

  private listen(slot: Slot): void {
    slot.worker.on('message', (m: WorkerReply) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      if (m.type === 'result') job.resolve(m.features);
      else job.reject(new Error(m.message));
      this.dispatch();
    });
    const die = (err: Error) => {
      if (!slot.alive) return;
      slot.alive = false;
      slot.job?.reject(err);
      slot.job = null;
      // A worker that could not even start would fail again: fail the queue instead of looping.
      if (!slot.started) for (const job of this.queue.splice(0)) job.reject(err);
      if (!this.closed) this.dispatch();
    };
    slot.worker.on('error', die);
    slot.worker.on('exit', (code) => die(new Error(`inference worker exited with code ${code}`)));
  }
}

function spawn(options: InferenceOptions): Slot {
  const worker = startWorker(import.meta.url, 'extract-worker', { inference: options } satisfies WorkerSetup);
  const ready = new Promise<RunnerInfo>((resolve, reject) => {
    const onMessage = (m: WorkerReply) => {
      if (m.type === 'ready') resolve({ backend: m.backend, backboneId: m.backboneId, featureId: m.featureId, dim: m.dim, threads: 1 });
      else if (m.type === 'failed') reject(new Error(`inference worker failed to start: ${m.message}`));
      else return;
      worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`inference worker exited with code ${code} while starting`)));
  });
  const slot: Slot = { worker, ready, job: null, alive: true, started: false };
  // A respawned worker's failure surfaces through its job (see listen's die).
  ready.then(() => (slot.started = true)).catch(() => undefined);
  return slot;
}
