// The `duplicates` call as a job like the others: queued behind a running import or training
// run, its progress (photos read, pairs compared, rate, time left) sent as jobProgress events
// that the page and the CLI show, cancelled by cancelJob. The call itself still answers with
// the groups, once the job ends; a cancelled search answers with an error that says so.
import { ContractError, type Hit } from '../../src-shared/contract.js';
import type { JobContext, JobRunner } from '../jobs/job-runner.js';
import type { SimilarQueries } from './similar-queries.js';

type Groups = { kind?: 'same-file'; images: Hit[] }[];

/** What the job uses of the engine: the job runner, and the search, loaded (the CNN) on first need. */
export interface DuplicatesHost {
  readonly jobs: Pick<JobRunner, 'enqueue' | 'ended'>;
  compute(): Promise<{ readonly queries: Pick<SimilarQueries, 'duplicates'> }>;
}

export const CANCELLED_DUPLICATES = 'the duplicates search was cancelled';

export async function duplicatesAsJob(engine: DuplicatesHost, threshold: number | undefined): Promise<Groups> {
  let groups: Groups = [];
  const jobId = engine.jobs.enqueue('duplicates', { threshold: threshold ?? null }, async (ctx) => {
    const started = performance.now();
    ctx.progress({ phase: 'loading the CNN', done: 0, total: null, rate: null, etaSeconds: null });
    const { queries } = await engine.compute();
    ctx.signal.throwIfAborted();
    groups = await queries.duplicates(threshold, { signal: ctx.signal, progress: phaseProgress(ctx) });
    return { kind: 'duplicates', groups: groups.length, seconds: (performance.now() - started) / 1000 };
  });
  const end = await engine.jobs.ended(jobId);
  if (end.state === 'cancelled') throw new ContractError(CANCELLED_DUPLICATES);
  if (end.state === 'failed') throw new ContractError(end.message ?? 'the duplicates search failed');
  return groups;
}

/** Progress of one phase after another, each with its own rate (photos read, pairs compared) and time left. */
function phaseProgress(ctx: JobContext): (phase: string, done: number, total: number) => void {
  let current = '';
  let since = 0;
  return (phase, done, total) => {
    const now = performance.now();
    if (phase !== current) {
      current = phase;
      since = now;
    }
    const seconds = (now - since) / 1000;
    const rate = done > 0 && seconds > 0.5 ? done / seconds : null;
    ctx.progress({ phase, done, total, rate, etaSeconds: rate ? (total - done) / rate : null });
  };
}
