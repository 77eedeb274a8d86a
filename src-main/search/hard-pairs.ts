// Pairs worth asking the user about: where the current embedding probably disagrees with what
// the user means by "alike". Their answers become marked pairs for the next training run.
import { connectedComponents, dot } from '../common/vectors.js';
import { createIndex } from './live-index.js';
import type { VectorIndex } from './vector-index.js';
import { hardPairReasons, type HardPairReason, type PairVerdict } from '../../src-shared/vocabulary.js';

// The reasons, in src-shared/vocabulary.ts:
// - close-but-different-labels: both labelled, labels differ, yet the embedding puts them among
//   each other's neighbours;
// - same-label-far-apart: same label, but neither has any same-label image among its nearest
//   neighbours;
// - uncertain-near-marks: a neighbour of a photo the user marked, whose similarity sits where
//   the marks themselves are least clear between "alike" and "not alike" (needs no labels);
// - unlabelled-close-neighbour: an unlabelled image close to a labelled one: confirming or
//   rejecting it teaches the most.
export type { HardPairReason };

export interface HardPair {
  /** The smaller id. */
  a: number;
  b: number;
  reason: HardPairReason;
  /**
   * How strongly the pair suggests an error, comparable within a reason only:
   * close-but-different-labels and unlabelled-close-neighbour: their cosine similarity;
   * same-label-far-apart: how far below the anchor's k-th neighbour the pair's similarity falls.
   */
  score: number;
  /** Cosine similarity of the pair's embeddings. */
  similarity: number;
}

export interface HardPairOptions {
  /** An index already holding `embeddings`; built here when absent. */
  index?: VectorIndex;
  /** Neighbours looked at per image. */
  neighbours?: number;
  /** Most pairs returned per reason. */
  limitPerReason?: number;
  /**
   * Most photos whose neighbours are looked up (default 4,000): every marked photo, then an even
   * spread of the others by id. A queue of 30 needs no more, and each lookup costs about a
   * millisecond: at 77,000 photos, looking up all of them took 95 s.
   */
  maxAnchors?: number;
}

/**
 * Embeddings by photo id: a Map, or `embeddingsIn(index)`, which reads from the index only the
 * vectors the proposals need.
 */
export interface Embeddings {
  keys(): Iterable<number>;
  has(id: number): boolean;
  get(id: number): Float32Array | undefined;
}

/**
 * The vectors an index holds, read on first use and kept for the call: at 77,000 photos reading
 * every embedding from the feature store took most of a hard-pairs call, though the proposals
 * need the anchors', the marked photos' and the labelled ones' only.
 */
export function embeddingsIn(index: VectorIndex): Embeddings {
  const read = new Map<number, Float32Array>();
  return {
    keys: () => index.ids(),
    has: (id) => index.has(id),
    get: (id) => {
      let vector = read.get(id);
      if (vector === undefined) {
        vector = index.vector(id);
        if (vector !== undefined) read.set(id, vector);
      }
      return vector;
    },
  };
}

/** A pair the user judged. */
export interface JudgedPair {
  a: number;
  b: number;
  verdict?: PairVerdict;
}

/** Most members of one label compared pairwise; larger labels use their first ids. */
const MAX_LABEL_MEMBERS = 2000;

const REASON_ORDER = hardPairReasons;

const pairKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * Proposes pairs for the user to judge, grouped by reason (most likely errors first) and best
 * first within a reason; never a pair already in `marked`, never the same pair twice.
 * Embeddings are expected L2-normalised (as the embedding pipeline produces them).
 */
export function proposeHardPairs(
  embeddings: Embeddings,
  labels: ReadonlyMap<number, string>,
  marked: Iterable<JudgedPair>,
  options: HardPairOptions = {},
): HardPair[] {
  const judged = [...marked];
  const k = Math.max(1, options.neighbours ?? 10);
  const limit = Math.max(0, options.limitPerReason ?? 20);
  const ids = [...embeddings.keys()].sort((x, y) => x - y);
  if (ids.length < 2) return [];
  const index = options.index ?? buildIndex(embeddings, ids);

  const anchors = spreadAnchors(ids, judged, embeddings, options.maxAnchors ?? 4000);
  const neighbours = new Map<number, { id: number; score: number }[]>();
  for (const id of anchors) neighbours.set(id, index.search(embeddings.get(id) as Float32Array, k, { exclude: id }));

  const taken = new Set<string>();
  for (const pair of judged) taken.add(pairKey(pair.a, pair.b));
  const candidates = new Map<HardPairReason, Map<string, HardPair>>(REASON_ORDER.map((r) => [r, new Map()]));
  const propose = (reason: HardPairReason, x: number, y: number, score: number, similarity: number): void => {
    const key = pairKey(x, y);
    if (x === y || taken.has(key)) return;
    const byKey = candidates.get(reason) as Map<string, HardPair>;
    const known = byKey.get(key);
    if (!known || score > known.score) byKey.set(key, { a: Math.min(x, y), b: Math.max(x, y), reason, score, similarity });
  };

  // Close pairs whose labels disagree, and each unlabelled image's closest labelled neighbour.
  const closestLabelled = new Map<number, { id: number; score: number }>();
  for (const id of anchors) {
    const label = labels.get(id);
    if (label === undefined) continue;
    for (const hit of neighbours.get(id) ?? []) {
      const other = labels.get(hit.id);
      if (other !== undefined && other !== label) propose('close-but-different-labels', id, hit.id, hit.score, hit.score);
      if (other === undefined && embeddings.has(hit.id)) {
        const best = closestLabelled.get(hit.id);
        if (!best || hit.score > best.score || (hit.score === best.score && id < best.id)) closestLabelled.set(hit.id, { id, score: hit.score });
      }
    }
  }
  for (const [unlabelled, { id, score }] of closestLabelled) propose('unlabelled-close-neighbour', id, unlabelled, score, score);

  for (const p of uncertainNearMarks(judged, embeddings, neighbours)) propose('uncertain-near-marks', p.a, p.b, p.score, p.similarity);

  // Images whose own label is nowhere among their neighbours: pair each with its nearest
  // same-label image, scored by how far that one falls below the k-th neighbour.
  for (const members of membersByLabel(labels, embeddings).values()) {
    if (members.length < 2) continue;
    for (const id of members) {
      const hits = neighbours.get(id);
      if (!hits || hits.length < k || hits.some((h) => labels.get(h.id) === labels.get(id))) continue;
      const v = embeddings.get(id) as Float32Array;
      let nearest = -1;
      let nearestScore = -Infinity;
      for (const peer of members) {
        if (peer === id) continue;
        const s = dot(v, embeddings.get(peer) as Float32Array);
        if (s > nearestScore) [nearest, nearestScore] = [peer, s];
      }
      const kth = hits[hits.length - 1].score;
      propose('same-label-far-apart', id, nearest, kth - nearestScore, nearestScore);
    }
  }

  const result: HardPair[] = [];
  for (const reason of REASON_ORDER) {
    const ranked = [...(candidates.get(reason) as Map<string, HardPair>).values()]
      .filter((p) => !taken.has(pairKey(p.a, p.b)))
      .sort((p, q) => q.score - p.score || p.a - q.a || p.b - q.b)
      .slice(0, limit);
    for (const pair of ranked) taken.add(pairKey(pair.a, pair.b));
    result.push(...ranked);
  }
  return result;
}

