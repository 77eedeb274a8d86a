// The model area's public surface: what the engine and CLI import.
export { initBackend, onBackend, BACKEND_ORDER, type BackendInfo, type BackendName, type BackendAttempt, type BackendOptions } from './backend.js';
export { gpuName, type GpuInfo } from './webgpu.js';
export { GpuRunner, maxBatchFor, DEFAULT_GPU_BATCH_SIZE } from './gpu-runner.js';
export {
  loadBackbone, backboneId, BACKBONE_INPUT_SIZE, BACKBONE_FEATURE_DIM, BACKBONE_FEATURE_LAYER,
  type Backbone, type LoadBackboneOptions,
} from './backbone.js';
export { decodeForBackbone, PIXELS_PER_IMAGE, type ImageInput } from './preprocess.js';
export {
  FeatureExtractor, DEFAULT_WORKERS, DEFAULT_BATCH_SIZE,
  type FeatureExtractorOptions, type ExtractOptions, type ExtractorInfo,
} from './extractor.js';
export { DESCRIPTORS, NEAR_DUPLICATE_DIM, splitDescriptor, type DescriptorName } from './descriptor.js';
export { FeatureStore, FEATURE_DB_FILE } from './feature-store.js';
export { featuresWithCache, type ImageToEmbed, type CachedFeaturesResult } from './cached-features.js';
