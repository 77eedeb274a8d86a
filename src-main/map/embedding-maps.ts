// The engine's side of the embedding map: which images are embedded under which model, a
// cached map per model (see map-store.ts), and the computation run as a job with progress.
// Labels are joined at read time, so labelling never invalidates a map.
import path from 'node:path';
import { ContractError, type EmbeddingMap, type MapSummary } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { DEFAULT_MAP_SEED, placeByNeighbours, projectToPlane, type MapPhase } from './projection.js';
import { imageSetDigest, MapStore, type StoredMap } from './map-store.js';
import { embeddedRows, modelVectors, type EmbeddingSource } from '../library/model-vectors.js';

export interface MapJobContext {
  signal: AbortSignal;
  progress(update: { phase: string; done: number; total: number | null }): void;
}

interface ListedImage {
  id: number;
  path: string;
  contentHash: string;
  labels: string[];
}

/** Up to this share of new photos joins an existing map in place; more lays it out afresh. */
const MAX_ADDED_SHARE = 0.1;
/** Reference points for placing new photos (a strided subset of the map, to bound the cost). */
const MAX_PLACEMENT_REFERENCES = 5000;

const phaseNames: Record<MapPhase, string> = { reducing: 'reducing dimensions', neighbours: 'finding neighbours', layout: 'laying out', placing: 'placing the rest' };

export class EmbeddingMaps {
  private readonly store: MapStore;

  constructor(
    private readonly catalog: Catalog,
    private readonly space: EmbeddingSource,
  ) {
    this.store = new MapStore(path.join(catalog.paths.root, 'maps'));
  }

  /** The model a request means: the active one unless it names one (null: pretrained). */
  resolveModel(model: number | null | undefined): number | null {
    if (model === undefined) return this.space.activeModelId;
    if (model !== null && !this.catalog.getModel(model)) throw new ContractError(`no model #${model}`, 'not-found');
    return model;
  }

  /** The map of this model's space when a valid one is cached, with today's labels; else null. */
  cached(model: number | null, seed = DEFAULT_MAP_SEED): EmbeddingMap | null {
    const { images, digest } = this.embeddedImages();
    const stored = this.store.read(model, seed, digest);
    return stored ? withLabels(stored, images) : null;
  }

  /** Computes and stores the map of a model's space. */
  async compute(model: number | null, seed: number, ctx: MapJobContext): Promise<MapSummary> {
    const started = Date.now();
    ctx.progress({ phase: 'embedding', done: 0, total: null });
    const { ids, vectors, digest } = await this.vectorsOf(model);
    const updated = await this.updateInPlace(model, seed, ids, vectors, ctx);
    if (updated) {
      const stored = this.store.write({ model, seed, digest, ids, xy: updated.xy, sampled: updated.sampled, seconds: (Date.now() - started) / 1000 });
      return { model, points: stored.ids.length, sampled: stored.sampled, seconds: stored.seconds };
    }
    const projection = await projectToPlane(vectors, {
      seed,
      signal: ctx.signal,
      onProgress: (phase, done, total) => ctx.progress({ phase: phaseNames[phase], done, total }),
    });
    const stored = this.store.write({
      model,
      seed,
      digest,
      ids,
      xy: Array.from(projection.xy),
      sampled: projection.sampled,
      seconds: (Date.now() - started) / 1000,
    });
    return { model, points: stored.ids.length, sampled: stored.sampled, seconds: stored.seconds };
  }

  // ---- internals ----------------------------------------------------------------------

  /**
   * When a map of this model exists and the library only lost photos or gained a few, keeps
   * every known point where it was (a map that jumps after each import is disorienting) and
   * places the new photos beside their nearest mapped neighbours. Null: lay out afresh.
   */
  private async updateInPlace(
    model: number | null,
    seed: number,
    ids: number[],
    vectors: Float32Array[],
    ctx: MapJobContext,
  ): Promise<{ xy: number[]; sampled: number } | null> {
    const previous = this.store.readAnySet(model, seed);
    if (!previous) return null;
    const at = new Map(previous.ids.map((id, i) => [id, i]));
    const kept = ids.flatMap((id, i) => (at.has(id) ? [i] : []));
    const added = ids.flatMap((id, i) => (at.has(id) ? [] : [i]));
    if (kept.length < 3 || added.length > MAX_ADDED_SHARE * kept.length) return null;
    const xy = new Array<number>(ids.length * 2);
    for (const i of kept) {
      const j = at.get(ids[i])!;
      xy[2 * i] = previous.xy[2 * j];
      xy[2 * i + 1] = previous.xy[2 * j + 1];
    }
    if (added.length > 0) {
      const stride = Math.max(1, Math.ceil(kept.length / MAX_PLACEMENT_REFERENCES));
      const refs = kept.filter((_, k) => k % stride === 0);
      const placed = await placeByNeighbours(
        added.map((i) => vectors[i]),
        refs.map((i) => vectors[i]),
        refs.flatMap((i) => [xy[2 * i], xy[2 * i + 1]]),
        { signal: ctx.signal, onProgress: (phase, done, total) => ctx.progress({ phase: phaseNames[phase], done, total }) },
      );
      added.forEach((i, r) => {
        xy[2 * i] = placed[2 * r];
        xy[2 * i + 1] = placed[2 * r + 1];
      });
    }
    return { xy, sampled: Math.min(previous.sampled, kept.length) };
  }

  /** Listed images that are in the active index (features cached), and their digest. */
  private embeddedImages(): { images: ListedImage[]; digest: string } {
    const images = embeddedRows(this.catalog, this.space);
    return { images, digest: imageSetDigest(images) };
  }

  private async vectorsOf(model: number | null): Promise<{ ids: number[]; vectors: Float32Array[]; digest: string }> {
    const { rows, vectors } = await modelVectors(this.catalog, this.space, model);
    return { ids: rows.map((r) => r.id), vectors, digest: imageSetDigest(embeddedRows(this.catalog, this.space)) };
  }
}

function withLabels(stored: StoredMap, images: ListedImage[]): EmbeddingMap {
  const labelsOf = new Map(images.map((i) => [i.id, i.labels]));
  const pathOf = new Map(images.map((i) => [i.id, i.path]));
  const labelNames: string[] = [];
  const position = new Map<string, number>();
  const label = stored.ids.map((id) => {
    const first = labelsOf.get(id)?.[0];
    if (first === undefined) return -1;
    let at = position.get(first);
    if (at === undefined) {
      at = labelNames.push(first) - 1;
      position.set(first, at);
    }
    return at;
  });
  return {
    model: stored.model,
    seed: stored.seed,
    points: stored.ids.length,
    sampled: stored.sampled,
    seconds: stored.seconds,
    ids: stored.ids,
    xy: stored.xy,
    labelNames,
    label,
    names: stored.ids.map((id) => path.basename(pathOf.get(id) ?? '')),
  };
}
