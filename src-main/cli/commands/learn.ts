// Commands that teach the embedding: labels, marked pairs, training, evaluation, models.
import path from 'node:path';
import {
  defaultEpochs,
  defaultMiner,
  lossNames,
  minerNames,
  type Metrics,
  type TaughtFrom,
  type TrainSummary,
} from '../../../src-shared/contract.js';
import { trainDepths } from '../../../src-shared/train-depth.js';
import type { EngineLink } from '../../link/engine-link.js';
import { plural, UsageError } from '../output.js';
import { jobError, num, oneOf, str, waitForJob, withEngine, type Command } from './command.js';

/** Library ids for arguments that are ids (`#12`, `12`) or paths of library images. */
async function resolveImages(engine: EngineLink, args: string[]): Promise<number[]> {
  const asIds = args.map((arg) => /^#?(\d+)$/.exec(arg));
  const paths = args.filter((_, i) => !asIds[i]).map((arg) => path.resolve(arg));
  const found = paths.length ? (await engine.call('findImages', { paths })).ids : [];
  let next = 0;
  return args.map((arg, i) => {
    const asId = asIds[i];
    if (asId) return Number(asId[1]);
    const id = found[next++];
    if (id === null) throw new Error(`${arg} is not an image in the library (import its folder first)`);
    return id;
  });
}

const list = (v: unknown) => (str(v) ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export const label: Command = {
  synopsis: 'label LABEL IMAGE...',
  summary: 'give images (paths or ids) a label; --remove takes it off',
  options: { remove: { type: 'boolean' } },
  async run({ library, values, positionals, out }) {
    const [name, ...images] = positionals;
    if (!name || images.length === 0) throw new UsageError('give a label and at least one image');
    await withEngine(library, async (engine) => {
      const ids = await resolveImages(engine, images);
      const r = values.remove
        ? (await engine.call('removeLabel', { label: name, ids }))
        : (await engine.call('setLabel', { label: name, ids }));
      out.result(r, () => ('removed' in r ? `removed "${name}" from ${plural(r.removed, 'image')}` : `labelled ${plural(r.labelled, 'image')} "${name}"`));
    });
  },
};

export const pair: Command = {
  synopsis: 'pair A B --match|--mismatch',
  summary: 'tell the app two images are alike (--match) or not (--mismatch)',
  options: { match: { type: 'boolean' }, mismatch: { type: 'boolean' }, remove: { type: 'boolean' } },
  async run({ library, values, positionals, out }) {
    if (positionals.length !== 2) throw new UsageError('give exactly two images');
    if (!values.remove && values.match === values.mismatch) throw new UsageError('say --match or --mismatch');
    await withEngine(library, async (engine) => {
      const [a, b] = await resolveImages(engine, positionals);
      if (values.remove) {
        const r = await engine.call('unmarkPair', { a, b });
        out.result(r, () => 'pair removed');
        return;
      }
      const verdict = values.match ? 'match' : 'mismatch';
      const r = await engine.call('markPair', { a, b, verdict });
      out.result(r, () => `#${a} and #${b} marked ${verdict === 'match' ? 'alike' : 'not alike'}`);
    });
  },
};

function metricsTable(rows: [string, Metrics | null][]): string {
  const keys: (keyof Metrics)[] = ['precision_at_1', 'recall_at_1', 'recall_at_10', 'r_precision', 'map_at_r'];
  const head = ['', ...keys].map((k, i) => (i === 0 ? ''.padEnd(16) : k.padStart(14))).join('');
  const lines = rows.map(([name, m]) => name.padEnd(16) + keys.map((k) => (m ? m[k].toFixed(3) : '-').padStart(14)).join(''));
  return [head, ...lines].join('\n');
}

export const train: Command = {
  synopsis: 'train [--loss L] [--miner M] [--labels L1,L2,...] [--holdout-labels L1,L2] [--epochs N] [--depth head|blocks|whole] [--deep] [--json]',
  summary:
    `fine-tune the embedding on your labels and marked pairs, either alone is enough (losses: ${lossNames.join(', ')}); --depth blocks (or --deep) also tunes ` +
    "the CNN's last blocks, --depth whole all of it from pixels (GPU backends only); " +
    `${defaultEpochs.head} epochs by default, ${defaultEpochs.deeper} deeper; triplet's miner: ${defaultMiner} unless --miner (${minerNames.join(', ')})`,
  options: {
    deep: { type: 'boolean' },
    depth: { type: 'string' },
    loss: { type: 'string' },
    miner: { type: 'string' },
    labels: { type: 'string' },
    'holdout-labels': { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    dim: { type: 'string' },
  },
  async run({ library, values, out }) {
    const loss = oneOf(lossNames, 'loss', values.loss) ?? lossNames[0];
    const miner = oneOf(minerNames, 'miner', values.miner);
    const depth = oneOf(trainDepths, 'depth', values.depth);
    return withEngine(library, async (engine) => {
      // The engine checks the request once, before queuing it (enough labels or marks, a GPU for
      // the whole CNN), and says what is missing.
      const ref = await engine.call('train', {
        loss,
        miner,
        epochs: num('epochs', values.epochs),
        seed: num('seed', values.seed),
        embeddingDim: num('dim', values.dim),
        labels: values.labels ? list(values.labels) : undefined,
        holdoutLabels: values['holdout-labels'] ? list(values['holdout-labels']) : undefined,
        deep: values.deep ? true : undefined,
        depth,
      });
      const end = await waitForJob(engine, ref, out);
      if (end.result?.kind !== 'train') throw new Error(jobError(end) ?? 'training did not finish');
      const r: TrainSummary = end.result;
      out.result(r, () =>
        [
          r.modelId === null
            ? 'training cancelled: the active model is unchanged'
            : r.activated
              ? `model #${r.modelId} is now active`
              : `model #${r.modelId} was kept but not made active: ${r.notActivatedWhy} (\`lookalike use ${r.modelId}\`)`,
          `${r.depth === 'whole' ? 'head and whole CNN' : r.deep ? 'head and last blocks' : 'head'} trained on ${taughtFromText(r.taughtFrom)}, best epoch ${r.bestEpoch} of ${r.epochs}, ${r.seconds.toFixed(1)} s`,
          ...(r.marksBefore && r.marksAfter
            ? [`held-back marks ranked right (alike above not alike): ${r.marksBefore.auc.toFixed(3)} -> ${r.marksAfter.auc.toFixed(3)} (${r.marksAfter.alike} alike, ${r.marksAfter.notAlike} not alike)`]
            : []),
          ...(r.neighbourOverlap !== null ? [`unmarked photos kept ${(100 * r.neighbourOverlap).toFixed(0)} % of their 10 nearest`] : []),
          ...(r.ambiguous ? [`${r.ambiguous === 1 ? '1 image left out: it carries' : `${r.ambiguous} images left out: they carry`} more than one training label (choose classes with --labels)`] : []),
          ...r.unreadable.map((f) => `left out, could not be read: ${f.path}: ${f.error}`),
          ...(r.before || r.after ? [] : ['(no labels: retrieval by label is not measured)']),
          metricsTable([
            ['before', r.before],
            ['after', r.after],
            ...(r.unseenAfter ? ([['unseen before', r.unseenBefore], ['unseen after', r.unseenAfter]] as [string, Metrics | null][]) : []),
          ]),
        ].join('\n'),
      );
      return end.state === 'done' ? 0 : 1;
    });
  },
};

/** "12 photos of 3 labels, 40 alike and 38 not-alike marks (20 held back)". */
export function taughtFromText(t: TaughtFrom): string {
  const parts: string[] = [];
  if (t.labels) parts.push(`${plural(t.labelledPhotos, 'photo')} of ${plural(t.labels, 'label')}`);
  if (t.alike || t.notAlike) parts.push(`${t.alike} alike and ${t.notAlike} not-alike ${t.alike + t.notAlike === 1 ? 'mark' : 'marks'}${t.heldBack ? ` (${t.heldBack} more held back to judge)` : ''}`);
  return parts.join(', ') || 'nothing';
}

export const evaluate: Command = {
  synopsis: 'eval [--labels L1,L2,...] [--model N] [--json]',
  summary: 'retrieval quality of the active model among images with those labels',
  options: { labels: { type: 'string' }, model: { type: 'string' } },
  async run({ library, values, out }) {
    const model = values.model === undefined ? undefined : values.model === 'pretrained' ? null : num('model', values.model);
    const [m, status] = await withEngine(library, (e) =>
      Promise.all([e.call('evaluate', { labels: values.labels ? list(values.labels) : undefined, model }), e.call('status', {})]),
    );
    // The row names the model measured, as `models` and `use` do: "#3" or "pretrained".
    const which = model === undefined ? (status.activeModel?.id ?? null) : model;
    out.result(m, () => `${metricsTable([[which === null ? 'pretrained' : `#${which}`, m]])}\n(${plural(m.queries, 'query', 'queries')})`);
  },
};

export const models: Command = {
  synopsis: 'models [--json]',
  summary: 'the trained models, with their metrics before and after training',
  options: {},
  async run({ library, out }) {
    const ms = await withEngine(library, (e) => e.call('models', {}));
    out.result(ms, () =>
      ms
        .map((m) => {
          const id = m.id === null ? 'pretrained' : `#${m.id}`;
          const gain = m.before && m.after ? `  MAP@R ${m.before.map_at_r.toFixed(3)} → ${m.after.map_at_r.toFixed(3)}` : '';
          return `${m.active ? '*' : ' '} ${id.padEnd(11)} ${m.name}${minerText(m.settings)}${gain}`;
        })
        .join('\n'),
    );
  },
};

/** The miner a triplet model was trained with (a model trained without one named took the default). */
export function minerText(settings: Record<string, unknown>): string {
  if (settings.loss !== 'triplet') return '';
  return `, ${typeof settings.miner === 'string' ? settings.miner : defaultMiner} miner`;
}

export const use: Command = {
  synopsis: 'use MODEL',
  summary: 'make a model active (an id from `lookalike models`, or "pretrained")',
  options: {},
  async run({ library, positionals, out }) {
    const arg = positionals[0];
    if (!arg) throw new UsageError('give a model id or "pretrained"');
    const id = arg === 'pretrained' ? null : Number(arg.replace(/^#/, ''));
    if (id !== null && !Number.isInteger(id)) throw new UsageError(`"${arg}" is not a model id`);
    const r = await withEngine(library, (e) => e.call('useModel', { id }));
    out.result(r, () => `active model: ${id === null ? 'pretrained' : `#${id}`}`);
  },
};

export const hardPairs: Command = {
  synopsis: 'hard-pairs [--limit N] [--json]',
  summary: 'pairs the model probably gets wrong, to judge with `lookalike pair`',
  options: { limit: { type: 'string' } },
  async run({ library, values, out }) {
    const pairs = await withEngine(library, (e) => e.call('hardPairs', { limit: num('limit', values.limit) }));
    out.result(pairs, () =>
      pairs.length === 0
        ? 'no pairs to review'
        : pairs.map((p) => `${p.similarity.toFixed(3)}  #${p.a.id} ~ #${p.b.id}  (${p.reason})\n    ${p.a.path}\n    ${p.b.path}`).join('\n'),
    );
  },
};
