// Taking the work elsewhere and bringing labels in: export, import-labels, and the 2-D map.
import path from 'node:path';
import {
  exportKinds,
  type EmbeddingMap,
  type ExportKind,
} from '../../../src-shared/contract.js';
import type { EngineLink } from '../../link/engine-link.js';
import { plural, UsageError } from '../output.js';
import { isRemote, jobError, num, readUserFile, str, waitForJob, withEngine, type Command } from './command.js';
import type { Output } from '../output.js';

/** `--model N`, `--model pretrained`, or undefined for the active model. */
function modelOption(v: unknown): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === 'pretrained') return null;
  const n = num('model', v);
  if (n === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`--model takes a model id or "pretrained", not "${String(v)}"`);
  return n;
}

export const exportCommand: Command = {
  synopsis: 'export labels|embeddings|imagefolder|model --out PATH [--copy] [--model N|pretrained] [--force]',
  summary: 'write labels (.csv/.json), embeddings (.npy + ids CSV), one folder per label, or the trained model',
  options: { out: { type: 'string' }, copy: { type: 'boolean' }, model: { type: 'string' }, force: { type: 'boolean' } },
  async run({ library, values, positionals, out }) {
    const kind = positionals[0] as ExportKind | undefined;
    if (!kind || !exportKinds.includes(kind) || positionals.length > 1) throw new UsageError(`say what to export: ${exportKinds.join(', ')}`);
    const given = str(values.out);
    if (!given) throw new UsageError('give --out (a file for labels and embeddings, a folder for imagefolder and model)');
    // Relative to where the command runs, not to where a serving engine was started; `~` (when
    // the shell left it, as in --out=~/x) the engine expands.
    const target = given.startsWith('~') ? given : path.resolve(given);
    const model = modelOption(values.model);
    const r = await withEngine(library, (e) => e.call('exportData', { kind, out: target, copy: values.copy === true, model, force: values.force === true }));
    out.result(r, () => {
      const what = { labels: 'labelled images', embeddings: 'embeddings', imagefolder: values.copy ? 'copies' : 'links', model: 'model' }[kind];
      const failed = r.failed.length ? `\n${r.failed.length} failed:\n${r.failed.map((f) => `  ${f.path}: ${f.error}`).join('\n')}` : '';
      return `exported ${r.count} ${what}:\n${r.written.map((w) => `  ${w}`).join('\n')}${failed}`;
    });
    return r.failed.length > 0 ? 1 : 0;
  },
};

export const importLabelsCommand: Command = {
  synopsis: 'import-labels FILE.csv|FILE.json',
  summary: 'add labels from a file (rows: path or content hash, then labels); lists rows that match nothing',
  options: {},
  async run({ library, positionals, out }) {
    if (positionals.length !== 1) throw new UsageError('give one CSV or JSON file');
    const file = path.resolve(positionals[0]);
    const r = await withEngine(library, async (e) =>
      e.call('importLabels', isRemote(e) ? { text: (await readUserFile(file, 64 * 1024 * 1024)).toString('utf8') } : { path: file }),
    );
    out.result(r, () => {
      const head = `${plural(r.rows, 'row')}: ${r.matched} matched, ${plural(r.labelled, 'label')} added, ${r.unmatched.length} matched nothing`;
      const shown = r.unmatched.slice(0, 50).map((u) => `  line ${u.line}: ${u.key || '(empty)'}`);
      const more = r.unmatched.length > 50 ? [`  ... and ${r.unmatched.length - 50} more (--json lists all)`] : [];
      return [head, ...shown, ...more].join('\n');
    });
  },
};

async function mapOf(engine: EngineLink, request: { model?: number | null; seed?: number }, out: Output): Promise<EmbeddingMap> {
  const first = await engine.call('map', request);
  if (first.ready) return first.map;
  const end = await waitForJob(engine, { jobId: first.jobId }, out);
  const error = jobError(end);
  if (error) throw new Error(`the map was not computed: ${error}`);
  const again = await engine.call('map', request);
  if (!again.ready) throw new Error('the library changed while the map was computed: run the command again');
  return again.map;
}

export const mapCommand: Command = {
  synopsis: 'map [--model N|pretrained] [--seed N] [--json]',
  summary: '2-D map (UMAP) of the embeddings; --json lists points: id, x, y, label',
  options: { model: { type: 'string' }, seed: { type: 'string' } },
  async run({ library, values, out }) {
    const request = { model: modelOption(values.model), seed: num('seed', values.seed) };
    const map = await withEngine(library, (e) => mapOf(e, request, out));
    const points = map.ids.map((id, i) => ({
      id,
      x: map.xy[2 * i],
      y: map.xy[2 * i + 1],
      label: map.label[i] >= 0 ? map.labelNames[map.label[i]] : null,
    }));
    out.result({ model: map.model, seed: map.seed, sampled: map.sampled, points }, () => {
      const counts = map.labelNames.map((name, l) => `${name} ${map.label.filter((x) => x === l).length}`);
      return [
        `${plural(map.points, 'point')} of the ${map.model === null ? 'pretrained' : `model #${map.model}`} space (seed ${map.seed})`,
        `UMAP laid out ${map.sampled}; ${map.points - map.sampled} placed by nearest neighbours; took ${map.seconds.toFixed(1)} s`,
        counts.length ? `labels: ${counts.join(', ')}` : 'no labelled images',
      ].join('\n');
    });
  },
};
