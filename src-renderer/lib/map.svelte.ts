// The embedding map view's state: the map of the active model (and, for comparison, of the
// pretrained space), the job computing one when none is cached, the lasso selection, and
// labelling that selection in one step.
import { jobEnded, type Client, type EmbeddingMap, type JobProgress } from '../../src-shared/contract';

export interface MapSlot {
  map: EmbeddingMap | null;
  job: JobProgress | null;
  error: string | null;
}

const emptySlot = (): MapSlot => ({ map: null, job: null, error: null });

export { labelColour, labelPalette, unlabelledColour } from './label-colours';

export class MapState {
  // Raw, not deep: a deep $state would wrap the 200k-number arrays in proxies and make every
  // read in the draw loop ~100x slower. Slots are only ever replaced whole.
  active = $state.raw<MapSlot>(emptySlot());
  pretrained = $state.raw<MapSlot>(emptySlot());
  /** Side by side: the pretrained space next to the active model's. */
  comparing = $state(false);
  activeModel = $state<number | null>(null);
  selection = $state.raw<number[]>([]);
  message = $state<string | null>(null);
  /** Map jobs we wait for, by job id (bookkeeping, not shown: a plain object). */
  private readonly waiting: Record<number, 'active' | 'pretrained'> = {};

  // A fresh Set per selection, never mutated: reactivity comes from `selection` itself.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly selected = $derived(new Set(this.selection));

  constructor(private readonly client: Client) {
    client.on('jobProgress', (p) => this.onJob(p));
    client.on('modelChanged', ({ active }) => {
      this.activeModel = active;
      void this.load();
    });
  }

  /** Loads (or starts computing) the maps the view shows. */
  async load(): Promise<void> {
    try {
      const status = await this.client.status({});
      this.activeModel = status.activeModel?.id ?? null;
    } catch (err) {
      this.active = { ...this.active, error: (err as Error).message };
      return;
    }
    await this.fetch('active');
    if (this.comparing) await this.fetch('pretrained');
  }

  async toggleCompare(): Promise<void> {
    this.comparing = !this.comparing;
    if (this.comparing && !this.pretrained.map) await this.fetch('pretrained');
  }

  select(ids: number[], add: boolean): void {
    if (add) {
      const had = this.selected;
      this.selection = [...this.selection, ...ids.filter((id) => !had.has(id))];
    } else this.selection = ids;
    this.message = null;
  }

  clearSelection(): void {
    this.selection = [];
  }

  /** Gives every selected image the label, then recolours the maps. */
  async labelSelection(label: string): Promise<void> {
    const ids = this.selection;
    if (!label.trim() || ids.length === 0) return;
    try {
      const { labelled } = await this.client.setLabel({ label: label.trim(), ids });
      this.message = `Labelled ${labelled} photo${labelled === 1 ? '' : 's'} “${label.trim()}”`;
      await this.fetch('active');
      if (this.comparing) await this.fetch('pretrained');
    } catch (err) {
      this.message = (err as Error).message;
    }
  }

  private async fetch(which: 'active' | 'pretrained'): Promise<void> {
    const model = which === 'active' ? this.activeModel : null;
    const set = (slot: MapSlot) => (which === 'active' ? (this.active = slot) : (this.pretrained = slot));
    const current = which === 'active' ? this.active : this.pretrained;
    try {
      const r = await this.client.map({ model });
      if (r.ready) set({ map: r.map, job: null, error: null });
      else {
        this.waiting[r.jobId] = which;
        set({ ...current, job: current.job?.jobId === r.jobId ? current.job : null, error: null });
        // A small map can finish before this answer arrives: catch its end event if we missed it.
        const jobs = await this.client.listJobs({});
        const job = jobs.find((j) => j.jobId === r.jobId);
        if (job && this.waiting[r.jobId]) this.onJob(job);
      }
    } catch (err) {
      set({ ...current, job: null, error: (err as Error).message });
    }
  }

  private onJob(p: JobProgress): void {
    // New photos (or a finished embedding) change the image set: bring a shown map up to date.
    if ((p.kind === 'import' || p.kind === 'embed') && p.state === 'done' && this.active.map) void this.load();
    const which = this.waiting[p.jobId];
    if (!which) return;
    const slot = which === 'active' ? this.active : this.pretrained;
    if (!jobEnded(p.state)) {
      const next = { ...slot, job: p };
      if (which === 'active') this.active = next;
      else this.pretrained = next;
      return;
    }
    delete this.waiting[p.jobId];
    if (p.state === 'done') void this.fetch(which);
    else {
      const error = p.result?.kind === 'error' ? p.result.message : `the map job ${p.state}`;
      const next = { ...slot, job: null, error };
      if (which === 'active') this.active = next;
      else this.pretrained = next;
    }
  }
}
