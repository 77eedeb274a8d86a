// The names of the files in a model's folder (models/<id>/), in one place: the folder's owner
// (model-folders.ts), the writer of each part (head.ts, tail-file.ts, whole-file.ts) and the
// model export read them here, so none of them imports another for a name.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The head: its metadata and weight specs (head.ts), and its weights. */
export const HEAD_META_FILE = 'head.json';
export const HEAD_WEIGHTS_FILE = 'weights.bin';

/** A deeply tuned model's tail: its weights' names and shapes, and the weights (tail-file.ts). */
export const TAIL_META_FILE = 'tail.json';
export const TAIL_WEIGHTS_FILE = 'tail.bin';

/** A model trained through the whole CNN: all its weights' names and shapes, and the weights (whole-file.ts). */
export const CNN_META_FILE = 'cnn.json';
export const CNN_WEIGHTS_FILE = 'cnn.bin';

/** Whether a model folder holds its own whole CNN. */
export function hasWholeCnn(dir: string): boolean {
  return existsSync(path.join(dir, CNN_META_FILE));
}

/** Whether a model folder holds a fine-tuned tail (else its head sits on the pretrained backbone). */
export function hasTail(dir: string): boolean {
  return existsSync(path.join(dir, TAIL_META_FILE));
}
