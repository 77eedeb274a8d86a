// One training run as the user sees it: what there is to teach from (readiness), the settings
// chosen, the live loss and validation curves from trainProgress events, and the outcome once
// the job ends.
import { defaultEpochsFor, defaultMiner, jobEnded, lossNames, type Client, type JobProgress, type LossName, type MinerName, type TrainDepth, type TrainReadiness, type TrainSummary } from '../../src-shared/contract';
import type { MarksState } from './marks.svelte';

export interface CurvePoint {
  /** Progress in epochs (1.5 = half-way through the second epoch). */
  x: number;
  y: number;
}

export class TrainingState {
  loss = $state<LossName>(lossNames[0]);
  miner = $state<MinerName>(defaultMiner);
  /** Epochs the user asked for; empty (null): the engine's default for the depth (defaultEpochsFor). */
  epochs = $state<number | null>(null);
  /** Labels kept out of training, to measure retrieval on classes the model never saw. */
  holdout = $state<string[]>([]);
  /** How deep to train: the head, also the CNN's last blocks, or the whole CNN (GPU only); deeper is slower and re-embeds every photo. */
  depth = $state<TrainDepth>('head');

  jobId = $state<number | null>(null);
  phase = $state<string | null>(null);
  /** Counts within the phase (photos or epochs), when the engine gives them. */
  done = $state<number | null>(null);
  total = $state<number | null>(null);
  state = $state<JobProgress['state'] | null>(null);
  lossCurve = $state<CurvePoint[]>([]);
  mapCurve = $state<CurvePoint[]>([]);
  /** The held-back marks' AUC after each epoch (when marks were held back). */
  marksCurve = $state<CurvePoint[]>([]);
  /** Whether the run in progress teaches from marks alone (no labels): its curve is then the marks'. */
  private runByMarks = $state<boolean | null>(null);
  epochsPlanned = $state(0);
  /** The labels the run asked to hold out, as it was started (the form may change meanwhile). */
  heldOut = $state<string[]>([]);
  result = $state<TrainSummary | null>(null);
  error = $state<string | null>(null);

  /** What there is to teach from, and whether `train` would start (asked with the held-out labels). */
  readiness = $state<TrainReadiness | null>(null);
  /** Grows whenever labels or marks change: the readiness shown is then out of date. */
  private changes = $state(0);

  readonly running = $derived(this.state === 'queued' || this.state === 'running');
  /** Triplet training picks its triplets with a miner; the other losses take none. */
  readonly usesMiner = $derived(this.loss === 'triplet');
  /** The panel asks for readiness again whenever this changes (held-out labels, labels or marks). */
  readonly readinessKey = $derived(`${this.changes}|${this.holdout.join('\n')}`);
  /**
   * Whether the validation chart shows the held-back marks instead of MAP@R: for a run taught
   * without labels (the finished one, the one running, or the next one as readiness foresees it).
   */
  readonly byMarks = $derived(
    this.result ? this.result.taughtFrom.labels === 0 : (this.running && this.runByMarks !== null ? this.runByMarks : this.readiness?.labels === 0),
  );

  private readinessSeq = 0;

  constructor(
    private readonly client: Client,
    marks: MarksState,
  ) {
    client.on('trainProgress', (e) => {
      if (e.jobId !== this.jobId) return;
      this.epochsPlanned = e.epochs;
      if (e.validation || e.marks) {
        if (e.validation) this.mapCurve.push({ x: e.epoch, y: e.validation.map_at_r });
        if (e.marks) this.marksCurve.push({ x: e.epoch, y: e.marks.auc });
      } else {
        this.lossCurve.push({ x: e.epoch - 1 + e.step / e.steps, y: e.loss });
      }
    });
    client.on('jobProgress', (p) => this.onJob(p));
    // New labels (or photos) and marks change what there is to teach from.
    client.on('libraryChanged', () => this.changes++);
    marks.onChange(() => this.changes++);
    // "Done: model #3 is now active" (or "kept, not made active") stops being true once another
    // model is chosen.
    client.on('modelChanged', ({ active }) => {
      if (this.state === 'done' && (this.result?.modelId !== active || !this.result.activated)) {
        this.state = null;
        this.result = null;
      }
    });
    // A run started before this page loaded (or in another window) still shows its progress.
    void client
      .listJobs({})
      .then((jobs) => {
        const running = jobs.find((j) => j.kind === 'train' && !jobEnded(j.state));
        if (running && this.jobId === null) this.onJob(running, true);
      })
      .catch(() => undefined);
  }

  /** Asks whether training can start with the held-out labels chosen now; the latest answer wins. */
  async checkReadiness(): Promise<void> {
    const mine = ++this.readinessSeq;
    try {
      const r = await this.client.trainReadiness({ holdoutLabels: this.holdout.length ? [...this.holdout] : undefined });
      if (mine === this.readinessSeq) this.readiness = r;
    } catch (err) {
      if (mine === this.readinessSeq) this.error = (err as Error).message;
    }
  }

  /** The epochs a run with these settings takes. */
  get epochsOrDefault(): number {
    return this.epochs ?? defaultEpochsFor(this.depth !== 'head');
  }

  async start(): Promise<void> {
    this.error = null;
    this.result = null;
    this.lossCurve = [];
    this.mapCurve = [];
    this.marksCurve = [];
    this.runByMarks = this.readiness ? this.readiness.labels === 0 : null;
    this.epochsPlanned = this.epochsOrDefault;
    this.heldOut = [...this.holdout];
    this.state = 'queued';
    this.phase = 'starting';
    try {
      const { jobId } = await this.client.train({
        loss: this.loss,
        miner: this.usesMiner ? this.miner : undefined,
        epochs: this.epochs ?? undefined,
        holdoutLabels: this.holdout.length ? [...this.holdout] : undefined,
        deep: this.depth === 'blocks' || undefined,
        depth: this.depth === 'whole' ? 'whole' : undefined,
      });
      this.jobId = jobId;
    } catch (err) {
      this.state = null;
      this.error = (err as Error).message;
    }
  }

  async cancel(): Promise<void> {
    if (this.jobId === null) return;
    try {
      await this.client.cancelJob({ jobId: this.jobId });
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private onJob(p: JobProgress, adopt = false): void {
    if (adopt) this.jobId = p.jobId;
    if (p.kind !== 'train' || p.jobId !== this.jobId) return;
    this.state = p.state;
    this.phase = p.phase;
    this.done = p.done;
    this.total = p.total;
    if (p.result?.kind === 'train') this.result = p.result;
    // A run ended: a model may now exist, and the panel says again what there is to teach from.
    if (jobEnded(p.state)) this.changes++;
    if (p.state === 'failed') this.error = p.result?.kind === 'error' ? p.result.message : (p.message ?? 'training failed');
  }
}
