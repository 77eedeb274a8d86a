// The open "find similar" query: what was asked, the hits, and the score range shown.
import { SvelteMap } from 'svelte/reactivity';
import type { Client, Hit, Request } from '../../src-shared/contract';

export type Verdict = 'match' | 'mismatch';

export interface QueryView {
  id: number | null;
  name: string;
  /** An image URL for the query (library thumbnail, or an object URL for a dropped file). */
  src: string;
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

  readonly visible = $derived(this.hits.filter((h) => h.score >= this.minScore && h.score <= this.maxScore));

  private seq = 0;

  constructor(private readonly client: Client) {
    // Another model ranks differently: ask again, so the open panel never shows stale scores.
    client.on('modelChanged', () => {
      const q = this.query;
      if (q?.id !== null && q?.id !== undefined) void this.byId(q.id, q.name);
    });
  }

  async byId(id: number, name: string): Promise<void> {
    await this.run({ id, k: 60 }, { id, name, src: this.client.mediaUrl('thumb', id) });
  }

  async byFile(file: File): Promise<void> {
    const path = this.client.pathForFile(file);
    const src = URL.createObjectURL(file);
    if (path) {
      await this.run({ path, k: 60 }, { id: null, name: file.name, src });
      return;
    }
    const dataBase64 = await toBase64(file);
    await this.run({ upload: { name: file.name, dataBase64 }, k: 60 }, { id: null, name: file.name, src });
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
        await this.client.unmarkPair({ a, b: hitId });
      } else {
        this.verdicts.set(hitId, verdict);
        await this.client.markPair({ a, b: hitId, verdict });
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
    this.error = null;
  }

  private async run(request: Request<'similar'>, view: QueryView): Promise<void> {
    const mine = ++this.seq;
    // Verdicts belong to the query photo: keep them when the same photo is asked again.
    if (view.id === null || view.id !== this.query?.id) this.verdicts.clear();
    this.query = view;
    this.verdictError = null;
    this.loading = true;
    this.error = null;
    try {
      const [r, pairs] = await Promise.all([
        this.client.similar(request),
        view.id === null ? Promise.resolve([]) : this.client.pairs({ ids: [view.id] }),
      ]);
      if (mine === this.seq) {
        this.hits = r.hits;
        for (const p of pairs) this.verdicts.set(p.a === view.id ? p.b : p.a, p.verdict);
      }
    } catch (err) {
      if (mine === this.seq) {
        this.hits = [];
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
  if (!/decod|corrupt|unsupported image|vips|premature|not a (known|supported)|input (buffer|file)|bad (huffman|marker)|jpeg|png|webp/i.test(raw)) return raw;
  return `“${name}” could not be read as a photo: the file is damaged, cut short, or not an image.`;
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
