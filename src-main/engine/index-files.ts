// Where each model's index lives (index/pretrained.index, index/model-<id>.index), and what can
// be read of one without loading it or any CNN code: how many photos it holds.
import path from 'node:path';
import type { Catalog } from '../library/catalog.js';
import { readSidecar } from '../search/index-file.js';

export function indexFile(catalog: Catalog, modelId: number | null): string {
  return path.join(catalog.paths.index, `${modelId === null ? 'pretrained' : `model-${modelId}`}.index`);
}

/**
 * Photos in the saved index of a model, from its sidecar alone (0 when there is none). `verify`
 * also checks the data file's checksum (0 when damaged): what a decision needs, not a figure
 * shown (status asks often; the checksum of a 77,000-photo index is some 25 ms, and loading the
 * index checks it anyway).
 */
export function savedIndexCount(catalog: Catalog, modelId: number | null, verify = true): number {
  try {
    return readSidecar(indexFile(catalog, modelId), verify).count;
  } catch {
    return 0;
  }
}
