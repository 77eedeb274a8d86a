// Long work (import, embedding, training) runs as jobs: one at a time, in order, each
// cancellable, each reporting progress as events the UI and the CLI can show.
import { jobEnded, type JobKind, type JobProgress, type JobResult, type JobState } from '../../src-shared/contract.js';

export interface JobContext {
  jobId: number;
  signal: AbortSignal;
  /** Reports progress; throttled so the UI gets at most ~10 updates a second, besides one per new phase. */
  progress(update: Partial<Pick<JobProgress, 'phase' | 'done' | 'total' | 'failed' | 'rate' | 'etaSeconds' | 'message'>>): void;
}

export type JobBody = (ctx: JobContext) => Promise<JobResult>;

/** Where jobs are recorded, so an interrupted one can be found and resumed after a restart. */
export interface JobStore {
  create(kind: JobKind, params: unknown): number;
  update(id: number, state: JobState, progress: JobProgress, result: JobResult | null): void;
}

interface Entry {
  progress: JobProgress;
  body: JobBody;
  controller: AbortController;
}

const THROTTLE_MS = 100;

export class JobRunner {
  private readonly queue: Entry[] = [];
  private readonly recent: Entry[] = [];
  private readonly waiters = new Map<number, ((p: JobProgress) => void)[]>();
  private current: Entry | null = null;
  private idle: Promise<void> = Promise.resolve();
  /** Set while the engine shuts down: stopped jobs stay unfinished in the store, to resume. */
  private stopping = false;

  /**
   * `explain` words a failed job's error for the user (a full disk, say), or returns null to
   * keep the error's own message.
   */
  constructor(
    private readonly store: JobStore,
    private readonly emit: (p: JobProgress) => void,
    private readonly explain: (err: unknown, kind: JobKind) => string | null = () => null,
  ) {}

  enqueue(kind: JobKind, params: unknown, body: JobBody): number {
    const jobId = this.store.create(kind, params);
    const progress: JobProgress = {
      jobId,
      kind,
      state: 'queued',
      phase: 'queued',
      done: 0,
      total: null,
      failed: 0,
      rate: null,
      etaSeconds: null,
      message: null,
      result: null,
    };
    const entry = { progress, body, controller: new AbortController() };
    this.queue.push(entry);
    this.remember(entry);
    this.emit({ ...progress });
    if (!this.current) this.idle = this.drain();
    return jobId;
  }

  cancel(jobId: number): boolean {
    const queued = this.queue.findIndex((e) => e.progress.jobId === jobId);
    if (queued >= 0) {
      const [entry] = this.queue.splice(queued, 1);
      this.finish(entry, 'cancelled', null);
      return true;
    }
    if (this.current?.progress.jobId === jobId) {
      this.current.controller.abort();
      return true;
    }
    return false;
  }

  /** Running, queued and recently ended jobs, newest last. */
  list(): JobProgress[] {
    return this.recent.map((e) => ({ ...e.progress }));
  }

  isBusy(kind?: JobKind): boolean {
    const all = this.current ? [this.current, ...this.queue] : this.queue;
    return all.some((e) => !kind || e.progress.kind === kind);
  }

  /** Cancels everything and waits for the running job to stop. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const e of this.queue.splice(0)) this.finish(e, 'cancelled', null);
    this.current?.controller.abort();
    await this.idle;
  }

  /** Resolves with a job's last progress once it is done, failed or cancelled. */
  ended(jobId: number): Promise<JobProgress> {
    const known = this.recent.find((e) => e.progress.jobId === jobId);
    if (known && jobEnded(known.progress.state)) return Promise.resolve({ ...known.progress });
    return new Promise((resolve) => this.waiters.set(jobId, [...(this.waiters.get(jobId) ?? []), resolve]));
  }

  /** Resolves when the queue is empty. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  private remember(entry: Entry): void {
    this.recent.push(entry);
    if (this.recent.length > 50) {
      const i = this.recent.findIndex((e) => jobEnded(e.progress.state));
      if (i >= 0) this.recent.splice(i, 1);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const entry = this.queue.shift()!;
      this.current = entry;
      await this.runOne(entry);
      this.current = null;
    }
  }

  private async runOne(entry: Entry): Promise<void> {
    const p = entry.progress;
    p.state = 'running';
    p.phase = 'starting';
    this.publish(entry);
    let last = 0;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const ctx: JobContext = {
      jobId: p.jobId,
      signal: entry.controller.signal,
      progress: (update) => {
        // A new phase is shown at once: a short phase must not vanish inside the throttle.
        const newPhase = update.phase !== undefined && update.phase !== p.phase;
        Object.assign(p, update);
        const now = Date.now();
        if (newPhase || now - last >= THROTTLE_MS) {
          last = now;
          this.emit({ ...p });
        } else if (!pending) {
          pending = setTimeout(() => {
            pending = null;
            last = Date.now();
            if (p.state === 'running') this.emit({ ...p });
          }, THROTTLE_MS);
        }
      },
    };
    // The last count reported is shown before the end, not dropped with the throttle's timer.
    const flush = () => {
      if (!pending) return;
      clearTimeout(pending);
      pending = null;
      this.emit({ ...p });
    };
    try {
      const result = await entry.body(ctx);
      flush();
      this.finish(entry, entry.controller.signal.aborted ? 'cancelled' : 'done', result);
    } catch (err) {
      flush();
      if (entry.controller.signal.aborted) this.finish(entry, 'cancelled', null);
      else this.finish(entry, 'failed', { kind: 'error', message: this.explain(err, p.kind) ?? (err as Error)?.message ?? String(err) });
    } finally {
      if (pending) clearTimeout(pending);
    }
  }

  private finish(entry: Entry, state: JobState, result: JobResult | null): void {
    const p = entry.progress;
    p.state = state;
    p.result = result;
    p.etaSeconds = null;
    if (state === 'cancelled') p.message = 'cancelled';
    if (result?.kind === 'error') p.message = result.message;
    this.publish(entry);
    for (const resolve of this.waiters.get(p.jobId) ?? []) resolve({ ...p });
    this.waiters.delete(p.jobId);
  }

  private publish(entry: Entry): void {
    const p = entry.progress;
    if (!(this.stopping && p.state === 'cancelled')) {
      try {
        this.store.update(p.jobId, p.state, p, p.result);
      } catch {
        // The store cannot be written (a full disk): the job's record stays as it was, so an
        // engine opening the library later finds it unfinished and takes it up again. Callers
        // still hear how it went, and the runner goes on.
      }
    }
    this.emit({ ...p });
  }
}
