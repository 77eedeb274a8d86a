// Groups of near-identical photos, and which one of each group the user keeps. The app never
// deletes or moves an original: keeping one records the group as alike (marked pairs, which
// also teach the next training run) and lists the other copies' paths for the user to act on.
// (Labelling the copies "duplicate" would make that word a class for training, so we do not.)
import { SvelteMap } from 'svelte/reactivity';
import { DEFAULT_DUPLICATE_THRESHOLD, type Client, type DuplicateGroup } from '../../src-shared/contract';

export class DuplicatesState {
  groups = $state<DuplicateGroup[]>([]);
  threshold = $state(DEFAULT_DUPLICATE_THRESHOLD);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** The kept member's path, by group position (a same-file group's members share one id). */
  readonly kept = new SvelteMap<number, string>();

  readonly reviewed = $derived(this.kept.size);
  readonly extraCopies = $derived(this.groups.reduce((n, g) => n + g.images.length - 1, 0));

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.groups = await this.client.duplicates({ threshold: this.threshold });
      this.kept.clear();
      this.loaded = true;
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /**
   * Keeps one member of a group and marks each other copy as alike to it. A same-file group is
   * one photo at several paths: there is no pair to mark, only the paths to list.
   */
  async keep(groupIndex: number, path: string): Promise<void> {
    const group = this.groups[groupIndex];
    const member = group?.images.find((i) => i.path === path);
    if (!group || !member) return;
    const others = group.kind === 'same-file' ? [] : group.images.map((i) => i.id).filter((i) => i !== member.id);
    try {
      this.error = null;
      this.kept.set(groupIndex, path);
      for (const b of others) await this.client.markPair({ a: member.id, b, verdict: 'match' });
    } catch (err) {
      this.kept.delete(groupIndex);
      this.error = (err as Error).message;
    }
  }

  /** Paths of the copies the user chose not to keep, for a summary they can copy. */
  readonly spare = $derived(
    this.groups.flatMap((g, i) => {
      const keptPath = this.kept.get(i);
      return keptPath === undefined ? [] : g.images.filter((img) => img.path !== keptPath).map((img) => img.path);
    }),
  );
}
