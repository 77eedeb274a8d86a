// "Find similar" and "duplicates": queries over the vector library. Look-alikes come from the
// active embedding; copies (the duplicates view, and the copy check for photos from outside)
// from the near-duplicate descriptor, kept apart from the embedding: training may pull merely
// alike photos together, which must not make them duplicates or copies.
import {
  ContractError,
  DEFAULT_DUPLICATE_THRESHOLD,
  type Hit,
  type PairVerdict,
  type ParsedRequest,
  type SimilarResult,
} from '../../src-shared/contract.js';
import { MAX_QUERY_IMAGE_BYTES, readRegularFile } from '../ingest/regular-file.js';
import type { Catalog } from '../library/catalog.js';
import type { ImageInput } from '../model/preprocess.js';
import { findExactCopy, NearDuplicates, type FoundCopy, type SearchWatch } from '../copies/index.js';
import type { VectorLibrary } from './vector-library.js';

/** How far a refined query moves towards the mean of the "alike" photos, and away from the "not alike" ones. */
export const REFINE_TOWARDS = 1;
export const REFINE_AWAY = 0.5;

/**
 * All the queries read of the vector library: the catalog, the photos listed, their features,
 * the active model and its index, the CNN pass (for photos from outside) and the descriptors.
 */
export type QuerySource = Pick<VectorLibrary, 'catalog' | 'listed' | 'withFeatures' | 'active' | 'index' | 'pass' | 'nearDupStore'>;

export class SimilarQueries {
  private readonly nearDuplicates: NearDuplicates;
  private readonly catalog: Catalog;

  constructor(private readonly library: QuerySource) {
    this.catalog = library.catalog;
    this.nearDuplicates = new NearDuplicates(library.catalog, library.nearDupStore, () => library.listed());
  }

  /**
   * Look-alikes ranked by the active embedding, with one correction: a photo the copy check
   * (copy-check.ts) finds to be clearly an edited copy of the query (re-encoded, cropped, turned,
   * made grey, ...) comes first, even where the embedding ranks look-alikes above it. Otherwise
   * the embedding's ranking stands. (Raising every hit whose near-duplicate descriptor passed
   * the duplicate threshold, as before, changed the top hit of most Fashion-MNIST queries that
   * were copies of nothing: bench/similar-near-duplicates.ts.) The check decodes the query and
   * its candidates again (~0.3 s), so it runs for photos from outside the library — "do I have
   * this already?" — and not on a click in the grid, whose copies the duplicates view shows.
   * `copyCheck: 'all'` runs it for library photos too (bench/ordinary-queries.ts measures with
   * it what the check does to queries that are copies of nothing).
   */
  async similar(req: ParsedRequest<'similar'>, copyCheck: 'outside' | 'all' = 'outside'): Promise<SimilarResult> {
    let queryId: number | null = null;
    let name: string;
    let query: { embedding: Float32Array };
    // What the copy check decodes: the query's file or bytes (outside queries only).
    let pixels: ImageInput | null = null;
    let refined: { embedding: Float32Array; alike: number; notAlike: number } | null = null;
    if (req.id !== undefined || req.path !== undefined) {
      const image = req.id !== undefined ? this.catalog.getImage(req.id) : this.catalog.imageByPath(req.path!);
      if (req.id !== undefined && (!image || image.paths.length === 0)) {
        throw new ContractError(`no image #${req.id} in the library`, 'not-found');
      }
      if (image && image.paths.length > 0) {
        queryId = image.id;
        name = image.paths[0];
        const [feature] = this.library.active.features.get([image.contentHash]);
        if (!feature) {
          throw new ContractError(`image #${image.id} is not embedded yet: wait for indexing to finish`, 'conflict');
        }
        query = { embedding: this.library.active.head.embed([feature])[0] };
        if (copyCheck === 'all') pixels = image.paths[0];
        if (req.refine) {
          refined = this.refineWithMarks(image.id, query.embedding);
          query = { embedding: refined.embedding };
        }
      } else {
        name = req.path!;
        // Read once, checked and bounded (a FIFO or a device must not hang the engine).
        pixels = await readRegularFile(req.path!, { maxBytes: MAX_QUERY_IMAGE_BYTES, what: 'image' });
        query = await this.embedOutside(pixels);
      }
    } else {
      const upload = req.upload!;
      name = upload.name;
      pixels = Buffer.from(upload.dataBase64, 'base64');
      query = await this.embedOutside(pixels);
    }
    if (this.library.index.size === 0 && this.library.listed().length > 0) {
      throw new ContractError("no photo is indexed yet: the library's photos wait for indexing (run `lookalike import` on their folders, or wait for it to finish)", 'conflict');
    }
    const pool = this.library.index.search(query.embedding, req.k, {
      minScore: req.minScore,
      maxScore: req.maxScore,
      exclude: queryId ?? undefined,
    });
    // An exact copy (same bytes, same pixels) is the copy whatever the model ranks; the copy
    // check looks for edited ones.
    const exact = queryId === null && Buffer.isBuffer(pixels) ? await findExactCopy(this.catalog, pixels, pool) : null;
    const copy = exact
      ? { id: exact.id, score: 1 }
      : pixels === null
        ? null
        : await this.nearDuplicates.findCopy(pixels, pool, queryId);
    const hits = this.promoteCopy(pool, copy)
      .filter((h) => (req.minScore === undefined || h.score >= req.minScore) && (req.maxScore === undefined || h.score <= req.maxScore))
      .slice(0, req.k);
    // Say which hit is the same picture: "you already have this" for an outside photo.
    const verdicts = queryId === null ? new Map<number, PairVerdict>() : this.verdictsOf(queryId);
    const marked = this.toHits(hits, true).map((h) => {
      const verdict = verdicts.get(h.id);
      const isCopy = copy !== null && h.id === copy.id;
      return { ...h, ...(isCopy ? { copy: true } : {}), ...(isCopy && exact ? { exact: exact.same } : {}), ...(verdict ? { verdict } : {}) };
    });
    return { query: { id: queryId, name }, hits: marked, ...(refined ? { refined: { alike: refined.alike, notAlike: refined.notAlike } } : {}) };
  }

