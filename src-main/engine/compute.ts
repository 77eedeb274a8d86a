// The engine's heavy half: the tfjs backend and the CNN, the vector library, queries, learning,
// the map and the exports. engine.ts imports this module only when a call needs it, so calls
// that read or write the catalog alone (status, labels, pairs, models, ...) never pay for
// starting tfjs: a one-shot CLI command stays quick.
import type { Catalog } from '../library/catalog.js';
import { Exchange } from '../exchange/exchange.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { EmbeddingMaps } from '../map/embedding-maps.js';
import { mapCall } from '../map/map-call.js';
import { initBackend, type BackendInfo } from '../model/backend.js';
import type { MapResult, ParsedRequest, TrainProgressEvent } from '../../src-shared/contract.js';
import { Learning } from './learning.js';
import { needsEmbedding } from './model-switch.js';
import { SimilarQueries } from './similar-queries.js';
import { VectorLibrary } from './vector-library.js';

export class Compute {
  readonly queries: SimilarQueries;
  readonly learning: Learning;
  readonly exchange: Exchange;
  readonly map: (req: ParsedRequest<'map'>) => Promise<MapResult>;

  private constructor(
    readonly backend: BackendInfo,
    readonly vectors: VectorLibrary,
    catalog: Catalog,
    jobs: JobRunner,
    onTrainProgress: (e: TrainProgressEvent) => void,
  ) {
    this.queries = new SimilarQueries(vectors);
    this.learning = new Learning(catalog, vectors, onTrainProgress);
    this.exchange = new Exchange(catalog, vectors);
    this.map = mapCall(new EmbeddingMaps(catalog, vectors), jobs);
  }

  static async open(catalog: Catalog, jobs: JobRunner, onTrainProgress: (e: TrainProgressEvent) => void): Promise<Compute> {
    const backend = await initBackend();
    const vectors = await VectorLibrary.open(catalog);
    return new Compute(backend, vectors, catalog, jobs, onTrainProgress);
  }

  /** Whether switching to this model first needs photos run through its fine-tuned blocks. */
  needsEmbedding(id: number | null): boolean {
    return needsEmbedding(this.vectors, id);
  }

  async close(): Promise<void> {
    await this.queries.close();
    await this.vectors.close();
  }
}
