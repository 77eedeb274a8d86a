// MobileNetV2's layers as plain tfjs ops on variables, BatchNorm folded: its frozen ImageNet
// statistics become a per-channel scale of each convolution's kernel and a bias (as in
// model/folded-graph.ts), so training updates kernel and bias directly (batches of 16 are too
// small for batch statistics) and inference needs no BatchNorm at all. Read from the Keras
// topology; shared by the trainable tail (backbone-tail.ts) and the whole CNN (whole-cnn.ts).
import * as tf from '@tensorflow/tfjs';

interface KerasLayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}
export type KerasTopology = { model_config: { config: { layers: KerasLayerJson[] } } };

/** One named weight, e.g. `block_15_expand/kernel`. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

type Padding2D = [[number, number], [number, number]];
export type ConvOp = {
  kind: 'conv'; name: string; input: string; type: 'pointwise' | 'depthwise' | 'conv';
  strides: [number, number]; pad: 'same' | 'valid'; prePad: Padding2D | null; relu6: boolean;
};
export type CnnOp = ConvOp | { kind: 'add'; name: string; inputs: string[] } | { kind: 'pool'; name: string; input: string };

let nextId = 0;

/**
 * The layers after `from` up to and including `to`, as ops, with each convolution's kernel and
 * bias (BatchNorm folded) as variables named `<prefix><n>/<conv>/kernel|bias`.
 */
export function foldLayers(
  model: tf.LayersModel,
  topology: KerasTopology,
  range: { from: string; to: string; prefix: string; what: string },
): { ops: CnnOp[]; kernels: Map<string, tf.Variable>; biases: Map<string, tf.Variable> } {
  const layers = topology.model_config.config.layers;
  const start = layers.findIndex((l) => l.name === range.from);
  const stop = layers.findIndex((l) => l.name === range.to);
  if (start < 0 || stop < start) throw new Error(`topology lacks ${range.from}…${range.to}`);
  const ops: CnnOp[] = [];
  const kernels = new Map<string, tf.Variable>();
  const biases = new Map<string, tf.Variable>();
  const alias = new Map<string, string>();
  const pads = new Map<string, { input: string; padding: Padding2D }>();
  const src = (ins: [string, ...unknown[]][] | undefined) => (ins ?? []).map((n) => alias.get(n[0]) ?? n[0]);
  const id = nextId++;
  let pending: { op: ConvOp; kernel: tf.Tensor } | null = null;
  for (const l of layers.slice(start + 1, stop + 1)) {
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
        kernels.set(p.op.name, tf.variable(k, true, `${range.prefix}${id}/${p.op.name}/kernel`));
        biases.set(p.op.name, tf.variable(b, true, `${range.prefix}${id}/${p.op.name}/bias`));
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
        throw new Error(`${l.class_name} (${l.name}) is not supported in ${range.what}`);
    }
  }
  return { ops, kernels, biases };
}

/**
 * Folded layers and their weights: the ops run in order from `input` (a tensor named after the
 * layer before the first op), each convolution by `conv`.
 */
export class FoldedLayers {
  protected constructor(
    protected readonly ops: CnnOp[],
    protected readonly kernels: Map<string, tf.Variable>,
    protected readonly biases: Map<string, tf.Variable>,
    /** What the layers are, for messages ("this tail"). */
    private readonly what: string,
  ) {}

  /**
   * The ops' output for `x` (the output of layer `inputName`); call inside tf.tidy. With
   * `release` (no gradient taken), each value is disposed once the last op reading it has run:
   * otherwise the tidy holds every intermediate to its end, some 200 MB for 64 photos through
   * the tail, and the wasm heap that grew to hold them never shrinks.
   */
  protected run(inputName: string, x: tf.Tensor4D, conv: (op: ConvOp, x: tf.Tensor4D) => tf.Tensor, release = false): tf.Tensor2D {
    const values = new Map<string, tf.Tensor>([[inputName, x]]);
    const readers = new Map<string, number>();
    for (const op of this.ops) for (const name of opInputs(op)) readers.set(name, (readers.get(name) ?? 0) + 1);
    let last: tf.Tensor = x;
    for (const op of this.ops) {
      const apply = (): tf.Tensor => {
        if (op.kind === 'conv') return conv(op, values.get(op.input) as tf.Tensor4D);
        if (op.kind === 'add') {
          const [a, b, ...more] = op.inputs.map((n) => values.get(n) as tf.Tensor);
          return more.length ? tf.addN([a, b, ...more]) : tf.add(a, b);
        }
        return tf.mean(values.get(op.input) as tf.Tensor4D, [1, 2]);
      };
      last = release ? tf.tidy(apply) : apply();
      values.set(op.name, last);
      if (!release) continue;
      for (const name of opInputs(op)) {
        const left = readers.get(name)! - 1;
        readers.set(name, left);
        if (left === 0 && name !== inputName) values.get(name)?.dispose();
      }
    }
    return last as tf.Tensor2D;
  }

  /** A convolution's input, padded as its ZeroPadding2D layer asked, and the padding the convolution then uses. */
  protected padded(op: ConvOp, input: tf.Tensor4D): [tf.Tensor4D, 'same' | 'valid'] {
    if (!op.prePad) return [input, op.pad];
    // Keras pads (0,1) before a stride-2 3×3 'valid' conv; on even sizes that is TF's 'same'.
    const [[t, b], [l, r]] = op.prePad;
    const even = input.shape[1] % 2 === 0 && input.shape[2] % 2 === 0;
    if (t === 0 && l === 0 && b === 1 && r === 1 && op.strides[0] === 2 && op.strides[1] === 2 && even) return [input, 'same'];
    return [tf.pad(input, [[0, 0], [t, b], [l, r], [0, 0]]), op.pad];
  }

  /** A convolution as plain conv2d (or depthwise), bias added, then ReLU6 where the layer has it. */
  protected plainConv(op: ConvOp, input: tf.Tensor4D): tf.Tensor {
    const [x, pad] = this.padded(op, input);
    const kernel = this.kernels.get(op.name) as tf.Variable<tf.Rank.R4>;
    const y = op.type === 'depthwise' ? tf.depthwiseConv2d(x, kernel, op.strides, pad) : tf.conv2d(x, kernel, op.strides, pad);
    const biased = tf.add(y, this.biases.get(op.name) as tf.Variable);
    return op.relu6 ? tf.relu6(biased) : biased;
  }

  variables(): tf.Variable[] {
    return [...this.kernels.values(), ...this.biases.values()];
  }

  parameterCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  /** Copies of the weights by layer (`<conv>/kernel`, `<conv>/bias`, BatchNorm folded in). */
  protected namedWeights<T>(read: (v: tf.Variable) => T): { name: string; shape: number[]; values: T }[] {
    const named = (kind: string, m: Map<string, tf.Variable>) => [...m].map(([layer, v]) => ({ name: `${layer}/${kind}`, shape: [...v.shape], values: read(v) }));
    return [...named('kernel', this.kernels), ...named('bias', this.biases)];
  }

  setWeights(weights: readonly NamedWeight[]): void {
    for (const w of weights) {
      const [layer, kind] = w.name.split('/');
      const v = (kind === 'kernel' ? this.kernels : this.biases).get(layer);
      if (!v || v.size !== w.values.length) throw new Error(`weight ${w.name} does not fit ${this.what}`);
      const t = tf.tensor(w.values, v.shape);
      v.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}

function opInputs(op: CnnOp): string[] {
  return op.kind === 'add' ? op.inputs : [op.input];
}
