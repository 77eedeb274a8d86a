// An inference-only executor for a Keras CNN (MobileNetV2 here), built from its topology with
// every BatchNormalization folded into the convolution before it and every ReLU6 fused into the
// convolution's kernel call. On wasm, BatchNorm is about a third of the forward pass and runs on
// one thread; folding it roughly doubles throughput (MEASURED.md) and changes outputs by ~1e-5.
// Intermediate tensors are freed as soon as their last consumer has run, so peak memory stays
// near that of one layer's activations, not the sum of all of them.
import * as tf from '@tensorflow/tfjs';

type Padding2D = [[number, number], [number, number]];

interface ConvOp {
  kind: 'conv';
  depthwise: boolean;
  input: string;
  output: string;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  strides: [number, number];
  pad: 'same' | 'valid';
  /** Zero padding a ZeroPadding2D layer applied before this convolution. */
  prePad: Padding2D | null;
  activation: 'linear' | 'relu6';
}
interface PadOp { kind: 'pad'; input: string; output: string; padding: Padding2D }
interface AddOp { kind: 'add'; inputs: string[]; output: string }
interface Relu6Op { kind: 'relu6'; input: string; output: string }
interface AvgPoolOp { kind: 'avgpool'; input: string; output: string; pool: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }
interface FlattenOp { kind: 'flatten'; input: string; output: string }
type Op = ConvOp | PadOp | AddOp | Relu6Op | AvgPoolOp | FlattenOp;

interface KerasLayerJson {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

export interface FoldedGraph {
  inputName: string;
  /** Layer names that can be requested as outputs (aliases of fused ops included). */
  layerNames(): string[];
  /** Values in the largest tensor one image makes as the graph runs (bounds GPU batches). */
  largestActivation: number;
  /** Runs the graph on x and returns the requested layers' outputs, in order. Caller disposes. */
  run(x: tf.Tensor4D, outputs: string[]): tf.Tensor[];
  dispose(): void;
}

/** Builds the folded graph from a Keras topology, up to and including `lastLayer`. */
export function compileFoldedGraph(
  model: tf.LayersModel,
  topology: { model_config: { config: { layers: KerasLayerJson[] } } },
  lastLayer: string,
): FoldedGraph {
  const layers = topology.model_config.config.layers;
  const stop = layers.findIndex((l) => l.name === lastLayer);
  if (stop < 0) throw new Error(`layer ${lastLayer} not in the model`);
  const used = layers.slice(0, stop + 1);
  const consumers = new Map<string, number>();
  for (const l of used) for (const src of inputsOf(l)) consumers.set(src, (consumers.get(src) ?? 0) + 1);

  const alias = new Map<string, string>(); // layer name -> name of the value that holds its output
  const resolve = (n: string): string => alias.get(n) ?? n;
  const producer = new Map<string, Op>();
  const ops: Op[] = [];
  let inputName = '';
  const emit = (op: Op) => {
    ops.push(op);
    producer.set(op.output, op);
  };

  for (const l of used) {
    const cfg = l.config;
    const ins = inputsOf(l).map(resolve);
    switch (l.class_name) {
      case 'InputLayer':
        inputName = l.name;
        break;
      case 'ZeroPadding2D':
        emit({ kind: 'pad', input: ins[0], output: l.name, padding: cfg.padding as Padding2D });
        break;
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const w = model.getLayer(l.name).getWeights();
        const src = producer.get(ins[0]);
        // Absorb a ZeroPadding2D that feeds only this convolution, so run() can use 'same' padding.
        const absorb = src?.kind === 'pad' && consumers.get(src.output) === 1 && cfg.padding === 'valid';
        emit({
          kind: 'conv',
          depthwise: l.class_name === 'DepthwiseConv2D',
          input: absorb ? (src as PadOp).input : ins[0],
          output: l.name,
          filter: tf.keep(w[0].clone()) as tf.Tensor4D,
          bias: cfg.use_bias ? (tf.keep(w[1].clone()) as tf.Tensor1D) : null,
          strides: cfg.strides as [number, number],
          pad: cfg.padding as 'same' | 'valid',
          prePad: absorb ? (src as PadOp).padding : null,
          activation: activationOf(cfg.activation),
        });
        if (absorb) ops.splice(ops.indexOf(src), 1);
        break;
      }
      case 'BatchNormalization': {
        const conv = producer.get(ins[0]);
        if (conv?.kind !== 'conv' || consumers.get(inputsOf(l)[0]) !== 1 || conv.activation !== 'linear') {
          throw new Error(`cannot fold ${l.name}: it does not follow a single-use linear convolution`);
        }
        foldBatchNorm(conv, model.getLayer(l.name).getWeights(), Number(cfg.epsilon ?? 1e-3));
        alias.set(l.name, conv.output);
        break;
      }
      case 'ReLU': {
        if (cfg.max_value !== 6 || Number(cfg.negative_slope ?? 0) !== 0 || Number(cfg.threshold ?? 0) !== 0) {
          throw new Error(`unsupported ReLU config in ${l.name}`);
        }
        const conv = producer.get(ins[0]);
        if (conv?.kind === 'conv' && conv.activation === 'linear' && consumers.get(inputsOf(l)[0]) === 1) {
          conv.activation = 'relu6';
          alias.set(l.name, conv.output);
        } else {
          emit({ kind: 'relu6', input: ins[0], output: l.name });
        }
        break;
      }
      case 'Add':
        emit({ kind: 'add', inputs: ins, output: l.name });
        break;
      case 'AveragePooling2D':
        emit({
          kind: 'avgpool',
          input: ins[0],
          output: l.name,
          pool: cfg.pool_size as [number, number],
          strides: cfg.strides as [number, number],
          pad: cfg.padding as 'same' | 'valid',
        });
        break;
      case 'Flatten':
        emit({ kind: 'flatten', input: ins[0], output: l.name });
        break;
      default:
        throw new Error(`layer type ${l.class_name} (${l.name}) is not supported by the folded graph`);
    }
  }
  const names = used.map((l) => l.name);
  // Absorbed ZeroPadding2D layers (113x113x96) never exist as tensors, so count only what runs.
  const largestActivation = Math.max(...ops.map((op) => valuesPerImage(model.getLayer(op.output).outputShape)));
  return {
    inputName,
    largestActivation,
    layerNames: () => names,
    run: (x, outputs) => runOps(ops, inputName, x, outputs.map(resolve)),
    dispose: () => {
      for (const op of ops) if (op.kind === 'conv') tf.dispose([op.filter, ...(op.bias ? [op.bias] : [])]);
    },
  };
}

