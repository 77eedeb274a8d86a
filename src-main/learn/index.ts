// Public API of the metric-learning area, for the engine and CLI.
export { trainHead, type TrainOptions, type TrainProgress, type TrainResult, type EpochRecord } from './trainer.js';
export { Head, HEAD_FORMAT, type HeadMetadata, type HeadMetrics } from './head.js';
export { retrievalMetrics, scoreQuery, type RetrievalMetrics } from './metrics.js';
export { ClassBalancedSampler, type ClassBalancedSamplerOptions } from './sampler.js';
export { splitForTraining, type MarkedPair, type TrainingSplit } from './split.js';
export * from './losses/index.js';
export * from './miners/index.js';
export type { PairTuples, TripletTuples, IndexTuples } from './tuples.js';
