// The pretrained CNN that turns a photo into a feature vector: nsfwjs's MobileNetV2 (ImageNet
// MobileNetV2, fine-tuned from block_11 up on 5 classes), cut at `flatten_1`, its 1280-d global
// average pool. Input: 224x224 RGB, values pixel/255 in [0, 1] (how it was trained).
import * as tf from '@tensorflow/tfjs';
import { loadNsfwjsLayersModel, readNsfwjsModel } from './nsfwjs-files.js';
import { compileFoldedGraph, type FoldedGraph } from './folded-graph.js';

export const BACKBONE_INPUT_SIZE = 224;
export const BACKBONE_FEATURE_DIM = 1280;
export const BACKBONE_FEATURE_LAYER = 'flatten_1';
/** The last convolutional activation (7x7x1280 at 224 px), which flatten_1 averages. */
export const BACKBONE_LAST_ACTIVATION = 'out_relu';

/** Stable id of the backbone's features; the feature cache is keyed by it. */
export function backboneId(nsfwjsVersion: string): string {
  return `nsfwjs-mobilenet_v2@${nsfwjsVersion}/${BACKBONE_FEATURE_LAYER}`;
}

export interface Backbone {
  /** e.g. `nsfwjs-mobilenet_v2@4.4.0/flatten_1`. */
  readonly id: string;
  readonly inputSize: number;
  readonly dim: number;
  /** Features [n, 1280] of a batch [n, 224, 224, 3] with values in [0, 1]. Caller disposes. */
  features(x: tf.Tensor4D): tf.Tensor2D;
  /** Outputs of named layers (Keras names, e.g. 'out_relu', 'block_13_expand_relu'). Caller disposes. */
  layers(x: tf.Tensor4D, names: string[]): tf.Tensor[];
  dispose(): void;
  /** Values in the largest activation of one image (what bounds a GPU batch), when known. */
  readonly largestActivation?: number;
}

export interface LoadBackboneOptions {
  /** Fold BatchNorm into the convolutions (default true). false runs tfjs's own LayersModel. */
  foldBatchNorm?: boolean;
}

/** Loads the backbone from the nsfwjs package files (no network), on the current tf backend. */
export async function loadBackbone(opts: LoadBackboneOptions = {}): Promise<Backbone> {
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  const id = backboneId(version);
  if (opts.foldBatchNorm === false) return layersModelBackbone(id, model);
  const topology = readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as Parameters<typeof compileFoldedGraph>[1];
  let graph: FoldedGraph;
  try {
    graph = compileFoldedGraph(model, topology, BACKBONE_FEATURE_LAYER);
  } finally {
    model.dispose(); // the folded graph holds its own copies of the weights
  }
  return {
    id,
    inputSize: BACKBONE_INPUT_SIZE,
    dim: BACKBONE_FEATURE_DIM,
    largestActivation: graph.largestActivation,
    features: (x) => graph.run(x, [BACKBONE_FEATURE_LAYER])[0] as tf.Tensor2D,
    layers: (x, names) => graph.run(x, names),
    dispose: () => graph.dispose(),
  };
}

/** The unfolded reference: tfjs's LayersModel cut at flatten_1 (slower, used to check folding). */
function layersModelBackbone(id: string, model: tf.LayersModel): Backbone {
  const cut = (names: string[]) =>
    tf.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
  const featureModel = cut([BACKBONE_FEATURE_LAYER]);
  return {
    id,
    inputSize: BACKBONE_INPUT_SIZE,
    dim: BACKBONE_FEATURE_DIM,
    features: (x) => featureModel.predict(x) as tf.Tensor2D,
    layers: (x, names) => {
      const out = cut(names).predict(x);
      return Array.isArray(out) ? out : [out];
    },
    dispose: () => model.dispose(),
  };
}
