// Embeddings as a float32 .npy [n, d], with a CSV beside it naming each row's image.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContractError } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { csvLine } from './csv.js';
import { modelVectors, type EmbeddingSource } from '../library/model-vectors.js';
import { writeNpy } from './npy.js';

/** `out.npy` → `out.ids.csv`. */
export function idsFileFor(npyFile: string): string {
  return path.join(path.dirname(npyFile), `${path.basename(npyFile, path.extname(npyFile))}.ids.csv`);
}

export async function exportEmbeddings(
  catalog: Catalog,
  space: EmbeddingSource,
  out: string,
  model: number | null,
): Promise<{ written: string[]; count: number }> {
  if (path.extname(out).toLowerCase() !== '.npy') {
    throw new ContractError(`embeddings export writes a .npy file, not "${path.basename(out)}"`, 'bad-request');
  }
  const { rows, vectors } = await modelVectors(catalog, space, model);
  const dim = vectors[0]?.length ?? space.embeddingDim;
  writeNpy(out, vectors, vectors.length, dim);
  const ids = idsFileFor(out);
  const lines = [csvLine(['row', 'id', 'path', 'content_hash', 'labels'])];
  rows.forEach((r, i) => lines.push(csvLine([i, r.id, r.path, r.contentHash, r.labels.join(';')])));
  writeFileSync(ids, lines.join(''));
  return { written: [out, ids], count: rows.length };
}
