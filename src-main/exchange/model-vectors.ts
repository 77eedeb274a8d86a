// The embeddings of every embedded image under one model (the active one, the pretrained
// space, or any trained version), in library order. Shared by the map and the .npy export.
import type { EmbeddingSpace } from '../engine/embedding-space.js';
import type { Catalog } from '../library/catalog.js';
import { libraryRows, type LibraryRow } from './library-rows.js';

export interface ModelVectors {
  rows: LibraryRow[];
  vectors: Float32Array[];
}

/** Listed images that are embedded (in the active index, so their features are cached). */
export function embeddedRows(catalog: Catalog, space: EmbeddingSpace): LibraryRow[] {
  const index = space.activeIndex;
  return libraryRows(catalog).filter((r) => index.has(r.id));
}

export async function modelVectors(catalog: Catalog, space: EmbeddingSpace, model: number | null): Promise<ModelVectors> {
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
