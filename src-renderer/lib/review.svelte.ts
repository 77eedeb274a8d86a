// Reviewing the pairs the engine thinks the model gets wrong: one pair at a time, the user says
// alike, not alike, or skip; verdicts are stored as marked pairs for the next training run.
import type { Client, HardPairView } from '../../src-shared/contract';
import type { MarksState } from './marks.svelte';
import type { Verdict } from './similar.svelte';

const BATCH = 30;

export interface ReviewTally {
  match: number;
  mismatch: number;
  skipped: number;
}

export class ReviewState {
  pairs = $state<HardPairView[]>([]);
  position = $state(0);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  tally = $state<ReviewTally>({ match: 0, mismatch: 0, skipped: 0 });
  /** What the user said of each pair, by position: Back shows it, and a new answer replaces it. */
  given = $state<(Verdict | 'skipped' | undefined)[]>([]);

  readonly current = $derived<HardPairView | null>(this.pairs[this.position] ?? null);
  readonly finished = $derived(this.loaded && this.position >= this.pairs.length);
  readonly currentAnswer = $derived(this.given[this.position]);

  constructor(
    private readonly client: Client,
    private readonly marks: MarksState,
  ) {}

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.pairs = await this.client.hardPairs({ limit: BATCH });
      this.position = 0;
      this.tally = { match: 0, mismatch: 0, skipped: 0 };
      this.given = [];
      this.loaded = true;
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }

  async judge(verdict: Verdict): Promise<void> {
    const pair = this.current;
    if (!pair) return;
    const at = this.position;
    const before = this.given[at];
    this.position++;
    try {
      // Marking again replaces the pair's earlier verdict.
      await this.marks.mark(pair.a.id, pair.b.id, verdict);
      this.recount(before, verdict);
      this.given[at] = verdict;
    } catch (err) {
      this.position = at;
      this.error = (err as Error).message;
    }
  }

  skip(): void {
    if (!this.current) return;
    // A pair already judged keeps its verdict when stepped over.
    if (this.given[this.position] === undefined) {
      this.given[this.position] = 'skipped';
      this.tally.skipped++;
    }
    this.position++;
  }

  private recount(before: Verdict | 'skipped' | undefined, now: Verdict): void {
    if (before === 'skipped') this.tally.skipped--;
    else if (before) this.tally[before]--;
    this.tally[now]++;
  }

  back(): void {
    if (this.position > 0) this.position--;
  }
}
