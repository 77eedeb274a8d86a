// Candidate near-duplicate descriptors, built from pooled activations of several layers.
// Measured by near-duplicates.ts; the winner lives in src-main/model/descriptor.ts.
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../src-main/model/backbone.js';

/**
 * Layers pooled. block_10 and earlier are ImageNet-only weights (nsfwjs fine-tuned from
 * block_11_expand up); out_relu is what flatten_1 averages.
 */
export const LAYERS = [
  'block_6_expand_relu', 'block_10_expand_relu', 'block_11_expand_relu', 'block_12_expand_relu',
  'block_13_expand_relu', 'block_13_depthwise_relu', 'block_14_expand_relu', 'block_16_project_BN', 'out_relu',
];
const RELU_LAYERS = new Set(LAYERS.filter((l) => l.endsWith('relu')));

/** What the network sees: the image as is, mirrored, or turned a quarter either way. */
export type Transform = 'id' | 'flip' | 'rot90' | 'rot270';
export const TRANSFORMS: Transform[] = ['id', 'flip', 'rot90', 'rot270'];

/** key `${layer}:${pool}` -> vector. */
export type Pooled = Map<string, Float32Array>;
/** Per input size, per transform. */
export type PooledParts = Map<string, Pooled>;
export const variantKey = (size: number, t: Transform) => `${size}/${t}`;

function transform(x: tf.Tensor4D, t: Transform): tf.Tensor4D {
  if (t === 'id') return x;
  if (t === 'flip') return tf.reverse(x, 2);
  const turned = tf.transpose(x, [0, 2, 1, 3]);
  return tf.reverse(turned, t === 'rot90' ? 1 : 2);
}

/** GAP (and GeM p=3 for ReLU layers) of `layers` for every image of x under transform t. */
export function poolLayers(backbone: Backbone, x: tf.Tensor4D, t: Transform, layers: string[] = LAYERS): Pooled[] {
  const n = x.shape[0];
  const out: Pooled[] = Array.from({ length: n }, () => new Map());
  const pooled = tf.tidy(() => {
    const acts = backbone.layers(transform(x, t), layers);
    const res: [string, tf.Tensor2D][] = [];
    acts.forEach((a, i) => {
      res.push([`${layers[i]}:gap`, tf.mean(a, [1, 2]) as tf.Tensor2D]);
      if (RELU_LAYERS.has(layers[i])) res.push([`${layers[i]}:gem3`, tf.pow(tf.mean(tf.pow(tf.maximum(a, 1e-6), 3), [1, 2]), 1 / 3) as tf.Tensor2D]);
    });
    return res;
  });
  for (const [key, tensor] of pooled) {
    const data = tensor.dataSync() as Float32Array;
    const d = tensor.shape[1];
    for (let i = 0; i < n; i++) out[i].set(key, data.slice(i * d, (i + 1) * d));
    tensor.dispose();
  }
  return out;
}

export interface Recipe {
  name: string;
  /** Network input size (default 224). */
  size?: number;
  /** Pooled layer parts, each L2-normalised then concatenated; `size` overrides the recipe's. */
  parts: { key: string; weight?: number; size?: number }[];
  /** Average each part with its value on the mirror image (flip invariance; 2 forward passes). */
  flipAverage?: boolean;
  /** Query side only: also try the query turned 90 degrees either way, keep the best score. */
  queryRotations?: boolean;
  /** Query side only: also try the mirrored query (instead of averaging the mirror in). */
  queryFlip?: boolean;
  /** Signed square root before the final normalisation. */
  sqrt?: boolean;
  /** (C + shrink I)^(-1/2) (v - mean), learned on the library (the originals). */
  whiten?: { shrink: number };
}

/** Passes (relative to one 224 px pass) a database image and a query cost under a recipe. */
export function recipeCost(r: Recipe): { db: number; query: number } {
  const sizes = new Set(r.parts.map((p) => p.size ?? r.size ?? 224));
  const rel = [...sizes].reduce((sum, s) => sum + (s / 224) ** 2, 0);
  const db = rel * (r.flipAverage ? 2 : 1);
  return { db, query: db + (r.queryRotations ? 2 * rel : 0) + (r.queryFlip ? rel : 0) };
}

export function recipeVector(r: Recipe, p: PooledParts, t: Transform = 'id'): Float32Array {
  const pieces = r.parts.map(({ key, weight = 1, size = r.size ?? 224 }) => {
    const main = p.get(variantKey(size, t));
    const mirror = p.get(variantKey(size, 'flip'));
    if (!main || (r.flipAverage && t === 'id' && !mirror)) throw new Error(`no pooled variant for ${r.name}`);
    const a = main.get(key);
    if (!a) throw new Error(`no pooled ${key}`);
    const v = Float32Array.from(a);
    if (r.flipAverage && t === 'id') {
      const m = mirror!.get(key)!;
      for (let i = 0; i < v.length; i++) v[i] = (v[i] + m[i]) / 2;
    }
    if (r.sqrt) for (let i = 0; i < v.length; i++) v[i] = Math.sign(v[i]) * Math.sqrt(Math.abs(v[i]));
    return scale(normalise(v), weight);
  });
  const out = new Float32Array(pieces.reduce((n, v) => n + v.length, 0));
  let o = 0;
  for (const v of pieces) {
    out.set(v, o);
    o += v.length;
  }
  return normalise(out);
}

export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = 1 / Math.sqrt(s || 1);
  for (let i = 0; i < v.length; i++) v[i] *= k;
  return v;
}
const scale = (v: Float32Array, k: number) => (k === 1 ? v : v.map((x) => x * k));

