// Every listed image with what exports need: id, one live path, content hash, labels.
import type { Catalog } from '../library/catalog.js';

export interface LibraryRow {
  id: number;
  path: string;
  contentHash: string;
  labels: string[];
}

export function libraryRows(catalog: Catalog): LibraryRow[] {
  const rows: LibraryRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = catalog.listImages({ offset, limit: 1000 });
    for (const i of page.items) rows.push({ id: i.id, path: i.path, contentHash: i.contentHash, labels: i.labels });
    if (page.items.length < 1000) return rows;
  }
}
