// The `map` call: a cached map right away, or the job that computes it. Asking again while
// that job is queued or running returns the same job instead of starting another.
import type { MapResult, ParsedRequest } from '../../src-shared/contract.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { EmbeddingMaps } from './embedding-maps.js';
import { DEFAULT_MAP_SEED } from './projection.js';

export function mapCall(maps: EmbeddingMaps, jobs: JobRunner): (req: ParsedRequest<'map'>) => Promise<MapResult> {
  const pending = new Map<string, number>();
  return async ({ model, seed }) => {
    const which = maps.resolveModel(model);
    const s = seed ?? DEFAULT_MAP_SEED;
    const map = maps.cached(which, s);
    if (map) return { ready: true, map };
    const key = `${which}:${s}`;
    const jobId = pending.get(key);
    const live = jobs.list().find((j) => j.jobId === jobId && (j.state === 'queued' || j.state === 'running'));
    if (live) return { ready: false, jobId: live.jobId };
    const id = jobs.enqueue('map', { model: which, seed: s }, async (ctx) => ({ kind: 'map', ...(await maps.compute(which, s, ctx)) }));
    pending.set(key, id);
    return { ready: false, jobId: id };
  };
}
