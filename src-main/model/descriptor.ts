// What vector an image becomes. 'pooled' is the backbone's own 1280-d global average pool.
import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from './backbone.js';

export type DescriptorName = 'pooled';

export const DESCRIPTORS: readonly DescriptorName[] = ['pooled'];

export function describeDescriptor(name: DescriptorName, backbone: Backbone): { dim: number; idSuffix: string } {
  switch (name) {
    case 'pooled':
      return { dim: backbone.dim, idSuffix: '' };
  }
}

/** The descriptor of a batch x [n, 224, 224, 3] in [0, 1]; call inside tf.tidy. */
export function computeDescriptor(name: DescriptorName, backbone: Backbone, x: tf.Tensor4D): tf.Tensor2D {
  switch (name) {
    case 'pooled':
      return backbone.features(x);
  }
}
