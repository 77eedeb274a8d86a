// Teaching the embedding: the train job (labels + marked pairs → a new head → a new index →
// switch), evaluation of any model, model versions, and hard pairs for the user to judge.
import { whyNotTrainable } from '../learn/trainable.js';
import * as tf from '@tensorflow/tfjs';
import {
  ContractError,
  type Failure,
  type HardPairView,
  type Metrics,
  type ParsedRequest,
  type TrainProgressEvent,
  type TrainSummary,
} from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { retrievalMetrics, type RetrievalMetrics } from '../learn/metrics.js';
import type { NamedWeight } from '../learn/backbone-tail.js';
import type { MarkedPair } from '../learn/split.js';
import { fineTuneBackbone, type FineTuneOptions, type FineTuneResult } from '../learn/backbone-finetune.js';
import { cacheActivations, loadFineTunableBackbone } from '../learn/backbone-trunk.js';
import { runWholeCnnTraining } from '../learn/whole-run.js';

import { requestedDepth } from '../../src-shared/train-depth.js';
import { trainHead, type TrainProgress } from '../learn/trainer.js';
import { registerWasmGradKernels } from '../learn/wasm-grad-kernels.js';
import { decodeForBackbone } from '../model/preprocess.js';
import { proposeHardPairs } from '../search/hard-pairs.js';
import { modelExists } from './model-list.js';
import { switchModel, type SwitchProgress } from './model-switch.js';
import { checkDepth, labelledFeatures, labelledImages } from './training-data.js';
import type { VectorLibrary } from './vector-library.js';
import type { JobContext } from '../jobs/job-runner.js';

export function toMetrics(m: RetrievalMetrics | null | undefined): Metrics | null {
  if (!m) return null;
  return {
    precision_at_1: m.precisionAt1,
    recall_at_1: m.recallAtK[1] ?? 0,
    recall_at_10: m.recallAtK[10] ?? 0,
    r_precision: m.rPrecision,
    map_at_r: m.mapAtR,
    queries: m.queries,
  };
}

export class Learning {
  constructor(
    private readonly catalog: Catalog,
    private readonly library: VectorLibrary,
    private readonly onTrainProgress: (e: TrainProgressEvent) => void,
  ) {}

