// The library's near-duplicate side: the descriptor cached for every photo, an in-memory index
// of it brought up to date on use, the duplicate groups (with the thumbnail layouts that
// propose pairs the descriptor ranks too low), and the copy check that tells similar()
// which photo is an edited copy of a query. Kept apart from the embedding: training may pull
// merely alike photos together, which must not make them duplicates or copies.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { regenerateThumbnail } from '../ingest/thumbnail-repair.js';
import type { Catalog } from '../library/catalog.js';
import { CopyViews } from './copy-views.js';
import { NEAR_DUPLICATE_DIM } from '../model/descriptor.js';
import { FeatureStore } from '../model/feature-store.js';
import type { ImageInput } from '../model/preprocess.js';
import { BestPairs, centredGroups, duplicatePairs, MAX_DUPLICATE_NEIGHBOURS, Pacer, PAIR_SLICE, pause, readInSlices, SLICE, type DuplicatePair, type SearchWatch } from './duplicates.js';
import { cosineScore, createIndex, type LiveIndex } from '../search/index.js';
import { findCopy, type FoundCopy } from './copy-check.js';
import { DuplicateCheck, PIXEL_CHECK_ID } from './duplicate-check.js';
import { PairVerdicts } from './pair-verdicts.js';
import { LAYOUT_DIM, LAYOUT_FEATURE_ID, LAYOUT_NEIGHBOURS, LayoutProposals } from './layout-proposals.js';
import { APART, changesSince, CONFIRMED, pairAt, readSavedSearch, savedPairs, savedSearchFile, UNJUDGED, writeSavedSearch, type SavedSearch } from './saved-search.js';

interface Listed {
  id: number;
  hash: string;
}

export class NearDuplicates {
  private index: LiveIndex | null = null;
  private updating: Promise<LiveIndex> | null = null;
  private copyViews: Promise<CopyViews> | null = null;
  private readonly verdicts: PairVerdicts;
  private readonly check: DuplicateCheck;
  private readonly layouts: LayoutProposals;
  /**
   * The searches kept in memory, by strictness (as on disk: saved-search.ts), and their groups
   * once every pair is judged: asked again with the photos unchanged (the duplicates view opened
   * again), the answer is the same, and working it out again cost minutes at 77,000 photos.
   */
  private readonly searches = new Map<number, { search: SavedSearch; groups: { id: number; score: number }[][] | null }>();

  constructor(
    private readonly catalog: Catalog,
    /** Near-duplicate descriptors by content hash. */
    readonly store: FeatureStore,
    /** The library's images now. */
    private readonly listed: () => Listed[],
  ) {
    this.verdicts = PairVerdicts.open(catalog.paths.features, PIXEL_CHECK_ID);
    this.check = new DuplicateCheck(this.verdicts);
    this.layouts = new LayoutProposals(FeatureStore.open(catalog.paths.features, LAYOUT_FEATURE_ID, LAYOUT_DIM));
  }

