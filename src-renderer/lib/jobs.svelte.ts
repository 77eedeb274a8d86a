// The job the user sees in the progress bar: the running one, or the last one that ended. A job
// that ended well leaves after a few seconds; one that failed, or an import that could not
// import everything, stays until dismissed (it has something to say). A finished map is not
// announced at all, nor a finished duplicates search: their views show their own progress and result.
import { jobEnded, type Client, type JobProgress } from '../../src-shared/contract';

/** How long a job that ended well stays in the bar. */
export const ENDED_JOB_SHOWS_MS = 6000;

export class JobsState {
  current = $state<JobProgress | null>(null);
  /**
   * The folders each import was asked for, by job id, to say where no photos were found. State:
   * a quick import can end (its event arrives) before the call that started it answers.
   */
  private readonly paths = $state<Record<number, string[]>>({});
  private hideTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: Client) {
    client.on('jobProgress', (p) => {
      if (!this.current || this.current.jobId <= p.jobId || this.current.state !== 'running') this.show(p);
    });
    void client.listJobs({}).then((jobs) => {
      const running = jobs.find((j) => j.state === 'running') ?? null;
      if (running && !this.current) this.current = running;
    });
  }

  get running(): boolean {
    return this.current ? !jobEnded(this.current.state) : false;
  }

  get fraction(): number | null {
    const p = this.current;
    if (!p) return null;
    if (p.state === 'done') return 1;
    if (!p.total) return null;
    return Math.min(1, p.done / p.total);
  }

  /** Remembers which folders an import was asked for. */
  noteImport(jobId: number, paths: string[]): void {
    this.paths[jobId] = paths;
  }

  pathsOf(jobId: number): string[] {
    return this.paths[jobId] ?? [];
  }

  async cancel(): Promise<void> {
    if (this.current) await this.client.cancelJob({ jobId: this.current.jobId });
  }

  dismiss(): void {
    if (!this.running) this.current = null;
  }

  private show(p: JobProgress): void {
    clearTimeout(this.hideTimer);
    if ((p.kind === 'map' || p.kind === 'duplicates') && jobEnded(p.state)) {
      if (this.current?.jobId === p.jobId) this.current = null;
      return;
    }
    this.current = p;
    if (p.state === 'done' && !hasNews(p)) {
      this.hideTimer = setTimeout(() => {
        if (this.current?.jobId === p.jobId) this.current = null;
      }, ENDED_JOB_SHOWS_MS);
    }
  }
}

/** An ended job whose outcome the user must see: failures, or an import that added nothing. */
function hasNews(p: JobProgress): boolean {
  const r = p.result;
  if (r?.kind === 'import') return r.failed.length > 0 || r.added + r.unchanged + r.removed === 0;
  if (r?.kind === 'embed') return r.failed.length > 0;
  return false;
}
