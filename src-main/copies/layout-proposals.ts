// The duplicates view's second source of candidate pairs. The near-duplicate descriptor ranks an
// edited copy of a simple image (a product shot, an icon, a page) below dozens of different ones
// that score as high, so asking each photo for its nearest by descriptor misses it. The layout
// of the thumbnail (search/pixel-match.ts layoutOf: brightness on a 16x16 grid) tells them apart:
// each photo also proposes its few nearest by layout, turned and mirrored 8 ways, that meet the
// strictness by descriptor too (so every score shown still does). The pixel check then judges
// them like any other pair. Mixed library (bench/duplicates-pixel-study.ts PIXEL_K=8): 833 more
// pairs to check (+2 %), true pairs proposed 3,280 -> 3,465 of 3,850, every two versions of a
// picture grouped 0.742 -> 0.802 at pair precision 0.9907.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FeatureStore } from '../model/feature-store.js';
import { Pacer, PairSet, readInSlices, SLICE, type DuplicatePair, type SearchWatch } from './duplicates.js';
import { createIndex, type LiveIndex } from '../search/index.js';
import { layoutOf, layoutTurns, MATCH_SIDE } from './pixel-match.js';
import { rgbOf } from './duplicate-check.js';

/** Nearest photos by layout each photo proposes. */
export const LAYOUT_NEIGHBOURS = 8;
/**
 * Thumbnails decoded at once while their layouts are made (sharp decodes on its own threads):
 * 3,000 thumbnails of Fashion-MNIST shots, 1.4-1.6 ms each one at a time, 1.0 ms four at a time.
 */
const READ_AHEAD = 4;
/** Names the layout (change it when layoutOf or the thumbnail it reads changes). */
export const LAYOUT_FEATURE_ID = 'thumbnail-layout-16@1';
export const LAYOUT_DIM = MATCH_SIDE * MATCH_SIDE;

export interface LayoutPhoto {
  id: number;
  hash: string;
  /** Its grid thumbnail (or file); null when it has neither. Asked only when its layout is not stored. */
  input: () => string | null;
}

export class LayoutProposals {
  private index: LiveIndex | null = null;
  /** The layouts in the index, by photo id. */
  private readonly layouts = new Map<number, Float32Array>();
  /** Each photo's nearest by layout, until the index changes (they do not depend on the strictness). */
  private readonly nearest = new Map<number, number[]>();

  /** `store` keeps each photo's layout by content hash (a thumbnail is read once). */
  constructor(private readonly store: FeatureStore) {}

  /**
   * Pairs of `photos` near by layout (each photo's LAYOUT_NEIGHBOURS nearest, any turn or mirror)
   * whose descriptors score at least `threshold`, leaving out those in `known`; only the photos in
   * `from` propose theirs, when it is given (photos added to a library searched before).
   */
  async pairs(
    photos: readonly LayoutPhoto[],
    descriptorOf: { get(id: number): Float32Array | undefined },
    threshold: number,
    known: readonly DuplicatePair[],
    watch: SearchWatch = {},
    from?: ReadonlySet<number>,
  ): Promise<DuplicatePair[]> {
    const index = await this.current(photos, watch);
    const pacer = new Pacer(watch);
    const seen = new PairSet();
    for (const [k, p] of known.entries()) {
      seen.add(p.a, p.b);
      if (k % 4096 === 0 && pacer.due) await pacer.pause();
    }
    const out: DuplicatePair[] = [];
    const ids = from ? index.ids().filter((id) => from.has(id)) : index.ids();
    watch.progress?.('comparing layouts', 0, ids.length);
    for (const [k, id] of ids.entries()) {
      if (pacer.due) {
        watch.progress?.('comparing layouts', k, ids.length);
        await pacer.pause();
      }
      const mine = descriptorOf.get(id);
      if (!mine) continue;
      for (const other of this.nearestTo(index, id)) {
        const theirs = descriptorOf.get(other);
        if (!theirs || seen.has(id, other)) continue;
        const score = dot(mine, theirs);
        if (score < threshold) continue;
        seen.add(id, other);
        out.push({ a: Math.min(id, other), b: Math.max(id, other), score });
      }
    }
    return out;
  }

  /** The LAYOUT_NEIGHBOURS photos nearest to `id` by layout, any turn or mirror, best first. */
  private nearestTo(index: LiveIndex, id: number): number[] {
    let ids = this.nearest.get(id);
    if (ids) return ids;
    const near = new Map<number, number>();
    for (const turned of layoutTurns(this.layouts.get(id)!)) {
      for (const hit of index.search(turned, LAYOUT_NEIGHBOURS, { exclude: id })) near.set(hit.id, Math.max(near.get(hit.id) ?? -1, hit.score));
    }
    ids = [...near].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, LAYOUT_NEIGHBOURS).map(([other]) => other);
    this.nearest.set(id, ids);
    return ids;
  }

  close(): void {
    this.store.close();
  }

  /** The index with exactly `photos`' layouts; layouts not stored yet are read from thumbnails. */
  private async current(photos: readonly LayoutPhoto[], watch: SearchWatch): Promise<LiveIndex> {
    const index = (this.index ??= createIndex(LAYOUT_DIM, photos.length));
    const live = new Set(photos.map((p) => p.id));
    for (const id of index.ids()) {
      if (live.has(id)) continue;
      index.remove(id);
      this.layouts.delete(id);
      this.nearest.clear();
    }
    const fresh = photos.filter((p) => !index.has(p.id));
    // Read SLICE at a time with a pause between (77,000 layouts at once held the thread for seconds).
    const stored = await readInSlices(fresh, SLICE, (slice) => this.store.get(slice.map((p) => p.hash)), nextTurn);
    const made: [string, Float32Array][] = [];
    const add: { id: number; layout: Float32Array }[] = [];
    // Thumbnails not made into layouts yet are decoded a few ahead (sharp decodes on its own
    // threads), each made into its layout in order; null: none, or unreadable.
    const reading = new Map<number, Promise<Float32Array | null>>();
    const readAhead = (k: number) => {
      for (let j = k; j < Math.min(fresh.length, k + READ_AHEAD); j++) {
        if (stored[j] || reading.has(j)) continue;
        const input = fresh[j].input();
        reading.set(j, input ? rgbOf(input).then((rgb) => layoutOf(rgb)).catch(() => null) : Promise.resolve(null));
      }
    };
    for (const [k, p] of fresh.entries()) {
      // Stopped: the layouts made so far are kept (each whole), the index is not changed.
      if (watch.signal?.aborted) break;
      watch.progress?.('reading layouts', k, fresh.length);
      readAhead(k);
      let layout = stored[k];
      if (!layout) {
        layout = (await reading.get(k)) ?? undefined;
        reading.delete(k);
        // Unreadable (or no thumbnail): the pixel check would reject its pairs anyway.
        if (!layout) continue;
        made.push([p.hash, layout]);
      }
      // A flat thumbnail (one grey, or texture finer than the grid) has no layout to compare by
      // angle: it proposes nothing, and the descriptor still proposes its pairs.
      if (layout && layout.some((v) => v !== 0)) add.push({ id: p.id, layout });
    }
    if (made.length) this.store.putMany(made);
    watch.signal?.throwIfAborted();
    for (let start = 0; start < add.length; start += SLICE) {
      const slice = add.slice(start, start + SLICE);
      index.add(slice.map((a) => a.id), slice.map((a) => a.layout));
      for (const a of slice) this.layouts.set(a.id, a.layout);
      this.nearest.clear();
      // No cancel here: the layouts indexed so far stay indexed, whole.
      await nextTurn();
    }
    return index;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
