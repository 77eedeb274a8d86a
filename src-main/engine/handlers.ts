// One handler per contract call. Calls on the catalog alone answer without loading tfjs; the
// others await the heavy half (compute.ts), which loads once.
import path from 'node:path';
import { ContractError, type Status } from '../../src-shared/contract.js';
import { isSqliteDamage } from '../common/sqlite-damage.js';
import { appVersion } from '../common/version.js';
import { catalogDamaged } from '../library/catalog-file.js';
import type { Handlers } from '../link/protocol.js';
import type { EngineCore } from './core.js';
import { duplicatesAsJob } from './duplicates-job.js';
import { withFileFacts } from './hit-details.js';
import { checkImportFolders } from './import-folders.js';
import { savedIndexCount } from './index-files.js';
import { startImport, switchAsJob } from './library-jobs.js';
import { listModels, activeModelProblem, modelExists } from './model-list.js';
import { checkDepth, checkTrainable, trainReadiness } from './training-data.js';

export function makeHandlers(core: EngineCore): Handlers {
  return catalogDamageNamed(core, callHandlers(core));
}

/**
 * SQLite's bare "database disk image is malformed" from a call becomes a message naming the
 * catalog and the way back (the feature cache reports its own damage, and recovers from it).
 */
function catalogDamageNamed(core: EngineCore, handlers: Handlers): Handlers {
  const named = (fn: (input: never) => Promise<unknown>) => async (input: never) => {
    try {
      return await fn(input);
    } catch (err) {
      throw isSqliteDamage(err) ? catalogDamaged(core.catalog.paths, (err as Error).message) : err;
    }
  };
  return Object.fromEntries(Object.entries(handlers).map(([method, fn]) => [method, named(fn as (input: never) => Promise<unknown>)])) as unknown as Handlers;
}

