// The trainable end of MobileNetV2 — block_15, block_16, Conv_1 and the 7×7 average pool — as
// plain tfjs ops on variables, from `block_14_add` activations [n,7,7,160] to the 1280-d features.
// BatchNorm is folded into each convolution (its frozen ImageNet statistics become a per-channel
// scale of the kernel and a bias), so training updates kernel and bias directly: batches of 16
// are too small for batch statistics, and inference then needs no BatchNorm at all.
import * as tf from '@tensorflow/tfjs';

import { TAIL_INPUT_LAYER } from '../model/descriptor.js';

/** The layer whose output is cached: everything before it stays frozen. */
export { TAIL_INPUT_LAYER };
export const TAIL_OUTPUT_LAYER = 'flatten_1';

interface KerasLayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}
export type KerasTopology = { model_config: { config: { layers: KerasLayerJson[] } } };

type TailOp =
  | { kind: 'conv'; name: string; input: string; depthwise: boolean; strides: [number, number]; pad: 'same' | 'valid'; relu6: boolean }
  | { kind: 'add'; name: string; inputs: string[] }
  | { kind: 'pool'; name: string; input: string };

/** One named weight of the tail, e.g. `block_15_expand/kernel`. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export class BackboneTail {
  private constructor(
    private readonly ops: TailOp[],
    private readonly kernels: Map<string, tf.Variable>,
    private readonly biases: Map<string, tf.Variable>,
  ) {}

  /** Reads the tail's structure from the Keras topology and copies its weights (BatchNorm folded). */
  static fromLayersModel(model: tf.LayersModel, topology: KerasTopology): BackboneTail {
    const layers = topology.model_config.config.layers;
    const start = layers.findIndex((l) => l.name === TAIL_INPUT_LAYER);
    const stop = layers.findIndex((l) => l.name === TAIL_OUTPUT_LAYER);
    if (start < 0 || stop < start) throw new Error(`topology lacks ${TAIL_INPUT_LAYER}…${TAIL_OUTPUT_LAYER}`);
    const ops: TailOp[] = [];
    const kernels = new Map<string, tf.Variable>();
    const biases = new Map<string, tf.Variable>();
    const alias = new Map<string, string>();
    const src = (l: KerasLayerJson) => (l.inbound_nodes[0] ?? []).map((n) => alias.get(n[0]) ?? n[0]);
    let pending: { name: string; kernel: tf.Tensor; depthwise: boolean } | null = null;
    const id = nextId++;
    for (const l of layers.slice(start + 1, stop + 1)) {
      const cfg = l.config;
      const ins = src(l);
      switch (l.class_name) {
        case 'Conv2D':
        case 'DepthwiseConv2D': {
          if (cfg.use_bias) throw new Error(`${l.name}: convolutions with their own bias are not expected here`);
          const depthwise = l.class_name === 'DepthwiseConv2D';
          ops.push({ kind: 'conv', name: l.name, input: ins[0], depthwise, strides: cfg.strides as [number, number], pad: cfg.padding as 'same' | 'valid', relu6: false });
          pending = { name: l.name, kernel: model.getLayer(l.name).getWeights()[0], depthwise };
          break;
        }
        case 'BatchNormalization': {
          if (!pending || ins[0] !== pending.name) throw new Error(`${l.name} does not follow a convolution`);
          const [gamma, beta, mean, variance] = model.getLayer(l.name).getWeights();
          const eps = Number(cfg.epsilon ?? 1e-3);
          const p = pending;
          const [k, b] = tf.tidy(() => {
            const scale = tf.div(gamma, tf.sqrt(tf.add(variance, eps)));
            const shape = p.depthwise ? [1, 1, scale.size, 1] : [1, 1, 1, scale.size];
            return [tf.mul(p.kernel, tf.reshape(scale, shape)), tf.sub(beta, tf.mul(mean, scale))];
          });
          kernels.set(p.name, tf.variable(k, true, `tail${id}/${p.name}/kernel`));
          biases.set(p.name, tf.variable(b, true, `tail${id}/${p.name}/bias`));
          tf.dispose([k, b]);
          alias.set(l.name, p.name);
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
          // Pool size equals the 7×7 map at 224 px: a global average, which also serves other sizes.
          ops.push({ kind: 'pool', name: l.name, input: ins[0] });
          break;
        case 'Flatten':
          alias.set(l.name, ins[0]);
          break;
        default:
          throw new Error(`${l.class_name} (${l.name}) is not supported in the backbone tail`);
      }
    }
    return new BackboneTail(ops, kernels, biases);
  }

  /** 1280-d features of block_14_add activations [n,7,7,160]; differentiable w.r.t. variables(). */
  apply(activations: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[TAIL_INPUT_LAYER, activations]]);
      let last: tf.Tensor = activations;
      for (const op of this.ops) {
        if (op.kind === 'conv') {
          const x = values.get(op.input) as tf.Tensor4D;
          const k = this.kernels.get(op.name) as tf.Variable<tf.Rank.R4>;
          const conv = op.depthwise ? tf.depthwiseConv2d(x, k, op.strides, op.pad) : tf.conv2d(x, k, op.strides, op.pad);
          const biased = tf.add(conv, this.biases.get(op.name) as tf.Variable);
          last = op.relu6 ? tf.relu6(biased) : biased;
        } else if (op.kind === 'add') {
          last = tf.addN(op.inputs.map((n) => values.get(n) as tf.Tensor));
        } else {
          last = tf.mean(values.get(op.input) as tf.Tensor4D, [1, 2]);
        }
        values.set(op.name, last);
      }
      return last as tf.Tensor2D;
    });
  }

  /** Features of cached activations given as flat arrays (7·7·160 each), in batches. */
  features(activations: Float32Array[], shape: [number, number, number], batchSize = 64): Float32Array[] {
    const out: Float32Array[] = [];
    const size = shape[0] * shape[1] * shape[2];
    for (let s = 0; s < activations.length; s += batchSize) {
      const rows = activations.slice(s, s + batchSize);
      const flat = new Float32Array(rows.length * size);
      rows.forEach((a, i) => flat.set(a, i * size));
      const y = tf.tidy(() => this.apply(tf.tensor4d(flat, [rows.length, ...shape])));
      const data = y.dataSync() as Float32Array;
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
  getWeights(): NamedWeight[] {
    const named = (kind: string, m: Map<string, tf.Variable>) =>
      [...m].map(([layer, v]) => ({ name: `${layer}/${kind}`, shape: [...v.shape], values: Float32Array.from(v.dataSync() as Float32Array) }));
    return [...named('kernel', this.kernels), ...named('bias', this.biases)];
  }

  setWeights(weights: NamedWeight[]): void {
    for (const w of weights) {
      const [layer, kind] = w.name.split('/');
      const v = (kind === 'kernel' ? this.kernels : this.biases).get(layer);
      if (!v || v.size !== w.values.length) throw new Error(`weight ${w.name} does not fit this tail`);
      const t = tf.tensor(w.values, v.shape);
      v.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}

let nextId = 0;
