// The whole MobileNetV2 as a trainable function of pixels: every convolution's kernel and bias
// are tf.Variables, BatchNorm frozen and folded into them (its ImageNet statistics become a
// per-channel scale of the kernel and a bias, as in model/folded-graph.ts and backbone-tail.ts).
// Built for few dispatches per training step, which is what a GPU step is bound by (GPU.md: three
// quarters of a stock step is spent outside kernels):
// - no BatchNorm at all (no batch moments, no per-layer normalisation ops, forward or backward);
// - each 1×1 convolution runs as one matrix product on [N·H·W, C] (reshapes are free), so its
//   gradients are two matMuls instead of Conv2DBackpropFilter/Input;
// - bias (and, outside gradient recording, ReLU6) ride in the fused conv/matMul kernel.
// `levers: false` builds the same function from plain conv2d + add + relu6, for comparison.
import * as tf from '@tensorflow/tfjs';
import type { KerasTopology, NamedWeight } from './backbone-tail.js';

export const WHOLE_CNN_INPUT_LAYER = 'input_1';
export const WHOLE_CNN_OUTPUT_LAYER = 'flatten_1';

type Padding2D = [[number, number], [number, number]];
type ConvOp = {
  kind: 'conv'; name: string; input: string; type: 'pointwise' | 'depthwise' | 'conv';
  strides: [number, number]; pad: 'same' | 'valid'; prePad: Padding2D | null; relu6: boolean;
};
type CnnOp = ConvOp | { kind: 'add'; name: string; inputs: string[] } | { kind: 'pool'; name: string; input: string };

export interface WholeCnnOptions {
  /** 1×1 convolutions as matMuls and fused bias (default true); false: plain conv2d, add, relu6. */
  levers?: boolean;
}

let nextId = 0;

export class WholeCnn {
  private constructor(
    private readonly ops: CnnOp[],
    private readonly kernels: Map<string, tf.Variable>,
    private readonly biases: Map<string, tf.Variable>,
    private readonly levers: boolean,
  ) {}

  /** Reads MobileNetV2's structure from the Keras topology and copies its weights, BatchNorm folded. */
  static fromLayersModel(model: tf.LayersModel, topology: KerasTopology, opts: WholeCnnOptions = {}): WholeCnn {
    const layers = topology.model_config.config.layers;
    const stop = layers.findIndex((l) => l.name === WHOLE_CNN_OUTPUT_LAYER);
    if (layers[0]?.name !== WHOLE_CNN_INPUT_LAYER || stop < 0) throw new Error(`topology lacks ${WHOLE_CNN_INPUT_LAYER}…${WHOLE_CNN_OUTPUT_LAYER}`);
    const ops: CnnOp[] = [];
    const kernels = new Map<string, tf.Variable>();
    const biases = new Map<string, tf.Variable>();
    const alias = new Map<string, string>();
    const pads = new Map<string, { input: string; padding: Padding2D }>();
    const src = (ins: [string, ...unknown[]][] | undefined) => (ins ?? []).map((n) => alias.get(n[0]) ?? n[0]);
    const id = nextId++;
    let pending: { op: ConvOp; kernel: tf.Tensor } | null = null;
    for (const l of layers.slice(1, stop + 1)) {
      const cfg = l.config;
      const ins = src(l.inbound_nodes[0]);
      switch (l.class_name) {
        case 'ZeroPadding2D':
          pads.set(l.name, { input: ins[0], padding: cfg.padding as Padding2D });
          break;
        case 'Conv2D':
        case 'DepthwiseConv2D': {
          if (cfg.use_bias) throw new Error(`${l.name}: convolutions with their own bias are not expected here`);
          const kernel = model.getLayer(l.name).getWeights()[0];
          const size = cfg.kernel_size as [number, number];
          const strides = cfg.strides as [number, number];
          const pointwise = l.class_name === 'Conv2D' && size[0] === 1 && size[1] === 1 && strides[0] === 1 && strides[1] === 1;
          const pad = pads.get(ins[0]);
          const op: ConvOp = {
            kind: 'conv', name: l.name, input: pad ? pad.input : ins[0],
            type: l.class_name === 'DepthwiseConv2D' ? 'depthwise' : pointwise ? 'pointwise' : 'conv',
            strides, pad: cfg.padding as 'same' | 'valid', prePad: pad ? pad.padding : null, relu6: false,
          };
          if (op.type === 'depthwise' && kernel.shape[3] !== 1) throw new Error(`${l.name}: depth multiplier > 1 not supported`);
          ops.push(op);
          pending = { op, kernel };
          break;
        }
        case 'BatchNormalization': {
          if (!pending || ins[0] !== pending.op.name) throw new Error(`${l.name} does not follow a convolution`);
          const [gamma, beta, mean, variance] = model.getLayer(l.name).getWeights();
          const eps = Number(cfg.epsilon ?? 1e-3);
          const p = pending;
          const [k, b] = tf.tidy(() => {
            const scale = tf.div(gamma, tf.sqrt(tf.add(variance, eps)));
            const shape = p.op.type === 'depthwise' ? [1, 1, scale.size, 1] : [1, 1, 1, scale.size];
            return [tf.mul(p.kernel, tf.reshape(scale, shape)), tf.sub(beta, tf.mul(mean, scale))];
          });
          kernels.set(p.op.name, tf.variable(k, true, `cnn${id}/${p.op.name}/kernel`));
          biases.set(p.op.name, tf.variable(b, true, `cnn${id}/${p.op.name}/bias`));
          tf.dispose([k, b]);
          alias.set(l.name, p.op.name);
          pending = null;
          break;
        }
        case 'ReLU': {
          const op = ops[ops.length - 1];
          if (cfg.max_value !== 6 || op?.kind !== 'conv' || op.name !== ins[0]) throw new Error(`${l.name}: only ReLU6 after a convolution is supported`);
          op.relu6 = true;
          alias.set(l.name, op.name);
          break;
        }
        case 'Add':
          ops.push({ kind: 'add', name: l.name, inputs: ins });
          break;
        case 'AveragePooling2D':
          // A global average at 224 px (7×7 map, 7×7 pool); as a mean it also serves other input sizes.
          ops.push({ kind: 'pool', name: l.name, input: ins[0] });
          break;
        case 'Flatten':
          alias.set(l.name, ins[0]);
          break;
        default:
          throw new Error(`${l.class_name} (${l.name}) is not supported in the whole CNN`);
      }
    }
    return new WholeCnn(ops, kernels, biases, opts.levers ?? true);
  }

