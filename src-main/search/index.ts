// Public API of the search area: what the engine and CLI import.
export type { SearchHit, SearchOptions, VectorIndex } from './vector-index.js';
export { MAX_ID, cosineScore } from './vector-index.js';
export { ExactIndex } from './exact-index.js';
export { HnswIndex, DEFAULT_HNSW_SETTINGS, type HnswSettings } from './hnsw-index.js';
export { ProjectedIndex, DEFAULT_PROJECTED_SETTINGS, type ProjectedSettings } from './projected-index.js';
export { LiveIndex, createIndex, loadIndex, crossoverSize, MEASURED_CROSSOVER, PROJECTED_FROM_DIM, type IndexKind } from './live-index.js';
export { IndexFileError, deleteIndexFiles, sidecarPath } from './index-file.js';
export { embeddingsIn, proposeHardPairs, type Embeddings, type HardPair, type HardPairReason, type HardPairOptions } from './hard-pairs.js';
