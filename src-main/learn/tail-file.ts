// A fine-tuned backbone tail on disk, beside its head in the model's folder: tail.json names each
// weight with its shape and place in tail.bin (float32, little-endian, concatenated). The tail's
// structure is not stored: it is read again from the backbone the weights were trained on, and
// the weights only load into that backbone's version.
import { readNsfwjsModel, loadNsfwjsLayersModel } from '../model/nsfwjs-files.js';
import { readWeightsFile, writeWeightsFile, type WeightEntry } from './weights-file.js';
import { BackboneTail, TAIL_INPUT_LAYER, type KerasTopology, type NamedWeight } from './backbone-tail.js';
import { TAIL_META_FILE, TAIL_WEIGHTS_FILE } from './model-files.js';

const TAIL_FORMAT = 'lookalike-backbone-tail-v1';

interface StoredTail {
  format: typeof TAIL_FORMAT;
  /** nsfwjs version whose MobileNetV2 the tail belongs to. */
  backbone: string;
  /** The layer whose output the tail takes (everything before it is the frozen backbone). */
  inputLayer: string;
  weights: WeightEntry[];
}

const TAIL_FILES = { bin: TAIL_WEIGHTS_FILE, meta: TAIL_META_FILE };

/** Writes tail.bin, then tail.json, so a readable tail.json means a complete tail. */
export async function saveTail(dir: string, weights: readonly NamedWeight[], backboneVersion: string): Promise<void> {
  const meta: Omit<StoredTail, 'weights'> = { format: TAIL_FORMAT, backbone: backboneVersion, inputLayer: TAIL_INPUT_LAYER };
  await writeWeightsFile(dir, TAIL_FILES, weights, meta);
}

/** The stored weights of a tail, checked against the file's size. */
export async function readTailWeights(dir: string): Promise<{ backbone: string; weights: NamedWeight[] }> {
  const { meta, weights } = await readWeightsFile<StoredTail>(dir, TAIL_FILES);
  if (meta.format !== TAIL_FORMAT) throw new Error(`${dir}: unknown tail format ${String(meta.format)}`);
  if (meta.inputLayer !== TAIL_INPUT_LAYER) throw new Error(`${dir}: tail starts at ${meta.inputLayer}, this version starts at ${TAIL_INPUT_LAYER}`);
  return { backbone: meta.backbone, weights };
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
