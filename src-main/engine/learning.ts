// Teaching the embedding: the train job (labels + marked pairs → a new head → a new index →
// switch), evaluation of any model, model versions, and hard pairs for the user to judge.
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  ContractError,
  type HardPairView,
  type MarkMetrics,
  type Metrics,
  type ParsedRequest,
  type TrainProgressEvent,
  type TrainSummary,
} from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { retrievalMetricsYielding, type RetrievalMetrics } from '../learn/metrics.js';

import { requestedDepth } from '../../src-shared/train-depth.js';
import { defaultEpochsFor } from '../../src-shared/vocabulary.js';
import type { TrainProgress } from '../learn/trainer.js';
import { teach } from '../learn/teach.js';
import { embeddingsIn, proposeHardPairs } from '../search/hard-pairs.js';
import { modelExists } from './model-list.js';
import { prepareModel, switchModel, type ModelSource, type PreparedModel, type SwitchProgress } from './model-switch.js';
import { labelledImages, trainingSet, type LabelsAndMarks, type TrainingSet, type TrainingSource } from './training-data.js';
import { markAuc } from '../learn/marks.js';
import { cosine } from '../common/vectors.js';
import { disposeModelParts, type ModelParts } from './model-parts.js';
import type { ListedImage, VectorLibrary } from './vector-library.js';
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

/** What learning reads and writes of the catalog: photos with their labels, the marks, model records. */
export type ModelRecords = LabelsAndMarks & Pick<Catalog, 'eachImage' | 'createModel' | 'setModelMetrics' | 'getModel'>;

/**
 * What learning uses of the vector library: a training set's features (TrainingSource), a new
 * model readied (ModelSource) and saved (folders, store) and installed, the active index (to
 * compare neighbourhoods, to propose hard pairs), and any model's embeddings.
 */
export type LearningLibrary = TrainingSource &
  ModelSource &
  Pick<VectorLibrary, 'folders' | 'store' | 'index' | 'install' | 'embeddingsOf'>;

export class Learning {
  constructor(
    private readonly catalog: ModelRecords,
    private readonly library: LearningLibrary,
    private readonly onTrainProgress: (e: TrainProgressEvent) => void,
  ) {}

