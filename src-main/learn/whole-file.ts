// A model trained through the whole CNN carries all of MobileNetV2's weights (BatchNorm folded):
// cnn.json names each weight with its shape and place in cnn.bin (float32, little-endian),
// beside the head. As for a tail (tail-file.ts), the structure is not stored: it is read again
// from the nsfwjs backbone the weights were trained on, and they load only into that version.
import { loadNsfwjsLayersModel, readNsfwjsModel } from '../model/nsfwjs-files.js';
import { readWeightsFile, writeWeightsFile, type WeightEntry } from './weights-file.js';
import type { KerasTopology, NamedWeight } from './backbone-tail.js';
import { WholeCnn, WHOLE_CNN_INPUT_LAYER, type WholeCnnOptions } from './whole-cnn.js';
import { CNN_META_FILE, CNN_WEIGHTS_FILE } from './model-files.js';

const CNN_FORMAT = 'lookalike-whole-cnn-v1';

interface StoredCnn {
  format: typeof CNN_FORMAT;
  backbone: string;
  inputLayer: string;
  /** Side of the square input it was trained at (224 except in tests). */
  inputSize: number;
  weights: WeightEntry[];
}

const CNN_FILES = { bin: CNN_WEIGHTS_FILE, meta: CNN_META_FILE };

/** The pretrained MobileNetV2 as a trainable whole CNN, with nsfwjs's version. Caller disposes. */
export async function loadPretrainedWholeCnn(opts: WholeCnnOptions = {}): Promise<{ version: string; cnn: WholeCnn }> {
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  try {
    return { version, cnn: WholeCnn.fromLayersModel(model, readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology, opts) };
  } finally {
    model.dispose();
  }
}

/** Writes cnn.bin, then cnn.json, so a readable cnn.json means complete weights. */
export async function saveWholeCnn(dir: string, weights: readonly NamedWeight[], backboneVersion: string, inputSize = 224): Promise<void> {
  const meta: Omit<StoredCnn, 'weights'> = { format: CNN_FORMAT, backbone: backboneVersion, inputLayer: WHOLE_CNN_INPUT_LAYER, inputSize };
  await writeWeightsFile(dir, CNN_FILES, weights, meta);
}

/** Rebuilds a stored whole CNN on the current tf backend, with its input size. Caller disposes. */
export async function loadWholeCnn(dir: string): Promise<{ cnn: WholeCnn; inputSize: number }> {
  const { meta: stored, weights } = await readWeightsFile<StoredCnn>(dir, CNN_FILES);
  if (stored.format !== CNN_FORMAT) throw new Error(`${dir}: unknown CNN format ${String(stored.format)}`);
  const { version, cnn } = await loadPretrainedWholeCnn();
  if (version !== stored.backbone) {
    cnn.dispose();
    throw new Error(`${dir}: the CNN was trained on nsfwjs ${stored.backbone}, but ${version} is installed`);
  }
  try {
    cnn.setWeights(weights);
  } catch (err) {
    cnn.dispose();
    throw err;
  }
  return { cnn, inputSize: stored.inputSize ?? 224 };
}
