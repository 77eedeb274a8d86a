// A fine-tuned backbone tail on disk, beside its head in the model's folder: tail.json names each
// weight with its shape and place in tail.bin (float32, little-endian, concatenated). The tail's
// structure is not stored: it is read again from the backbone the weights were trained on, and
// the weights only load into that backbone's version.
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readNsfwjsModel, loadNsfwjsLayersModel } from '../model/nsfwjs-files.js';
import { writeAtomic } from '../common/write-atomic.js';
import { BackboneTail, TAIL_INPUT_LAYER, type KerasTopology, type NamedWeight } from './backbone-tail.js';

import { TAIL_META_FILE, TAIL_WEIGHTS_FILE } from './model-folders.js';

export { hasTail, TAIL_META_FILE, TAIL_WEIGHTS_FILE } from './model-folders.js';
const TAIL_FORMAT = 'lookalike-backbone-tail-v1';

interface StoredTail {
  format: typeof TAIL_FORMAT;
  /** nsfwjs version whose MobileNetV2 the tail belongs to. */
  backbone: string;
  /** The layer whose output the tail takes (everything before it is the frozen backbone). */
  inputLayer: string;
  weights: { name: string; shape: number[]; offset: number; length: number }[];
}

/** Writes tail.bin, then tail.json (each via a temp file), so a readable tail.json means a complete tail. */
export async function saveTail(dir: string, weights: readonly NamedWeight[], backboneVersion: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries: StoredTail['weights'] = [];
  let offset = 0;
  for (const w of weights) {
    entries.push({ name: w.name, shape: w.shape, offset, length: w.values.length });
    offset += w.values.length;
  }
  const all = new Float32Array(offset);
  weights.forEach((w, i) => all.set(w.values, entries[i].offset));
  await writeAtomic(path.join(dir, TAIL_WEIGHTS_FILE), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const stored: StoredTail = { format: TAIL_FORMAT, backbone: backboneVersion, inputLayer: TAIL_INPUT_LAYER, weights: entries };
  await writeAtomic(path.join(dir, TAIL_META_FILE), JSON.stringify(stored, null, 1));
}

/** The stored weights of a tail, checked against the file's size. */
export async function readTailWeights(dir: string): Promise<{ backbone: string; weights: NamedWeight[] }> {
  const stored = JSON.parse(await readFile(path.join(dir, TAIL_META_FILE), 'utf8')) as StoredTail;
  if (stored.format !== TAIL_FORMAT) throw new Error(`${dir}: unknown tail format ${String(stored.format)}`);
  if (stored.inputLayer !== TAIL_INPUT_LAYER) throw new Error(`${dir}: tail starts at ${stored.inputLayer}, this version starts at ${TAIL_INPUT_LAYER}`);
  const buf = await readFile(path.join(dir, TAIL_WEIGHTS_FILE));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights = stored.weights.map((w) => {
    if (w.offset + w.length > all.length) throw new Error(`${dir}: ${TAIL_WEIGHTS_FILE} is shorter than ${TAIL_META_FILE} says`);
    return { name: w.name, shape: w.shape, values: all.slice(w.offset, w.offset + w.length) };
  });
  return { backbone: stored.backbone, weights };
}

/** Rebuilds a stored tail on the current tf backend. Caller disposes. */
export async function loadTail(dir: string): Promise<BackboneTail> {
  const { backbone, weights } = await readTailWeights(dir);
  const { version, model } = await loadNsfwjsLayersModel('mobilenet_v2');
  try {
    if (version !== backbone) throw new Error(`${dir}: the tail was trained on nsfwjs ${backbone}, but ${version} is installed`);
    const tail = BackboneTail.fromLayersModel(model, readNsfwjsModel('mobilenet_v2').artifacts.modelTopology as KerasTopology);
    try {
      tail.setWeights(weights);
    } catch (err) {
      tail.dispose();
      throw err;
    }
    return tail;
  } finally {
    model.dispose();
  }
}
