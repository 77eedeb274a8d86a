// The embedding models the user can search with: the pretrained one and every trained version.
import type { Client, ModelSummary } from '../../src-shared/contract';

export class ModelsState {
  list = $state<ModelSummary[]>([]);
  switching = $state(false);
  error = $state<string | null>(null);

  readonly active = $derived(this.list.find((m) => m.active) ?? null);

  constructor(private readonly client: Client) {
    client.on('modelChanged', () => void this.refresh());
    // A finished training run adds a model (and activates it, unless it did worse on held-back marks).
    client.on('jobProgress', (p) => {
      if (p.kind === 'train' && p.state === 'done') void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.client.models({});
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async use(id: number | null): Promise<void> {
    this.switching = true;
    this.error = null;
    try {
      await this.client.useModel({ id });
      await this.refresh();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.switching = false;
    }
  }
}

/**
 * "MAP@R 0.62→0.81" for a model labels taught, "marks 0.71→0.83" (the held-back marks ranked
 * right) for one marks alone taught; "" when it has no such measure.
 */
export function modelGain(m: ModelSummary): string {
  if (m.taughtFrom?.labels === 0) return m.marksBefore && m.marksAfter ? `marks ${m.marksBefore.auc.toFixed(2)}→${m.marksAfter.auc.toFixed(2)}` : '';
  if (!m.before || !m.after) return '';
  return `MAP@R ${m.before.map_at_r.toFixed(2)}→${m.after.map_at_r.toFixed(2)}`;
}
