// Retrieval metrics as "A Metric Learning Reality Check" (Musgrave et al., arXiv 2003.08505)
// defines them, over exact cosine search: every labelled item queries all the others (never
// itself); an item is relevant when it carries the query's label; R is the number of relevant
// items for that query. Queries whose label has no other item are skipped.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows, matMul } from './tensor-ops.js';

export interface RetrievalMetrics {
  /** Fraction of queries whose nearest neighbour is relevant. */
  precisionAt1: number;
  /** Per k: fraction of queries with at least one relevant item in the top k (the DML literature's Recall@k). */
  recallAtK: Record<number, number>;
  /** Mean over queries of (relevant items in the top R) / R. */
  rPrecision: number;
  /** Mean over queries of (1/R) Σ_{i≤R} P(i)·rel(i), P(i) being the precision in the top i. */
  mapAtR: number;
  /** Queries that counted (labelled, with at least one other item of their label). */
  queries: number;
}

export interface QueryScores {
  precisionAt1: number;
  recallAtK: Record<number, number>;
  rPrecision: number;
  mapAtR: number;
}

/** Scores of one query from its results' relevance in rank order (query excluded) and its R. */
export function scoreQuery(relevant: ArrayLike<boolean>, r: number, ks: number[] = [1, 10]): QueryScores {
  if (r < 1) throw new RangeError('a query needs at least one relevant item');
  let hits = 0;
  let apSum = 0;
  for (let i = 0; i < r && i < relevant.length; i++) {
    if (relevant[i]) {
      hits++;
      apSum += hits / (i + 1);
    }
  }
  const recallAtK: Record<number, number> = {};
  for (const k of ks) {
    let hit = 0;
    for (let i = 0; i < k && i < relevant.length; i++) if (relevant[i]) hit = 1;
    recallAtK[k] = hit;
  }
  return { precisionAt1: relevant[0] ? 1 : 0, recallAtK, rPrecision: hits / r, mapAtR: apSum / r };
}

export function emptyMetrics(ks: number[] = [1, 10]): RetrievalMetrics {
  return { precisionAt1: 0, recallAtK: Object.fromEntries(ks.map((k) => [k, 0])), rPrecision: 0, mapAtR: 0, queries: 0 };
}

/** Cosine similarities of rows [start, end) of x against all rows (x already unit rows). */
function similarityRows(x: tf.Tensor2D, xT: tf.Tensor2D, start: number, end: number): Float32Array {
  const s = tf.tidy(() => matMul(x.slice([start, 0], [end - start, -1]), xT));
  const out = s.dataSync() as Float32Array;
  s.dispose();
  return out;
}

/**
 * Writes into `order` the first `top` items of `row` other than `skip`, highest similarity first
 * and ties by index (the order a full sort gives, so results are deterministic), and returns
 * `top`. Every metric reads only the first max(R, k) ranks, so past a small share of the row
 * the rest is never sorted: the `top`-th value is selected in linear time and only the items
 * above it are sorted. At 14,000 validation photos a full sort per query held the engine's
 * thread for minutes after each training epoch.
 */
export function rankTop(row: Float32Array, skip: number, top: number, order: Int32Array, scratch: Float32Array): number {
  const n = row.length;
  const byRank = (a: number, b: number) => row[b] - row[a] || a - b;
  if (top * 4 >= n) {
    let k = 0;
    for (let j = 0; j < n; j++) if (j !== skip) order[k++] = j;
    order.subarray(0, k).sort(byRank);
    return Math.min(top, k);
  }
  let m = 0;
  for (let j = 0; j < n; j++) if (j !== skip) scratch[m++] = row[j];
  const threshold = selectAscending(scratch, m, m - top);
  let k = 0;
  for (let j = 0; j < n; j++) if (j !== skip && row[j] > threshold) order[k++] = j;
  for (let j = 0; j < n && k < top; j++) if (j !== skip && row[j] === threshold) order[k++] = j;
  order.subarray(0, k).sort(byRank);
  return k;
}

/** The value that would sit at `target` if values[0, count) were sorted ascending (reorders them). */
function selectAscending(values: Float32Array, count: number, target: number): number {
  let lo = 0;
  let hi = count - 1;
  while (hi > lo) {
    const [a, b, c] = [values[lo], values[(lo + hi) >> 1], values[hi]];
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i++] = values[j];
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

/** Precision@1, Recall@k, R-precision and MAP@R of leave-one-out exact cosine search. */
export function retrievalMetrics(
  embeddings: Float32Array[],
  labels: readonly (string | number | null)[],
  ks: number[] = [1, 10],
): RetrievalMetrics {
  const steps = retrievalSteps(embeddings, labels, ks);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * retrievalMetrics, letting the thread's other work run between blocks of 256 queries: at
 * 14,000 validation photos the whole measure takes seconds, which an engine answering calls
 * must not spend in one go.
 */
export async function retrievalMetricsYielding(
  embeddings: Float32Array[],
  labels: readonly (string | number | null)[],
  ks: number[] = [1, 10],
): Promise<RetrievalMetrics> {
  const steps = retrievalSteps(embeddings, labels, ks);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** The measure, a block of queries per step (the tensors it holds are freed however it ends). */
function* retrievalSteps(
  embeddings: Float32Array[],
  labels: readonly (string | number | null)[],
  ks: number[],
): Generator<void, RetrievalMetrics> {
  if (embeddings.length !== labels.length) throw new Error(`${labels.length} labels for ${embeddings.length} embeddings`);
  const keep = labels.flatMap((l, i) => (l === null ? [] : [i]));
  const n = keep.length;
  if (n < 2) return emptyMetrics(ks);
  const lab = keep.map((i) => labels[i] as string | number);
  const count = new Map<string | number, number>();
  for (const l of lab) count.set(l, (count.get(l) ?? 0) + 1);

  const dim = embeddings[keep[0]].length;
  const flat = new Float32Array(n * dim);
  keep.forEach((i, row) => flat.set(embeddings[i], row * dim));
  const x = tf.tidy(() => l2NormalizeRows(tf.tensor2d(flat, [n, dim])));
  const xT = tf.transpose(x);

  const totals = emptyMetrics(ks);
  const chunk = 256;
  const order = new Int32Array(n - 1);
  const relevant = new Array<boolean>(n - 1);
  const scratch = new Float32Array(n - 1);
  try {
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const sims = similarityRows(x, xT, start, end);
      for (let q = start; q < end; q++) {
        const r = count.get(lab[q])! - 1;
        if (r < 1) continue;
        const row = sims.subarray((q - start) * n, (q - start + 1) * n);
        const ranked = rankTop(row, q, Math.min(n - 1, Math.max(r, ...ks)), order, scratch);
        for (let j = 0; j < ranked; j++) relevant[j] = lab[order[j]] === lab[q];
        const s = scoreQuery(relevant, r, ks);
        totals.precisionAt1 += s.precisionAt1;
        totals.rPrecision += s.rPrecision;
        totals.mapAtR += s.mapAtR;
        for (const kk of ks) totals.recallAtK[kk] += s.recallAtK[kk];
        totals.queries++;
      }
      if (end < n) yield;
    }
  } finally {
    x.dispose();
    xT.dispose();
  }
  if (totals.queries === 0) return totals;
  const m = totals.queries;
  return {
    precisionAt1: totals.precisionAt1 / m,
    recallAtK: Object.fromEntries(ks.map((k) => [k, totals.recallAtK[k] / m])),
    rPrecision: totals.rPrecision / m,
    mapAtR: totals.mapAtR / m,
    queries: m,
  };
}
