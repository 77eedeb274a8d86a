// What the engine's call handlers (handlers.ts) share: the catalog, the job runner, the model
// folders, the event emitter, and the heavy half (compute.ts), loaded on first need. The files
// the handlers hand work to declare the little of it they use (library-jobs.ts'
// LibraryJobsHost, duplicates-job.ts' DuplicatesHost), and the Engine fits those too.
import type { EventName, Events } from '../../src-shared/contract.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { ModelFolders } from '../learn/model-folders.js';
import type { Catalog } from '../library/catalog.js';
import type { Compute } from './compute.js';

export interface EngineCore {
  readonly catalog: Catalog;
  readonly jobs: JobRunner;
  readonly folders: ModelFolders;
  /** The heavy half, loaded (tfjs, the CNN, the active model and its index) on the first call. */
  compute(): Promise<Compute>;
  /** The heavy half if it is loaded already, else null (nothing is loaded). */
  loaded(): Compute | null;
  emit<E extends EventName>(name: E, payload: Events[E]): void;
  /** Tells listeners the photo counts changed. */
  libraryChanged(): void;
}