  /**
   * Groups of near-identical photos at `threshold`: pairs whose descriptors score at least
   * `threshold` (proposed by descriptor, and by thumbnail layout: layout-proposals.ts) and whose
   * pixels line up (duplicate-check.ts), grouped around a centre (every member is such a pair
   * with it: search/duplicates.ts centredGroups), each scored against it.
   */
  async groups(threshold: number, watch: SearchWatch = {}): Promise<{ id: number; score: number }[][]> {
    const listed = this.listed();
    const photos = fingerprint(listed);
    const rule = this.ruleAt(threshold);
    const file = savedSearchFile(this.catalog.paths.features, threshold);
    // The rule is the same for every search at this strictness in this process.
    const known = this.searches.get(threshold);
    if (known?.groups && known.search.photos === photos) return known.groups.map((g) => [...g]);
    // The pairs this library's photos gave last time (in this process, or kept on disk by an
    // earlier one). Photos added since propose theirs, and those removed take theirs away; after
    // many changes, or with none kept, every photo proposes again. A search kept is one over every
    // listed photo: one that left some out (no descriptor or no thumbnail yet) finds more next time.
    let search = known?.search ?? readSavedSearch(file, rule);
    let whole = true;
    if (search?.photos !== photos) {
      const changes = search ? changesSince(search, listed) : null;
      const changed = changes ? search!.changed + changes.added.length + changes.removed.size : Infinity;
      const few = search !== null && changed <= Math.max(MIN_CHANGED, MOST_CHANGED * search.ids.length);
      const found = await this.findPairs(listed, threshold, watch, few ? new Set(changes!.added.map((p) => p.id)) : undefined);
      const about = { rule, fingerprint: photos, photos: listed };
      search = few ? savedPairs(found.pairs, { ...about, changed }, search!, changes!.removed) : savedPairs(found.pairs, about);
      whole = found.whole;
      // Kept before the pixels are compared (hours at 77,000 photos): a search cancelled or
      // killed there starts again from these pairs and the verdicts stored meanwhile.
      if (whole) await keep(file, search);
    }
    const hashOf = new Map(listed.map((i) => [i.id, i.hash]));
    const unjudged: number[] = [];
    for (let k = 0; k < search.verdict.length; k++) if (search.verdict[k] === UNJUDGED) unjudged.push(k);
    watch.signal?.throwIfAborted();
    if (unjudged.length > 0) {
      const pairs = await readInSlices(unjudged, PAIR_SLICE, (slice) => slice.map((k) => pairAt(search, k)), () => pause(watch));
      const { verdicts, unreadable } = await this.check.confirm(pairs, (id) => {
        const hash = hashOf.get(id);
        // A damaged or missing thumbnail is made again from the original, if it still holds these
        // bytes: looked up only then (a look-up for each of 77,000 photos held the thread for seconds).
        const remake = () => {
          const original = this.catalog.getImage(id)?.paths[0];
          return hash && original ? regenerateThumbnail(this.catalog, hash, original) : Promise.resolve(null);
        };
        return hash ? { key: hash, input: this.catalog.thumbnailPath(hash), remake } : null;
      }, watch);
      verdicts.forEach((ok, j) => {
        if (ok !== undefined) search.verdict[unjudged[j]] = ok ? CONFIRMED : APART;
      });
      watch.signal?.throwIfAborted();
      // Said, not hidden: these pairs are checked again next time, when their images may be readable.
      if (unreadable > 0) console.warn(`duplicates: ${unreadable} proposed pair${unreadable === 1 ? '' : 's'} not checked: a photo's thumbnail and file could not be read`);
      if (whole) await keep(file, search);
    }
    const confirmed: DuplicatePair[] = [];
    for (let k = 0; k < search.verdict.length; k++) if (search.verdict[k] === CONFIRMED) confirmed.push(pairAt(search, k));
    // The centre, shown first as the reference, is the largest of equally good ones: the copy to keep.
    const pixels = (id: number) => {
      const image = this.catalog.getImage(id);
      return image ? image.width * image.height : 0;
    };
    const grouped = centredGroups(confirmed, undefined, pixels);
    const ids = grouped.flat();
    const vectors = this.store.get(ids.map((id) => hashOf.get(id) ?? ''));
    const descriptor = new Map(ids.map((id, k) => [id, vectors[k]]));
    const groups = grouped.map((group) => {
      const first = descriptor.get(group[0]);
      return group.map((id) => {
        const other = descriptor.get(id);
        return { id, score: id === group[0] ? 1 : first && other ? cosineScore(dot(first, other)) : 0 };
      });
    });
    // A pair left unjudged (an unreadable image) may be judged next time: then the groups are not kept.
    const judged = search.verdict.every((v) => v !== UNJUDGED);
    if (whole) this.searches.set(threshold, { search, groups: judged ? groups : null });
    else this.searches.delete(threshold);
    return groups.map((g) => [...g]);
  }

  /**
   * The pairs proposed among the library's photos at `threshold`: by descriptor (each photo's
   * nearest) and by thumbnail layout; only by the photos in `from` when it is given (the others'
   * pairs are known). `whole` when every listed photo took part (had its descriptor and its
   * thumbnail).
   */
  private async findPairs(listed: readonly Listed[], threshold: number, watch: SearchWatch, from?: ReadonlySet<number>): Promise<{ pairs: DuplicatePair[]; whole: boolean }> {
    // Every step over the whole library goes in slices with a pause between them, so the engine
    // answers other calls and a cancel lands (at 77,000 photos these steps took minutes).
    const index = await this.current(watch);
    const searched = listed.filter((i) => index.has(i.id));
    // Descriptors read from the index as they are needed: a map of them all held another copy
    // (~355 MB at 77,000 photos) through the search.
    const descriptorOf = { get: (id: number) => index.vector(id) };
    // The grid thumbnail (no catalog query). Never the file itself: layouts and verdicts are
    // cached by hash, and a thumbnail is made only from bytes with that hash (a missing one is
    // made again by the pixel check, or the photo waits for the next scan's repair).
    let noThumbnail = 0;
    const inputOf = (hash: string) => {
      const thumb = this.catalog.thumbnailPath(hash);
      if (existsSync(thumb)) return thumb;
      noThumbnail++;
      return null;
    };
    const proposers = searched.filter((i) => !from || from.has(i.id)).map((i) => i.id);
    const byDescriptor = await candidatePairs(index, proposers, threshold, watch);
    const byLayout = await this.layouts.pairs(
      searched.map(({ id, hash }) => ({ id, hash, input: () => inputOf(hash) })),
      descriptorOf,
      threshold,
      byDescriptor,
      watch,
      from,
    );
    watch.signal?.throwIfAborted();
    return { pairs: [...byDescriptor, ...byLayout], whole: noThumbnail === 0 && searched.length === listed.length };
  }

