import { memberToKeep } from '../../../src-shared/contract.js';
import { callShowingJob, num, withEngine, type Command } from './command.js';

export const duplicates: Command = {
  synopsis: 'duplicates [--threshold T] [--json]',
  summary: 'groups of near-identical images (copies: re-encoded, resized, cropped, turned)',
  options: { threshold: { type: 'string' } },
  async run({ library, values, out }) {
    const threshold = num('threshold', values.threshold);
    const { groups, reviews } = await withEngine(library, async (e) => ({
      groups: await callShowingJob(e, 'duplicates', out, () => e.call('duplicates', { threshold })),
      reviews: await e.call('duplicateReviews', {}),
    }));
    // The member to keep is the window's: the one you kept there, else the reference (first).
    const shown = groups.map((g) => ({ ...g, keep: memberToKeep(g, reviews) }));
    out.result(shown, () =>
      shown.length === 0
        ? 'no duplicates'
        : shown
            .map((g, i) => {
              const mark = (p: string) => (p !== g.keep.path ? '' : g.keep.reviewed ? 'kept' : 'reference');
              return [
                `group ${i + 1}${g.kind === 'same-file' ? ` (same file at ${g.images.length} paths)` : ''}:`,
                ...g.images.map((h) => `  ${mark(h.path).padEnd(9)}  ${h.score.toFixed(3)}  #${h.id}  ${h.path}`),
              ].join('\n');
            })
            .join('\n'),
    );
  },
};
