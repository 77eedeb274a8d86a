// Model versions as the catalog and the models/ folder know them: listing, existence and a
// missing model's problem need neither tfjs nor the CNN.
import type { MarkMetrics, Metrics, ModelSummary, TaughtFrom } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import type { ModelFolders } from '../learn/model-folders.js';

interface StoredMetrics {
  before?: Metrics | null;
  after?: Metrics | null;
  unseenBefore?: Metrics | null;
  unseenAfter?: Metrics | null;
  taughtFrom?: TaughtFrom;
  marksBefore?: MarkMetrics | null;
  marksAfter?: MarkMetrics | null;
  neighbourOverlap?: number | null;
  notActivatedWhy?: string | null;
}

/** A trained model is usable when its row and its files exist. */
export function modelExists(catalog: Pick<Catalog, 'getModel'>, folders: Pick<ModelFolders, 'exists'>, id: number): boolean {
  return catalog.getModel(id) !== undefined && folders.exists(id);
}

/** What status (and similar) says when the active model cannot be loaded (the pretrained model answers). */
export function modelLoadProblem(id: number, reason: string): string {
  return `model #${id} could not be loaded (${reason}): answering with the pretrained CNN until you train again or run \`lookalike use pretrained\``;
}

/** The problem with the catalog's active model that can be seen without loading tfjs (missing or damaged files), or null. */
export function activeModelProblem(catalog: Catalog, folders: ModelFolders): string | null {
  const id = catalog.activeModel()?.id;
  if (id === undefined) return null;
  if (!folders.exists(id)) return modelLoadProblem(id, `model #${id}'s files are missing (${folders.dir(id)})`);
  const problem = folders.problem(id);
  return problem && modelLoadProblem(id, problem);
}

/** The pretrained space and every trained model whose files exist, `active` marking the one in use. */
export function listModels(catalog: Catalog, folders: ModelFolders, active: number | null): ModelSummary[] {
  const pretrained: ModelSummary = {
    id: null,
    name: 'Pretrained (no training)',
    createdAt: null,
    loss: null,
    active: active === null,
    settings: {},
    before: null,
    after: null,
    unseenBefore: null,
    unseenAfter: null,
    taughtFrom: null,
    marksBefore: null,
    marksAfter: null,
    neighbourOverlap: null,
    notActivatedWhy: null,
  };
  const trained = catalog
    .listModels()
    .filter((m) => modelExists(catalog, folders, m.id))
    .map((m): ModelSummary => {
      const metrics = (m.metrics ?? {}) as StoredMetrics;
      return {
        id: m.id,
        name: m.name,
        createdAt: m.createdAt,
        loss: m.loss as ModelSummary['loss'],
        active: m.id === active,
        settings: (m.settings ?? {}) as Record<string, unknown>,
        before: metrics.before ?? null,
        after: metrics.after ?? null,
        unseenBefore: metrics.unseenBefore ?? null,
        unseenAfter: metrics.unseenAfter ?? null,
        taughtFrom: metrics.taughtFrom ?? null,
        marksBefore: metrics.marksBefore ?? null,
        marksAfter: metrics.marksAfter ?? null,
        neighbourOverlap: metrics.neighbourOverlap ?? null,
        notActivatedWhy: metrics.notActivatedWhy ?? null,
      };
    });
  return [pretrained, ...trained];
}
