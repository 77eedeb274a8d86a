// Where each model's index lives (index/pretrained.index, index/model-<id>.index), and what can
// be read of one without loading it or any CNN code: how many photos it holds.
import path from 'node:path';
import type { Catalog } from '../library/catalog.js';
import { readSidecar } from '../search/index-file.js';

export function indexFile(catalog: Catalog, modelId: number | null): string {
  return path.join(catalog.paths.index, `${modelId === null ? 'pretrained' : `model-${modelId}`}.index`);
}

/** Photos in the saved index of a model, from its sidecar alone (0 when there is none). */
export function savedIndexCount(catalog: Catalog, modelId: number | null): number {
  try {
    return readSidecar(indexFile(catalog, modelId)).count;
  } catch {
    return 0;
  }
}
