// What the UI knows of the library: counts, backend, and a page cache of images for the grid.
import { SvelteMap } from 'svelte/reactivity';
import type { Client, Failure, ImageSummary, Status } from '../../src-shared/contract';

const PAGE = 200;

export class LibraryState {
  status = $state<Status | null>(null);
  total = $state(0);
  failures = $state<Failure[]>([]);
  error = $state<string | null>(null);
  /** The label the grid is filtered by; null shows every photo. */
  label = $state<string | null>(null);
  private readonly pages = new SvelteMap<number, ImageSummary[]>();
  /**
   * Every photo's labels, by id, once "select all" has listed them: the selection bar names the
   * labels of a whole selection, not only of the pages the grid has loaded. Kept fresh on refresh.
   */
  private readonly known = new SvelteMap<number, string[]>();
  // Bookkeeping only: nothing renders from it, so it need not be reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly loading = new Set<number>();
  /** Bumped on every refresh, so pages asked for under an older filter are dropped. */
  private generation = 0;

  constructor(private readonly client: Client) {
    client.on('libraryChanged', () => void this.refresh());
  }

  /** Shows only the photos with this label (null: all photos). */
  async filterBy(label: string | null): Promise<void> {
    this.label = label;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const label = this.label ?? undefined;
    const generation = ++this.generation;
    try {
      const [status, first, failures] = await Promise.all([
        this.client.status({}),
        this.client.listImages({ offset: 0, limit: PAGE, label }),
        this.client.listFailures({}),
      ]);
      if (generation !== this.generation) return; // a newer refresh (or filter) won
      this.status = status;
      this.total = first.total;
      this.failures = failures;
      this.pages.clear();
      this.loading.clear();
      this.pages.set(0, first.items);
      this.error = null;
      if (this.known.size > 0) void this.allIds().catch(() => undefined);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** The image at a grid position, or undefined while its page is loading. */
  imageAt(index: number): ImageSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  /** Ids of the loaded images at grid positions [start, end] (both ends included). */
  idsBetween(start: number, end: number): number[] {
    const ids: number[] = [];
    for (let i = Math.min(start, end); i <= Math.max(start, end); i++) {
      const image = this.imageAt(i);
      if (image) ids.push(image.id);
    }
    return ids;
  }

  /** Every photo the grid shows (under the current filter), loaded page by page. */
  async allIds(): Promise<number[]> {
    const label = this.label ?? undefined;
    const ids: number[] = [];
    const labels: [number, string[]][] = [];
    for (let offset = 0; ; offset += 5000) {
      const page = await this.client.listImages({ offset, limit: 5000, label });
      for (const i of page.items) labels.push([i.id, i.labels]);
      ids.push(...page.items.map((i) => i.id));
      if (page.items.length === 0 || ids.length >= page.total) break;
    }
    for (const [id, l] of labels) this.known.set(id, l);
    return ids;
  }

  /** The labels the given photos carry (loaded or listed by "select all"), sorted, for removing one from them all. */
  labelsOf(ids: Iterable<number>): string[] {
    // Plain records, not Sets: this is a one-off lookup, nothing reactive.
    const wanted: Record<number, true> = {};
    for (const id of ids) wanted[id] = true;
    const byId: Record<number, string[]> = {};
    for (const [id, l] of this.known) if (wanted[id]) byId[id] = l;
    // A loaded page is as fresh as the listing, or fresher.
    for (const page of this.pages.values()) for (const image of page) if (wanted[image.id]) byId[image.id] = image.labels;
    const found: Record<string, true> = {};
    for (const l of Object.values(byId)) for (const name of l) found[name] = true;
    return Object.keys(found).sort();
  }

  /** Makes sure the pages covering [start, end) are loaded or on their way. */
  ensureRange(start: number, end: number): void {
    for (let page = Math.floor(start / PAGE); page * PAGE < Math.min(end, this.total); page++) {
      if (this.pages.has(page) || this.loading.has(page)) continue;
      this.loading.add(page);
      const generation = this.generation;
      this.client
        .listImages({ offset: page * PAGE, limit: PAGE, label: this.label ?? undefined })
        .then((r) => {
          if (generation === this.generation) this.pages.set(page, r.items);
        })
        .catch((err: unknown) => (this.error = (err as Error).message))
        .finally(() => this.loading.delete(page));
    }
  }
}