  /** 1280-d features of pixels [n,s,s,3] in [0,1] (s a multiple of 32); differentiable w.r.t. variables(). */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[WHOLE_CNN_INPUT_LAYER, x]]);
      let last: tf.Tensor = x;
      for (const op of this.ops) {
        if (op.kind === 'conv') last = this.conv(op, values.get(op.input) as tf.Tensor4D);
        else if (op.kind === 'add') last = tf.add(values.get(op.inputs[0]) as tf.Tensor, values.get(op.inputs[1]) as tf.Tensor);
        else last = tf.mean(values.get(op.input) as tf.Tensor4D, [1, 2]);
        values.set(op.name, last);
      }
      return last as tf.Tensor2D;
    });
  }

  private conv(op: ConvOp, input: tf.Tensor4D): tf.Tensor {
    const kernel = this.kernels.get(op.name) as tf.Variable<tf.Rank.R4>;
    const bias = this.biases.get(op.name) as tf.Variable<tf.Rank.R1>;
    let x = input;
    let pad = op.pad;
    if (op.prePad) {
      // Keras pads (0,1) before a stride-2 3×3 'valid' conv; on even sizes that is TF's 'same'.
      const [[t, b], [l, r]] = op.prePad;
      const even = x.shape[1] % 2 === 0 && x.shape[2] % 2 === 0;
      if (t === 0 && l === 0 && b === 1 && r === 1 && op.strides[0] === 2 && op.strides[1] === 2 && even) pad = 'same';
      else x = tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    }
    if (!this.levers) {
      const y = op.type === 'depthwise' ? tf.depthwiseConv2d(x, kernel, op.strides, pad) : tf.conv2d(x, kernel, op.strides, pad);
      const biased = tf.add(y, bias);
      return op.relu6 ? tf.relu6(biased) : biased;
    }
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

  variables(): tf.Variable[] {
    return [...this.kernels.values(), ...this.biases.values()];
  }

  parameterCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  /** Copies of the weights by layer (`<conv>/kernel`, `<conv>/bias`, BatchNorm folded in). */
  async getWeights(): Promise<NamedWeight[]> {
    const named = (kind: string, m: Map<string, tf.Variable>) =>
      [...m].map(async ([layer, v]) => ({ name: `${layer}/${kind}`, shape: [...v.shape], values: Float32Array.from((await v.data()) as Float32Array) }));
    return Promise.all([...named('kernel', this.kernels), ...named('bias', this.biases)]);
  }

  setWeights(weights: readonly NamedWeight[]): void {
    for (const w of weights) {
      const [layer, kind] = w.name.split('/');
      const v = (kind === 'kernel' ? this.kernels : this.biases).get(layer);
      if (!v || v.size !== w.values.length) throw new Error(`weight ${w.name} does not fit this CNN`);
      const t = tf.tensor(w.values, v.shape);
      v.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.variables());
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
