// The trained head: a Dense layer from backbone features to the embedding, L2-normalised, so
// re-embedding a library after training is one matrix product per batch. The identity head
// stands for "untrained": it only L2-normalises the backbone features.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LossName } from './losses/base.js';
import type { RetrievalMetrics } from './metrics.js';
import { l2NormalizeRows, matMul } from './tensor-ops.js';
import { writeAtomic } from '../common/write-atomic.js';
import { HEAD_META_FILE as META_FILE, HEAD_WEIGHTS_FILE as WEIGHTS_FILE } from './model-files.js';
import { privateFolder } from '../common/private-files.js';

export const HEAD_FORMAT = 'lookalike-head/1';

export interface HeadMetrics {
  /** Validation retrieval with the untrained (identity) head. */
  before: RetrievalMetrics | null;
  /** Validation retrieval with this head. */
  after: RetrievalMetrics | null;
  /** The same on labels held out of training (unseen classes), when there were any. */
  unseenBefore?: RetrievalMetrics | null;
  unseenAfter?: RetrievalMetrics | null;
}

export interface HeadMetadata {
  format: typeof HEAD_FORMAT;
  kind: 'dense' | 'identity';
  inputDim: number;
  outputDim: number;
  loss: LossName | null;
  /** Training settings (epochs, lr, loss parameters, seed, ...), as the trainer recorded them. */
  settings: Record<string, unknown>;
  metrics: HeadMetrics;
  createdAt: string;
}

interface StoredHead extends HeadMetadata {
  weightSpecs: tf.io.WeightsManifestEntry[];
}

let counter = 0;

export class Head {
  metadata: HeadMetadata;
  private readonly kernel: tf.Variable<tf.Rank.R2> | null;
  private readonly bias: tf.Variable<tf.Rank.R1> | null;

  private constructor(metadata: HeadMetadata, kernel: tf.Tensor2D | null, bias: tf.Tensor1D | null) {
    this.metadata = metadata;
    const id = counter++;
    this.kernel = kernel ? (tf.variable(kernel, true, `head-kernel-${id}`) as tf.Variable<tf.Rank.R2>) : null;
    this.bias = bias ? (tf.variable(bias, true, `head-bias-${id}`) as tf.Variable<tf.Rank.R1>) : null;
  }

  /** A fresh Dense head, Glorot-uniform initialised from `seed`. */
  static create(opts: { inputDim: number; outputDim?: number; seed?: number }): Head {
    const inputDim = opts.inputDim;
    const outputDim = opts.outputDim ?? 128;
    if (!Number.isInteger(inputDim) || inputDim < 1 || !Number.isInteger(outputDim) || outputDim < 1) {
      throw new RangeError(`head dims must be positive integers, got ${inputDim}→${outputDim}`);
    }
    const limit = Math.sqrt(6 / (inputDim + outputDim));
    const kernel = tf.randomUniform([inputDim, outputDim], -limit, limit, 'float32', opts.seed ?? 0) as tf.Tensor2D;
    const bias = tf.zeros([outputDim]) as tf.Tensor1D;
    const head = new Head(newMetadata('dense', inputDim, outputDim), kernel, bias);
    kernel.dispose();
    bias.dispose();
    return head;
  }

  /** A Dense head with the given starting weights (copied). */
  static withWeights(kernel: tf.Tensor2D, bias: tf.Tensor1D): Head {
    return new Head(newMetadata('dense', kernel.shape[0], kernel.shape[1]), kernel, bias);
  }

  /** The untrained head: embeddings are the L2-normalised features themselves. */
  static identity(dim: number): Head {
    return new Head(newMetadata('identity', dim, dim), null, null);
  }

