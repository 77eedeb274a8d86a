import path from 'node:path';
import { TRUNCATED, truncatedPhoto, type SimilarResult } from '../../../src-shared/contract.js';
import { UsageError } from '../output.js';
import { isRemote, num, readUserFile, withEngine, type Command } from './command.js';

/**
 * The engine's "cannot read the dropped file as an image: cannot decode buffer of 6 bytes: Input
 * buffer contains unsupported image format" (the file reaches it as bytes) in the user's words,
 * and "the dropped file is truncated (…)" under the name the user gave.
 */
export function unreadable(err: unknown, file: string): unknown {
  if (err instanceof Error && err.message.endsWith(` is ${TRUNCATED}`)) return new Error(truncatedPhoto(file));
  if (!(err instanceof Error) || !/^cannot read .* as an image: /.test(err.message)) return err;
  return new Error(`${file} is not a photo lookalike can read: the file is damaged, cut short, or not an image`);
}

export const similar: Command = {
  synopsis: 'similar IMAGE... | --id N [--refine] [-k K] [--min-score S] [--json]',
  summary: 'the look-alikes of images (files from anywhere, or library ids)',
  options: {
    id: { type: 'string', multiple: true },
    k: { type: 'string', short: 'k' },
    'min-score': { type: 'string' },
    'max-score': { type: 'string' },
    refine: { type: 'boolean' },
  },
  async run({ library, values, positionals, out }) {
    const ids = ((values.id as string[] | undefined) ?? []).map((v) => num('id', v) as number);
    if (ids.length === 0 && positionals.length === 0) throw new UsageError('give image files or --id N');
    const common = {
      k: num('k', values.k),
      minScore: num('min-score', values['min-score']),
      maxScore: num('max-score', values['max-score']),
      // Library photos only: moved towards the photos you marked alike, away from the others.
      refine: values.refine ? true : undefined,
    };
    const queries: { id?: number; path?: string; label: string }[] = [
      ...ids.map((id) => ({ id, label: `#${id}` })),
      ...positionals.map((p) => ({ path: path.resolve(p), label: p })),
    ];
    return withEngine(library, async (engine) => {
      const results: { query: string; hits: SimilarResult['hits']; refined?: SimilarResult['refined']; warning?: string }[] = [];
      for (const q of queries) {
        // A serving engine gets the photo's bytes: its server reads no files for its callers. A
        // library photo goes by its id there, so that it is left out of its own look-alikes, as
        // the engine does for a path (bytes would make it its own exact copy, first).
        const libraryId = q.path && isRemote(engine) ? (await engine.call('findImages', { paths: [q.path] })).ids[0] : null;
        const source = q.path
          ? libraryId !== null && libraryId !== undefined
            ? { id: libraryId }
            : isRemote(engine)
              ? { upload: { name: path.basename(q.path), dataBase64: (await readUserFile(q.path)).toString('base64') } }
              : { path: q.path }
          : { id: q.id };
        const r = await engine.call('similar', { ...common, ...source }).catch((err: unknown) => {
          throw unreadable(err, q.label);
        });
        results.push({ query: q.path ?? q.label, hits: r.hits, ...(r.refined ? { refined: r.refined } : {}), ...(r.modelProblem ? { warning: r.modelProblem } : {}) });
      }
      const warning = results.find((r) => r.warning)?.warning;
      out.result(results, () => {
        const blocks = results.map((r) =>
          [
            `${r.query}:${r.refined ? ` (refined by ${r.refined.alike} alike and ${r.refined.notAlike} not-alike ${r.refined.alike + r.refined.notAlike === 1 ? 'mark' : 'marks'})` : ''}`,
            ...r.hits.map((h) => `  ${h.score.toFixed(3)}  #${h.id}  ${h.path}${h.verdict ? `  [marked ${h.verdict === 'match' ? 'alike' : 'not alike'}]` : ''}`),
          ].join('\n'),
        );
        // The pretrained space answered instead of the active model: say so above the hits.
        return [...(warning ? [`warning: ${warning}`] : []), blocks.join('\n\n')].join('\n');
      });
    });
  },
};
