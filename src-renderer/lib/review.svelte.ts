// Reviewing the pairs the engine thinks the model gets wrong: one pair at a time, the user says
// alike, not alike, or skip; verdicts are stored as marked pairs for the next training run.
import type { Client, HardPairView } from '../../src-shared/contract';
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

  readonly current = $derived<HardPairView | null>(this.pairs[this.position] ?? null);
  readonly finished = $derived(this.loaded && this.position >= this.pairs.length);

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.pairs = await this.client.hardPairs({ limit: BATCH });
      this.position = 0;
      this.tally = { match: 0, mismatch: 0, skipped: 0 };
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
    this.position++;
    try {
      await this.client.markPair({ a: pair.a.id, b: pair.b.id, verdict });
      this.tally[verdict]++;
    } catch (err) {
      this.position--;
      this.error = (err as Error).message;
    }
  }

  skip(): void {
    if (!this.current) return;
    this.position++;
    this.tally.skipped++;
  }

  back(): void {
    if (this.position > 0) this.position--;
  }
}
