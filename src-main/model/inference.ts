// Runs the backbone on batches of decoded pixels, in whatever thread calls it: the extractor's
// own thread or one of its workers. Pixels in, feature rows out; no tensor outlives a call.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendName } from './backend.js';
import { loadBackbone, type Backbone } from './backbone.js';
import { describeDescriptor, computeDescriptor, type DescriptorName } from './descriptor.js';
import { PIXELS_PER_IMAGE } from './preprocess.js';

export interface BatchInference {
  readonly backend: BackendInfo;
  /** Backbone id, e.g. `nsfwjs-mobilenet_v2@4.4.0/flatten_1`. */
  readonly backboneId: string;
  /** Id of what run() returns: the backbone id, plus the descriptor when it is not the plain one. */
  readonly featureId: string;
  readonly dim: number;
  /**
   * `n` images of 224x224x3 uint8, concatenated; returns n rows of `dim` floats, concatenated
   * (of another descriptor's size when `descriptor` overrides the one it was made for).
   */
  run(pixels: Uint8Array, n: number, descriptor?: DescriptorName): Float32Array;
  dispose(): void;
}

export interface InferenceOptions {
  descriptor?: DescriptorName;
  /** Passed to initBackend; mainly for tests and benchmarks. */
  exclude?: BackendName[];
}

export async function createBatchInference(opts: InferenceOptions = {}): Promise<BatchInference> {
  const backend = await initBackend(opts.exclude ? { exclude: opts.exclude } : {});
  const backbone: Backbone = await loadBackbone();
  const descriptor = opts.descriptor ?? 'pooled';
  const { dim, idSuffix } = describeDescriptor(descriptor, backbone);
  return {
    backend,
    backboneId: backbone.id,
    featureId: backbone.id + idSuffix,
    dim,
    run(pixels, n, which = descriptor) {
      if (pixels.length < n * PIXELS_PER_IMAGE) throw new Error(`expected ${n} images of pixels, got ${pixels.length} bytes`);
      const s = backbone.inputSize;
      return tf.tidy(() => {
        const x = tf.tensor4d(toUnitRange(pixels, n * PIXELS_PER_IMAGE), [n, s, s, 3]);
        const y = computeDescriptor(which, backbone, x);
        return y.dataSync() as Float32Array;
      });
    },
    dispose: () => backbone.dispose(),
  };
}

/** pixel/255, the value range the backbone was trained with. */
function toUnitRange(pixels: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = pixels[i] / 255;
  return out;
}
