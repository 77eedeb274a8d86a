// The engine: owns the library (catalog, thumbnails, features, index) and runs every call of
// the contract. It lives in its own process in the app and in browser mode, and in-process for
// the CLI and the tests; the transports only route. Its heavy half (tfjs, the CNN, the active
// model and index: compute.ts) loads on the first call that needs it, or at once for the
// long-lived engine of the app and of browser mode.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import {
  ContractError,
  type EventName,
  type Events,
  type MediaKind,
  type Method,
  type Request,
  type Response,
} from '../../src-shared/contract.js';
import { isSqliteDamage } from '../common/sqlite-damage.js';
import { JobRunner, type JobStore } from '../jobs/job-runner.js';
import { regenerateThumbnail } from '../ingest/thumbnail-repair.js';
import { ModelFolders } from '../learn/model-folders.js';
import { Catalog } from '../library/catalog.js';
import { catalogDamaged } from '../library/catalog-file.js';
import type { EngineLink, EventListener } from '../link/engine-link.js';
import { dispatch, type Handlers } from '../link/protocol.js';
import type { Compute } from './compute.js';
import type { EngineCore } from './core.js';
import { makeHandlers } from './handlers.js';
import { savedIndexCount } from './index-files.js';
import { startEmbed, startImport } from './library-jobs.js';

export interface EngineOptions {
  /**
   * The long-lived engine of the app and of browser mode: load the CNN at once and pick up work
   * a killed engine left (interrupted imports run again, unembedded images are embedded).
   * One-shot CLI commands do not, so that `lookalike status` never starts an import or tfjs.
   */
  resume?: boolean;
}

export class Engine implements EngineLink, EngineCore {
  readonly handlers: Handlers;
  readonly jobs: JobRunner;
  readonly folders: ModelFolders;
  private readonly events = new EventEmitter();
  private computing: Promise<Compute> | null = null;
  private computed: Compute | null = null;
  private seq = 0;

  private constructor(readonly catalog: Catalog) {
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
    this.folders = new ModelFolders(catalog.paths.models);
    this.handlers = makeHandlers(this);
  }

  static async open(libraryDir: string, opts: EngineOptions = {}): Promise<Engine> {
    const catalog = Catalog.open(libraryDir);
    const engine = new Engine(catalog);
    try {
      const interrupted = engine.closeInterruptedJobs();
      if (opts.resume) {
        await engine.compute();
        engine.resume(interrupted);
      }
      return engine;
    } catch (err) {
      await engine.close();
      throw isSqliteDamage(err) ? catalogDamaged(catalog.paths, (err as Error).message) : err;
    }
  }

  // ---- EngineLink ---------------------------------------------------------------------

  async call<M extends Method>(method: M, input: Request<M>): Promise<Response<M>> {
    // dispatch validated the request against the same contract that types the response.
    return (await this.relay(method, input)) as Response<M>;
  }

  async relay(method: Method, input: unknown): Promise<unknown> {
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
    return existsSync(thumb) ? thumb : regenerateThumbnail(this.catalog, image.contentHash, image.paths[0]);
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    const compute = this.computing ? await this.computing.catch(() => null) : null;
    await compute?.close();
    this.catalog.close();
  }

  /** Resolves when no job is queued or running (tests, CLI). */
  whenIdle(): Promise<void> {
    return this.jobs.whenIdle();
  }

  // ---- EngineCore ---------------------------------------------------------------------

  compute(): Promise<Compute> {
    this.computing ??= import('./compute.js')
      .then(({ Compute }) => Compute.open(this.catalog, this.jobs, (e) => this.emit('trainProgress', e)))
      .then((c) => {
        this.computed = c;
        // Features lost from a damaged cache (found now or later) are computed again at once.
        c.vectors.onFeaturesLost = () => this.embedSoon();
        if (c.vectors.recoveryNotice()) this.embedSoon();
        return c;
      });
    // A failed load (no backend at all) is reported to this caller and tried again by the next.
    this.computing.catch(() => (this.computing = null));
    return this.computing;
  }

  loaded(): Compute | null {
    return this.computed;
  }

  /** The vector library, for tests and benchmarks that look inside (loads the heavy half). */
  async vectors() {
    return (await this.compute()).vectors;
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    this.events.emit('event', { name, payload });
  }

  libraryChanged(): void {
    const embedded = this.computed?.vectors.embeddedCount() ?? savedIndexCount(this.catalog, this.catalog.activeModel()?.id ?? null);
    this.emit('libraryChanged', { images: this.catalog.countImages(), embedded });
  }

  // ---- internals ----------------------------------------------------------------------

  /** Jobs a killed engine or command left running are closed as interrupted (this engine owns the library now). */
  private closeInterruptedJobs() {
    const interrupted = this.catalog.unfinishedJobs();
    for (const job of interrupted) {
      this.catalog.updateJob(job.id, { state: 'failed', error: 'interrupted: the engine stopped during this job' });
    }
    return interrupted;
  }

  /** Interrupted imports run again; photos not embedded yet are embedded. */
  private resume(interrupted: ReturnType<Catalog['unfinishedJobs']>): void {
    const imports = interrupted.filter((j) => j.kind === 'import');
    const roots = imports.flatMap((j) => ((j.params as { paths?: string[] } | null)?.paths ?? []));
    const byFolders = imports.some((j) => (j.params as { labelsFromFolders?: boolean } | null)?.labelsFromFolders);
    if (roots.length > 0) startImport(this, [...new Set(roots)], byFolders);
    else if ((this.computed?.vectors.pendingCount() ?? 0) > 0) this.embedSoon();
  }

  /** Queues an embedding pass unless one (or an import, which embeds) is already waiting to start. */
  private embedSoon(): void {
    if (this.jobs.list().some((j) => j.state === 'queued' && (j.kind === 'embed' || j.kind === 'import'))) return;
    startEmbed(this);
  }
}
