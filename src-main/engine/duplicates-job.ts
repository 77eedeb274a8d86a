// The `duplicates` call as a job like the others: queued behind a running import or training
// run, its progress (photos read, pairs compared, rate, time left) sent as jobProgress events
// that the page and the CLI show, cancelled by cancelJob. The call itself still answers with
// the groups, once the job ends; a cancelled search answers with an error that says so.
import { ContractError, type Hit } from '../../src-shared/contract.js';
import type { JobContext } from '../jobs/job-runner.js';
import type { EngineCore } from './core.js';

type Groups = { kind?: 'same-file'; images: Hit[] }[];

export const CANCELLED_DUPLICATES = 'the duplicates search was cancelled';

export async function duplicatesAsJob(core: EngineCore, threshold: number | undefined): Promise<Groups> {
  let groups: Groups = [];
  const jobId = core.jobs.enqueue('duplicates', { threshold: threshold ?? null }, async (ctx) => {
    const started = performance.now();
    ctx.progress({ phase: 'loading the CNN', done: 0, total: null, rate: null, etaSeconds: null });
    const { queries } = await core.compute();
    ctx.signal.throwIfAborted();
    groups = await queries.duplicates(threshold, { signal: ctx.signal, progress: phaseProgress(ctx) });
    return { kind: 'duplicates', groups: groups.length, seconds: (performance.now() - started) / 1000 };
  });
  const end = await core.jobs.ended(jobId);
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