  async train(req: ParsedRequest<'train'>, ctx: JobContext): Promise<TrainSummary> {
    const started = Date.now();
    ctx.progress({ phase: 'gathering labels' });
    const data = labelledFeatures(this.library, req.labels);
    const distinct = new Set(data.labels);
    if (distinct.size < 2) {
      throw new ContractError(`training needs at least two labels with embedded images; the library has ${distinct.size}`, 'conflict');
    }
    const why = whyNotTrainable(data.labels, { holdoutLabels: req.holdoutLabels });
    if (why) throw new ContractError(why, 'conflict');
    const position = new Map(data.ids.map((id, i) => [id, i]));
    const pairs = this.catalog.listPairs().flatMap((p) => {
      const a = position.get(p.a);
      const b = position.get(p.b);
      return a === undefined || b === undefined ? [] : [{ a, b, match: p.verdict === 'match' }];
    });
    const depth = requestedDepth(req);
    const deep = depth !== 'head';
    await checkDepth(req);
    const epochs = req.epochs ?? (deep ? 10 : 30);
    const settings = {
      labels: data.labels, pairs, loss: req.loss, miner: req.miner, epochs, seed: req.seed ?? 1,
      holdoutLabels: req.holdoutLabels, embeddingDim: req.embeddingDim, signal: ctx.signal,
      onProgress: (p: TrainProgress) => {
        this.onTrainProgress({
          jobId: ctx.jobId, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, loss: p.loss, validation: toMetrics(p.validation),
        });
        ctx.progress({ phase: 'training', done: p.epoch - (p.validation ? 0 : 1), total: p.epochs });
      },
    };
    const paths = () => data.ids.map((id) => this.catalog.getImage(id)?.paths[0] ?? '');
    const result =
      depth === 'whole'
        ? { ...(await runWholeCnnTraining(paths(), settings, (p) => ctx.progress(p), ctx.signal)), tail: null }
        : deep
          ? { ...(await this.fineTuneBlocks(data.ids, settings, ctx)), cnn: null }
          : { ...(await trainHead({ ...settings, features: data.features })), tail: null, cnn: null, trained: data.ids.length, unreadable: [] };
    const summary: TrainSummary = {
      modelId: null,
      before: toMetrics(result.before),
      after: toMetrics(result.after),
      unseenBefore: toMetrics(result.unseenBefore),
      unseenAfter: toMetrics(result.unseenAfter),
      bestEpoch: result.bestEpoch,
      epochs: result.history.length,
      seconds: (Date.now() - started) / 1000,
      deep,
      depth,
      images: result.trained,
      pairs: pairs.length,
      ambiguous: data.ambiguous,
      unreadable: result.unreadable,
    };
    if (result.cancelled || ctx.signal.aborted) {
      result.head.dispose();
      return summary; // the active model stays as it was
    }
    // The model row exists before its files; it only becomes active once its files and index are
    // complete, so a killed engine leaves the previous model in charge.
    const record = this.catalog.createModel({
      name: `${req.loss}${depth === 'whole' ? ' + whole CNN' : deep ? ' + blocks' : ''} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      loss: req.loss,
      settings: {
        ...result.head.metadata.settings,
        deep,
        depth,
        miner: req.miner ?? null,
        holdoutLabels: req.holdoutLabels ?? [],
        labels: req.labels ?? [...distinct].sort(),
      },
      metrics: { before: summary.before, after: summary.after, unseenBefore: summary.unseenBefore, unseenAfter: summary.unseenAfter },
    });
    try {
      await this.library.folders.save(record.id, { head: result.head, tail: result.tail, cnn: result.cnn });
    } finally {
      result.head.dispose();
    }
    ctx.progress({ phase: 're-indexing', done: 0, total: null });
    await switchModel(this.library, record.id, {
      signal: ctx.signal,
      onEmbed: (done, total, rate) => ctx.progress({ phase: 'embedding with the new blocks', done, total, rate }),
      onIndex: (done, total) => ctx.progress({ phase: 're-indexing', done, total }),
    });
    return { ...summary, modelId: record.id };
  }

  /**
   * Deeper fine-tuning: the frozen blocks run once per labelled photo (and once mirrored), then
   * the last blocks and a head train together from those activations.
   */
  private async fineTuneBlocks(
    ids: number[],
    settings: Omit<FineTuneOptions, 'tail' | 'activations'> & { labels: string[]; pairs: MarkedPair[] },
    ctx: JobContext,
  ): Promise<FineTuneResult & { tail: { weights: NamedWeight[]; backboneVersion: string }; trained: number; unreadable: Failure[] }> {
    if (tf.getBackend() === 'wasm') registerWasmGradKernels();
    const backbone = await loadFineTunableBackbone();
    try {
      const paths = ids.map((id) => this.catalog.getImage(id)?.paths[0] ?? '');
      const unreadable: Failure[] = [];
      ctx.progress({ phase: 'running the frozen blocks', done: 0, total: ids.length });
      const cached = await cacheActivations(backbone, ids.length, (i) => decodeForBackbone(paths[i]), {
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ phase: 'running the frozen blocks', done, total }),
        onUnreadable: (i, err) => unreadable.push({ path: paths[i], error: err.message }),
      });
      // Photos that could not be read again are left out, with the marked pairs they are in.
      const kept = cached.flatMap((c, i) => (c.views.length > 0 ? [i] : []));
      const row = new Map(kept.map((old, k) => [old, k]));
      const pairs = settings.pairs.flatMap((p) => (row.has(p.a) && row.has(p.b) ? [{ a: row.get(p.a)!, b: row.get(p.b)!, match: p.match }] : []));
      if (unreadable.length) ctx.progress({ message: `${unreadable.length} labelled photo(s) could not be read and were left out` });
      const tail = backbone.newTail();
      try {
        const result = await fineTuneBackbone({
          ...settings, tail, activations: kept.map((i) => cached[i]), labels: kept.map((i) => settings.labels[i]), pairs,
        });
        return { ...result, tail: { weights: result.tailWeights, backboneVersion: backbone.version }, trained: kept.length, unreadable };
      } finally {
        tail.dispose();
      }
    } finally {
      backbone.dispose();
    }
  }

  async evaluate(req: ParsedRequest<'evaluate'>): Promise<Metrics> {
    if (req.model !== undefined && req.model !== null && !this.modelExists(req.model)) {
      throw new ContractError(`no model #${req.model}`, 'not-found');
    }
    const { rows } = labelledImages(this.catalog, req.labels);
    const labelOf = new Map(rows.map((r) => [r.id, r.label]));
    const { ids, vectors } = await this.library.embeddingsOf(req.model, rows.map((r) => r.id));
    if (ids.length < 2) throw new ContractError('evaluation needs labelled, embedded images', 'conflict');
    return toMetrics(retrievalMetrics(vectors, ids.map((id) => labelOf.get(id)!), [1, 10]))!;
  }

  /** Switches models; `opts` reports the photos a fine-tuned model must first embed. */
  async useModel(id: number | null, opts: SwitchProgress = {}): Promise<void> {
    if (id !== null && !this.modelExists(id)) throw new ContractError(`no model #${id}`, 'not-found');
    await switchModel(this.library, id, opts);
  }

  modelExists(id: number): boolean {
    return modelExists(this.catalog, this.library.folders, id);
  }

  hardPairs(limit: number): HardPairView[] {
    const embeddings = this.library.allEmbeddings();
    const labels = new Map<number, string>();
    const labelsOf = new Map<number, string[]>();
    const paths = new Map<number, string>();
    for (const i of this.catalog.eachImage()) {
      paths.set(i.id, i.path);
      labelsOf.set(i.id, i.labels);
      if (i.labels.length > 0) labels.set(i.id, i.labels[0]);
    }
    const marked = this.catalog.listPairs();
    const perReason = Math.max(1, Math.ceil(limit / 3));
    const proposals = proposeHardPairs(embeddings, labels, marked, {
      index: this.library.index,
      limitPerReason: perReason,
    });
    const view = (id: number, score: number) => ({ id, path: paths.get(id) ?? '', score, labels: labelsOf.get(id) ?? [] });
    return proposals.slice(0, limit).map((p) => ({
      a: view(p.a, p.similarity),
      b: view(p.b, p.similarity),
      reason: p.reason,
      similarity: p.similarity,
    }));
  }

}