/**
 * The photos whose neighbours are looked up: all of them up to `max`; past that every marked
 * photo and an even spread of the rest by id (the same spread on every call while the library
 * holds the same photos).
 */
function spreadAnchors(ids: readonly number[], judged: readonly JudgedPair[], embeddings: Embeddings, max: number): number[] {
  if (ids.length <= max) return [...ids];
  const marked = new Set(judged.flatMap((p) => [p.a, p.b]).filter((id) => embeddings.has(id)));
  const rest = ids.filter((id) => !marked.has(id));
  const room = Math.max(0, max - marked.size);
  const step = rest.length / Math.max(1, room);
  const picked = Array.from({ length: Math.min(room, rest.length) }, (_, i) => rest[Math.floor(i * step)]);
  return [...marked, ...picked].sort((x, y) => x - y);
}

/** Most proposals around one marked photo, so a few photos do not take the whole queue. */
const PER_MARKED_PHOTO = 2;

/**
 * Neighbours of marked photos whose similarity is nearest the boundary the marks draw: the
 * midpoint between the mean similarity of "alike" marks and that of "not alike" marks. The
 * model is least sure there, so an answer moves it most. A neighbour already joined to the
 * photo through "alike" marks is left out (its answer is known).
 */
function uncertainNearMarks(
  judged: readonly JudgedPair[],
  embeddings: Embeddings,
  neighbours: ReadonlyMap<number, { id: number; score: number }[]>,
): { a: number; b: number; score: number; similarity: number }[] {
  const sims = (verdict: PairVerdict) =>
    judged.filter((p) => p.verdict === verdict && embeddings.has(p.a) && embeddings.has(p.b)).map((p) => dot(embeddings.get(p.a)!, embeddings.get(p.b)!));
  const alike = sims('match');
  const notAlike = sims('mismatch');
  if (alike.length === 0 || notAlike.length === 0) return [];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const boundary = (mean(alike) + mean(notAlike)) / 2;
  const group = alikeComponents(judged);
  const out: { a: number; b: number; score: number; similarity: number }[] = [];
  const seeds = [...new Set(judged.flatMap((p) => [p.a, p.b]))].sort((x, y) => x - y);
  for (const id of seeds) {
    const near = (neighbours.get(id) ?? [])
      .filter((h) => group.get(h.id) === undefined || group.get(h.id) !== group.get(id))
      .map((h) => ({ a: id, b: h.id, score: -Math.abs(h.score - boundary), similarity: h.score }))
      .sort((x, y) => y.score - x.score)
      .slice(0, PER_MARKED_PHOTO);
    out.push(...near);
  }
  return out;
}

/** Photos joined by "alike" marks: a component id per photo id. */
function alikeComponents(judged: readonly JudgedPair[]): Map<number, number> {
  const ids = [...new Set(judged.flatMap((p) => [p.a, p.b]))];
  const row = new Map(ids.map((id, i) => [id, i]));
  const edges = judged.flatMap((p) => (p.verdict === 'match' ? [[row.get(p.a)!, row.get(p.b)!] as const] : []));
  const component = connectedComponents(ids.length, edges);
  return new Map(ids.flatMap((id, i) => (component[i] >= 0 ? [[id, component[i]] as const] : [])));
}

function buildIndex(embeddings: Embeddings, ids: number[]): VectorIndex {
  const dim = (embeddings.get(ids[0]) as Float32Array).length;
  const index = createIndex(dim, ids.length);
  index.add(ids, ids.map((id) => embeddings.get(id) as Float32Array));
  return index;
}

/** Embedded ids per label, ascending, capped so pairwise comparison stays bounded. */
function membersByLabel(labels: ReadonlyMap<number, string>, embeddings: Embeddings): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const [id, label] of [...labels].sort((x, y) => x[0] - y[0])) {
    if (!embeddings.has(id)) continue;
    const group = groups.get(label) ?? [];
    if (group.length < MAX_LABEL_MEMBERS) group.push(id);
    groups.set(label, group);
  }
  return groups;
}
