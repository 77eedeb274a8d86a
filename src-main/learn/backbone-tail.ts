// The trainable end of MobileNetV2 — block_15, block_16, Conv_1 and the 7×7 average pool — as
// plain tfjs ops on variables, from `block_14_add` activations [n,7,7,160] to the 1280-d features,
// BatchNorm folded into each convolution (folded-layers.ts).
import * as tf from '@tensorflow/tfjs';

import { TAIL_INPUT_LAYER } from '../model/descriptor.js';
import { FoldedLayers, foldLayers, type KerasTopology, type NamedWeight } from './folded-layers.js';

export type { KerasTopology, NamedWeight };
/** The layer whose output is cached: everything before it stays frozen. */
export { TAIL_INPUT_LAYER };
export const TAIL_OUTPUT_LAYER = 'flatten_1';

export class BackboneTail extends FoldedLayers {
  /** Reads the tail's structure from the Keras topology and copies its weights (BatchNorm folded). */
  static fromLayersModel(model: tf.LayersModel, topology: KerasTopology): BackboneTail {
    const { ops, kernels, biases } = foldLayers(model, topology, { from: TAIL_INPUT_LAYER, to: TAIL_OUTPUT_LAYER, prefix: 'tail', what: 'the backbone tail' });
    return new BackboneTail(ops, kernels, biases, 'this tail');
  }

  /** 1280-d features of block_14_add activations [n,7,7,160]; differentiable w.r.t. variables(). */
  apply(activations: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.run(TAIL_INPUT_LAYER, activations, (op, x) => this.plainConv(op, x)));
  }

  /** Features of cached activations given as flat arrays (7·7·160 each), in batches. */
  features(activations: Float32Array[], shape: [number, number, number], batchSize = 64): Float32Array[] {
    const out: Float32Array[] = [];
    const size = shape[0] * shape[1] * shape[2];
    for (let s = 0; s < activations.length; s += batchSize) {
      const rows = activations.slice(s, s + batchSize);
      const flat = new Float32Array(rows.length * size);
      rows.forEach((a, i) => flat.set(a, i * size));
      const y = tf.tidy(() => this.run(TAIL_INPUT_LAYER, tf.tensor4d(flat, [rows.length, ...shape]), (op, x) => this.plainConv(op, x), true));
      const data = y.dataSync() as Float32Array;
      const dim = y.shape[1];
      y.dispose();
      for (let i = 0; i < rows.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  /** Copies of the weights by layer (`<conv>/kernel`, `<conv>/bias`, BatchNorm folded in). */
  getWeights(): NamedWeight[] {
    return this.namedWeights((v) => Float32Array.from(v.dataSync() as Float32Array));
  }
}