  /** The user's verdicts on pairs with this photo, by the other photo's id. */
  private verdictsOf(id: number): Map<number, PairVerdict> {
    return new Map(this.catalog.pairsOf(id).map((p) => [p.a === id ? p.b : p.a, p.verdict] as const));
  }

  /**
   * The query moved by the user's marks on it (Rocchio's query expansion): towards the mean of
   * the photos marked alike, away from the mean of those marked not alike. Measured with
   * bench/marks.ts: see REFINE_TOWARDS / REFINE_AWAY.
   */
  private refineWithMarks(id: number, query: Float32Array): { embedding: Float32Array; alike: number; notAlike: number } {
    const verdicts = [...this.verdictsOf(id)];
    const mean = (verdict: PairVerdict) => {
      const ids = verdicts.filter(([, v]) => v === verdict).map(([other]) => other);
      const images = ids.flatMap((other) => {
        const img = this.catalog.getImage(other);
        return img ? [{ id: other, hash: img.contentHash }] : [];
      });
      const { features } = this.library.withFeatures(images, this.library.active.features);
      const vectors = features.length ? this.library.active.head.embed(features) : [];
      const out = new Float32Array(query.length);
      for (const v of vectors) {
        const n = Math.hypot(...v) || 1;
        for (let i = 0; i < v.length; i++) out[i] += v[i] / n / vectors.length;
      }
      return { vector: out, count: vectors.length };
    };
    const towards = mean('match');
    const away = mean('mismatch');
    const q = query.map((x, i) => x + REFINE_TOWARDS * towards.vector[i] - REFINE_AWAY * away.vector[i]);
    const norm = Math.hypot(...q) || 1;
    return { embedding: q.map((x) => x / norm), alike: towards.count, notAlike: away.count };
  }

  /** The copy check's find first, the rest in the embedding's order. */
  private promoteCopy(hits: { id: number; score: number }[], found: FoundCopy | null) {
    if (!found) return hits;
    // It may not be among the look-alikes at all (found by its descriptor): it scores at least
    // its copy score and the best look-alike's, so scores stay in rank order.
    const own = hits.find((h) => h.id === found.id)?.score ?? -1;
    // Scores stay cosines: never above 1, which a "max score 1" filter would drop.
    const first = { id: found.id, score: Math.min(1, Math.max(own, found.score, hits[0]?.score ?? -1)) };
    return [first, ...hits.filter((h) => h.id !== found.id)];
  }

  /**
   * Exact copies first: each photo whose bytes are at several paths, as a group of its paths
   * (import merges byte-identical files into one photo, so no pair of photos shows them). Then
   * groups of near-identical photos, found with the near-duplicate descriptor (not the
   * embedding: training may pull merely alike photos together, which must not make them
   * duplicates).
   */
  async duplicates(threshold = DEFAULT_DUPLICATE_THRESHOLD, watch: SearchWatch = {}): Promise<{ kind?: 'same-file'; images: Hit[] }[]> {
    const sameFile = this.catalog.imagesAtSeveralPaths().map(({ id, paths }) => ({
      kind: 'same-file' as const,
      images: paths.map((path) => ({ id, path, score: 1 })),
    }));
    const near = (await this.nearDuplicates.groups(threshold, watch)).map((group) => ({ images: this.toHits(group) }));
    return [...sameFile, ...near];
  }

  /** A photo from outside the library: embedded for the query only, never added. */
  private async embedOutside(input: string | Buffer): Promise<{ embedding: Float32Array }> {
    const feature = await this.library.pass.outside(input, this.library.active);
    return { embedding: this.library.active.head.embed([feature])[0] };
  }

  /** The hits still in the library, with their paths (and labels), read in one batch. */
  private toHits(hits: { id: number; score: number }[], withLabels = false): Hit[] {
    const facts = this.catalog.hitFacts(hits.map((h) => h.id), withLabels);
    return hits.flatMap((h) => {
      const f = facts.get(h.id);
      return f ? [{ id: h.id, path: f.path, score: h.score, ...(withLabels ? { labels: f.labels } : {}) }] : [];
    });
  }

  async close(): Promise<void> {
    await this.nearDuplicates.close();
  }
}
