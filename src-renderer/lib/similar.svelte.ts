// The open "find similar" query: what was asked, the hits, and the score range shown.
import type { Client, Hit, Request } from '../../src-shared/contract';

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

  readonly visible = $derived(this.hits.filter((h) => h.score >= this.minScore && h.score <= this.maxScore));

  private seq = 0;

  constructor(private readonly client: Client) {}

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

  close(): void {
    this.seq++;
    this.query = null;
    this.hits = [];
    this.error = null;
  }

  private async run(request: Request<'similar'>, view: QueryView): Promise<void> {
    const mine = ++this.seq;
    this.query = view;
    this.loading = true;
    this.error = null;
    try {
      const r = await this.client.similar(request);
      if (mine === this.seq) this.hits = r.hits;
    } catch (err) {
      if (mine === this.seq) {
        this.hits = [];
        this.error = (err as Error).message;
      }
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