  static async load(dir: string): Promise<Head> {
    const stored = JSON.parse(await readFile(path.join(dir, META_FILE), 'utf8')) as StoredHead;
    if (stored.format !== HEAD_FORMAT) throw new Error(`${dir}: not a Lookalike head (format ${String(stored.format)})`);
    const { weightSpecs, ...metadata } = stored;
    if (metadata.kind === 'identity') return new Head(metadata, null, null);
    const buf = await readFile(path.join(dir, WEIGHTS_FILE));
    const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), weightSpecs);
    const kernel = named.kernel as tf.Tensor2D | undefined;
    const bias = named.bias as tf.Tensor1D | undefined;
    if (!kernel || !bias) throw new Error(`${dir}: weights lack kernel or bias`);
    if (kernel.shape[0] !== metadata.inputDim || kernel.shape[1] !== metadata.outputDim) {
      throw new Error(`${dir}: kernel ${kernel.shape.join('×')} does not match ${metadata.inputDim}→${metadata.outputDim}`);
    }
    const head = new Head(metadata, kernel, bias);
    kernel.dispose();
    bias.dispose();
    return head;
  }

  get inputDim(): number {
    return this.metadata.inputDim;
  }

  get outputDim(): number {
    return this.metadata.outputDim;
  }

  /** Embeddings of a feature batch [n, inputDim] → [n, outputDim], unit rows; differentiable. */
  apply(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.kernel || !this.bias) return l2NormalizeRows(features);
      return l2NormalizeRows(tf.add(matMul(features, this.kernel), this.bias) as tf.Tensor2D);
    });
  }

  /** Embeds cached backbone features in batches; releases every tensor it makes. */
  embed(features: Float32Array[], batchSize = 512): Float32Array[] {
    const out: Float32Array[] = [];
    for (let s = 0; s < features.length; s += batchSize) {
      const rows = features.slice(s, s + batchSize);
      const flat = new Float32Array(rows.length * this.inputDim);
      rows.forEach((f, i) => {
        if (f.length !== this.inputDim) throw new Error(`feature of length ${f.length}, head expects ${this.inputDim}`);
        flat.set(f, i * this.inputDim);
      });
      const y = tf.tidy(() => this.apply(tf.tensor2d(flat, [rows.length, this.inputDim])));
      const data = y.dataSync() as Float32Array;
      y.dispose();
      for (let i = 0; i < rows.length; i++) out.push(data.slice(i * this.outputDim, (i + 1) * this.outputDim));
    }
    return out;
  }

  /** Trainable variables (empty for the identity head). */
  variables(): tf.Variable[] {
    return this.kernel && this.bias ? [this.kernel, this.bias] : [];
  }

  /** A copy of the weights, e.g. to keep the best epoch's. */
  getWeights(): Float32Array[] {
    return this.variables().map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  setWeights(weights: Float32Array[]): void {
    const vars = this.variables();
    if (weights.length !== vars.length) throw new Error(`expected ${vars.length} weight arrays, got ${weights.length}`);
    vars.forEach((v, i) => {
      const t = tf.tensor(weights[i], v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  /** Writes head.json (metadata + weight specs) and weights.bin into `dir`, each via a temp file. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, privateFolder);
    let weightSpecs: tf.io.WeightsManifestEntry[] = [];
    if (this.kernel && this.bias) {
      const encoded = await tf.io.encodeWeights({ kernel: this.kernel, bias: this.bias });
      weightSpecs = encoded.specs;
      await writeAtomic(path.join(dir, WEIGHTS_FILE), Buffer.from(encoded.data));
    }
    const stored: StoredHead = { ...this.metadata, weightSpecs };
    await writeAtomic(path.join(dir, META_FILE), JSON.stringify(stored, null, 2));
  }

  dispose(): void {
    this.kernel?.dispose();
    this.bias?.dispose();
  }
}

function newMetadata(kind: HeadMetadata['kind'], inputDim: number, outputDim: number): HeadMetadata {
  return {
    format: HEAD_FORMAT,
    kind,
    inputDim,
    outputDim,
    loss: null,
    settings: {},
    metrics: { before: null, after: null },
    createdAt: new Date().toISOString(),
  };
}
