// A model trained through the whole CNN carries all of MobileNetV2's weights (BatchNorm folded):
// cnn.json names each weight with its shape and place in cnn.bin (float32, little-endian),
// beside the head. As for a tail (tail-file.ts), the structure is not stored: it is read again
// from the nsfwjs backbone the weights were trained on, and they load only into that version.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadNsfwjsLayersModel, readNsfwjsModel } from '../model/nsfwjs-files.js';
import { writeAtomic } from '../common/write-atomic.js';
import type { KerasTopology, NamedWeight } from './backbone-tail.js';
import { WholeCnn, WHOLE_CNN_INPUT_LAYER, type WholeCnnOptions } from './whole-cnn.js';

import { CNN_META_FILE, CNN_WEIGHTS_FILE } from './model-folders.js';

export { CNN_META_FILE, CNN_WEIGHTS_FILE, hasWholeCnn } from './model-folders.js';
const CNN_FORMAT = 'lookalike-whole-cnn-v1';

interface StoredCnn {
  format: typeof CNN_FORMAT;
  backbone: string;
  inputLayer: string;
  /** Side of the square input it was trained at (224 except in tests). */
  inputSize: number;
  weights: { name: string; shape: number[]; offset: number; length: number }[];
}

/** The pretrained MobileNetV2 as a trainable whole CNN, with nsfwjs's version. Caller disposes. */
export async function loadPretrainedWholeCnn(opts: WholeCnnOptions = {}): Promise<{ version: string; cnn: WholeCnn }> {
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  try {
    return { version, cnn: WholeCnn.fromLayersModel(model, readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology, opts) };
  } finally {
    model.dispose();
  }
}

/** Writes cnn.bin, then cnn.json (each via a temp file), so a readable cnn.json means complete weights. */
export async function saveWholeCnn(dir: string, weights: readonly NamedWeight[], backboneVersion: string, inputSize = 224): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries: StoredCnn['weights'] = [];
  let offset = 0;
  for (const w of weights) {
    entries.push({ name: w.name, shape: w.shape, offset, length: w.values.length });
    offset += w.values.length;
  }
  const all = new Float32Array(offset);
  weights.forEach((w, i) => all.set(w.values, entries[i].offset));
  await writeAtomic(path.join(dir, CNN_WEIGHTS_FILE), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const stored: StoredCnn = { format: CNN_FORMAT, backbone: backboneVersion, inputLayer: WHOLE_CNN_INPUT_LAYER, inputSize, weights: entries };
  await writeAtomic(path.join(dir, CNN_META_FILE), JSON.stringify(stored, null, 1));
}

/** Rebuilds a stored whole CNN on the current tf backend, with its input size. Caller disposes. */
export async function loadWholeCnn(dir: string): Promise<{ cnn: WholeCnn; inputSize: number }> {
  const stored = JSON.parse(await readFile(path.join(dir, CNN_META_FILE), 'utf8')) as StoredCnn;
  if (stored.format !== CNN_FORMAT) throw new Error(`${dir}: unknown CNN format ${String(stored.format)}`);
  const buf = await readFile(path.join(dir, CNN_WEIGHTS_FILE));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights = stored.weights.map((w) => {
    if (w.offset + w.length > all.length) throw new Error(`${dir}: ${CNN_WEIGHTS_FILE} is shorter than ${CNN_META_FILE} says`);
    return { name: w.name, shape: w.shape, values: all.subarray(w.offset, w.offset + w.length) };
  });
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