function callHandlers(core: EngineCore): Handlers {
  const { catalog, jobs, folders } = core;
  const requireImages = (ids: readonly number[]): void => {
    const missing = ids.filter((id) => !catalog.getImage(id));
    if (missing.length) throw new ContractError(`no such image: ${missing.map((id) => `#${id}`).join(', ')}`, 'not-found');
  };
  return {
    status: async ({ loadBackend }): Promise<Status> => {
      const compute = loadBackend ? await core.compute() : core.loaded();
      const active = catalog.activeModel();
      return {
        version: appVersion(),
        library: catalog.paths.root,
        backend: compute?.backend ?? null,
        images: catalog.countImages(),
        embedded: compute ? compute.vectors.embeddedCount() : savedIndexCount(catalog, active?.id ?? null, false),
        // A count, not the labels counted: status is asked every few seconds by the page.
        labels: catalog.labelCount(),
        activeModel: active ? { id: active.id, name: active.name } : null,
        modelProblem: compute ? compute.vectors.modelProblem : activeModelProblem(catalog, folders),
        notices: [...catalog.notices, compute?.vectors.recoveryNotice()].filter((n): n is string => !!n),
      };
    },
    importFolders: async ({ paths, labelsFromFolders, verify }) => {
      const resolved = checkImportFolders(paths);
      return { jobId: startImport(core, resolved, labelsFromFolders ?? false, verify ?? false) };
    },
    listImages: async ({ offset, limit, label }) => {
      let labelId: number | undefined;
      if (label !== undefined) {
        labelId = catalog.labelId(label);
        if (labelId === undefined) return { total: 0, offset, items: [] };
      }
      const page = catalog.listImages({ offset, limit, labelId });
      return {
        total: page.total,
        offset,
        items: page.items.map((i) => ({ id: i.id, path: i.path, width: i.width, height: i.height, labels: i.labels })),
      };
    },
    findImages: async ({ paths }) => ({ ids: paths.map((p) => catalog.imageByPath(path.resolve(p))?.id ?? null) }),
    listFailures: async () => catalog.listFailures().map((f) => ({ path: f.path, error: f.error })),
    similar: async (req) => {
      const compute = await core.compute();
      const r = await compute.queries.similar(req);
      const modelProblem = compute.vectors.modelProblem;
      return modelProblem ? { ...r, modelProblem } : r;
    },
    duplicates: async ({ threshold }) => withFileFacts(catalog, await duplicatesAsJob(core, threshold)),
    keepDuplicate: async ({ keep, spare }) => {
      const file = (p: string) => {
        const image = catalog.imageByPath(p);
        if (!image) throw new ContractError(`no photo in the library at ${p}`, 'not-found');
        return { path: path.resolve(p), id: image.id };
      };
      const review = catalog.keepDuplicate(file(keep), spare.map(file), 'user');
      return { kept: review.kept, spare: review.spare, createdAt: review.createdAt };
    },
    duplicateReviews: async () => catalog.duplicateReviews().map((r) => ({ kept: r.kept, spare: r.spare, createdAt: r.createdAt })),
    undoDuplicateReview: async ({ kept }) => ({ undone: catalog.undoDuplicateReview(kept) }),
    labels: async () => catalog.labelsWithCounts().map((l) => ({ id: l.id, name: l.name, count: l.count })),
    setLabel: async ({ label, ids }) => {
      requireImages(ids);
      catalog.setLabels(ids, label);
      core.libraryChanged();
      return { labelled: ids.length };
    },
    removeLabel: async ({ label, ids }) => {
      const removed = catalog.removeLabel(ids, label);
      core.libraryChanged();
      return { removed };
    },
    markPair: async ({ a, b, verdict }) => {
      requireImages([a, b]);
      const p = catalog.markPair(a, b, verdict, 'user');
      return { a: p.a, b: p.b, verdict: p.verdict };
    },
    unmarkPair: async ({ a, b }) => ({ removed: catalog.unmarkPair(a, b) }),
    pairs: async ({ ids }) => {
      const wanted = ids ? new Set(ids) : null;
      return catalog
        .listPairs()
        .filter((p) => !wanted || wanted.has(p.a) || wanted.has(p.b))
        .map((p) => ({ a: p.a, b: p.b, verdict: p.verdict, source: p.source, createdAt: p.createdAt }));
    },
    hardPairs: async ({ limit }) => (await core.compute()).learning.hardPairs(limit),
    trainReadiness: async (req) => trainReadiness(catalog, req),
    train: async (req) => {
      if (jobs.isBusy('train')) throw new ContractError('a training run is already queued or running', 'conflict');
      // Checked here once, before queuing: the job and the CLI trust it.
      await checkDepth(req);
      checkTrainable(catalog, req);
      const jobId = jobs.enqueue('train', req, async (ctx) => {
        ctx.progress({ phase: 'loading the CNN' });
        const { learning } = await core.compute();
        return { kind: 'train', ...(await learning.train(req, ctx)) };
      });
      return { jobId };
    },
    evaluate: async (req) => (await core.compute()).learning.evaluate(req),
    models: async () => {
      const compute = core.loaded();
      const active = compute ? compute.vectors.activeModelId : (catalog.activeModel()?.id ?? null);
      return listModels(catalog, folders, active);
    },
    useModel: async ({ id }) => {
      if (jobs.isBusy('train')) throw new ContractError('wait for training to finish before switching models', 'conflict');
      if (id !== null && !modelExists(catalog, folders, id)) throw new ContractError(`no model #${id}`, 'not-found');
      const compute = core.loaded();
      if (!compute && savedIndexCount(catalog, id) === catalog.countImages()) {
        // Nothing is loaded and the model's saved index holds every photo: switching is a
        // note in the catalog; whoever loads the engine next starts from that model.
        catalog.setActiveModel(id);
      } else {
        const loadedNow = compute ?? (await core.compute());
        if (loadedNow.needsEmbedding(id)) await switchAsJob(core, id);
        else await loadedNow.learning.useModel(id);
      }
      core.emit('modelChanged', { active: id });
      core.libraryChanged();
      return { active: id };
    },
    cancelJob: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    listJobs: async () => jobs.list(),
    map: async (req) => (await core.compute()).map(req),
    exportData: async (req) => (await core.compute()).exchange.export(req),
    importLabels: async (req) => {
      const r = await (await core.compute()).exchange.importLabels(req);
      if (r.labelled > 0) core.libraryChanged();
      return r;
    },
  };
}
