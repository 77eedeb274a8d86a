// The photos the user has picked in the grid (Ctrl/Cmd-click, Shift-click), to label together.
import { SvelteSet } from 'svelte/reactivity';

export class SelectionState {
  readonly ids = new SvelteSet<number>();
  /** Grid position of the last plain pick: where a Shift-click range starts. */
  anchor = $state<number | null>(null);

  readonly size = $derived(this.ids.size);

  has(id: number): boolean {
    return this.ids.has(id);
  }

  toggle(id: number, index: number): void {
    if (this.ids.has(id)) this.ids.delete(id);
    else this.ids.add(id);
    this.anchor = index;
  }

  /** Adds the photos between the anchor and `index`; `idsBetween` maps positions to ids. */
  extend(index: number, idsBetween: (start: number, end: number) => number[]): void {
    for (const id of idsBetween(this.anchor ?? index, index)) this.ids.add(id);
    this.anchor ??= index;
  }

  clear(): void {
    this.ids.clear();
    this.anchor = null;
  }

  list(): number[] {
    return [...this.ids];
  }
}
