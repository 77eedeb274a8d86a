// What the UI shows beside a result without a second round trip: a look-alike's labels (so
// names and labels show without hovering), and a duplicate's resolution and file size (what
// one needs to choose which copy to keep).
import type { DuplicateGroup, Hit } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';

export function withLabels(catalog: Catalog, hits: Hit[]): Hit[] {
  return hits.map((h) => ({ ...h, labels: catalog.getImage(h.id)?.labels ?? [] }));
}

export function withFileFacts(catalog: Catalog, groups: { kind?: 'same-file'; images: Hit[] }[]): DuplicateGroup[] {
  return groups.map((g) => ({
    ...(g.kind ? { kind: g.kind } : {}),
    images: g.images.map((h) => {
      const image = catalog.getImage(h.id);
      return { ...h, width: image?.width ?? null, height: image?.height ?? null, bytes: image?.size ?? 0 };
    }),
  }));
}
