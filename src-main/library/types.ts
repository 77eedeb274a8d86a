// Row shapes the catalog hands out. Plain data (no Node types) so the engine can pass them
// straight into contract responses.
import type { JobState, PairVerdict } from '../../src-shared/vocabulary.js';

export type { JobState, PairVerdict };

export interface ImageSummary {
  id: number;
  /** One live path of the image (the first in sort order when it is known at several). */
  path: string;
  contentHash: string;
  width: number;
  height: number;
  labels: string[];
}

/** What decoding a file taught us about its content. */
export interface ImageFacts {
  contentHash: string;
  size: number;
  /** Dimensions as displayed, after EXIF orientation. */
  width: number;
  height: number;
  /** sharp's format name: jpeg, png, webp, gif, tiff, heif. */
  format: string;
  /** EXIF DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS` (camera local time), or null. */
  takenAt: string | null;
}

export interface ImageDetail extends ImageFacts {
  id: number;
  status: 'ok' | 'failed';
  error: string | null;
  addedAt: number;
  /** Every live path holding these bytes, sorted. Empty when all were removed. */
  paths: string[];
  labels: string[];
}

export interface ImagePage {
  total: number;
  items: ImageSummary[];
}

export interface ListImagesQuery {
  offset?: number;
  limit?: number;
  /** Only images carrying this label. */
  labelId?: number;
}

export interface ImportFailure {
  path: string;
  error: string;
}

export interface FailureRecord extends ImportFailure {
  rootId: number;
  updatedAt: number;
}

export interface RootRecord {
  id: number;
  path: string;
  addedAt: number;
  scannedAt: number | null;
  /** Images currently live under this root. */
  imageCount: number;
}

export interface LabelCount {
  id: number;
  name: string;
  count: number;
}

export interface PairRecord {
  a: number;
  b: number;
  verdict: PairVerdict;
  source: string;
  createdAt: number;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JobRecord {
  id: number;
  kind: string;
  state: JobState;
  params: Json;
  progress: Json;
  result: Json;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

/** Fields to change on a job; progress and result are stored as JSON. */
export interface JobPatch {
  state?: JobState;
  progress?: unknown;
  result?: unknown;
  error?: string | null;
}

export interface ModelRecord {
  id: number;
  createdAt: number;
  name: string;
  loss: string;
  settings: Json;
  metrics: Json;
  active: boolean;
}

export interface NewModel {
  name: string;
  loss: string;
  /** Stored as JSON. */
  settings?: unknown;
  /** Stored as JSON. */
  metrics?: unknown;
}
