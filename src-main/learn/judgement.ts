// How a training run judges its weights, before, after every epoch and after: retrieval on the
// validation photos of real labels (MAP@R etc.), and the held-back marks (how many held-back
// "alike" pairs rank above the "not alike" ones). Either can be absent: a run on marks alone has
// no label to measure, a run on labels alone may have no marks.
import { cosine } from '../common/vectors.js';
import { markAuc, type MarkScore } from './marks.js';
import { retrievalMetrics, retrievalMetricsYielding, type RetrievalMetrics } from './metrics.js';
import type { TrainingSplit } from './split.js';

export interface Judgement {
  retrieval: RetrievalMetrics | null;
  marks: MarkScore | null;
}

/** What early stopping maximises: MAP@R and the marks' AUC, each where there is one. */
export function judgementScore(j: Judgement): number {
  return (j.retrieval?.mapAtR ?? 0) + (j.marks?.auc ?? 0);
}

/**
 * Judges one set of weights. `embed` gives the embeddings of rows (in order); rows needed by
 * both measures are embedded once. `host`, when given, runs the metric code in one synchronous
 * call (on WebGPU, off the GPU backend); without it the measure lets the thread's other work run
 * between blocks of queries.
 */
export async function judge(
  split: TrainingSplit,
  evalRows: readonly number[],
  labels: readonly (string | null)[],
  embed: (rows: number[]) => Float32Array[] | Promise<Float32Array[]>,
  host?: <T>(f: () => T) => T,
): Promise<Judgement> {
  const measured = evalRows.length >= 2;
  const rows = [...new Set([...(measured ? evalRows : []), ...split.heldBack.flatMap((p) => [p.a, p.b])])];
  if (rows.length === 0) return { retrieval: null, marks: null };
  const vectors = await embed(rows);
  const at = new Map(rows.map((r, i) => [r, vectors[i]]));
  const marks = () => markAuc(split.heldBack, (a, b) => cosine(at.get(a)!, at.get(b)!));
  if (!measured) return { retrieval: null, marks: marks() };
  const [vectorsOf, labelsOf] = [evalRows.map((r) => at.get(r)!), evalRows.map((r) => labels[r])];
  if (host) return host(() => ({ retrieval: retrievalMetrics(vectorsOf, labelsOf), marks: marks() }));
  return { retrieval: await retrievalMetricsYielding(vectorsOf, labelsOf), marks: marks() };
}
