// The train job's whole-CNN depth, and embedding through such a model. Photos are decoded from
// their originals: the library's ~256 px WebP thumbnails are much cheaper (11 ms against 152 ms
// a 4K photo) but their features are not close enough — cosine to the original's features
// median 0.85, worst 0.60 over 33 Debian wallpapers (bench/thumbnail-features.ts), since a 16:9
// thumbnail is 144 px high and the 224 px crop is an upscaled blur of it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { whileOnGpu } from '../model/backend.js';
import { decodeForBackbone, type ImageInput } from '../model/preprocess.js';
import type { Failure } from '../../src-shared/contract.js';
import { registerWasmGradKernels } from './wasm-grad-kernels.js';
import { fineTuneWhole, type WholeFineTuneOptions, type WholeFineTuneResult } from './whole-finetune.js';
import { loadPretrainedWholeCnn } from './whole-file.js';
import type { WholeCnn } from './whole-cnn.js';
import type { NamedWeight } from './backbone-tail.js';
import type { MarkedPair } from './split.js';

/** Input side for whole-CNN training and its embeddings; tests set LOOKALIKE_WHOLE_CNN_INPUT_SIZE (a multiple of 32) to run small. */
export function wholeCnnInputSize(): number {
  const n = Number(process.env.LOOKALIKE_WHOLE_CNN_INPUT_SIZE ?? 224);
  return Number.isInteger(n) && n >= 32 && n % 32 === 0 ? n : 224;
}

/** Tests may train the whole CNN on cpu or wasm with LOOKALIKE_WHOLE_CNN_ANY_BACKEND=1. */
export function wholeCnnForced(): boolean {
  return process.env.LOOKALIKE_WHOLE_CNN_ANY_BACKEND === '1';
}

export interface WholeRunProgress {
  phase: string;
  done?: number;
  total?: number;
  message?: string;
}

export type WholeRunSettings = Omit<WholeFineTuneOptions, 'cnn' | 'pixels'> & { labels: (string | null)[]; pairs: MarkedPair[] };

export interface WholeRunResult extends WholeFineTuneResult {
  cnn: { weights: NamedWeight[]; backboneVersion: string; inputSize: number };
  trained: number;
  unreadable: Failure[];
}

/** Decodes each labelled photo once (kept as bytes), then trains the whole CNN and a head. */
export async function runWholeCnnTraining(
  paths: readonly string[],
  settings: WholeRunSettings,
  progress: (p: WholeRunProgress) => void,
  signal?: AbortSignal,
): Promise<WholeRunResult> {
  if (tf.getBackend() === 'wasm') registerWasmGradKernels();
  const size = wholeCnnInputSize();
  const pixels: (Uint8Array | null)[] = [];
  const unreadable: Failure[] = [];
  for (let i = 0; i < paths.length; i++) {
    if (signal?.aborted) throw new Error('cancelled');
    try {
      pixels.push(await decodeForBackbone(paths[i], size));
    } catch (err) {
      unreadable.push({ path: paths[i], error: err instanceof Error ? err.message : String(err) });
      pixels.push(null);
    }
    if (i % 16 === 15 || i === paths.length - 1) progress({ phase: 'reading photos', done: i + 1, total: paths.length });
  }
  // Photos that could not be read again are left out, with the marked pairs they are in.
  const kept = pixels.flatMap((p, i) => (p ? [i] : []));
  const row = new Map(kept.map((old, k) => [old, k]));
  const moved = (pairs: readonly MarkedPair[] = []) =>
    pairs.flatMap((p) => (row.has(p.a) && row.has(p.b) ? [{ a: row.get(p.a)!, b: row.get(p.b)!, match: p.match }] : []));
  if (unreadable.length) progress({ phase: 'reading photos', message: `${unreadable.length} photo(s) could not be read and were left out` });
  // On a GPU the whole run, weights included, lives on it; the result comes back as plain arrays.
  return whileOnGpu(async () => {
    const { version, cnn } = await loadPretrainedWholeCnn();
    try {
      const result = await fineTuneWhole({
        ...settings, cnn, inputSize: size, pixels: kept.map((i) => pixels[i]!), labels: kept.map((i) => settings.labels[i]),
        pairs: moved(settings.pairs), heldBack: moved(settings.heldBack),
      });
      return { ...result, cnn: { weights: result.cnnWeights, backboneVersion: version, inputSize: size }, trained: kept.length, unreadable };
    } finally {
      cnn.dispose();
    }
  });
}

/** Photos decoded at once while embedding through a whole-CNN model (sharp decodes them in parallel). */
const DECODE_CHUNK = 8;

/**
 * 1280-d features of photos through a whole-CNN model, decoded from `inputs` (originals);
 * an unreadable photo gets an Error in its place. Yields between chunks.
 */
export async function wholeCnnFeatures(cnn: WholeCnn, inputSize: number, inputs: readonly ImageInput[]): Promise<(Float32Array | Error)[]> {
  const out: (Float32Array | Error)[] = [];
  for (let s = 0; s < inputs.length; s += DECODE_CHUNK) {
    const decoded = await Promise.all(
      inputs.slice(s, s + DECODE_CHUNK).map((p) => decodeForBackbone(p, inputSize).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))),
    );
    const ok = decoded.filter((d): d is Uint8Array => !(d instanceof Error));
    const features = await cnn.features(ok, inputSize);
    let k = 0;
    for (const d of decoded) out.push(d instanceof Error ? d : features[k++]);
    await nextTurn();
  }
  return out;
}
