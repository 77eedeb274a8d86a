// What the UI knows of the library: counts, backend, and a page cache of images for the grid.
import { SvelteMap } from 'svelte/reactivity';
import type { Client, Failure, ImageSummary, Status } from '../../src-shared/contract';

const PAGE = 200;

export class LibraryState {
  status = $state<Status | null>(null);
  total = $state(0);
  failures = $state<Failure[]>([]);
  error = $state<string | null>(null);
  private readonly pages = new SvelteMap<number, ImageSummary[]>();
  // Bookkeeping only: nothing renders from it, so it need not be reactive.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly loading = new Set<number>();

  constructor(private readonly client: Client) {
    client.on('libraryChanged', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      const [status, first, failures] = await Promise.all([
        this.client.status({}),
        this.client.listImages({ offset: 0, limit: PAGE }),
        this.client.listFailures({}),
      ]);
      this.status = status;
      this.total = first.total;
      this.failures = failures;
      this.pages.clear();
      this.loading.clear();
      this.pages.set(0, first.items);
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** The image at a grid position, or undefined while its page is loading. */
  imageAt(index: number): ImageSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  /** Makes sure the pages covering [start, end) are loaded or on their way. */
  ensureRange(start: number, end: number): void {
    for (let page = Math.floor(start / PAGE); page * PAGE < Math.min(end, this.total); page++) {
      if (this.pages.has(page) || this.loading.has(page)) continue;
      this.loading.add(page);
      this.client
        .listImages({ offset: page * PAGE, limit: PAGE })
        .then((r) => this.pages.set(page, r.items))
        .catch((err: unknown) => (this.error = (err as Error).message))
        .finally(() => this.loading.delete(page));
    }
  }
}
