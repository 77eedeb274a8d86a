
import { callShowingJob, num, withEngine, type Command } from './command.js';

export const duplicates: Command = {
  synopsis: 'duplicates [--threshold T] [--json]',
  summary: 'groups of near-identical images (copies: re-encoded, resized, cropped, turned)',
  options: { threshold: { type: 'string' } },
  async run({ library, values, out }) {
    const threshold = num('threshold', values.threshold);
    const groups = await withEngine(library, (e) => callShowingJob(e, 'duplicates', out, () => e.call('duplicates', { threshold })));
    out.result(groups, () =>
      groups.length === 0
        ? 'no duplicates'
        : groups
            .map((g, i) =>
              [`group ${i + 1}${g.kind === 'same-file' ? ` (same file at ${g.images.length} paths)` : ''}:`, ...g.images.map((h) => `  ${h.score.toFixed(3)}  #${h.id}  ${h.path}`)].join('\n'),
            )
            .join('\n'),
    );
  },
};
