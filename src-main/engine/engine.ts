// The engine: owns the library (catalog, thumbnails, features, index) and runs every call of
// the contract. It lives in its own process in the app and in browser mode, and in-process for
// the CLI and the tests; the transports only route.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ContractError,
  type EventName,
  type Events,
  type JobKind,
  type JobProgress,
  type MediaKind,
  type Status,
} from '../../src-shared/contract.js';
import { Catalog } from '../library/catalog.js';
import { initBackend, type BackendInfo } from '../model/backend.js';
import { runImport } from '../ingest/import-job.js';
import type { EngineLike, EventListener } from './engine-like.js';
import { JobRunner, type JobContext, type JobStore } from './jobs.js';
import { dispatch, type Handlers } from './protocol.js';
import { EmbeddingSpace } from './embedding-space.js';
import { Learning } from './learning.js';
import { appVersion } from './version.js';
import { EmbeddingMaps } from '../map/embedding-maps.js';
import { mapCall } from '../map/map-call.js';
import { Exchange } from '../exchange/exchange.js';

export interface EngineOptions {
  /**
   * Pick up work a killed engine left: interrupted imports run again, unembedded images are
   * embedded. The long-lived engine of the app and of browser mode does this; one-shot CLI
   * commands do not, so that `lookalike status` never starts (and cancels) an import.
   */
  resume?: boolean;
}

export class Engine implements EngineLike {
  readonly handlers: Handlers;
  private readonly events = new EventEmitter();
  private readonly jobs: JobRunner;
  private readonly learning: Learning;
  private seq = 0;

  private constructor(
    readonly catalog: Catalog,
    readonly backend: BackendInfo,
    readonly space: EmbeddingSpace,
  ) {
    const store: JobStore = {
      create: (kind, params) => catalog.createJob(kind, params).id,
      update: (id, state, progress, result) =>
        void catalog.updateJob(id, {
          state,
          progress,
          result: result ?? undefined,
          error: result?.kind === 'error' ? result.message : null,
        }),
    };
    this.jobs = new JobRunner(store, (p) => this.emit('jobProgress', p));
    this.learning = new Learning(catalog, space, (e) => this.emit('trainProgress', e));
    this.handlers = this.makeHandlers();
  }

  static async open(libraryDir: string, opts: EngineOptions = {}): Promise<Engine> {
    const catalog = Catalog.open(libraryDir);
    try {
      const backend = await initBackend();
      const space = await EmbeddingSpace.open(catalog);
      const engine = new Engine(catalog, backend, space);
      if (opts.resume) engine.resumeInterruptedWork();
      return engine;
    } catch (err) {
      catalog.close();
      throw err;
    }
  }

  // ---- EngineLike ---------------------------------------------------------------------

  async call(method: string, input: unknown): Promise<unknown> {
    const response = await dispatch(this.handlers, { type: 'request', seq: ++this.seq, method, input });
    if (!response.ok) throw new ContractError(response.error.message, response.error.code);
    return response.result;
  }

  onEvent(listener: EventListener): () => void {
    const wrapped = (e: { name: EventName; payload: unknown }) => listener(e.name, e.payload as never);
    this.events.on('event', wrapped);
    return () => this.events.off('event', wrapped);
  }

  async mediaFile(kind: MediaKind, id: number): Promise<string | null> {
    const image = this.catalog.getImage(id);
    if (!image || image.paths.length === 0) return null;
    if (kind === 'original') return image.paths[0];
    const thumb = this.catalog.thumbnailPath(image.contentHash);
    return existsSync(thumb) ? thumb : null;
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    await this.space.close();
    this.catalog.close();
  }

  /** Resolves when no job is queued or running (tests, CLI). */
  whenIdle(): Promise<void> {
    return this.jobs.whenIdle();
  }

  // ---- internals ----------------------------------------------------------------------

  private emit<E extends EventName>(name: E, payload: Events[E]): void {
    this.events.emit('event', { name, payload });
  }

