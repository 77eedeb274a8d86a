// What training and evaluation work on: labelled photos as classes, with their cached features.
import { ContractError, requestedDepth, wholeCnnOffReason, type ParsedRequest } from '../../src-shared/contract.js';
import { whyNotTrainable } from '../learn/trainable.js';
import type { Catalog } from '../library/catalog.js';
import type { VectorLibrary } from './vector-library.js';

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
export function labelledImages(catalog: Catalog, classes?: readonly string[]): { rows: LabelledRow[]; ambiguous: number } {
  const wanted = classes ? new Set(classes) : null;
  const rows: LabelledRow[] = [];
  let ambiguous = 0;
  for (const i of catalog.eachImage()) {
    const mine = i.labels.filter((l) => !wanted || wanted.has(l));
    if (mine.length === 1) rows.push({ id: i.id, hash: i.contentHash, label: mine[0] });
    else if (mine.length > 1) ambiguous++;
  }
  return { rows, ambiguous };
}

/** labelledImages with the pretrained features of those embedded; ids, features and labels share one order. */
export function labelledFeatures(
  library: VectorLibrary,
  classes?: readonly string[],
): { ids: number[]; features: Float32Array[]; labels: string[]; ambiguous: number } {
  const { rows, ambiguous } = labelledImages(library.catalog, classes);
  const { ids, features } = library.withFeatures(rows);
  const labelOf = new Map(rows.map((r) => [r.id, r.label]));
  return { ids, features, labels: ids.map((id) => labelOf.get(id)!), ambiguous };
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

/** Refuses, before a job is queued, labels that cannot train a model (learn/trainable.ts). */
export function checkTrainable(catalog: Catalog, req: ParsedRequest<'train'>): void {
  const { rows } = labelledImages(catalog, req.labels);
  const why = whyNotTrainable(rows.map((r) => r.label), { holdoutLabels: req.holdoutLabels });
  if (why) throw new ContractError(why, 'conflict');
}
