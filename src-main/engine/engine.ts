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
  type JobKind,
  type JobProgress,
  type MediaKind,
  type Method,
  type Request,
  type Response,
} from '../../src-shared/contract.js';
import { diskFullMessage, isDiskFull } from '../common/disk-full.js';
import { isSqliteDamage } from '../common/sqlite-damage.js';
import { JobRunner, type JobStore } from '../jobs/job-runner.js';
import { regenerateThumbnail } from '../ingest/thumbnail-repair.js';
import { ModelFolders } from '../learn/model-folders.js';
import { Catalog } from '../library/catalog.js';
import type { JobRecord } from '../library/types.js';
import { catalogDamaged } from '../library/catalog-file.js';
import type { EngineLink, EventListener } from '../link/engine-link.js';
import { dispatch, type Handlers } from '../link/protocol.js';
import type { Compute } from './compute.js';
import type { EngineCore } from './core.js';
import { makeHandlers } from './handlers.js';
import { savedIndexCount } from './index-files.js';
import { startEmbed, startImport } from './library-jobs.js';
import { OriginalFiles } from './original-file.js';

export interface EngineOptions {
  /**
   * The long-lived engine of the app and of browser mode: load the CNN at once and pick up work
   * a killed engine left (interrupted imports run again, unembedded images are embedded).
   * One-shot CLI commands do not, so that `lookalike status` never starts an import or tfjs.
   */
  resume?: boolean;
  /** A library in a folder that cannot be written: opened for reading; every change is refused. */
  readOnly?: boolean;
}

/** Why a job an engine left running ended, for its callers. */
export const INTERRUPTED = 'interrupted: the engine stopped during this job';

export class Engine implements EngineLink, EngineCore {
  readonly handlers: Handlers;
  readonly jobs: JobRunner;
  readonly folders: ModelFolders;
  private readonly events = new EventEmitter();
  private computing: Promise<Compute> | null = null;
  private computed: Compute | null = null;
  private seq = 0;
  /** Jobs a dead engine left running, found at open: `resume` takes them up. */
  private interrupted: JobRecord[] = [];
  private readonly originals = new OriginalFiles();

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
    const explain = (err: unknown, kind: JobKind) => {
      if (isDiskFull(err)) return diskFullMessage(catalog.paths.root, kind === 'import' ? 'the import' : 'it');
      // Damage met by a job is named like damage met by a call, when the catalog is what is damaged.
      if (isSqliteDamage(err) && !catalog.intact()) return catalogDamaged(catalog.paths, (err as Error).message).message;
      return null;
    };
    this.jobs = new JobRunner(store, (p) => this.emit('jobProgress', p), explain);
    this.folders = new ModelFolders(catalog.paths.models);
    this.handlers = makeHandlers(this);
  }

  static async open(libraryDir: string, opts: EngineOptions = {}): Promise<Engine> {
    const catalog = Catalog.open(libraryDir, { readOnly: opts.readOnly });
    const engine = new Engine(catalog);
    try {
      if (!opts.readOnly) engine.interrupted = engine.closeInterruptedJobs();
      if (opts.resume) await engine.compute();
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
    if (kind === 'original') return this.originals.check(id, image.paths[0], image.contentHash);
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
    const embedded = this.computed?.vectors.embeddedCount() ?? savedIndexCount(this.catalog, this.catalog.activeModel()?.id ?? null, false);
    this.emit('libraryChanged', { images: this.catalog.countImages(), embedded });
  }

  // ---- internals ----------------------------------------------------------------------

  /** Jobs a killed engine or command left running are closed as interrupted (this engine owns the library now). */
  private closeInterruptedJobs() {
    const interrupted = this.catalog.unfinishedJobs();
    for (const job of interrupted) {
      this.catalog.updateJob(job.id, { state: 'failed', error: INTERRUPTED });
    }
    return interrupted;
  }

  /**
   * Interrupted imports run again; photos not embedded yet are embedded. Each interrupted job is
   * announced as ended (a `jobProgress` event), naming the job that continues it if one does: a
   * caller that was waiting for it (a CLI command sent through `lookalike serve`) follows that
   * one. Called once whoever relays the events listens.
   */
  resume(): void {
    const interrupted = this.interrupted;
    this.interrupted = [];
    const imports = interrupted.filter((j) => j.kind === 'import');
    const roots = imports.flatMap((j) => ((j.params as { paths?: string[] } | null)?.paths ?? []));
    const byFolders = imports.some((j) => (j.params as { labelsFromFolders?: boolean } | null)?.labelsFromFolders);
    let importJob: number | undefined;
    let embedJob: number | undefined;
    if (roots.length > 0) importJob = startImport(this, [...new Set(roots)], byFolders);
    else if ((this.computed?.vectors.pendingCount() ?? 0) > 0) embedJob = this.embedSoon();
    for (const job of interrupted) {
      const plainEmbed = job.kind === 'embed' && (job.params as { model?: unknown } | null)?.model === undefined;
      const continuedBy = job.kind === 'import' ? importJob : plainEmbed ? (embedJob ?? importJob) : undefined;
      this.emit('jobProgress', interruptedProgress(job, continuedBy));
    }
  }

  /** Queues an embedding pass unless one (or an import, which embeds) is already waiting to start; its job id. */
  private embedSoon(): number {
    const waiting = this.jobs.list().find((j) => j.state === 'queued' && (j.kind === 'embed' || j.kind === 'import'));
    return waiting ? waiting.jobId : startEmbed(this);
  }
}

function interruptedProgress(job: JobRecord, continuedBy: number | undefined): JobProgress {
  const message = continuedBy === undefined ? INTERRUPTED : `${INTERRUPTED}; job ${continuedBy} continues it`;
  const last = (job.progress ?? {}) as Partial<JobProgress>;
  return {
    jobId: job.id,
    kind: job.kind as JobKind,
    phase: last.phase ?? 'interrupted',
    done: last.done ?? 0,
    total: last.total ?? null,
    failed: last.failed ?? 0,
    rate: null,
    etaSeconds: null,
    state: 'failed',
    message,
    result: { kind: 'error', message },
    ...(continuedBy === undefined ? {} : { continuedBy }),
  };
}
