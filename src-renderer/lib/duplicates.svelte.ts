// Groups of near-identical photos, and which one of each group the user keeps. The app never
// deletes or moves an original: keeping one records the review in the library (it survives
// "Find again" and a reload, and can be undone), marks the group as alike (pairs, which also
// teach the next training run) and lists the other copies' paths for the user to act on.
// (Labelling the copies "duplicate" would make that word a class for training, so we do not.)
import {
  DEFAULT_DUPLICATE_THRESHOLD,
  memberToKeep,
  type Client,
  type DuplicateGroup,
  type DuplicateReview,
  type JobProgress,
} from '../../src-shared/contract';

export class DuplicatesState {
  groups = $state<DuplicateGroup[]>([]);
  /** Every review the library holds, whether or not its group is found at this strictness. */
  reviews = $state<DuplicateReview[]>([]);
  threshold = $state(DEFAULT_DUPLICATE_THRESHOLD);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** The search's job while it runs (the first search of a large library takes minutes). */
  progress = $state<JobProgress | null>(null);
  /** The last search was cancelled: the groups shown, if any, are the search's before it. */
  cancelled = $state(false);
  private cancelAsked = false;

  /** The member to keep, by group position: the user's choice once reviewed, else the reference. */
  readonly toKeep = $derived(this.groups.map((g) => memberToKeep(g, this.reviews)));
  readonly reviewed = $derived(this.reviews.length);
  readonly extraCopies = $derived(this.groups.reduce((n, g) => n + g.images.length - 1, 0));
  /** Paths of the copies the user chose not to keep, for a summary they can copy. */
  readonly spare = $derived(this.reviews.flatMap((r) => r.spare));

  constructor(private readonly client: Client) {
    client.on('jobProgress', (p) => {
      if (p.kind === 'duplicates' && this.loading && (!this.progress || this.progress.jobId <= p.jobId)) this.progress = p;
    });
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    this.cancelled = false;
    this.cancelAsked = false;
    this.progress = null;
    try {
      const [groups, reviews] = await Promise.all([this.client.duplicates({ threshold: this.threshold }), this.client.duplicateReviews({})]);
      this.groups = groups;
      this.reviews = reviews;
      this.loaded = true;
    } catch (err) {
      // Cancelled here, or by the job bar's Cancel.
      if (this.cancelAsked || this.jobCancelled()) this.cancelled = true;
      else this.error = (err as Error).message;
    } finally {
      this.loading = false;
      this.progress = null;
    }
  }

  private jobCancelled(): boolean {
    return this.progress?.state === 'cancelled';
  }

  /** Stops the running search; pairs it compared already are not compared again next time. */
  async cancel(): Promise<void> {
    if (!this.progress) return;
    this.cancelAsked = true;
    await this.client.cancelJob({ jobId: this.progress.jobId });
  }

  /** "comparing pixels: 120 of 4000 · 35.2/s · 80 s left", or null when there is nothing to count yet. */
  get progressText(): string | null {
    const p = this.progress;
    if (!p || p.state !== 'running' || p.total === null) return p?.state === 'queued' ? 'waiting for the running job to finish' : null;
    const rate = p.rate ? ` · ${p.rate.toFixed(1)}/s` : '';
    const eta = p.etaSeconds !== null && p.etaSeconds > 0 ? ` · ${Math.ceil(p.etaSeconds)} s left` : '';
    return `${p.phase}: ${p.done} of ${p.total}${rate}${eta}`;
  }

  /**
   * Keeps one member of a group over the others; the engine marks each other copy as alike to
   * it (a same-file group is one photo at several paths: nothing to mark, only paths to list).
   */
  async keep(groupIndex: number, path: string): Promise<void> {
    const group = this.groups[groupIndex];
    if (!group?.images.some((i) => i.path === path)) return;
    const spare = group.images.map((i) => i.path).filter((p) => p !== path);
    await this.change(() => this.client.keepDuplicate({ keep: path, spare }));
  }

  /** Takes back the review that kept `kept`: its copies are no longer set aside, its marks as before. */
  async undo(kept: string): Promise<void> {
    await this.change(() => this.client.undoDuplicateReview({ kept }));
  }

  private async change(act: () => Promise<unknown>): Promise<void> {
    try {
      this.error = null;
      await act();
      this.reviews = await this.client.duplicateReviews({});
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}
