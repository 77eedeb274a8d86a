// Messages between the extractor and its inference workers.
import type { BackendInfo } from './backend.js';
import type { DescriptorName } from './descriptor.js';
import type { InferenceOptions } from './inference.js';

export interface WorkerSetup {
  inference: InferenceOptions;
}

export type WorkerRequest =
  | { type: 'infer'; id: number; pixels: Uint8Array; n: number; descriptor?: DescriptorName }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; backend: BackendInfo; backboneId: string; featureId: string; dim: number }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; features: Float32Array }
  | { type: 'error'; id: number; message: string };
