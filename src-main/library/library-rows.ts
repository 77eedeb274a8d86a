// Every listed image with what exports need: id, one live path, content hash, labels.
import type { Catalog } from './catalog.js';

export interface LibraryRow {
  id: number;
  path: string;
  contentHash: string;
  labels: string[];
}

export function libraryRows(catalog: Catalog): LibraryRow[] {
  return [...catalog.eachImage()].map((i) => ({ id: i.id, path: i.path, contentHash: i.contentHash, labels: i.labels }));
}