function valuesPerImage(shape: tf.Shape | tf.Shape[]): number {
  const one = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return one.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
}

function inputsOf(l: KerasLayerJson): string[] {
  return (l.inbound_nodes[0] ?? []).map((n) => n[0]);
}

function activationOf(a: unknown): 'linear' | 'relu6' {
  if (a === undefined || a === 'linear') return 'linear';
  throw new Error(`unsupported conv activation ${String(a)}`);
}

/** y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta, rewritten as conv(x, W * s) + b'. */
function foldBatchNorm(conv: ConvOp, bn: tf.Tensor[], epsilon: number): void {
  const [gamma, beta, mean, variance] = bn;
  const [filter, bias] = tf.tidy(() => {
    const scale = gamma.div(variance.add(epsilon).sqrt()) as tf.Tensor1D;
    // Output channels are the last axis for Conv2D; for a depthwise conv (multiplier 1) the
    // input-channel axis (2) is the output channel.
    const outAxisShape = conv.depthwise ? [1, 1, scale.size, 1] : [1, 1, 1, scale.size];
    if (conv.depthwise && conv.filter.shape[3] !== 1) throw new Error('depth multiplier > 1 not supported');
    const f = conv.filter.mul(scale.reshape(outAxisShape)) as tf.Tensor4D;
    const b0 = conv.bias ?? tf.zerosLike(mean);
    const b = b0.sub(mean).mul(scale).add(beta) as tf.Tensor1D;
    return [tf.keep(f), tf.keep(b)];
  });
  tf.dispose([conv.filter, ...(conv.bias ? [conv.bias] : [])]);
  conv.filter = filter;
  conv.bias = bias;
}

function runOps(ops: Op[], inputName: string, x: tf.Tensor4D, outputs: string[]): tf.Tensor[] {
  const wanted = new Set(outputs);
  const remaining = new Map<string, number>();
  for (const op of ops) for (const i of opInputs(op)) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const values = new Map<string, tf.Tensor>([[inputName, x]]);
  const release = (name: string) => {
    const left = (remaining.get(name) ?? 0) - 1;
    remaining.set(name, left);
    if (left <= 0 && !wanted.has(name) && name !== inputName) {
      values.get(name)?.dispose();
      values.delete(name);
    }
  };
  const lastNeeded = Math.max(...outputs.map((o) => ops.findIndex((op) => op.output === o)));
  for (const op of ops.slice(0, lastNeeded + 1)) {
    const get = (n: string) => {
      const v = values.get(n);
      if (!v) throw new Error(`value ${n} missing`);
      return v;
    };
    const y = tf.tidy(() => applyOp(op, get));
    values.set(op.output, y);
    for (const i of opInputs(op)) release(i);
  }
  const result = outputs.map((o) => {
    const v = values.get(o);
    if (!v) throw new Error(`layer ${o} is not an output of the folded graph`);
    return v;
  });
  for (const [name, v] of values) if (!wanted.has(name) && name !== inputName) v.dispose();
  return result;
}

function opInputs(op: Op): string[] {
  return op.kind === 'add' ? op.inputs : [op.input];
}

function applyOp(op: Op, get: (n: string) => tf.Tensor): tf.Tensor {
  switch (op.kind) {
    case 'pad':
      return tf.pad(get(op.input), [[0, 0], ...op.padding, [0, 0]]);
    case 'conv': {
      let input = get(op.input) as tf.Tensor4D;
      let pad = op.pad;
      if (op.prePad) {
        // Keras pads (0,1) before a stride-2 3x3 'valid' conv on even sizes, which is exactly
        // TF's 'same'; use it and skip the copy. Otherwise pad explicitly.
        const [[t, b], [l, r]] = op.prePad;
        const k = op.filter.shape[0];
        const even = input.shape[1] % 2 === 0 && input.shape[2] % 2 === 0;
        const sameEquivalent = t === 0 && l === 0 && b === 1 && r === 1 && k === 3 && op.strides[0] === 2 && op.strides[1] === 2 && even;
        if (sameEquivalent) pad = 'same';
        else input = tf.pad(input, [[0, 0], [t, b], [l, r], [0, 0]]);
      }
      const args = { x: input, filter: op.filter, strides: op.strides, pad, bias: op.bias ?? undefined, activation: op.activation };
      return op.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
    }
    case 'add':
      return op.inputs.map(get).reduce((a, b) => tf.add(a, b));
    case 'relu6':
      return tf.relu6(get(op.input));
    case 'avgpool':
      return tf.avgPool(get(op.input) as tf.Tensor4D, op.pool, op.strides, op.pad);
    case 'flatten': {
      const v = get(op.input);
      return v.reshape([v.shape[0], -1]);
    }
  }
}
