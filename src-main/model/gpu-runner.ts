// Inference on a WebGPU adapter: ONE runner on the calling thread (a GPU needs no worker
// threads; their wasm copies would only compete for the two CPU cores decoding needs). Each
// batch's kernels are queued in one go and its rows read back with an awaited data(), so the
// thread is free to feed sharp's decodes and to queue the next batch while the GPU works.
// No sharp import here (nor through what this imports): bench/gpu.ts is bundled for a machine
// without sharp's native module.
import * as tf from '@tensorflow/tfjs';
import { initBackend, onBackend, type BackendName } from './backend.js';
import { BACKBONE_INPUT_SIZE, loadBackbone, type Backbone } from './backbone.js';
import { computeDescriptor, describeDescriptor, type DescriptorName } from './descriptor.js';
import type { RunnerInfo, InferenceRunner } from './inference-runner.js';
import type { GpuInfo } from './webgpu.js';

const PIXELS = BACKBONE_INPUT_SIZE * BACKBONE_INPUT_SIZE * 3;

/** Batch size on a GPU when the caller does not say; bounded by the adapter (maxBatchFor). */
export const DEFAULT_GPU_BATCH_SIZE = 256;

export interface GpuRunnerOptions {
  descriptor?: DescriptorName;
  exclude?: BackendName[];
}

/**
 * The largest batch whose biggest tensor still fits one storage binding (tfjs binds each
 * tensor whole; past the limit WebGPU only reports validation errors and returns garbage).
 * `floatsPerImage`: the largest activation of one image (112x112x96 for MobileNetV2 at 224 px).
 */
export function maxBatchFor(gpu: Pick<GpuInfo, 'maxStorageBufferBindingSize' | 'maxBufferSize'>, floatsPerImage: number): number {
  const limit = Math.min(gpu.maxStorageBufferBindingSize, gpu.maxBufferSize);
  return Math.max(1, Math.floor(limit / (floatsPerImage * 4)));
}

export class GpuRunner implements InferenceRunner {
  readonly kind = 'in-thread';
  /** One batch running on the GPU, one queued behind it, one being read back. */
  readonly parallelism = 2;
  private generation = 0;
  private closed = false;

  private constructor(
    private readonly backbone: Backbone,
    private readonly descriptor: DescriptorName,
    readonly info: RunnerInfo,
    /** The largest batch this adapter can run (maxBatchFor). */
    readonly maxBatch: number,
  ) {}

  static async start(options: GpuRunnerOptions = {}): Promise<GpuRunner> {
    const backend = await initBackend(options.exclude ? { exclude: options.exclude } : {});
    if (backend.name !== 'webgpu' || !backend.gpu) throw new Error(`the GPU runner needs the webgpu backend, not ${backend.name}`);
    const backbone = await loadBackbone();
    const descriptor = options.descriptor ?? 'pooled';
    const { dim, idSuffix } = describeDescriptor(descriptor, backbone);
    const info: RunnerInfo = { backend, backboneId: backbone.id, featureId: backbone.id + idSuffix, dim, threads: 1 };
    const floats = backbone.largestActivation ?? 112 * 112 * 96;
    return new GpuRunner(backbone, descriptor, info, maxBatchFor(backend.gpu, floats));
  }

  async infer(pixels: Uint8Array, n: number, descriptor = this.descriptor): Promise<Float32Array> {
    if (this.closed) throw new Error('the feature extractor is closed');
    if (n > this.maxBatch) throw new Error(`batch of ${n} exceeds the adapter's limit of ${this.maxBatch} images`);
    if (pixels.length < n * PIXELS) throw new Error(`expected ${n} images of pixels, got ${pixels.length} bytes`);
    const generation = this.generation;
    // Kernels queue on the GPU (the backbone's weights move there on the first batch); the
    // host backend stays active for everyone else (BackendInfo.host).
    const y = onBackend('webgpu', () =>
      tf.tidy(() => computeDescriptor(descriptor, this.backbone, unitRangePixels(pixels, n))),
    );
    try {
      const rows = (await y.data()) as Float32Array;
      if (generation !== this.generation) throw abortError();
      return rows;
    } finally {
      y.dispose();
    }
  }

  /** Batches already queued on the GPU finish there; their results are dropped. */
  cancel(): void {
    this.generation++;
  }

  async close(): Promise<void> {
    this.cancel();
    this.closed = true;
    this.backbone.dispose();
  }
}

/**
 * n images of uint8 pixels as a [n, 224, 224, 3] tensor of pixel/255, unpacked on the GPU.
 * Converting the bytes to floats on the CPU costs more than the GPU's forward pass at large
 * batches (38 M values for 256 images); read as uint16 pairs the conversion is half as long
 * (and the upload half as big), and splitting each pair back into bytes is exact in float32.
 */
function unitRangePixels(pixels: Uint8Array, n: number): tf.Tensor4D {
  const len = n * PIXELS;
  const bytes = pixels.byteOffset % 2 === 0 ? pixels : pixels.slice(0, len); // a uint16 view needs even alignment
  const pairs = tf.tensor1d(new Float32Array(new Uint16Array(bytes.buffer, bytes.byteOffset, len / 2)));
  const high = tf.floor(tf.div(pairs, 256)); // little-endian: the odd byte is the high one
  const low = tf.sub(pairs, tf.mul(high, 256));
  const s = BACKBONE_INPUT_SIZE;
  return tf.div(tf.reshape(tf.stack([low, high], 1), [n, s, s, 3]), 255);
}

function abortError(): Error {
  const err = new Error('cancelled');
  err.name = 'AbortError';
  return err;
}
