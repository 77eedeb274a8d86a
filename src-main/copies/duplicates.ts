// "Find duplicates": groups of near-identical images (exact copies, re-encodes, resizes, small
// crops). A separate mode from "find similar", with its own, much stricter threshold.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { VectorIndex } from '../search/index.js';

export interface DuplicateSearchOptions {
  /** Neighbours asked per image at first; doubled while all of them pass the threshold. */
  neighbours?: number;
  /**
   * Most neighbours asked per image (default MAX_DUPLICATE_NEIGHBOURS): in a library of simple
   * images nearly every pair passes a descriptor threshold, and every pair found is checked
   * further, so the pairs must stay linear in the library's size.
   */
  maxNeighbours?: number;
  /** Called after each image is queried, e.g. to report job progress. */
  onProgress?: (done: number, total: number) => void;
}

/** What a caller of groups() may watch and stop: the duplicates job's progress and cancel. */
export interface SearchWatch {
  /** Aborting stops the search at its next photo or batch of pairs; what it decided so far is kept whole. */
  signal?: AbortSignal;
  /** Called as the search moves: `done` of `total` photos read or pairs compared in `phase`. */
  progress?: (phase: DuplicatesPhase, done: number, total: number) => void;
}

export type DuplicatesPhase = 'reading descriptors' | 'finding candidates' | 'reading layouts' | 'comparing layouts' | 'comparing pixels';

/** Photos handled between two pauses of a step over the whole library. */
export const SLICE = 500;

/** Pairs handled between two pauses (looked up, listed, or made from kept arrays): a few tens of milliseconds. */
export const PAIR_SLICE = 50_000;

/**
 * Lets the engine's other work run, then stops if the search was cancelled: every step over the
 * whole library pauses after each SLICE photos (at 77,000 photos one step took minutes).
 */
export async function pause(watch: SearchWatch): Promise<void> {
  await nextTurn();
  watch.signal?.throwIfAborted();
}

/**
 * `read` over `items`, `size` at a time, its results in order, with `pause` awaited after each
 * slice: a store's rows for a whole library, read without holding the thread for seconds.
 */
export async function readInSlices<T, R>(items: readonly T[], size: number, read: (slice: T[]) => readonly R[], pause: () => Promise<unknown>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    for (const r of read(items.slice(start, start + size))) out.push(r);
    await pause();
  }
  return out;
}

/**
 * Most milliseconds a step over the whole library runs between two pauses: what another call to
 * the engine waits at worst. Steps of SLICE photos held the thread 0.5-0.9 s a slice for the
 * searches by descriptor and by layout at 7,700 photos (bench/scale.ts prints the longest hold).
 */
export const STEP_MS = 40;

/** Paces a step over the whole library: `due` whenever STEP_MS have run since the last pause. */
export class Pacer {
  private since = performance.now();

  constructor(private readonly watch: SearchWatch) {}

  get due(): boolean {
    return performance.now() - this.since >= STEP_MS;
  }

  /** pause(), and the clock starts again. */
  async pause(): Promise<void> {
    await pause(this.watch);
    this.since = performance.now();
  }
}

/**
 * Nearest photos by descriptor each photo proposes (above 10 copies of one photo). Every pair
 * proposed has its pixels matched (~3 ms a pair), and in a library of simple images nearly every
 * neighbour passes the strictness: the pixel match is the search's cost. Copies of simple photos
 * that rank further down (crops, straightened copies, among dozens of look-alikes) are found by
 * layout (layout-proposals.ts) or not at all. Tuning mix (bench/duplicates-pixel-study.ts CAP=n):
 * 64 -> 24 proposes 46,017 -> 20,431 pairs, every two versions grouped 0.780 -> 0.770, copy with
 * original 0.869 -> 0.863, wrong pairs 8 both (16: 14,857 pairs, 0.758 and 0.856).
 */
export const MAX_DUPLICATE_NEIGHBOURS = 24;

/** Two images whose descriptors score at or above the threshold; a < b. */
export interface DuplicatePair {
  a: number;
  b: number;
  score: number;
}

/**
 * The pairs of images scoring at or above `threshold`: each image asks the index for its
 * neighbours at that score or more (doubling the number asked while all of them pass, up to
 * maxNeighbours).
 *
 * @returns each pair once (a < b), by score descending, ties by ids: deterministic.
 */
export function duplicatePairs(
  index: VectorIndex,
  vectors: Iterable<readonly [number, Float32Array]>,
  threshold: number,
  options: DuplicateSearchOptions = {},
): DuplicatePair[] {
  if (!(threshold > -1 && threshold <= 1)) {
    throw new RangeError(`duplicate threshold must be a cosine similarity in (-1, 1], got ${threshold}`);
  }
  const most = Math.max(1, options.maxNeighbours ?? MAX_DUPLICATE_NEIGHBOURS);
  const firstAsk = Math.min(most, Math.max(1, options.neighbours ?? 16));
  const entries = [...vectors].sort((a, b) => a[0] - b[0]);
  const pairs = new BestPairs();
  entries.forEach(([id, vector], done) => {
    for (let k = firstAsk; ; k = Math.min(2 * k, most)) {
      const hits = index.search(vector, k, { minScore: threshold, exclude: id });
      for (const hit of hits) pairs.keep(id, hit.id, hit.score);
      if (hits.length < k || k >= index.size || k >= most) break;
    }
    options.onProgress?.(done + 1, entries.length);
  });
  return pairs.sorted();
}

