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
  /** Marks held back to judge the run (never trained on). */
  heldBack: MarkedPair[];
  /** Classes that are real labels (measured by retrieval); the others are groups of "alike" marks. */
  labelClasses: Set<string>;
  /**
   * Whether two classes (ids) are known to differ: two labels, or two classes that a "not
   * alike" mark joins. Two groups of "alike" marks are not known to differ (two groups of
   * T-shirts are still T-shirts), so losses that take pairs or triplets never push them apart
   * on that ground alone.
   */
  apart: (ci: number, cj: number) => boolean;
  /** Whether some classes are groups of "alike" marks. */
  hasGroups: boolean;
}

export interface SplitOptions {
  validationFraction: number;
  holdoutLabels: string[];
  seed: number;
  /** Classes made from "alike" marks: trained on, never held for validation nor measured by retrieval. */
  groupClasses?: ReadonlySet<string>;
  /** Marks held back to judge the run. */
  heldBack?: readonly MarkedPair[];
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
    let held = opts.groupClasses?.has(name) ? 0 : Math.round(rows.length * opts.validationFraction);
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
  const inRange = (p: MarkedPair) => {
    if (!Number.isInteger(p.a) || !Number.isInteger(p.b) || p.a < 0 || p.b < 0 || p.a >= labels.length || p.b >= labels.length) {
      throw new RangeError(`pair (${p.a}, ${p.b}) points outside the ${labels.length} features`);
    }
    return p.a !== p.b;
  };
  const trainPairs = pairs.filter((p) => inRange(p) && !excluded.has(p.a) && !excluded.has(p.b));
  const heldBack = (opts.heldBack ?? []).filter(inRange);
  validationRows.sort((a, b) => a - b);
  trainRows.sort((a, b) => a - b);
  const labelClasses = new Set(classNames.filter((c) => !opts.groupClasses?.has(c)));
  const isLabel = classNames.map((c) => labelClasses.has(c));
  const markedApart = new Set<number>();
  const n = classNames.length;
  for (const p of trainPairs) {
    const [ca, cb] = [trainClass[p.a], trainClass[p.b]];
    if (!p.match && ca >= 0 && cb >= 0 && ca !== cb) markedApart.add(Math.min(ca, cb) * n + Math.max(ca, cb));
  }
  const apart = (ci: number, cj: number) =>
    ci !== cj && ci >= 0 && cj >= 0 && ((isLabel[ci] && isLabel[cj]) || markedApart.has(Math.min(ci, cj) * n + Math.max(ci, cj)));
  const hasGroups = labelClasses.size < classNames.length;
  return { classNames, trainClass, trainRows, validationRows, unseenRows, trainPairs, heldBack, labelClasses, apart, hasGroups };
}

/**
 * Throws unless the split can teach anything: two classes, or marked pairs of both verdicts
 * (engine/training-data.ts checks the user's side of this before a job is queued).
 */
export function checkTeachable(split: TrainingSplit): void {
  const pairsOfBoth = split.trainPairs.some((p) => p.match) && split.trainPairs.some((p) => !p.match);
  if (split.classNames.length < 2 && !pairsOfBoth) {
    throw new Error('training needs at least two labels (outside holdoutLabels) or marked pairs of both verdicts');
  }
}

/**
 * Where retrieval is measured: the validation rows, or the training rows when too few were kept
 * back; only rows of real labels (groups of marks are judged by the held-back marks instead).
 * None without two labels.
 */
export function evaluationRows(split: TrainingSplit): { evaluatedOn: 'validation' | 'training'; rows: number[] } {
  if (split.validationRows.length >= 2) return { evaluatedOn: 'validation', rows: split.validationRows };
  const names = split.classNames;
  const rows = split.trainRows.filter((r) => split.labelClasses.has(names[split.trainClass[r]]));
  return { evaluatedOn: 'training', rows: split.labelClasses.size >= 2 ? rows : [] };
}
