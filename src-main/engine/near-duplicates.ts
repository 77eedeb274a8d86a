// The library's near-duplicate side: the descriptor cached for every photo, an in-memory index
// of it brought up to date on use, the duplicate groups, and the copy check that tells similar()
// which photo is an edited copy of a query. Kept apart from the embedding: training may pull
// merely alike photos together, which must not make them duplicates or copies.
import type { Catalog } from '../library/catalog.js';
import { CopyViews } from '../model/copy-views.js';
import { NEAR_DUPLICATE_DIM } from '../model/descriptor.js';
import type { FeatureStore } from '../model/feature-store.js';
import type { ImageInput } from '../model/preprocess.js';
import { createIndex, findDuplicateGroups, type LiveIndex } from '../search/index.js';
import { findCopy, type FoundCopy } from './copy-check.js';

interface Listed {
  id: number;
  hash: string;
}

export class NearDuplicates {
  private index: LiveIndex | null = null;
  private copyViews: Promise<CopyViews> | null = null;

  constructor(
    private readonly catalog: Catalog,
    /** Near-duplicate descriptors by content hash. */
    readonly store: FeatureStore,
    /** The library's images now. */
    private readonly listed: () => Listed[],
  ) {}

  /** Groups of near-identical photos at `threshold`, each scored against its first photo. */
  groups(threshold: number): { id: number; score: number }[][] {
    const { index, byId } = this.current();
    return findDuplicateGroups(index, byId, threshold).map((ids) => {
      const first = byId.get(ids[0])!;
      return ids.map((id) => ({ id, score: id === ids[0] ? 1 : dot(first, byId.get(id)!) }));
    });
  }

  /** The copy check (copy-check.ts) over the whole library; null when it finds no clear copy. */
  async findCopy(query: ImageInput, lookAlikes: { id: number }[], exclude: number | null): Promise<FoundCopy | null> {
    const { index } = this.current();
    if (index.size === 0) return null;
    const views = await (this.copyViews ??= CopyViews.create());
    return findCopy(views, query, lookAlikes, {
      nearestByDescriptor: (v, k) => index.search(v, k, { exclude: exclude ?? undefined }),
      fileOf: (id) => this.catalog.getImage(id)?.paths[0] ?? null,
    }, exclude ?? undefined);
  }

  async close(): Promise<void> {
    const views = this.copyViews;
    this.copyViews = null;
    if (views) (await views).dispose();
  }

  /** The index with exactly the listed photos whose descriptor is cached, and those descriptors. */
  private current(): { index: LiveIndex; byId: Map<number, Float32Array> } {
    const listed = this.listed();
    const cached = this.store.get(listed.map((i) => i.hash));
    const byId = new Map<number, Float32Array>();
    listed.forEach((img, k) => cached[k] && byId.set(img.id, cached[k]));
    const index = (this.index ??= createIndex(NEAR_DUPLICATE_DIM, byId.size));
    for (const id of index.ids()) if (!byId.has(id)) index.remove(id);
    const fresh = [...byId.keys()].filter((id) => !index.has(id));
    if (fresh.length) index.add(fresh, fresh.map((id) => byId.get(id)!));
    return { index, byId };
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
