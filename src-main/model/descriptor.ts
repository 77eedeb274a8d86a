// What vector an image becomes.
// - 'pooled': the backbone's 1280-d global average pool (flatten_1): "similar", training.
// - 'near-duplicate': 1152-d, for "duplicates". block_13_expand_relu (14x14x576 at 224 px; the
//   stage just before the 7x7 top, whose weights the 5-class fine-tuning reshaped most) pooled
//   two ways, average and GeM (p = 3), each L2-normalised, concatenated, scaled to unit length.
//   bench/near-duplicates.ts, edited copies of 62 wallpapers: recall@1 0.945 as is, 0.955 when the
//   query is also tried turned 90 degrees either way (max score over the three); 'pooled' 0.819,
//   dHash 0.681. Averaging in the mirror image gained 0.005 more for a second forward pass: not worth it.
// - 'near-duplicate-rot90' / '-rot270': the same of the image turned a quarter, counter-clockwise /
//   clockwise: the query side of rotation-tolerant matching (each a pass up to block 13).
// - 'pooled+near-duplicate': both from ONE forward pass, concatenated (1280 + 1152), split with
//   splitPooledNearDuplicate: the near-duplicate descriptor then costs next to nothing.
// - 'pooled+near-duplicate+tail-input': the same plus block_14_add (7x7x160 = 7840 values), the
//   input of the blocks that deeper fine-tuning trains: a model with a fine-tuned tail embeds
//   new photos from it without a second pass through the frozen blocks.
// - 'tail-input+mirrored': block_14_add of the photo, then of its mirror image (2 × 7840): what
//   training the last blocks learns from, computed where the CNN already runs (the inference
//   threads or the GPU), so the engine's own thread never runs the frozen blocks.
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from './backbone.js';

export type DescriptorName =
  | 'pooled'
  | 'near-duplicate'
  | 'near-duplicate-rot90'
  | 'near-duplicate-rot270'
  | 'pooled+near-duplicate'
  | 'pooled+near-duplicate+tail-input'
  | 'tail-input+mirrored';

export const DESCRIPTORS: readonly DescriptorName[] = [
  'pooled',
  'near-duplicate',
  'near-duplicate-rot90',
  'near-duplicate-rot270',
  'pooled+near-duplicate',
  'pooled+near-duplicate+tail-input',
  'tail-input+mirrored',
];

export const NEAR_DUP_LAYER = 'block_13_expand_relu';
const GEM_P = 3;
export const NEAR_DUPLICATE_DIM = 1152;
/** block_14_add at 224 px: where the frozen part of the backbone ends when fine-tuning. */
export const TAIL_INPUT_LAYER = 'block_14_add';
export const TAIL_INPUT_SHAPE: [number, number, number] = [7, 7, 160];
export const TAIL_INPUT_SIZE = TAIL_INPUT_SHAPE[0] * TAIL_INPUT_SHAPE[1] * TAIL_INPUT_SHAPE[2];

export function describeDescriptor(name: DescriptorName, backbone: Backbone): { dim: number; idSuffix: string } {
  switch (name) {
    case 'pooled':
      return { dim: backbone.dim, idSuffix: '' };
    case 'pooled+near-duplicate':
      return { dim: backbone.dim + NEAR_DUPLICATE_DIM, idSuffix: '+near-duplicate-v1' };
    case 'pooled+near-duplicate+tail-input':
      return { dim: backbone.dim + NEAR_DUPLICATE_DIM + TAIL_INPUT_SIZE, idSuffix: '+near-duplicate-v1+tail-input' };
    case 'tail-input+mirrored':
      return { dim: 2 * TAIL_INPUT_SIZE, idSuffix: '#tail-input+mirrored' };
    default:
      return { dim: NEAR_DUPLICATE_DIM, idSuffix: `#${name}-v1` };
  }
}

