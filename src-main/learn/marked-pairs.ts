// The user's marked pairs ("alike" / "not alike") ride along in training batches: each step
// appends the next few pairs' rows to the sampled batch, so every pair is seen in turn whatever
// its labels, and the losses get them as pairs in batch coordinates.
import type { MarkedPair } from './split.js';
import type { PairTuples } from './tuples.js';

/** Appends the pairs at `cursor` (wrapping) to a batch; returns the rows and the pairs in batch coordinates. */
export function withMarkedPairs(batch: number[], pairs: readonly MarkedPair[], perBatch: number, cursor: number): { rows: number[]; pairs: PairTuples } {
  const rows = [...batch];
  const out: PairTuples = { a: [], b: [], match: [] };
  const take = Math.min(perBatch, pairs.length);
  const position = new Map<number, number>();
  rows.forEach((r, i) => position.has(r) || position.set(r, i));
  const at = (r: number) => {
    let i = position.get(r);
    if (i === undefined) {
      i = rows.push(r) - 1;
      position.set(r, i);
    }
    return i;
  };
  for (let k = 0; k < take; k++) {
    const p = pairs[(cursor + k) % pairs.length];
    out.a.push(at(p.a));
    out.b.push(at(p.b));
    out.match.push(p.match);
  }
  return { rows, pairs: out };
}
