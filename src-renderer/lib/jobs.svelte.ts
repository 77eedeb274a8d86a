// The job the user sees in the progress bar: the running one, or the last one that ended.
import type { Client, JobProgress } from '../../src-shared/contract';

export class JobsState {
  current = $state<JobProgress | null>(null);

  constructor(private readonly client: Client) {
    client.on('jobProgress', (p) => {
      if (!this.current || this.current.jobId <= p.jobId || this.current.state !== 'running') this.current = p;
    });
    void client.listJobs({}).then((jobs) => {
      const running = jobs.find((j) => j.state === 'running') ?? null;
      if (running && !this.current) this.current = running;
    });
  }

  get running(): boolean {
    return this.current?.state === 'running' || this.current?.state === 'queued';
  }

  get fraction(): number | null {
    const p = this.current;
    if (!p || !p.total) return null;
    return Math.min(1, p.done / p.total);
  }

  async cancel(): Promise<void> {
    if (this.current) await this.client.cancelJob({ jobId: this.current.jobId });
  }

  dismiss(): void {
    if (!this.running) this.current = null;
  }
}