  async train(req: ParsedRequest<'train'>, ctx: JobContext): Promise<TrainSummary> {
    const started = Date.now();
    ctx.progress({ phase: 'gathering labels and marks' });
    // A pause first: the request that queued this job is answered before the job's own work
    // (at 77,000 photos its first piece ran in the request's, which held the thread 183 ms).
    await nextTurn();
    // The request was checked once, before the job was queued (handlers.ts): what can still fail
    // here (labels removed meanwhile) fails in the trainer with its own words.
    const data = await trainingSet(this.library, req);
    // One listing, not a catalog look-up per photo (77,000 look-ups took 10 s of the engine's
    // thread), read once for the paths and the untaught sample: ~45 ms at 77,000 photos, a piece
    // of its own between pauses.
    await nextTurn();
    const listed = this.library.listed();
    await nextTurn();
    const pathOf = new Map(listed.map((i) => [i.id, i.path]));
    const context = this.untaughtFeatures(data.ids, listed);
    await nextTurn();
    const depth = requestedDepth(req);
    const deep = depth !== 'head';
    const epochs = req.epochs ?? defaultEpochsFor(deep);
    const result = await teach(
      depth,
      {
        paths: data.ids.map((id) => pathOf.get(id) ?? ''),
        features: data.features, classes: data.classes, groupClasses: data.groupClasses, pairs: data.pairs, heldBack: data.heldBack,
        context,
      },
      {
        loss: req.loss, miner: req.miner, epochs, seed: req.seed ?? 1, holdoutLabels: req.holdoutLabels, embeddingDim: req.embeddingDim,
        signal: ctx.signal,
        extractor: depth === 'blocks' ? await this.library.pass.extractor() : undefined,
        onPhase: (p) => ctx.progress(p),
        onProgress: (p: TrainProgress) => {
          this.onTrainProgress({
            jobId: ctx.jobId, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, loss: p.loss,
            validation: toMetrics(p.validation?.retrieval), marks: p.validation?.marks ?? null,
          });
          ctx.progress({ phase: 'training', done: p.epoch - (p.validation ? 0 : 1), total: p.epochs });
        },
      },
    );
    const summary: TrainSummary = {
      modelId: null,
      before: toMetrics(result.before),
      after: toMetrics(result.after),
      unseenBefore: toMetrics(result.unseenBefore),
      unseenAfter: toMetrics(result.unseenAfter),
      bestEpoch: result.bestEpoch,
      epochs: result.history.length,
      seconds: 0,
      deep,
      depth,
      images: result.trained,
      pairs: data.pairs.length,
      ambiguous: data.ambiguous,
      unreadable: result.unreadable,
      taughtFrom: data.taughtFrom,
      marksBefore: null,
      marksAfter: result.marksAfter,
      neighbourOverlap: null,
      activated: false,
      notActivatedWhy: null,
    };
    if (result.cancelled || ctx.signal.aborted) {
      result.head.dispose();
      return { ...summary, seconds: (Date.now() - started) / 1000 }; // the active model stays as it was
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
        labels: req.labels ?? [...new Set(data.classes.filter((c): c is string => c !== null && !data.groupClasses.has(c)))].sort(),
      },
      metrics: {},
    });
    // A head alone goes to the switch as it is; deeper models are loaded back from their files
    // (their trained blocks were disposed with the training graph).
    const headOnly = !result.tail && !result.cnn;
    let prepared: PreparedModel;
    let handedOver = false; // once handed over, prepareModel owns the head (and disposes it on failure)
    try {
      await this.library.folders.save(record.id, { head: result.head, tail: result.tail, cnn: result.cnn });
      ctx.progress({ phase: 're-indexing', done: 0, total: null });
      handedOver = headOnly;
      prepared = await prepareModel(
        this.library,
        record.id,
        {
          signal: ctx.signal,
          onEmbed: (done, total, rate) => ctx.progress({ phase: 'embedding with the new blocks', done, total, rate }),
          onIndex: (done, total) => ctx.progress({ phase: 're-indexing', done, total }),
        },
        headOnly ? { id: record.id, head: result.head, tail: null, cnn: null, features: this.library.store } : undefined,
      );
    } finally {
      if (!handedOver) result.head.dispose();
    }
    // Judged against the model answering now, on marks neither was trained on.
    const marksBefore = this.heldBackScore(this.library.active, data);
    const marksAfter = this.heldBackScore(prepared.parts, data);
    const neighbourOverlap = this.neighbourOverlap(prepared, data.ids);
    const notActivatedWhy = whyNotActivate(marksBefore, marksAfter);
    const done = { ...summary, modelId: record.id, marksBefore, marksAfter, neighbourOverlap, notActivatedWhy, activated: notActivatedWhy === null };
    this.catalog.setModelMetrics(record.id, {
      before: done.before, after: done.after, unseenBefore: done.unseenBefore, unseenAfter: done.unseenAfter,
      taughtFrom: done.taughtFrom, marksBefore, marksAfter, neighbourOverlap, notActivatedWhy,
    });
    if (notActivatedWhy) disposeModelParts(prepared.parts);
    else this.library.install(prepared.parts, prepared.index);
    return { ...done, seconds: (Date.now() - started) / 1000 };
  }

  /** Features of photos that no label or mark names (a sample): where a head starts, and what it keeps in place. */
  private untaughtFeatures(taught: readonly number[], listed: readonly ListedImage[], most = 2000): Float32Array[] {
    const skip = new Set(taught);
    return this.library.withFeatures(evenSample(listed.filter((i) => !skip.has(i.id)), most)).features;
  }

  /** A model's score on the held-back marks of a training set; null without such marks. */
  private heldBackScore(parts: ModelParts, data: TrainingSet): MarkMetrics | null {
    if (data.heldBack.length === 0) return null;
    const rows = [...new Set(data.heldBack.flatMap((p) => [p.a, p.b]))];
    const images = rows.map((r) => ({ id: data.ids[r], hash: this.catalog.getImage(data.ids[r])?.contentHash ?? '' }));
    const have = this.library.withFeatures(images, parts.features);
    const vectors = parts.head.embed(have.features);
    const at = new Map(have.ids.map((id, i) => [id, vectors[i]]));
    const pairs = data.heldBack.filter((p) => at.has(data.ids[p.a]) && at.has(data.ids[p.b]));
    return markAuc(pairs, (a, b) => cosine(at.get(data.ids[a])!, at.get(data.ids[b])!));
  }

  /**
   * How much a new index moved the neighbourhoods of photos nobody taught about: the mean share
   * of their 10 nearest (under the active model) still among their 10 nearest under the new one,
   * over a sample of up to 200.
   */
  private neighbourOverlap(next: PreparedModel, taught: readonly number[]): number | null {
    const skip = new Set(taught);
    const now = { parts: this.library.active, index: this.library.index };
    const rest = this.library.listed().filter((i) => !skip.has(i.id) && now.index.has(i.id) && next.index.has(i.id));
    if (rest.length < 12) return null;
    const sample = evenSample(rest, 200);
    const neighbours = ({ parts, index }: PreparedModel) => {
      const { ids, features } = this.library.withFeatures(sample, parts.features);
      const vectors = parts.head.embed(features);
      return new Map(ids.map((id, k) => [id, index.search(vectors[k], 10, { exclude: id }).map((h) => h.id)]));
    };
    const [before, after] = [neighbours(now), neighbours(next)];
    let sum = 0;
    let count = 0;
    for (const [id, was] of before) {
      const is = after.get(id);
      if (!is || was.length === 0) continue;
      sum += was.filter((n) => is.includes(n)).length / was.length;
      count++;
    }
    return count ? sum / count : null;
  }

  async evaluate(req: ParsedRequest<'evaluate'>): Promise<Metrics> {
    if (req.model !== undefined && req.model !== null && !this.modelExists(req.model)) {
      throw new ContractError(`no model #${req.model}`, 'not-found');
    }
    const { rows } = labelledImages(this.catalog, req.labels);
    const labelOf = new Map(rows.map((r) => [r.id, r.label]));
    const { ids, vectors } = await this.library.embeddingsOf(req.model, rows.map((r) => r.id));
    if (ids.length < 2) throw new ContractError('evaluation needs labelled, embedded images', 'conflict');
    return toMetrics(await retrievalMetricsYielding(vectors, ids.map((id) => labelOf.get(id)!), [1, 10]))!;
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
    const embeddings = embeddingsIn(this.library.index);
    const labels = new Map<number, string>();
    const labelsOf = new Map<number, string[]>();
    const paths = new Map<number, string>();
    for (const i of this.catalog.eachImage()) {
      paths.set(i.id, i.path);
      labelsOf.set(i.id, i.labels);
      if (i.labels.length > 0) labels.set(i.id, i.labels[0]);
    }
    const marked = this.catalog.listPairs();
    // Every reason may fill the queue; they are then taken in turn, so labels' reasons and the
    // marks' reason share it when both have proposals, and either fills it alone.
    const proposals = interleaveByReason(
      proposeHardPairs(embeddings, labels, marked, { index: this.library.index, limitPerReason: limit }),
      limit,
    );
    const view = (id: number, score: number) => ({ id, path: paths.get(id) ?? '', score, labels: labelsOf.get(id) ?? [] });
    return proposals.map((p) => ({
      a: view(p.a, p.similarity),
      b: view(p.b, p.similarity),
      reason: p.reason,
      similarity: p.similarity,
    }));
  }

}

