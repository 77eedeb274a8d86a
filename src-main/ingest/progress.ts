// Progress for the import's progress bar: throttled (the UI needs ~10 updates a second, not
// one per file) with a rate measured over a sliding window, so the ETA follows the current
// speed rather than the average since the start.

export interface ImportProgress {
  phase: 'scan' | 'import';
  /** Image files found so far (scan), or in total (import). */
  found: number;
  /** Files dealt with: unchanged, imported or failed. Reaches `found` at the end. */
  done: number;
  failed: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

const WINDOW_MS = 5_000;

export class ProgressReporter {
  private state: ImportProgress = { phase: 'scan', found: 0, done: 0, failed: 0, imagesPerSecond: 0, etaSeconds: null };
  private lastEmit = -Infinity;
  private readonly samples: { at: number; processed: number }[] = [];
  private processed = 0;

  constructor(
    private readonly emit: ((p: ImportProgress) => void) | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get snapshot(): ImportProgress {
    return { ...this.state };
  }

  found(found: number): void {
    this.state.found = found;
    this.maybeEmit(false);
  }

  /** Starts the import phase; files already settled (unchanged, or failed in the scan) count as done. */
  startImport(found: number, alreadyDone: number, alreadyFailed: number): void {
    this.state = { ...this.state, phase: 'import', found, done: alreadyDone, failed: alreadyFailed };
    this.samples.length = 0;
    this.samples.push({ at: this.now(), processed: 0 });
    this.maybeEmit(true);
  }

  fileDone(failed: boolean): void {
    this.state.done += 1;
    if (failed) this.state.failed += 1;
    this.processed += 1;
    this.maybeEmit(false);
  }

  finish(): void {
    this.maybeEmit(true);
  }

  private maybeEmit(force: boolean): void {
    if (!this.emit) return;
    const t = this.now();
    if (!force && t - this.lastEmit < this.intervalMs) return;
    this.lastEmit = t;
    if (this.state.phase === 'import') this.updateRate(t);
    this.emit({ ...this.state });
  }

  private updateRate(t: number): void {
    this.samples.push({ at: t, processed: this.processed });
    while (this.samples.length > 2 && t - this.samples[1].at > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const seconds = (t - first.at) / 1000;
    const rate = seconds > 0 ? (this.processed - first.processed) / seconds : 0;
    const remaining = this.state.found - this.state.done;
    this.state.imagesPerSecond = Math.round(rate * 10) / 10;
    this.state.etaSeconds = remaining === 0 ? 0 : rate > 0 ? Math.ceil(remaining / rate) : null;
  }
}
