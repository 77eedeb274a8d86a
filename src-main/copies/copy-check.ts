// similar()'s copy check: is one library photo clearly an edited copy of the query? Then it
// belongs first, whatever the embedding says (a heavily re-encoded, greyed, resized or turned
// copy can rank below look-alikes there). The few plausible photos (the near-duplicate
// descriptor's best matches, the query also tried turned a quarter either way, and the
// embedding's best look-alikes) are compared part by part (model/copy-views.ts), and one counts
// as the copy only when it leads all the others by COPY_LEAD: a query that is a copy of nothing
// has no such leader, so its ranking is left alone.
//
// bench/similar-near-duplicates.ts measured the figures (recall@1 of edited copies; how often
// ordinary queries, copies of nothing, get another top hit).
import type { CopyViews } from './copy-views.js';
import type { ImageInput } from '../model/preprocess.js';

/** Best near-duplicate matches taken as candidates (by the best of the query's three turns). */
export const COPY_CANDIDATES_BY_DESCRIPTOR = 3;
/** Best look-alikes by the embedding taken as candidates too (each candidate costs a pass). */
export const COPY_CANDIDATES_BY_EMBEDDING = 1;
/**
 * How far the copy's score must lead every other candidate's. Edited copies of 62 wallpapers
 * lead by about 0.08 (median); queries that are copies of nothing (wallpapers, generated kinds,
 * Fashion-MNIST) lead by less than 0.02 in 9 cases of 10: the second best is about as alike.
 * 0.02 fired on 9 of 355 such queries, 0.025 on 2, 0.03 on 1, while recall@1 of copies went
 * 0.968, 0.963, 0.955 (offline study of bench/similar-near-duplicates.ts's images).
 */
export const COPY_LEAD = 0.025;
/** The least score a copy has (edited copies score 0.85 to 1). */
export const COPY_FLOOR = 0.8;

export interface CopySources {
  /** Library images nearest a near-duplicate descriptor, best first, with cosines. */
  nearestByDescriptor(vector: Float32Array, k: number): { id: number; score: number }[];
  /** The file of a library image (null when it has none). */
  fileOf(id: number): string | null;
}

export interface FoundCopy {
  id: number;
  /** Its copy score, in [-1, 1]. */
  score: number;
}

/**
 * The library image that is clearly a copy of `query`, or null. `lookAlikes` are the
 * embedding's hits, best first; `exclude` is the query's own id when it is in the library.
 */
export async function findCopy(
  views: CopyViews,
  query: ImageInput,
  lookAlikes: readonly { id: number }[],
  sources: CopySources,
  exclude?: number,
): Promise<FoundCopy | null> {
  const q = await views.query(query);
  if (!q) return null;
  // Each turn's top k holds every image of the top k by the best turn, with its best score.
  const best = new Map<number, number>();
  for (const v of q.nearDuplicate) {
    for (const h of sources.nearestByDescriptor(v, COPY_CANDIDATES_BY_DESCRIPTOR + 1)) {
      if (h.id !== exclude) best.set(h.id, Math.max(best.get(h.id) ?? -Infinity, h.score));
    }
  }
  const byDescriptor = [...best].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, COPY_CANDIDATES_BY_DESCRIPTOR).map(([id]) => id);
  const byEmbedding = lookAlikes.filter((h) => h.id !== exclude).slice(0, COPY_CANDIDATES_BY_EMBEDDING).map((h) => h.id);
  const candidates = [...new Set([...byDescriptor, ...byEmbedding])].flatMap((id) => {
    const file = sources.fileOf(id);
    return file ? [{ id, file }] : [];
  });
  if (candidates.length === 0) return null;
  const scores = await views.copyScores(q, candidates.map((c) => c.file));
  return pickCopy(candidates.flatMap((c, i) => (scores[i] === null ? [] : [{ id: c.id, score: scores[i]! }])));
}

/** The candidate that leads all others by COPY_LEAD and reaches COPY_FLOOR, if any. */
export function pickCopy(scored: readonly FoundCopy[]): FoundCopy | null {
  if (scored.length === 0) return null;
  const sorted = [...scored].sort((a, b) => b.score - a.score || a.id - b.id);
  const [first, second] = sorted;
  const lead = first.score - (second?.score ?? -Infinity);
  return first.score >= COPY_FLOOR && lead >= COPY_LEAD ? first : null;
}