/**
 * Why a newly trained model should not replace the one in use, or null: it ranks the marks
 * neither was trained on worse. (Labels' metrics are shown, not used to refuse: with labels
 * the user chose what to measure.)
 */
export function whyNotActivate(inUse: MarkMetrics | null, trained: MarkMetrics | null): string | null {
  if (!inUse || !trained || trained.auc >= inUse.auc) return null;
  return (
    `it ranks your held-back marks worse than the model in use (${trained.auc.toFixed(3)} against ${inUse.auc.toFixed(3)}: ` +
    'the share of “alike” pairs scored above “not alike” ones); it is kept, and you can switch to it'
  );
}

/** At most `most` of `items`, evenly spaced through them. */
function evenSample<T>(items: readonly T[], most: number): T[] {
  const step = items.length / Math.min(most, items.length);
  return Array.from({ length: Math.min(most, items.length) }, (_, k) => items[Math.floor(k * step)]);
}

/** Up to `limit` proposals, one of each reason in turn (each reason's own order kept). */
function interleaveByReason<T extends { reason: string }>(proposals: readonly T[], limit: number): T[] {
  const queues = new Map<string, T[]>();
  for (const p of proposals) (queues.get(p.reason) ?? queues.set(p.reason, []).get(p.reason)!).push(p);
  const out: T[] = [];
  while (out.length < limit && [...queues.values()].some((q) => q.length)) {
    for (const q of queues.values()) if (q.length && out.length < limit) out.push(q.shift()!);
  }
  return out;
}
