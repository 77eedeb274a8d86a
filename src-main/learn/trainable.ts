// Whether a set of labels can train a model at all, asked before any work: metric learning
// pulls photos of one label together, so it needs labels with two photos or more, and a model
// is judged by retrieval queries (a photo whose label has another photo among those measured).
// Without them training "succeeds" with MAP@R 0 → 0 and would make a useless model active.
// Two labels of two photos each always leave queries: split.ts holds a label's photos back for
// validation only in pairs, and evaluates on the training photos when too few are held back.

export interface TrainableOptions {
  holdoutLabels?: readonly string[];
}

/**
 * Null when labels with these photo counts (label → photos carrying it, each photo one label)
 * can be trained on; otherwise what the labels lack, for the user.
 */
export function whyNotTrainable(photosPerLabel: ReadonlyMap<string, number>, opts: TrainableOptions = {}): string | null {
  const counts = taught(photosPerLabel, opts);
  const usable = usableLabels(photosPerLabel, opts);
  if (usable.length < 2) {
    const single = counts.filter(([, n]) => n < 2).map(([l]) => `"${l}"`);
    const shown = single.slice(0, 5).join(', ') + (single.length > 5 ? ', …' : '');
    return `give two or more photos each to at least two labels (${usable.length} label${usable.length === 1 ? ' has' : 's have'} that` +
      (single.length ? `; one photo only: ${shown}` : '') + ')';
  }
  return null;
}

/** Labels with photos, outside the held-out ones: what a run would teach. */
function taught(photosPerLabel: ReadonlyMap<string, number>, opts: TrainableOptions): [string, number][] {
  const holdout = new Set(opts.holdoutLabels ?? []);
  return [...photosPerLabel].filter(([l, n]) => n > 0 && !holdout.has(l));
}

/** The labels a run can train on (two photos or more, outside the held-out ones), with their photo counts. */
export function usableLabels(photosPerLabel: ReadonlyMap<string, number>, opts: TrainableOptions = {}): [string, number][] {
  return taught(photosPerLabel, opts).filter(([, n]) => n >= 2);
}
