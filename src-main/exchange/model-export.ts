// A trained head as a standard TensorFlow.js LayersModel (model.json + weights.bin, loadable
// with tf.loadLayersModel) plus lookalike-model.json: what feeds it, what to do with its
// output, how it was trained and how well it did.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ContractError } from '../../src-shared/contract.js';
import {
  CNN_META_FILE, CNN_WEIGHTS_FILE, HEAD_META_FILE, HEAD_WEIGHTS_FILE, hasTail, hasWholeCnn, TAIL_META_FILE, TAIL_WEIGHTS_FILE,
} from '../learn/model-files.js';
import { BACKBONE_FEATURE_DIM, BACKBONE_FEATURE_LAYER, BACKBONE_INPUT_SIZE } from '../model/backbone.js';

/** What the export writes: tfjs's LayersModel names (its weights.bin is not the head's own file). */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'lookalike-model.json';

interface StoredHead {
  kind: string;
  inputDim: number;
  outputDim: number;
  weightSpecs: tf.io.WeightsManifestEntry[];
  [key: string]: unknown;
}

/** Writes the head stored in `headDir` (head.json + weights.bin) to `out`. */
export async function exportModel(headDir: string, modelId: number, out: string): Promise<string[]> {
  let stored: StoredHead;
  let weights: Buffer;
  try {
    stored = JSON.parse(readFileSync(path.join(headDir, HEAD_META_FILE), 'utf8')) as StoredHead;
    weights = readFileSync(path.join(headDir, HEAD_WEIGHTS_FILE));
  } catch (err) {
    throw new ContractError(`model #${modelId} has no readable head: ${(err as Error).message}`, 'not-found');
  }
  if (stored.kind !== 'dense') throw new ContractError(`model #${modelId} has no trained weights to export`, 'conflict');
  const { weightSpecs, ...metadata } = stored;
  const named = tf.io.decodeWeights(new Uint8Array(weights).buffer, weightSpecs);
  const model = tf.sequential({ name: 'lookalike_head' });
  model.add(tf.layers.dense({ inputShape: [stored.inputDim], units: stored.outputDim, name: 'embedding' }));
  try {
    model.setWeights([named.kernel, named.bias]);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const saved = artifacts as tf.io.ModelArtifacts | null;
    if (!saved?.weightData || !saved.weightSpecs) throw new Error('tfjs produced no weights');
    mkdirSync(out, { recursive: true });
    const data = Buffer.from(tf.io.CompositeArrayBuffer.join(saved.weightData));
    writeFileSync(path.join(out, WEIGHTS_FILE), data);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: saved.weightSpecs }],
    };
    writeFileSync(path.join(out, MODEL_FILE), `${JSON.stringify(modelJson)}\n`);
    // A deeply fine-tuned model's head reads the features of its own blocks, not the stock ones.
    const tuned = hasTail(headDir);
    if (tuned) for (const f of [TAIL_META_FILE, TAIL_WEIGHTS_FILE]) copyFileSync(path.join(headDir, f), path.join(out, f));
    const whole = hasWholeCnn(headDir);
    if (whole) for (const f of [CNN_META_FILE, CNN_WEIGHTS_FILE]) copyFileSync(path.join(headDir, f), path.join(out, f));
    const info = {
      ...metadata,
      modelId,
      input: {
        what: whole
          ? `features of nsfwjs mobilenet_v2 (ImageNet MobileNetV2) with every convolution replaced by the fine-tuned one in ${CNN_WEIGHTS_FILE} ` +
            `(BatchNorm folded into each; names and shapes in ${CNN_META_FILE}), then ${BACKBONE_FEATURE_LAYER}, ${BACKBONE_FEATURE_DIM}-d`
          : tuned
          ? `features of nsfwjs mobilenet_v2 (ImageNet MobileNetV2) with blocks block_15 … Conv_1 replaced by the fine-tuned ones in ${TAIL_WEIGHTS_FILE} ` +
            `(BatchNorm folded into each convolution; names and shapes in ${TAIL_META_FILE}), then ${BACKBONE_FEATURE_LAYER}, ${BACKBONE_FEATURE_DIM}-d`
          : `backbone features: nsfwjs mobilenet_v2 (ImageNet MobileNetV2), layer ${BACKBONE_FEATURE_LAYER}, ${BACKBONE_FEATURE_DIM}-d`,
        image: `${BACKBONE_INPUT_SIZE}×${BACKBONE_INPUT_SIZE} RGB, EXIF-rotated, cover-cropped, pixel values / 255`,
      },
      output: `${stored.outputDim}-d; L2-normalise each row, then compare by dot product (cosine similarity)`,
    };
    writeFileSync(path.join(out, METADATA_FILE), `${JSON.stringify(info, null, 2)}\n`);
  } finally {
    tf.dispose(Object.values(named));
    model.dispose();
  }
  const files = [
    MODEL_FILE, WEIGHTS_FILE, METADATA_FILE,
    ...(hasTail(headDir) ? [TAIL_META_FILE, TAIL_WEIGHTS_FILE] : []),
    ...(hasWholeCnn(headDir) ? [CNN_META_FILE, CNN_WEIGHTS_FILE] : []),
  ];
  return files.map((f) => path.join(out, f));
}
