// The embeddings of every embedded image under one model (the active one, the pretrained
// space, or any trained version), in library order. Shared by the map and the .npy export,
// so it sits below both.
import type { Catalog } from './catalog.js';
import { libraryRows, type LibraryRow } from './library-rows.js';

/**
 * What the exports and the map read of the library's vectors: the engine's vector library
 * provides it, and nothing here depends on the engine.
 */
export interface EmbeddingSource {
  readonly activeModelId: number | null;
  /** Width of the active model's embeddings. */
  readonly embeddingDim: number;
  /** Whether an image is in the active index (so its features are cached). */
  isEmbedded(id: number): boolean;
  /** The active model's embeddings of every indexed image. */
  allEmbeddings(): Map<number, Float32Array>;
  /** Embeddings under a model of those of `ids` whose features it has, in the order given. */
  embeddingsOf(model: number | null | undefined, ids: readonly number[]): Promise<{ ids: number[]; vectors: Float32Array[] }>;
}

export interface ModelVectors {
  rows: LibraryRow[];
  vectors: Float32Array[];
}

/** Listed images that are embedded (in the active index, so their features are cached). */
export function embeddedRows(catalog: Catalog, space: EmbeddingSource): LibraryRow[] {
  return libraryRows(catalog).filter((r) => space.isEmbedded(r.id));
}

export async function modelVectors(catalog: Catalog, space: EmbeddingSource, model: number | null): Promise<ModelVectors> {
  const rows = embeddedRows(catalog, space);
  if (model === space.activeModelId) {
    const all = space.allEmbeddings();
    const have = rows.filter((r) => all.has(r.id));
    return { rows: have, vectors: have.map((r) => all.get(r.id)!) };
  }
  const { ids, vectors } = await space.embeddingsOf(model, rows.map((r) => r.id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { rows: ids.map((id) => byId.get(id)!), vectors };
}