  private libraryChanged(): void {
    this.emit('libraryChanged', { images: this.catalog.countImages(), embedded: this.space.embeddedCount() });
  }

  /** Jobs a killed engine left running are closed as interrupted; imports run again. */
  private resumeInterruptedWork(): void {
    const interrupted = this.catalog.unfinishedJobs();
    for (const job of interrupted) {
      this.catalog.updateJob(job.id, { state: 'failed', error: 'interrupted: the engine stopped during this job' });
    }
    const imports = interrupted.filter((j) => j.kind === 'import');
    const roots = imports.flatMap((j) => ((j.params as { paths?: string[] } | null)?.paths ?? []));
    const byFolders = imports.some((j) => (j.params as { labelsFromFolders?: boolean } | null)?.labelsFromFolders);
    if (roots.length > 0) this.startImport([...new Set(roots)], byFolders);
    else if (this.space.pendingCount() > 0) this.startEmbed();
  }

  private startImport(paths: string[], labelsFromFolders: boolean): number {
    return this.jobs.enqueue('import', { paths, labelsFromFolders }, async (ctx) => {
      const started = Date.now();
      const result = await runImport(this.catalog, paths, {
        signal: ctx.signal,
        labelsFromFolders,
        onProgress: (p) =>
          ctx.progress({
            phase: p.phase === 'scan' ? 'scanning' : 'thumbnails',
            done: p.done,
            total: p.phase === 'scan' ? null : p.found,
            failed: p.failed,
            rate: p.imagesPerSecond,
            etaSeconds: p.etaSeconds,
          }),
      });
      this.libraryChanged();
      if (!result.cancelled) await this.embedPending(ctx);
      this.libraryChanged();
      ctx.progress({ message: `took ${((Date.now() - started) / 1000).toFixed(1)} s` });
      return {
        kind: 'import',
        added: result.added,
        unchanged: result.unchanged,
        removed: result.removed,
        failed: result.failed,
      };
    });
  }

  private startEmbed(): number {
    return this.jobs.enqueue('embed', {}, async (ctx) => {
      const r = await this.embedPending(ctx);
      this.libraryChanged();
      return { kind: 'embed', ...r };
    });
  }

  /**
   * A fine-tuned model must first run the photos it has not seen through its blocks: that is
   * long work, so it runs as a job (progress, cancel) and the call answers when it ends.
   */
  private async switchAsJob(id: number | null): Promise<void> {
    const jobId = this.jobs.enqueue('embed', { model: id }, async (ctx) => {
      await this.learning.useModel(id, {
        signal: ctx.signal,
        onEmbed: (done, total, rate) => ctx.progress({ phase: "embedding with the model's blocks", done, total, rate }),
        onIndex: (done, total) => ctx.progress({ phase: 're-indexing', done, total }),
      });
      return { kind: 'embed', embedded: this.space.embeddedCount(), failed: [] };
    });
    const end = await this.jobs.ended(jobId);
    if (end.state === 'cancelled') throw new ContractError('switching models was cancelled; the active model is unchanged', 'conflict');
    if (end.state === 'failed') throw new ContractError(`switching models failed: ${end.message ?? 'unknown error'}`, 'failed');
  }

  private embedPending(ctx: JobContext) {
    return this.space.embedPending({
      signal: ctx.signal,
      onProgress: (done, total, rate) =>
        ctx.progress({
          phase: 'indexing',
          done,
          total,
          failed: 0,
          rate,
          etaSeconds: rate && rate > 0 ? (total - done) / rate : null,
        }),
    });
  }