/**
 * Each pair once, with the best score it was seen with: an approximate index may score a pair a
 * little differently from each side, and a search in slices meets a pair from both. Kept by the
 * pair's first photo, then its second (1.9 M pairs at 77,000 photos: a string key each cost
 * seconds and ~150 MB).
 */
export class BestPairs {
  private readonly byFirst = new Map<number, Map<number, DuplicatePair>>();

  keep(x: number, y: number, score: number): void {
    const [a, b] = x < y ? [x, y] : [y, x];
    let second = this.byFirst.get(a);
    if (!second) this.byFirst.set(a, (second = new Map()));
    if ((second.get(b)?.score ?? -Infinity) < score) second.set(b, { a, b, score });
  }

  /** In the order first kept. */
  all(): DuplicatePair[] {
    const out: DuplicatePair[] = [];
    for (const second of this.byFirst.values()) for (const pair of second.values()) out.push(pair);
    return out;
  }

  /** By score descending, ties by ids: deterministic. */
  sorted(): DuplicatePair[] {
    return this.all().sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  }
}

/** A set of pairs of photos, either way round. */
export class PairSet {
  private readonly byFirst = new Map<number, Set<number>>();

  add(x: number, y: number): void {
    const [a, b] = x < y ? [x, y] : [y, x];
    let second = this.byFirst.get(a);
    if (!second) this.byFirst.set(a, (second = new Set()));
    second.add(b);
  }

  has(x: number, y: number): boolean {
    const [a, b] = x < y ? [x, y] : [y, x];
    return this.byFirst.get(a)?.has(b) ?? false;
  }
}

/**
 * The least share of a group's other members each member must be paired with (besides the
 * centre it joined through). Crops of one photo pair with the whole photo but not with each other,
 * so groups cannot ask every two members to pair; one photo paired with a few unrelated ones (a
 * grey copy of a red square lines up with every square) must not gather them either.
 * bench/duplicates-pixel-study.ts (COHERENCE=q), recall of copy pairs / pair precision: 0.4 →
 * 0.758 / 0.981 (grey copies of flat icons join icons of other colours), 0.5 → 0.742 / 0.9906.
 */
export const GROUP_COHERENCE = 0.5;

/**
 * Groups around a centre: a centre takes every ungrouped photo it is paired with; then, while
 * some member is paired with fewer than `coherence` of the others, the member paired with fewest
 * leaves (it may join a later group). Centres are taken in order of the group each would keep
 * from all photos (then `better`, then most pairs, then smallest id), while ungrouped photos
 * with pairs are left. Every member is paired with the centre,
 * so each member's score against the centre is one of its pairs' scores.
 *
 * Suited to pairs that are confirmed copies (pixels line up, duplicate-check.ts): a photo and
 * its crops, turns and captioned copies all pair with the photo, seldom with each other, and
 * complete linkage (every two members paired; bench/duplicates-pixel-study.ts LINKAGE=complete)
 * would split them into many small groups.
 *
 * @returns groups of two or more ids, each with its centre first and the rest ascending; largest
 *          group first, ties by centre. The same pairs always give the same groups.
 */
export function centredGroups(
  pairs: readonly DuplicatePair[],
  coherence = GROUP_COHERENCE,
  /** Among centres that would keep as many, the better first (e.g. more pixels: the copy to keep). */
  better: (id: number) => number = () => 0,
): number[][] {
  const linked = new Map<number, Set<number>>();
  const link = (x: number, y: number) => linked.set(x, (linked.get(x) ?? new Set()).add(y));
  for (const { a, b } of pairs) {
    if (a === b) continue;
    link(a, b);
    link(b, a);
  }
  const grouped = new Set<number>();
  // The members a centre keeps among the photos not grouped yet: its pairs, less those paired
  // with too few of the others (weakest first).
  const membersOf = (centre: number): number[] => {
    let members = [...linked.get(centre)!].filter((id) => !grouped.has(id)).sort((x, y) => x - y);
    for (;;) {
      const group = new Set([centre, ...members]);
      const links = members.map((m) => [...linked.get(m)!].filter((o) => group.has(o)).length);
      let weakest = -1;
      links.forEach((n, k) => {
        if (n < coherence * members.length && (weakest < 0 || n < links[weakest])) weakest = k;
      });
      if (weakest < 0) return members;
      members = members.filter((_, k) => k !== weakest);
    }
  };
  // Centres in order of the group each would keep: a photo with many copies before a grey copy
  // that lines up with them and with unrelated photos too.
  const keeps = new Map([...linked.keys()].map((id) => [id, membersOf(id).length]));
  const worth = new Map([...linked.keys()].map((id) => [id, better(id)]));
  const order = [...linked.keys()].sort(
    (x, y) => keeps.get(y)! - keeps.get(x)! || worth.get(y)! - worth.get(x)! || linked.get(y)!.size - linked.get(x)!.size || x - y,
  );
  const groups: number[][] = [];
  for (const centre of order) {
    if (grouped.has(centre)) continue;
    const members = membersOf(centre);
    if (members.length === 0) continue;
    grouped.add(centre);
    for (const m of members) grouped.add(m);
    groups.push([centre, ...members]);
  }
  return groups.sort((x, y) => y.length - x.length || x[0] - y[0]);
}
