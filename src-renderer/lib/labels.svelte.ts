// The library's labels with their counts, for the sidebar, the label autocomplete and the
// number keys; and the verbs that label photos.
import type { Client, LabelCount } from '../../src-shared/contract';

export class LabelsState {
  list = $state<LabelCount[]>([]);
  error = $state<string | null>(null);

  /**
   * The labels the number keys 1–9 apply, in the order they were created: a new label takes the
   * next free key and never moves one the user has learned. (The sidebar stays alphabetical.)
   */
  readonly shortcuts = $derived([...this.list].sort((a, b) => a.id - b.id).slice(0, 9).map((l) => l.name));

  constructor(private readonly client: Client) {
    // Labelling, importing with folder labels and removals all end in libraryChanged.
    client.on('libraryChanged', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.client.labels({});
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Existing labels that start with (then contain) what the user typed, best first. */
  suggest(typed: string, limit = 6): string[] {
    const t = typed.trim().toLowerCase();
    const names = this.list.map((l) => l.name);
    if (!t) return names.slice(0, limit);
    const starts = names.filter((n) => n.toLowerCase().startsWith(t));
    const contains = names.filter((n) => !n.toLowerCase().startsWith(t) && n.toLowerCase().includes(t));
    return [...starts, ...contains].slice(0, limit);
  }

  async apply(label: string, ids: number[]): Promise<number> {
    const { labelled } = await this.client.setLabel({ label, ids });
    await this.refresh();
    return labelled;
  }

  async remove(label: string, ids: number[]): Promise<number> {
    const { removed } = await this.client.removeLabel({ label, ids });
    await this.refresh();
    return removed;
  }
}