  private requireImages(ids: readonly number[]): void {
    const missing = ids.filter((id) => !this.catalog.getImage(id));
    if (missing.length) throw new ContractError(`no such image: ${missing.map((id) => `#${id}`).join(', ')}`, 'not-found');
  }

  private listJobs(kind?: JobKind): JobProgress[] {
    const all = this.jobs.list();
    return kind ? all.filter((j) => j.kind === kind) : all;
  }

  private makeHandlers(): Handlers {
    return {
      status: async (): Promise<Status> => {
        const active = this.catalog.activeModel();
        return {
          version: appVersion(),
          library: this.catalog.paths.root,
          backend: this.backend,
          images: this.catalog.countImages(),
          embedded: this.space.embeddedCount(),
          labels: this.catalog.labelsWithCounts().length,
          activeModel: active ? { id: active.id, name: active.name } : null,
        };
      },
      importFolders: async ({ paths, labelsFromFolders }) => {
        const resolved = paths.map((p) => path.resolve(p));
        for (const p of resolved) {
          if (!existsSync(p)) throw new ContractError(`no such folder: ${p}`, 'not-found');
        }
        return { jobId: this.startImport(resolved, labelsFromFolders ?? false) };
      },
      listImages: async ({ offset, limit, label }) => {
        let labelId: number | undefined;
        if (label !== undefined) {
          labelId = this.catalog.labelId(label);
          if (labelId === undefined) return { total: 0, offset, items: [] };
        }
        const page = this.catalog.listImages({ offset, limit, labelId });
        return {
          total: page.total,
          offset,
          items: page.items.map((i) => ({
            id: i.id,
            path: i.path,
            width: i.width,
            height: i.height,
            labels: i.labels,
          })),
        };
      },
      listFailures: async () => this.catalog.listFailures().map((f) => ({ path: f.path, error: f.error })),
      similar: async (req) => this.space.similar(req),
      duplicates: async ({ threshold }) => this.space.duplicates(threshold),
      labels: async () => this.catalog.labelsWithCounts().map((l) => ({ name: l.name, count: l.count })),
      setLabel: async ({ label, ids }) => {
        this.requireImages(ids);
        this.catalog.setLabels(ids, label);
        this.libraryChanged();
        return { labelled: ids.length };
      },
      removeLabel: async ({ label, ids }) => {
        const removed = this.catalog.removeLabel(ids, label);
        this.libraryChanged();
        return { removed };
      },
      markPair: async ({ a, b, verdict }) => {
        this.requireImages([a, b]);
        const p = this.catalog.markPair(a, b, verdict, 'user');
        return { a: p.a, b: p.b, verdict: p.verdict };
      },
      unmarkPair: async ({ a, b }) => ({ removed: this.catalog.unmarkPair(a, b) }),
      pairs: async ({ ids }) => {
        const wanted = ids ? new Set(ids) : null;
        return this.catalog
          .listPairs()
          .filter((p) => !wanted || wanted.has(p.a) || wanted.has(p.b))
          .map((p) => ({ a: p.a, b: p.b, verdict: p.verdict, source: p.source, createdAt: p.createdAt }));
      },
      hardPairs: async ({ limit }) => this.learning.hardPairs(limit),
      train: async (req) => {
        if (this.jobs.isBusy('train')) throw new ContractError('a training run is already queued or running', 'conflict');
        await this.learning.checkDepth(req);
        const jobId = this.jobs.enqueue('train', req, async (ctx) => ({
          kind: 'train',
          ...(await this.learning.train(req, ctx)),
        }));
        return { jobId };
      },
      evaluate: async (req) => this.learning.evaluate(req),
      models: async () => this.learning.models(),
      useModel: async ({ id }) => {
        if (this.jobs.isBusy('train')) throw new ContractError('wait for training to finish before switching models', 'conflict');
        if (this.space.needsEmbedding(id)) await this.switchAsJob(id);
        else await this.learning.useModel(id);
        this.emit('modelChanged', { active: id });
        this.libraryChanged();
        return { active: id };
      },
      cancelJob: async ({ jobId }) => ({ cancelled: this.jobs.cancel(jobId) }),
      listJobs: async () => this.listJobs(),
      map: mapCall(new EmbeddingMaps(this.catalog, this.space), this.jobs),
      exportData: async (req) => new Exchange(this.catalog, this.space).export(req),
      importLabels: async (req) => {
        const r = new Exchange(this.catalog, this.space).importLabels(req);
        if (r.labelled > 0) this.libraryChanged();
        return r;
      },
    };
  }
}