const gap = (...layers: string[]) => layers.map((l) => ({ key: `${l}:gap` }));
const gem = (...layers: string[]) => layers.map((l) => ({ key: `${l}:gem3` }));
const B13 = 'block_13_expand_relu';

export const DESCRIPTOR_RECIPES: Recipe[] = [
  { name: 'pooled (flatten_1, plain)', parts: gap('out_relu') },
  { name: 'GeM p=3 on out_relu', parts: gem('out_relu') },
  { name: 'pooled + flip avg', parts: gap('out_relu'), flipAverage: true },
  { name: 'pooled, whitened', parts: gap('out_relu'), whiten: { shrink: 0.01 } },
  ...(process.env.NEARDUP_ALL
    ? ['block_6_expand_relu', 'block_10_expand_relu', 'block_11_expand_relu', 'block_12_expand_relu', 'block_13_depthwise_relu', 'block_14_expand_relu', 'block_16_project_BN'].map(
        (l) => ({ name: `${l} gap`, parts: gap(l) }),
      )
    : []),
  { name: 'b13 gap', parts: gap(B13) },
  { name: 'b13 gem', parts: gem(B13) },
  { name: 'b13 gap, flip', parts: gap(B13), flipAverage: true },
  { name: 'b13 gap, flip, whitened', parts: gap(B13), flipAverage: true, whiten: { shrink: 0.01 } },
  { name: 'b13 gap @160', size: 160, parts: gap(B13) },
  { name: 'b13 gap @128', size: 128, parts: gap(B13) },
  { name: 'b13 gap @128, flip', size: 128, parts: gap(B13), flipAverage: true },
  { name: 'b13 gap, flip, query rot', parts: gap(B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gap @128, flip, query rot', size: 128, parts: gap(B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gem, flip', parts: gem(B13), flipAverage: true },
  { name: 'b13 gem, flip, query rot', parts: gem(B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gem @160, flip', size: 160, parts: gem(B13), flipAverage: true },
  { name: 'b13 gem @160, flip, query rot', size: 160, parts: gem(B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gem @128, flip, query rot', size: 128, parts: gem(B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gap+gem', parts: [...gap(B13), ...gem(B13)] },
  { name: 'b13 gap+gem, query rot', parts: [...gap(B13), ...gem(B13)], queryRotations: true },
  { name: 'b13 gap+gem, query rot+flip', parts: [...gap(B13), ...gem(B13)], queryRotations: true, queryFlip: true },
  { name: 'b13 gap+gem, flip', parts: [...gap(B13), ...gem(B13)], flipAverage: true },
  { name: 'b13 gap+gem, flip, query rot', parts: [...gap(B13), ...gem(B13)], flipAverage: true, queryRotations: true },
  { name: 'b13 gap @128+@224, flip', parts: [{ key: `${B13}:gap`, size: 128 }, { key: `${B13}:gap`, size: 224 }], flipAverage: true },
  { name: 'b13 gap @128+@224, flip, query rot', parts: [{ key: `${B13}:gap`, size: 128 }, { key: `${B13}:gap`, size: 224 }], flipAverage: true, queryRotations: true },
  { name: 'b13 gem @128+@224, flip, query rot', parts: [{ key: `${B13}:gem3`, size: 128 }, { key: `${B13}:gem3`, size: 224 }], flipAverage: true, queryRotations: true },
  { name: 'b12+b13 gem, flip, query rot', parts: gem('block_12_expand_relu', B13), flipAverage: true, queryRotations: true },
  { name: 'b13 gem, flip, query rot, whitened', parts: gem(B13), flipAverage: true, queryRotations: true, whiten: { shrink: 0.01 } },
];

// ---- whitening learned on the library: PCA through the n x n Gram matrix (n << dim) ----

export interface Whitening {
  mean: Float32Array;
  /** Unit principal directions (rows) and their factor 1/sqrt(lambda + s) - 1/sqrt(s). */
  dirs: Float32Array[];
  factors: number[];
  base: number;
}

export function whitenFit(vectors: Float32Array[], opts: { shrink: number }): Whitening {
  const n = vectors.length;
  const d = vectors[0].length;
  const mean = new Float32Array(d);
  for (const v of vectors) for (let i = 0; i < d; i++) mean[i] += v[i] / n;
  const centred = vectors.map((v) => v.map((x, i) => x - mean[i]));
  const gram = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => dotF(centred[a], centred[b])));
  const { values, vectors: eig } = jacobiEigen(gram);
  const dirs: Float32Array[] = [];
  const factors: number[] = [];
  const base = 1 / Math.sqrt(opts.shrink);
  values.forEach((lambda, k) => {
    if (lambda <= 1e-9) return;
    const dir = new Float32Array(d);
    for (let a = 0; a < n; a++) for (let i = 0; i < d; i++) dir[i] += eig[a][k] * centred[a][i];
    normalise(dir);
    dirs.push(dir);
    factors.push(1 / Math.sqrt(lambda / n + opts.shrink) - base);
  });
  return { mean, dirs, factors, base };
}

export function whitenApply(w: Whitening, v: Float32Array): Float32Array {
  const c = v.map((x, i) => x - w.mean[i]);
  const out = c.map((x) => x * w.base);
  w.dirs.forEach((dir, k) => {
    const p = dotF(dir, c) * w.factors[k];
    for (let i = 0; i < out.length; i++) out[i] += p * dir[i];
  });
  return normalise(out);
}

function dotF(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix; eigenvectors as columns. */
function jacobiEigen(m: number[][]): { values: number[]; vectors: number[][] } {
  const n = m.length;
  const a = m.map((r) => r.slice());
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-15) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}
