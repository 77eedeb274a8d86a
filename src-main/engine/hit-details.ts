// What the UI shows beside a duplicate without a second round trip: its resolution and file
// size (what one needs to choose which copy to keep), read for all groups at once. (A
// look-alike's labels come with its hit: similar-queries.ts.)
import type { DuplicateGroup, Hit } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';

export function withFileFacts(catalog: Catalog, groups: { kind?: 'same-file'; images: Hit[] }[]): DuplicateGroup[] {
  const facts = catalog.hitFacts(groups.flatMap((g) => g.images.map((h) => h.id)));
  return groups.map((g) => ({
    ...(g.kind ? { kind: g.kind } : {}),
    images: g.images.map((h) => {
      const f = facts.get(h.id);
      return { ...h, width: f?.width ?? null, height: f?.height ?? null, bytes: f?.size ?? 0 };
    }),
  }));
}
