// What training and evaluation work on: labelled photos as classes, the user's marks ("alike"
// joins photos into groups that train as classes too, "not alike" pairs push apart), a share of
// the marks held back to judge the run, and one check, before a job is queued, that there is
// enough of either to teach from.
import {
  ContractError,
  requestedDepth,
  wholeCnnOffReason,
  type ParsedRequest,
  type TaughtFrom,
  type TrainReadiness,
} from '../../src-shared/contract.js';
import { alikeGroups, holdBackMarks } from '../learn/marks.js';
import type { MarkedPair } from '../learn/split.js';
import { usableLabels, whyNotTrainable } from '../learn/trainable.js';
import type { Catalog } from '../library/catalog.js';
import type { VectorLibrary } from './vector-library.js';

/**
 * Marks of each verdict that train a model without labels. Measured with bench/marks.ts
 * (Fashion-MNIST, marks of look-alike queries): below ~10 of each the held-back share is a
 * handful of pairs and the gain is within the noise of the seeds.
 */
export const MIN_MARKS = 10;

/** Share of the marks held back to judge a run (whole queries at a time: learn/marks.ts). */
export const HELD_BACK_SHARE = 0.2;

/** All this file reads of the catalog: photos with their labels, and the user's marks. */
export type LabelsAndMarks = Pick<Catalog, 'labelledImages' | 'singleLabelCounts' | 'listPairs' | 'getImage'>;

/** All a training set reads beyond that: the photos' pretrained features. */
export interface TrainingSource extends Pick<VectorLibrary, 'withFeaturesInSlices'> {
  readonly catalog: LabelsAndMarks;
}

export interface LabelledRow {
  id: number;
  hash: string;
  label: string;
}

/**
 * The images training uses as classes, without reading any features. An image counts when
 * exactly one of its labels is among `classes` (all labels when not given); one carrying several
 * of them is ambiguous and left out, so a tag such as "favourite" never silently becomes a
 * training class.
 */
export function labelledImages(catalog: LabelsAndMarks, classes?: readonly string[]): { rows: LabelledRow[]; ambiguous: number } {
  const wanted = classes ? new Set(classes) : null;
  const rows: LabelledRow[] = [];
  let ambiguous = 0;
  for (const i of catalog.labelledImages()) {
    const mine = i.labels.filter((l) => !wanted || wanted.has(l));
    if (mine.length === 1) rows.push({ id: i.id, hash: i.contentHash, label: mine[0] });
    else if (mine.length > 1) ambiguous++;
  }
  return { rows, ambiguous };
}

/** The user's marks between photos still in the library. */
function userMarks(catalog: LabelsAndMarks): { a: number; b: number; match: boolean }[] {
  return catalog.listPairs().flatMap((p) => (catalog.getImage(p.a) && catalog.getImage(p.b) ? [{ a: p.a, b: p.b, match: p.verdict === 'match' }] : []));
}

/** Whether `train` would start, worded for the user; the same words in the panel, the CLI and the refusal. */
export function trainReadiness(catalog: LabelsAndMarks, req: { labels?: readonly string[]; holdoutLabels?: readonly string[] }): TrainReadiness {
  // Counted in the catalog, not listed: the panel asks this whenever it opens (~50 ms at 77,000 labelled photos).
  const { perLabel } = catalog.singleLabelCounts(req.labels);
  const labelWhy = whyNotTrainable(perLabel, { holdoutLabels: req.holdoutLabels });
  const usable = usableLabels(perLabel, { holdoutLabels: req.holdoutLabels }).map(([, n]) => n);
  // Neither labels nor marks may be enough alone; say what each lacks.
  const marks = userMarks(catalog);
  const alike = marks.filter((m) => m.match).length;
  const notAlike = marks.length - alike;
  const marksReady = alike >= MIN_MARKS && notAlike >= MIN_MARKS;
  const ready = labelWhy === null || marksReady;
  const why = ready
    ? null
    : `training needs marks or labels: mark at least ${MIN_MARKS} look-alikes “alike” and ${MIN_MARKS} “not alike” ` +
      `(you have ${alike} and ${notAlike}), or ${labelWhy}`;
  return {
    ready,
    why,
    labels: usable.length,
    labelledPhotos: usable.reduce((s, n) => s + n, 0),
    alike,
    notAlike,
    minMarks: MIN_MARKS,
  };
}

