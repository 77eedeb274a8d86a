// The user's marks: pairs of photos said to be "alike" or "not alike". Every mark this page makes
// or takes back goes through here, so the views that depend on marks (the training panel's
// readiness, the look-alike panel's verdicts and refined ranking, the marks list) hear of it at
// once: the engine sends no event for marks.
import type { Client, MarkedPairView, PairVerdict } from '../../src-shared/contract';

/** A mark made or taken back (verdict null) in this page. */
export interface MarkChange {
  a: number;
  b: number;
  verdict: PairVerdict | null;
}

const samePair = (p: { a: number; b: number }, a: number, b: number) => (p.a === a && p.b === b) || (p.a === b && p.b === a);

export class MarksState {
  /** Every mark, newest first (loaded by `refresh`, kept in step with this page's changes). */
  list = $state<MarkedPairView[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  readonly alike = $derived(this.list.filter((p) => p.verdict === 'match').length);
  readonly notAlike = $derived(this.list.length - this.alike);

  /** Plain (not reactive): listeners are called, never shown. */
  private listeners: ((change: MarkChange) => void)[] = [];

  constructor(private readonly client: Client) {}

  /** Hears of every mark this page makes or takes back; returns the unsubscribe. */
  onChange(listener: (change: MarkChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async refresh(): Promise<void> {
    try {
      const pairs = await this.client.pairs({});
      this.list = pairs.sort((x, y) => y.createdAt - x.createdAt);
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Marks a pair; a pair marked before takes the new verdict. Throws what the engine refused. */
  async mark(a: number, b: number, verdict: PairVerdict): Promise<void> {
    const stored = await this.client.markPair({ a, b, verdict });
    const rest = this.list.filter((p) => !samePair(p, a, b));
    this.list = [{ a: stored.a, b: stored.b, verdict: stored.verdict, source: 'user', createdAt: Date.now() }, ...rest];
    this.tell({ a, b, verdict });
  }

  /** Takes a mark back. Throws what the engine refused. */
  async unmark(a: number, b: number): Promise<void> {
    await this.client.unmarkPair({ a, b });
    this.list = this.list.filter((p) => !samePair(p, a, b));
    this.tell({ a, b, verdict: null });
  }

  /** `unmark` for the marks list: an error is kept for the list to show, not thrown. */
  async undo(a: number, b: number): Promise<void> {
    try {
      this.error = null;
      await this.unmark(a, b);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private tell(change: MarkChange): void {
    for (const l of this.listeners) l(change);
  }
}
