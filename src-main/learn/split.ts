// Which labelled rows train, which validate, and which are held out as unseen classes.
import { seededRandom, shuffleInPlace } from '../common/random.js';

export interface MarkedPair {
  a: number;
  b: number;
  match: boolean;
}

export interface TrainingSplit {
  /** Labels that are trained on; a row's class id is its index here. */
  classNames: string[];
  /** Class id per feature row for training rows; -1 for every other row. */
  trainClass: Int32Array;
  trainRows: number[];
  validationRows: number[];
  /** Rows whose label was held out (never trained on). */
  unseenRows: number[];
  /** Marked pairs whose rows are neither validation nor held out. */
  trainPairs: MarkedPair[];
}

export interface SplitOptions {
  validationFraction: number;
  holdoutLabels: string[];
  seed: number;
}

export function splitForTraining(labels: readonly (string | null)[], pairs: readonly MarkedPair[], opts: SplitOptions): TrainingSplit {
  if (!(opts.validationFraction >= 0 && opts.validationFraction < 1)) throw new RangeError('validationFraction must be in [0, 1)');
  const holdout = new Set(opts.holdoutLabels);
  const rowsByLabel = new Map<string, number[]>();
  const unseenRows: number[] = [];
  labels.forEach((l, i) => {
    if (l === null) return;
    if (holdout.has(l)) {
      unseenRows.push(i);
      return;
    }
    let g = rowsByLabel.get(l);
    if (!g) rowsByLabel.set(l, (g = []));
    g.push(i);
  });
  const classNames = [...rowsByLabel.keys()].sort();
  const random = seededRandom(opts.seed);
  const trainClass = new Int32Array(labels.length).fill(-1);
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  classNames.forEach((name, c) => {
    const rows = shuffleInPlace([...rowsByLabel.get(name)!], random);
    let held = Math.round(rows.length * opts.validationFraction);
    // A label needs two validation rows to be a query at all, and two training rows to have positives.
    if (held < 2 || rows.length - held < 2) held = 0;
    rows.forEach((r, k) => {
      if (k < held) validationRows.push(r);
      else {
        trainRows.push(r);
        trainClass[r] = c;
      }
    });
  });
  const excluded = new Set([...validationRows, ...unseenRows]);
  const trainPairs = pairs.filter((p) => {
    if (!Number.isInteger(p.a) || !Number.isInteger(p.b) || p.a < 0 || p.b < 0 || p.a >= labels.length || p.b >= labels.length) {
      throw new RangeError(`pair (${p.a}, ${p.b}) points outside the ${labels.length} features`);
    }
    return p.a !== p.b && !excluded.has(p.a) && !excluded.has(p.b);
  });
  validationRows.sort((a, b) => a - b);
  trainRows.sort((a, b) => a - b);
  return { classNames, trainClass, trainRows, validationRows, unseenRows, trainPairs };
}

/** Where retrieval is measured: the validation rows, or the training rows when too few were kept back. */
export function evaluationRows(split: TrainingSplit): { evaluatedOn: 'validation' | 'training'; rows: number[] } {
  return split.validationRows.length >= 2 ? { evaluatedOn: 'validation', rows: split.validationRows } : { evaluatedOn: 'training', rows: split.trainRows };
}
