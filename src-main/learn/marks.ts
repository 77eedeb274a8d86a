// The user's marks ("alike" / "not alike" on a pair of photos) as training data, without
// labels: "alike" marks join photos into groups (connected components, usable as classes),
// a share of the marks is held back to judge a run, and an embedding is judged by how well it
// ranks held-back "alike" pairs above "not alike" ones.
import { seededRandom, shuffleInPlace } from '../common/random.js';
import { connectedComponents } from '../common/vectors.js';
import type { MarkedPair } from './split.js';

/**
 * Group id per row for the rows joined by "alike" marks (components of two photos or more),
 * -1 for the others. Ids are dense, in the order of each group's smallest row.
 */
export function alikeGroups(rows: number, pairs: readonly MarkedPair[]): Int32Array {
  return connectedComponents(rows, pairs.flatMap((p) => (p.match && p.a !== p.b ? [[p.a, p.b] as const] : [])));
}

export interface HeldBackSplit {
  train: MarkedPair[];
  heldBack: MarkedPair[];
}

/**
 * Holds back about `share` of the marks to judge a run. Marks come from queries (a photo and
 * its look-alikes), so whole queries are held back: a mark belongs to its endpoint with more
 * marks (ties: the smaller row). Nothing is held back unless both sides keep marks of both
 * verdicts, so a run never trains on, or is judged by, one kind of mark alone.
 */
export function holdBackMarks(pairs: readonly MarkedPair[], share: number, seed: number): HeldBackSplit {
  const degree = new Map<number, number>();
  for (const p of pairs) for (const r of [p.a, p.b]) degree.set(r, (degree.get(r) ?? 0) + 1);
  const owner = pairs.map((p) => {
    const [da, db] = [degree.get(p.a)!, degree.get(p.b)!];
    return da > db || (da === db && p.a < p.b) ? p.a : p.b;
  });
  const marksOf = new Map<number, number>();
  for (const q of owner) marksOf.set(q, (marksOf.get(q) ?? 0) + 1);
  const queries = shuffleInPlace([...marksOf.keys()].sort((x, y) => x - y), seededRandom(seed));
  const want = Math.round(pairs.length * share);
  const held = new Set<number>();
  let count = 0;
  for (const q of queries) {
    if (count >= want) break;
    held.add(q);
    count += marksOf.get(q)!;
  }
  const heldBack = pairs.filter((_, i) => held.has(owner[i]));
  const train = pairs.filter((_, i) => !held.has(owner[i]));
  if (!bothVerdicts(heldBack) || !bothVerdicts(train)) return { train: [...pairs], heldBack: [] };
  return { train, heldBack };
}

function bothVerdicts(pairs: readonly MarkedPair[]): boolean {
  return pairs.some((p) => p.match) && pairs.some((p) => !p.match);
}

export interface MarkScore {
  /** Share of (alike, not-alike) pairs of marks in which the alike pair is more similar; ties count half. */
  auc: number;
  alike: number;
  notAlike: number;
}

/**
 * How well similarities separate "alike" from "not alike" marks (the pairs' ROC AUC), from the
 * similarity of each marked pair; null without marks of both verdicts.
 */
export function markAuc(pairs: readonly MarkedPair[], similarity: (a: number, b: number) => number): MarkScore | null {
  const scored = pairs.map((p) => ({ s: similarity(p.a, p.b), match: p.match })).sort((x, y) => x.s - y.s);
  const alike = scored.filter((x) => x.match).length;
  const notAlike = scored.length - alike;
  if (alike === 0 || notAlike === 0) return null;
  // Rank-sum (Mann-Whitney U) with average ranks for ties.
  let rankSum = 0;
  for (let i = 0; i < scored.length; ) {
    let j = i;
    while (j < scored.length && scored[j].s === scored[i].s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (scored[k].match) rankSum += rank;
    i = j;
  }
  const auc = (rankSum - (alike * (alike + 1)) / 2) / (alike * notAlike);
  return { auc, alike, notAlike };
}


/**
 * Pairs of a batch whose relation is known: rows of one class (a label, or a group of "alike"
 * marks) are alike; rows of classes known to differ (`apart`: two labels, or classes a "not
 * alike" mark joins) are not. Other pairs are left out.
 */
export function knownPairs(classes: Int32Array, apart: (ci: number, cj: number) => boolean): { a: number[]; b: number[]; match: boolean[] } {
  const out = { a: [] as number[], b: [] as number[], match: [] as boolean[] };
  for (let i = 0; i < classes.length; i++) {
    if (classes[i] < 0) continue;
    for (let j = i + 1; j < classes.length; j++) {
      if (classes[j] < 0) continue;
      const same = classes[i] === classes[j];
      if (!same && !apart(classes[i], classes[j])) continue;
      out.a.push(i);
      out.b.push(j);
      out.match.push(same);
    }
  }
  return out;
}