/** The descriptor of a batch x [n, 224, 224, 3] in [0, 1]; call inside tf.tidy. */
export function computeDescriptor(name: DescriptorName, backbone: Backbone, x: tf.Tensor4D): tf.Tensor2D {
  switch (name) {
    case 'pooled':
      return backbone.features(x);
    case 'near-duplicate': {
      const [a] = backbone.layers(x, [NEAR_DUP_LAYER]);
      return nearDuplicateFrom(a as tf.Tensor4D);
    }
    case 'near-duplicate-rot90':
    case 'near-duplicate-rot270': {
      const [a] = backbone.layers(quarterTurn(x, name === 'near-duplicate-rot90' ? 'ccw' : 'cw'), [NEAR_DUP_LAYER]);
      return nearDuplicateFrom(a as tf.Tensor4D);
    }
    case 'pooled+near-duplicate': {
      const [pooled, a] = backbone.layers(x, ['flatten_1', NEAR_DUP_LAYER]);
      return tf.concat([pooled as tf.Tensor2D, nearDuplicateFrom(a as tf.Tensor4D)], 1);
    }
    case 'pooled+near-duplicate+tail-input': {
      const [pooled, a, t] = backbone.layers(x, ['flatten_1', NEAR_DUP_LAYER, TAIL_INPUT_LAYER]);
      return tf.concat([pooled as tf.Tensor2D, nearDuplicateFrom(a as tf.Tensor4D), tf.reshape(t, [x.shape[0], TAIL_INPUT_SIZE]) as tf.Tensor2D], 1);
    }
    case 'tail-input+mirrored': {
      // A flip of the pixels, not of the activations: the kernels are not mirror-symmetric.
      const tailInput = (input: tf.Tensor4D) => tf.reshape(backbone.layers(input, [TAIL_INPUT_LAYER])[0], [x.shape[0], TAIL_INPUT_SIZE]) as tf.Tensor2D;
      return tf.concat([tailInput(x), tailInput(tf.reverse(x, 2))], 1);
    }
  }
}

/**
 * The parts of a 'pooled+near-duplicate' or 'pooled+near-duplicate+tail-input' vector (views,
 * no copy); `pooledDim` is the backbone's feature size.
 */
export function splitDescriptor(
  v: Float32Array,
  pooledDim: number,
): { pooled: Float32Array; nearDuplicate: Float32Array; tailInput: Float32Array | undefined } {
  const cut = pooledDim + NEAR_DUPLICATE_DIM;
  if (v.length !== cut && v.length !== cut + TAIL_INPUT_SIZE) throw new RangeError(`a descriptor of ${v.length} values has no known layout`);
  return {
    pooled: v.subarray(0, pooledDim),
    nearDuplicate: v.subarray(pooledDim, cut),
    tailInput: v.length > cut ? v.subarray(cut) : undefined,
  };
}

/** Turns images a quarter: 'ccw' counter-clockwise, 'cw' clockwise. */
export function quarterTurn(x: tf.Tensor4D, dir: 'ccw' | 'cw'): tf.Tensor4D {
  return tf.reverse(tf.transpose(x, [0, 2, 1, 3]), dir === 'ccw' ? 1 : 2);
}

/** The near-duplicate descriptor of block_13_expand_relu activations; call inside tf.tidy. */
export function nearDuplicateFrom(a: tf.Tensor4D): tf.Tensor2D {
  const gap = tf.mean(a, [1, 2]) as tf.Tensor2D;
  const gem = tf.pow(tf.mean(tf.pow(tf.maximum(a, 1e-6), GEM_P), [1, 2]), 1 / GEM_P) as tf.Tensor2D;
  return tf.div(tf.concat([l2(gap), l2(gem)], 1), Math.SQRT2);
}

function l2(v: tf.Tensor2D): tf.Tensor2D {
  return tf.div(v, tf.maximum(tf.norm(v, 'euclidean', 1, true), 1e-12));
}
