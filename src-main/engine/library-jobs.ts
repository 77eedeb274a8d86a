// The engine's long work on the library, each as a job (progress, cancel): importing folders
// (scan, thumbnails, then the CNN pass), embedding what is pending, and switching to a model
// that must first run photos through its own blocks.
import { ContractError, type Failure } from '../../src-shared/contract.js';
import { CONTENT_CHANGED } from '../common/known-content.js';
import { recordEmbedFailures } from '../ingest/embed-failures.js';
import { runImport } from '../ingest/import-job.js';
import { repairThumbnails } from '../ingest/thumbnail-repair.js';
import type { JobContext, JobRunner } from '../jobs/job-runner.js';
import type { Catalog } from '../library/catalog.js';
import type { Learning } from './learning.js';
import type { VectorLibrary } from './vector-library.js';

/** What these jobs use of the vector library: the CNN pass over new photos, and the count it indexed. */
type EmbeddingWork = Pick<VectorLibrary, 'embedPending' | 'embeddedCount' | 'forget'> & { readonly pass: { readonly cnnLoaded: boolean } };

/** What these jobs use of the engine. */
export interface LibraryJobsHost {
  readonly catalog: Catalog;
  readonly jobs: Pick<JobRunner, 'enqueue' | 'ended'>;
  /** The heavy half, loaded on first need: the vector library, and learning (which switches models). */
  compute(): Promise<{ readonly vectors: EmbeddingWork; readonly learning: Pick<Learning, 'useModel'> }>;
  /** The heavy half if it is loaded already, else null. */
  loaded(): { readonly vectors: EmbeddingWork } | null;
  /** Tells listeners the photo counts changed. */
  libraryChanged(): void;
}

/** Import rounds in one job: a photo replaced while it was imported is read again, this often. */
const IMPORT_ROUNDS = 3;

export function startImport(engine: LibraryJobsHost, paths: string[], labelsFromFolders: boolean, verify = false): number {
  return engine.jobs.enqueue('import', { paths, labelsFromFolders, ...(verify ? { verify } : {}) }, async (ctx) => {
    const started = Date.now();
    const total = { added: 0, unchanged: 0, removed: 0 };
    let failed: Failure[] = [];
    // A photo replaced after it was hashed fails its CNN pass as changed (nothing is cached
    // under the old hash); a further round reads it again and records its new content.
    for (let round = 0; round < IMPORT_ROUNDS; round++) {
      const result = await runImport(engine.catalog, paths, {
        signal: ctx.signal,
        labelsFromFolders,
        verify: verify && round === 0,
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
      // (Counts are the first round's: later rounds read again files it already counted.)
      if (round === 0) Object.assign(total, { added: result.added, unchanged: result.unchanged, removed: result.removed });
      if (!result.cancelled) await repairThumbnails(engine.catalog, ctx.signal);
      if (result.replacedHashes.length > 0) (await engine.compute()).vectors.forget(result.replacedHashes);
      engine.libraryChanged();
      // Photos the CNN pass could not read (vanished, damaged since their thumbnail) are failures
      // of this import, kept in the failures list and retried by the next scan.
      const notEmbedded = result.cancelled ? [] : recordEmbedFailures(engine.catalog, (await embedPending(engine, ctx)).failed);
      engine.libraryChanged();
      failed = [...result.failed, ...notEmbedded];
      if (result.cancelled || !failed.some((f) => f.error.endsWith(CONTENT_CHANGED))) break;
    }
    ctx.progress({ message: `took ${((Date.now() - started) / 1000).toFixed(1)} s` });
    return { kind: 'import', ...total, failed };
  });
}

export function startEmbed(engine: LibraryJobsHost): number {
  return engine.jobs.enqueue('embed', {}, async (ctx) => {
    const r = await embedPending(engine, ctx);
    const failed = recordEmbedFailures(engine.catalog, r.failed);
    engine.libraryChanged();
    return { kind: 'embed', embedded: r.embedded, failed };
  });
}

/**
 * A fine-tuned model must first run the photos it has not seen through its blocks: that is
 * long work, so it runs as a job (progress, cancel) and the call answers when it ends.
 */
export async function switchAsJob(engine: LibraryJobsHost, id: number | null): Promise<void> {
  const compute = await engine.compute();
  const jobId = engine.jobs.enqueue('embed', { model: id }, async (ctx) => {
    await compute.learning.useModel(id, {
      signal: ctx.signal,
      onEmbed: (done, total, rate) => ctx.progress({ phase: "embedding with the model's blocks", done, total, rate }),
      onIndex: (done, total) => ctx.progress({ phase: 're-indexing', done, total }),
    });
    return { kind: 'embed', embedded: compute.vectors.embeddedCount(), failed: [] };
  });
  const end = await engine.jobs.ended(jobId);
  if (end.state === 'cancelled') throw new ContractError('switching models was cancelled; the active model is unchanged', 'conflict');
  if (end.state === 'failed') throw new ContractError(`switching models failed: ${end.message ?? 'unknown error'}`, 'failed');
}

/** How often the embedding pass tells the UI that the indexed count moved. */
const LIBRARY_CHANGED_EVERY_MS = 1500;

async function embedPending(engine: LibraryJobsHost, ctx: JobContext) {
  // Loading the CNN takes seconds on a first import: say so rather than sit on a full bar. A
  // long-lived engine (the app, `serve`) keeps it loaded, so later imports go straight on.
  if (!engine.loaded()?.vectors.pass.cnnLoaded) ctx.progress({ phase: 'loading the CNN', done: 0, total: null, rate: null, etaSeconds: null });
  const { vectors } = await engine.compute();
  // The header's "indexed" count follows the pass (throttled: each event refreshes the UI's
  // page; the index grows chunk by chunk, and the UI adds the pass's own count in between).
  let announced = Date.now();
  let embedded = vectors.embeddedCount();
  return vectors.embedPending({
    signal: ctx.signal,
    onProgress: (done, total, rate) => {
      if (Date.now() - announced >= LIBRARY_CHANGED_EVERY_MS && vectors.embeddedCount() !== embedded) {
        announced = Date.now();
        embedded = vectors.embeddedCount();
        engine.libraryChanged();
      }
      ctx.progress({
        phase: 'indexing',
        done,
        total,
        failed: 0,
        rate,
        etaSeconds: rate && rate > 0 ? (total - done) / rate : null,
      });
    },
  });
}