/** Refuses, before a job is queued, a request with too little to teach from. */
export function checkTrainable(catalog: LabelsAndMarks, req: ParsedRequest<'train'>): void {
  const r = trainReadiness(catalog, req);
  if (!r.ready) throw new ContractError(r.why!, 'conflict');
}

/** Refuses the whole CNN where no GPU backend runs (tests force it with LOOKALIKE_WHOLE_CNN_ANY_BACKEND=1). */
export async function checkDepth(req: ParsedRequest<'train'>): Promise<void> {
  if (requestedDepth(req) !== 'whole') return;
  // Loaded only for this request: checking labels must not start tfjs.
  const [{ wholeCnnForced }, { initBackend }] = await Promise.all([import('../learn/whole-run.js'), import('../model/backend.js')]);
  if (wholeCnnForced()) return;
  const off = wholeCnnOffReason((await initBackend()).name);
  if (off) throw new ContractError(`training the whole CNN ${off}`, 'conflict');
}

/** What one training run is taught from, in rows that share one order. */
export interface TrainingSet {
  ids: number[];
  /** Pretrained features per row. */
  features: Float32Array[];
  /** Class per row: a label, a group of "alike" marks, or null (a photo in "not alike" marks only). */
  classes: (string | null)[];
  /** The classes that are groups of marks, not labels. */
  groupClasses: Set<string>;
  /** Marks trained on, and marks held back to judge the run, in rows. */
  pairs: MarkedPair[];
  heldBack: MarkedPair[];
  taughtFrom: TaughtFrom;
  /** Photos left out because they carry more than one of the chosen labels. */
  ambiguous: number;
}

/**
 * Labels and marks as one training set. An "alike" group takes the label of its labelled
 * members when they agree (so marks extend labels), and is a class of its own when none is
 * labelled; a group whose members carry different labels leaves its unlabelled members to the
 * pairs alone. Photos not yet embedded are left out with their marks.
 */
export async function trainingSet(
  library: TrainingSource,
  req: { labels?: readonly string[]; holdoutLabels?: readonly string[]; seed?: number },
): Promise<TrainingSet> {
  const catalog = library.catalog;
  const { rows, ambiguous } = labelledImages(catalog, req.labels);
  const labelOf = new Map(rows.map((r) => [r.id, r.label]));
  const marks = userMarks(catalog);
  const wanted = new Map<number, string>();
  for (const r of rows) wanted.set(r.id, r.hash);
  for (const m of marks) for (const id of [m.a, m.b]) if (!wanted.has(id)) wanted.set(id, catalog.getImage(id)!.contentHash);
  const { ids, features } = await library.withFeaturesInSlices([...wanted].map(([id, hash]) => ({ id, hash })));
  const row = new Map(ids.map((id, i) => [id, i]));
  const inRows = marks.flatMap((m) => (row.has(m.a) && row.has(m.b) ? [{ a: row.get(m.a)!, b: row.get(m.b)!, match: m.match }] : []));
  const { train, heldBack } = holdBackMarks(inRows, HELD_BACK_SHARE, req.seed ?? 1);

  const classes: (string | null)[] = ids.map((id) => labelOf.get(id) ?? null);
  const group = alikeGroups(ids.length, train);
  const members = new Map<number, number[]>();
  group.forEach((g, r) => g >= 0 && (members.get(g) ?? members.set(g, []).get(g)!).push(r));
  const groupClasses = new Set<string>();
  for (const [g, rs] of members) {
    const labels = new Set(rs.map((r) => classes[r]).filter((c): c is string => c !== null));
    const name = labels.size === 1 ? [...labels][0] : labels.size === 0 ? `alike group ${g + 1}` : null;
    if (name === null) continue;
    if (labels.size === 0) groupClasses.add(name);
    for (const r of rs) classes[r] ??= name;
  }
  const holdout = new Set(req.holdoutLabels ?? []);
  const labelled = classes.filter((c, r) => c !== null && !groupClasses.has(c) && labelOf.has(ids[r]) && !holdout.has(c));
  return {
    ids,
    features,
    classes,
    groupClasses,
    pairs: train,
    heldBack,
    ambiguous,
    taughtFrom: {
      labels: new Set(labelled).size,
      labelledPhotos: labelled.length,
      alike: train.filter((p) => p.match).length,
      notAlike: train.filter((p) => !p.match).length,
      groups: members.size,
      heldBack: heldBack.length,
    },
  };
}
