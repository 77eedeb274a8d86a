// The whole MobileNetV2 as a trainable function of pixels: every convolution's kernel and bias
// are tf.Variables, BatchNorm frozen and folded into them (folded-layers.ts, as for the tail).
// Built for few dispatches per training step, which is what a GPU step is bound by (GPU.md: three
// quarters of a stock step is spent outside kernels):
// - no BatchNorm at all (no batch moments, no per-layer normalisation ops, forward or backward);
// - each 1×1 convolution runs as one matrix product on [N·H·W, C] (reshapes are free), so its
//   gradients are two matMuls instead of Conv2DBackpropFilter/Input;
// - bias (and, outside gradient recording, ReLU6) ride in the fused conv/matMul kernel.
// `levers: false` builds the same function from plain conv2d + add + relu6, for comparison.
import * as tf from '@tensorflow/tfjs';
import { FoldedLayers, foldLayers, type CnnOp, type ConvOp, type KerasTopology, type NamedWeight } from './folded-layers.js';

export const WHOLE_CNN_INPUT_LAYER = 'input_1';
export const WHOLE_CNN_OUTPUT_LAYER = 'flatten_1';

export interface WholeCnnOptions {
  /** 1×1 convolutions as matMuls and fused bias (default true); false: plain conv2d, add, relu6. */
  levers?: boolean;
}

export class WholeCnn extends FoldedLayers {
  private constructor(ops: CnnOp[], kernels: Map<string, tf.Variable>, biases: Map<string, tf.Variable>, private readonly levers: boolean) {
    super(ops, kernels, biases, 'this CNN');
  }

  /** Reads MobileNetV2's structure from the Keras topology and copies its weights, BatchNorm folded. */
  static fromLayersModel(model: tf.LayersModel, topology: KerasTopology, opts: WholeCnnOptions = {}): WholeCnn {
    const { ops, kernels, biases } = foldLayers(model, topology, { from: WHOLE_CNN_INPUT_LAYER, to: WHOLE_CNN_OUTPUT_LAYER, prefix: 'cnn', what: 'the whole CNN' });
    return new WholeCnn(ops, kernels, biases, opts.levers ?? true);
  }

  /** 1280-d features of pixels [n,s,s,3] in [0,1] (s a multiple of 32); differentiable w.r.t. variables(). */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.run(WHOLE_CNN_INPUT_LAYER, x, (op, input) => this.conv(op, input)));
  }

  private conv(op: ConvOp, input: tf.Tensor4D): tf.Tensor {
    if (!this.levers) return this.plainConv(op, input);
    const kernel = this.kernels.get(op.name) as tf.Variable<tf.Rank.R4>;
    const bias = this.biases.get(op.name) as tf.Variable<tf.Rank.R1>;
    const [x, pad] = this.padded(op, input);
    // tfjs fuses an activation only outside gradient recording; ReLU6 then follows as its own op.
    const activation = op.relu6 ? 'relu6' : 'linear';
    if (op.type === 'pointwise') {
      const [n, h, w, c] = x.shape;
      const co = kernel.shape[3];
      const y = tf.fused.matMul({ a: tf.reshape(x, [n * h * w, c]), b: tf.reshape(kernel, [c, co]), bias, activation });
      return tf.reshape(y, [n, h, w, co]);
    }
    const args = { x, filter: kernel, strides: op.strides, pad, bias, activation } as const;
    return op.type === 'depthwise' ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }

  /** Features of photos given as bytes (s·s·3 each, RGB), in batches; no gradient. Async reads: WebGPU in Node has no dataSync. */
  async features(pixels: readonly Uint8Array[], size: number, batchSize = 32): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < pixels.length; s += batchSize) {
      const rows = pixels.slice(s, s + batchSize);
      const y = tf.tidy(() => this.apply(pixelBatch(rows, size)));
      const data = (await y.data()) as Float32Array;
      const dim = y.shape[1];
      y.dispose();
      for (let i = 0; i < rows.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  /** Copies of the weights by layer (`<conv>/kernel`, `<conv>/bias`, BatchNorm folded in). */
  async getWeights(): Promise<NamedWeight[]> {
    const named = this.namedWeights((v) => v.data());
    return Promise.all(named.map(async (w) => ({ ...w, values: Float32Array.from((await w.values) as Float32Array) })));
  }
}

/** A float batch [n,s,s,3] in [0,1] of RGB bytes. Caller disposes. */
export function pixelBatch(rows: readonly Uint8Array[], size: number): tf.Tensor4D {
  const per = size * size * 3;
  const flat = new Uint8Array(rows.length * per);
  rows.forEach((r, i) => {
    if (r.length !== per) throw new Error(`photo of ${r.length} values, expected ${per}`);
    flat.set(r, i * per);
  });
  return tf.tidy(() => tf.mul(tf.cast(tf.tensor4d(flat, [rows.length, size, size, 3], 'int32'), 'float32'), 1 / 255));
}
