import path from 'node:path';
import type { ImportSummary } from '../../../src-shared/contract.js';
import { UsageError } from '../output.js';
import { jobError, waitForJob, withEngine, type Command } from './command.js';

export const importCommand: Command = {
  synopsis: 'import DIR... [--labels-from-folders] [--verify] [--json]',
  summary: 'add photo folders to the library (returns when they can be queried); --verify re-reads every file',
  options: { 'labels-from-folders': { type: 'boolean' }, verify: { type: 'boolean' } },
  async run({ library, values, positionals, out }) {
    if (positionals.length === 0) throw new UsageError('give at least one folder');
    const paths = positionals.map((p) => path.resolve(p));
    return withEngine(library, async (engine) => {
      const ref = await engine.call('importFolders', {
        paths,
        labelsFromFolders: values['labels-from-folders'] === true,
        ...(values.verify === true ? { verify: true } : {}),
      });
      const end = await waitForJob(engine, ref, out);
      const r = end.result;
      if (r?.kind !== 'import') throw new Error(jobError(end) ?? 'the import did not finish');
      const summary = { added: r.added, unchanged: r.unchanged, removed: r.removed, failed: r.failed };
      out.result(summary, () =>
        [
          `added ${r.added}, unchanged ${r.unchanged}, removed ${r.removed}, failed ${r.failed.length}`,
          ...r.failed.map((f) => `  failed: ${f.path}: ${f.error}`),
        ].join('\n'),
      );
      const problem = jobError(end) ?? nothingImported(r, paths);
      if (problem) console.error(`lookalike import: ${problem}`);
      return problem ? 1 : 0;
    });
  },
};

/**
 * Why an import that ended left no photo from these folders in the library, or null when it
 * did: a script (or a person) must not take "0 added" for success.
 */
export function nothingImported(r: ImportSummary, paths: readonly string[]): string | null {
  if (r.added + r.unchanged > 0 || r.removed > 0) return null;
  const where = paths.join(', ');
  if (r.failed.length > 0) return `nothing could be imported from ${where} (see the failures above)`;
  return `no photos found in ${where}`;
}