  /** What a kept search was made by: its pairs and verdicts hold only for the same. */
  private ruleAt(threshold: number): string {
    return JSON.stringify({ threshold, neighbours: MAX_DUPLICATE_NEIGHBOURS, layouts: [LAYOUT_NEIGHBOURS, LAYOUT_FEATURE_ID], descriptor: this.store.featureId, check: PIXEL_CHECK_ID });
  }

  /** The copy check (copy-check.ts) over the whole library; null when it finds no clear copy. */
  async findCopy(query: ImageInput, lookAlikes: { id: number }[], exclude: number | null): Promise<FoundCopy | null> {
    const index = await this.current();
    if (index.size === 0) return null;
    const views = await (this.copyViews ??= CopyViews.create());
    return findCopy(views, query, lookAlikes, {
      nearestByDescriptor: (v, k) => index.search(v, k, { exclude: exclude ?? undefined }),
      fileOf: (id) => this.catalog.getImage(id)?.paths[0] ?? null,
    }, exclude ?? undefined);
  }

  async close(): Promise<void> {
    this.verdicts.close();
    this.layouts.close();
    const views = this.copyViews;
    this.copyViews = null;
    if (views) (await views).dispose();
  }

  /**
   * The index with exactly the listed photos whose descriptor is cached: photos that left the
   * library are removed, and only new ones are read from the store (a query must not read
   * every descriptor of a large library).
   */
  private current(watch: SearchWatch = {}): Promise<LiveIndex> {
    // One update at a time: a copy check during a duplicates search waits for the same one.
    this.updating ??= this.update(watch).finally(() => (this.updating = null));
    return this.updating;
  }

  private async update(watch: SearchWatch): Promise<LiveIndex> {
    const listed = this.listed();
    const index = (this.index ??= createIndex(NEAR_DUPLICATE_DIM, listed.length));
    const live = new Set(listed.map((i) => i.id));
    for (const id of index.ids()) if (!live.has(id)) index.remove(id);
    const fresh = listed.filter((i) => !index.has(i.id));
    for (let start = 0; start < fresh.length; start += SLICE) {
      const slice = fresh.slice(start, start + SLICE);
      const cached = this.store.get(slice.map((i) => i.hash));
      const add = slice.flatMap((img, k) => (cached[k] ? [{ id: img.id, vector: cached[k] }] : []));
      // A projected index fits and rebuilds itself as it grows (seconds at 8,192 descriptors): in steps.
      if (add.length) await index.addInSteps(add.map((a) => a.id), add.map((a) => a.vector), nextTurn);
      watch.progress?.('reading descriptors', Math.min(fresh.length, start + SLICE), fresh.length);
      // No cancel here: what is read is kept for the next search or copy check.
      await nextTurn();
    }
    return index;
  }
}

/** duplicatePairs for the photos `ids` (each proposing its nearest), a few photos at a time with a pause when due; the same pairs. */
async function candidatePairs(index: LiveIndex, ids: readonly number[], threshold: number, watch: SearchWatch): Promise<DuplicatePair[]> {
  const sorted = [...ids].sort((a, b) => a - b);
  const best = new BestPairs();
  const pacer = new Pacer(watch);
  for (let start = 0; start < sorted.length; start += FEW) {
    const entries = sorted.slice(start, start + FEW).flatMap((id) => {
      const vector = index.vector(id);
      return vector ? [[id, vector] as const] : [];
    });
    for (const pair of duplicatePairs(index, entries, threshold)) best.keep(pair.a, pair.b, pair.score);
    const done = Math.min(sorted.length, start + FEW);
    if (done < sorted.length && !pacer.due) continue;
    watch.progress?.('finding candidates', done, sorted.length);
    await pacer.pause();
  }
  // Not sorted: the groups do not depend on the pairs' order, and sorting 1.9 M pairs held the thread for a second.
  return best.all();
}

/**
 * Most photos added or removed since the last search over every photo, as a share of those it
 * searched (at least MIN_CHANGED), for the next search to keep the other photos' pairs and search
 * only the photos added. A photo added proposes its own nearest, as in a whole search; a pair an
 * older photo would propose with it (the new photo among the older one's nearest, but not the
 * other way round), or would propose instead of a photo removed, waits for the next whole search.
 */
const MOST_CHANGED = 0.1;
const MIN_CHANGED = 50;

/**
 * Keeps a search on disk for the next process; a library that cannot be written or a full disk
 * only loses that: the search still answers.
 */
async function keep(file: string, search: SavedSearch): Promise<void> {
  try {
    await writeSavedSearch(file, search);
  } catch (err) {
    console.warn(`duplicates: the search could not be kept for next time (${(err as Error).message})`);
  }
}

/** Photos searched between two looks at the clock (each search ~1 ms at 77,000 photos). */
const FEW = 16;

/** Which photos the library holds, with which content: a search's groups hold while this stays the same. */
function fingerprint(listed: readonly Listed[]): string {
  const hash = createHash('sha256');
  for (const { id, hash: content } of listed) hash.update(`${id}:${content}\n`);
  return hash.digest('hex');
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
