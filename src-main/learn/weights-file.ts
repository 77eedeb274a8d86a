// Trained CNN weights on disk, for the fine-tuned tail and the whole CNN alike: a .bin of
// float32 values (little-endian, concatenated) and a .json naming each weight with its shape and
// place in it. The .bin is written first, then the .json (each via a temp file), so a readable
// .json means complete weights.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from '../common/write-atomic.js';
import type { NamedWeight } from './backbone-tail.js';
import { privateFolder } from '../common/private-files.js';

export interface WeightEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Writes `weights` to `binFile` and `{ ...meta, weights: entries }` to `metaFile`, in `dir`. */
export async function writeWeightsFile(dir: string, files: { bin: string; meta: string }, weights: readonly NamedWeight[], meta: object): Promise<void> {
  await mkdir(dir, privateFolder);
  const entries: WeightEntry[] = [];
  let offset = 0;
  for (const w of weights) {
    entries.push({ name: w.name, shape: w.shape, offset, length: w.values.length });
    offset += w.values.length;
  }
  const all = new Float32Array(offset);
  weights.forEach((w, i) => all.set(w.values, entries[i].offset));
  await writeAtomic(path.join(dir, files.bin), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  await writeAtomic(path.join(dir, files.meta), JSON.stringify({ ...meta, weights: entries }, null, 1));
}

/** The metadata and weights written by writeWeightsFile, each weight checked against the .bin's size. */
export async function readWeightsFile<M>(dir: string, files: { bin: string; meta: string }): Promise<{ meta: M; weights: NamedWeight[] }> {
  const meta = JSON.parse(await readFile(path.join(dir, files.meta), 'utf8')) as M & { weights: WeightEntry[] };
  const buf = await readFile(path.join(dir, files.bin));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights = meta.weights.map((w) => {
    if (w.offset + w.length > all.length) throw new Error(`${dir}: ${files.bin} is shorter than ${files.meta} says`);
    return { name: w.name, shape: w.shape, values: all.slice(w.offset, w.offset + w.length) };
  });
  return { meta, weights };
}
