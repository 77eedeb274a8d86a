// The open "find similar" query: what was asked, the hits, the score range shown, the user's
// verdicts on the query's pairs, and whether the ranking is refined by those marks.
import { SvelteMap } from 'svelte/reactivity';
import { TRUNCATED, truncatedPhoto, type Client, type Hit, type PairVerdict, type Request, type SimilarResult } from '../../src-shared/contract';
import type { MarksState } from './marks.svelte';

export type Verdict = PairVerdict;

export interface QueryView {
  id: number | null;
  name: string;
  /** An image URL for the query (library thumbnail, or an object URL for a dropped file). */
  src: string;
  /** Said under the name, e.g. that only the first of several dropped photos is the query. */
  note?: string;
}

export class SimilarState {
  query = $state<QueryView | null>(null);
  hits = $state<Hit[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  minScore = $state(0);
  maxScore = $state(1);
  /** The user's verdicts on the query photo's pairs, by the other photo's id (from `pairs`). */
  readonly verdicts = new SvelteMap<number, Verdict>();
  verdictError = $state<string | null>(null);
  /** Rank library photos with the user's marks on them (towards "alike", away from "not alike"). */
  refine = $state(false);
  /** The marks that refined the ranking shown, when it was refined. */
  refined = $state<SimilarResult['refined'] | null>(null);

  /** Hits in the chosen range; the slider's top (1) sets no upper bound, so an exact copy's 1 always shows. */
  readonly visible = $derived(this.hits.filter((h) => h.score >= this.minScore && (this.maxScore >= 1 || h.score <= this.maxScore)));
  /** Refining is offered for a library photo with marks (and stays offered while it is on). */
  readonly canRefine = $derived(this.query !== null && this.query.id !== null && (this.verdicts.size > 0 || this.refine));

  private seq = 0;

  constructor(
    private readonly client: Client,
    private readonly marks: MarksState,
  ) {
    // Another model ranks differently: ask again, so the open panel never shows stale scores.
    client.on('modelChanged', () => this.again());
    client.on('jobProgress', (p) => {
      if (p.kind === 'train' && p.state === 'done') this.again(true);
    });
    // A mark on the query photo, made here or in another view (the marks list, the review).
    marks.onChange(({ a, b, verdict }) => {
      const q = this.query?.id;
      if (q === null || q === undefined || (a !== q && b !== q)) return;
      const other = a === q ? b : a;
      if (verdict) this.verdicts.set(other, verdict);
      else this.verdicts.delete(other);
      if (this.refine) this.again(true);
    });
  }

  async byId(id: number, name: string): Promise<void> {
    await this.run({ id, k: 60, refine: this.refine || undefined }, { id, name, src: this.client.mediaUrl('thumb', id) });
  }

  /** Turns refining on or off and ranks the open photo again. */
  setRefine(on: boolean): void {
    this.refine = on;
    this.again(true);
  }

  /** Asks the open library query again; `quiet` keeps the hits in view meanwhile. */
  private again(quiet = false): void {
    const q = this.query;
    if (q?.id === null || q?.id === undefined) return;
    void this.run({ id: q.id, k: 60, refine: this.refine || undefined }, q, quiet);
  }

  async byFile(file: File, note?: string): Promise<void> {
    const path = this.client.pathForFile(file);
    const view: QueryView = { id: null, name: file.name, src: URL.createObjectURL(file), note };
    if (path) {
      await this.run({ path, k: 60 }, view);
      return;
    }
    const dataBase64 = await toBase64(file);
    await this.run({ upload: { name: file.name, dataBase64 }, k: 60 }, view);
  }

  /** Marks the query and a hit as alike or not; the same verdict again takes it back. */
  async judge(hitId: number, verdict: Verdict): Promise<void> {
    const a = this.query?.id;
    if (a === null || a === undefined) return;
    const previous = this.verdicts.get(hitId);
    try {
      this.verdictError = null;
      if (previous === verdict) {
        this.verdicts.delete(hitId);
        await this.marks.unmark(a, hitId);
      } else {
        this.verdicts.set(hitId, verdict);
        await this.marks.mark(a, hitId, verdict);
      }
    } catch (err) {
      if (previous) this.verdicts.set(hitId, previous);
      else this.verdicts.delete(hitId);
      this.verdictError = (err as Error).message;
    }
  }

  close(): void {
    this.seq++;
    this.query = null;
    this.hits = [];
    this.refined = null;
    this.error = null;
  }

  private async run(request: Request<'similar'>, view: QueryView, quiet = false): Promise<void> {
    const mine = ++this.seq;
    // Verdicts belong to the query photo: keep them when the same photo is asked again.
    if (view.id === null || view.id !== this.query?.id) this.verdicts.clear();
    this.query = view;
    this.verdictError = null;
    if (!quiet) this.loading = true;
    this.error = null;
    try {
      const [r, pairs] = await Promise.all([
        this.client.similar(request),
        view.id === null ? Promise.resolve([]) : this.client.pairs({ ids: [view.id] }),
      ]);
      if (mine === this.seq) {
        this.hits = r.hits;
        this.refined = r.refined ?? null;
        for (const h of r.hits) if (h.verdict) this.verdicts.set(h.id, h.verdict);
        for (const p of pairs) this.verdicts.set(p.a === view.id ? p.b : p.a, p.verdict);
      }
    } catch (err) {
      if (mine === this.seq) {
        this.hits = [];
        this.refined = null;
        this.error = view.id === null ? unreadableMessage(view.name, (err as Error).message) : (err as Error).message;
      }
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}

/**
 * A photo from outside that cannot be decoded gets one sentence, not the decoder's own words
 * (libvips repeats them per stage); the raw text stays for anything else (e.g. a lost server).
 */
export function unreadableMessage(name: string, raw: string): string {
  if (raw.endsWith(` is ${TRUNCATED}`)) return `${truncatedPhoto(`“${name}”`)}.`;
  if (!/decod|corrupt|unsupported image|vips|premature|not a (known|supported)|input (buffer|file)|bad (huffman|marker)|jpeg|png|webp/i.test(raw)) return raw;
  return `“${name}” could not be read as a photo: the file is damaged, cut short, or not an image.`;
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
