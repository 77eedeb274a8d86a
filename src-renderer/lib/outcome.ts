// What a training run (or a trained model) came to, in one shape and in the user's words: what
// it was taught from, how it ranks the marks held back from it, how much it moved the photos
// nobody taught about, and whether it was made active.
import type { MarkMetrics, Metrics, ModelSummary, TaughtFrom, TrainSummary } from '../../src-shared/contract';

export interface Outcome {
  /** The model the run made; null for a cancelled run. */
  modelId: number | null;
  caption: string;
  /** Why the model was kept as a version but not made active; null when it was (or is now) active. */
  notActivatedWhy: string | null;
  taughtFrom: TaughtFrom | null;
  marksBefore: MarkMetrics | null;
  marksAfter: MarkMetrics | null;
  /** Share of an untaught photo's 10 nearest that stayed among them (null when not measured). */
  neighbourOverlap: number | null;
  before: Metrics | null;
  after: Metrics | null;
  unseenBefore: Metrics | null;
  unseenAfter: Metrics | null;
  /** The labels held out of training (the unseen classes); empty when none or not known. */
  heldOut: string[];
}

/** "1 photo", "3 photos". */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** A run that just ended. `planned`: the epochs asked for, to say when it stopped early. */
export function runOutcome(r: TrainSummary, planned: number, heldOut: string[]): Outcome {
  const what = r.modelId === null ? 'Cancelled run (model unchanged)' : `Model #${r.modelId}`;
  const stopped = r.epochs < planned && r.modelId !== null ? ' (stopped early: validation stopped improving)' : '';
  const unreadable = r.unreadable.length ? ` · ${count(r.unreadable.length, 'unreadable photo')} left out` : '';
  return {
    modelId: r.modelId,
    caption: `${what} · best epoch ${r.bestEpoch} of ${r.epochs}${stopped}${unreadable} · ${r.seconds.toFixed(1)} s`,
    notActivatedWhy: r.modelId !== null && !r.activated ? r.notActivatedWhy : null,
    taughtFrom: r.taughtFrom,
    marksBefore: r.marksBefore,
    marksAfter: r.marksAfter,
    neighbourOverlap: r.neighbourOverlap,
    before: r.before,
    after: r.after,
    unseenBefore: r.unseenBefore,
    unseenAfter: r.unseenAfter,
    heldOut,
  };
}

/** A trained model from the model list (the active one, or the latest when none is). */
export function modelOutcome(m: ModelSummary): Outcome {
  return {
    modelId: m.id,
    caption: `${m.active ? 'Active model' : 'Latest model (not active)'} #${m.id} · ${[m.loss ?? m.name, depthText(m)].filter(Boolean).join(' ')}`,
    notActivatedWhy: m.active ? null : m.notActivatedWhy,
    taughtFrom: m.taughtFrom,
    marksBefore: m.marksBefore,
    marksAfter: m.marksAfter,
    neighbourOverlap: m.neighbourOverlap,
    before: m.before,
    after: m.after,
    unseenBefore: m.unseenBefore,
    unseenAfter: m.unseenAfter,
    heldOut: heldOutOf(m),
  };
}

/** How deep a model was trained, as the model list and headings say it ('' for a head alone). */
export function depthText(m: ModelSummary): string {
  if (m.settings.depth === 'whole') return '+ whole CNN';
  return m.settings.deep === true ? '+ last blocks' : '';
}

/** The labels a model was trained holding out, from its settings (free-form JSON). */
export function heldOutOf(m: ModelSummary): string[] {
  const v = m.settings.holdoutLabels;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether labels taught it (models from before marks training count as labelled). */
export const taughtByLabels = (t: TaughtFrom | null): boolean => t === null || t.labels > 0;

/** "3 labels on 24 photos · 14 alike / 12 not-alike marks (4 groups of alike photos)". */
export function taughtFromText(t: TaughtFrom): string {
  const parts: string[] = [];
  if (t.labels > 0) parts.push(`${count(t.labels, 'label')} on ${count(t.labelledPhotos, 'photo')}`);
  if (t.alike + t.notAlike > 0) {
    const groups = t.groups > 0 ? ` (${count(t.groups, 'group')} of alike photos)` : '';
    parts.push(`${t.alike} alike / ${t.notAlike} not-alike ${t.alike + t.notAlike === 1 ? 'mark' : 'marks'}${groups}`);
  }
  return parts.join(' · ') || 'nothing';
}

/** The model list's short form: "3 labels · 26 marks". */
export function taughtFromShort(t: TaughtFrom | null): string {
  if (!t) return '—';
  const parts: string[] = [];
  if (t.labels > 0) parts.push(count(t.labels, 'label'));
  if (t.alike + t.notAlike + t.heldBack > 0) parts.push(count(t.alike + t.notAlike + t.heldBack, 'mark'));
  return parts.join(' · ') || '—';
}

/** "0.71 → 0.83" */
export const marksChange = (before: MarkMetrics, after: MarkMetrics): string => `${before.auc.toFixed(2)} → ${after.auc.toFixed(2)}`;

/** "78 %" */
export const percent = (share: number): string => `${Math.round(share * 100)} %`;
