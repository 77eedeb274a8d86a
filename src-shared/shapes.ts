// The shapes the engine answers with: every response type of the contract (contract.ts), and
// what events carry. Plain types and constants, no schema; dependency-free like the rest of src-shared.
import type { BackendName, ExportKind, HardPairReason, JobKind, JobState, LossName, PairVerdict } from './vocabulary.js';
import type { TrainDepth } from './train-depth.js';

export interface Status {
  version: string;
  library: string;
  backend: {
    name: BackendName;
    detail: string;
    skipped: { name: BackendName; reason: string }[];
    /** The adapter on webgpu, as Dawn names it; software: llvmpipe and the like (slow). */
    gpu?: { vendor: string; architecture: string; device: string; description: string; software: boolean };
  } | null;
  images: number;
  embedded: number;
  labels: number;
  activeModel: { id: number; name: string } | null;
  /** Why the active model could not be loaded (the pretrained model answers meanwhile), or null. */
  modelProblem: string | null;
  /**
   * What was found wrong with the library's files and what the app does about it (features
   * being embedded again after a damaged cache, a catalog started empty), one sentence each.
   */
  notices: string[];
}

export interface ImageSummary {
  id: number;
  path: string;
  width: number | null;
  height: number | null;
  labels: string[];
}

export interface ImagePage {
  total: number;
  offset: number;
  items: ImageSummary[];
}

export interface Hit {
  id: number;
  path: string;
  score: number;
  /** The photo's labels, where the call gives them (look-alikes do). */
  labels?: string[];
  /** The copy check found this photo to be the same picture as an outside query (edited copy). */
  copy?: boolean;
  /** With `copy`: the query is this photo exactly, the same file's bytes or the same decoded pixels. */
  exact?: 'bytes' | 'pixels';
  /** The user's verdict on this photo and the query, where they marked the pair. */
  verdict?: PairVerdict;
}

export interface SimilarResult {
  query: { id: number | null; name: string };
  hits: Hit[];
  /** With `refine`: the marks of the query photo that reshaped the ranking (0 and 0: none yet). */
  refined?: { alike: number; notAlike: number };
  /** Set when the active model could not be loaded: these hits come from the pretrained space (see Status.modelProblem). */
  modelProblem?: string;
}

export interface Failure {
  path: string;
  error: string;
}

export interface JobProgress {
  jobId: number;
  kind: JobKind;
  state: JobState;
  /** What the job is doing now, e.g. "scan", "thumbnails", "embed". */
  phase: string;
  done: number;
  total: number | null;
  failed: number;
  /** Items per second over the recent past, when the job counts items. */
  rate: number | null;
  etaSeconds: number | null;
  message: string | null;
  /** Set once the job has ended: what it did. */
  result: JobResult | null;
  /**
   * On a job the engine stopped during (killed, crashed): the job that carries on its work in
   * the restarted engine (an import runs again), so a caller waiting for it follows that one.
   */
  continuedBy?: number;
}

export interface ImportSummary {
  added: number;
  unchanged: number;
  removed: number;
  failed: Failure[];
}

export interface EmbedSummary {
  embedded: number;
  failed: Failure[];
}

export type JobResult =
  | ({ kind: 'import' } & ImportSummary)
  | ({ kind: 'embed' } & EmbedSummary)
  | ({ kind: 'train' } & TrainSummary)
  | ({ kind: 'map' } & MapSummary)
  | ({ kind: 'duplicates' } & DuplicatesSummary)
  | { kind: 'error'; message: string };

export interface TrainSummary {
  /** The new model, now active; null when training was cancelled. */
  modelId: number | null;
  before: Metrics | null;
  after: Metrics | null;
  unseenBefore: Metrics | null;
  unseenAfter: Metrics | null;
  /** Epoch whose weights were kept, and how many ran. */
  bestEpoch: number;
  epochs: number;
  seconds: number;
  /** Whether the backbone's last blocks were fine-tuned too (true for 'blocks' and 'whole'). */
  deep: boolean;
  depth: TrainDepth;
  /** Labelled images trained on and marked pairs used. */
  images: number;
  pairs: number;
  /** What the run was taught from. */
  taughtFrom: TaughtFrom;
  /** The held-back marks (never trained on) judged before and after; null when none were held back. */
  marksBefore: MarkMetrics | null;
  marksAfter: MarkMetrics | null;
  /** Mean share of an unmarked photo's 10 nearest neighbours that stayed among them; null when not measured. */
  neighbourOverlap: number | null;
  /** Whether the new model was made active; when not, why (it is kept as a version). */
  activated: boolean;
  notActivatedWhy: string | null;
  /** Images left out because they carry more than one of the training labels. */
  ambiguous: number;
  /** Labelled photos deeper fine-tuning could not read again (moved, deleted, damaged): left out. */
  unreadable: Failure[];
}

/** What a model was taught from: labels and the user's marks. */
export interface TaughtFrom {
  /** Labels trained on as classes, and the photos carrying them. */
  labels: number;
  labelledPhotos: number;
  /** "Alike" and "not alike" marks trained on (held-back marks not counted). */
  alike: number;
  notAlike: number;
  /** Groups the "alike" marks join photos into (classes for the proxy losses). */
  groups: number;
  /** Marks held back to judge the run. */
  heldBack: number;
}

/**
 * How well an embedding separates held-back marks: the share of (alike, not-alike) pairs of
 * marks in which the alike pair scores higher (the pairs' ROC AUC; 0.5 is chance).
 */
export interface MarkMetrics {
  auc: number;
  alike: number;
  notAlike: number;
}

/** Whether training can start, and what is there to teach from. */
export interface TrainReadiness {
  ready: boolean;
  /** Why not, worded for the user; null when ready. */
  why: string | null;
  /** Labels with two photos or more (outside held-out labels), and photos carrying one. */
  labels: number;
  labelledPhotos: number;
  alike: number;
  notAlike: number;
  /** Marks of each verdict that train a model without labels. */
  minMarks: number;
}

export interface JobRef {
  jobId: number;
}

/**
 * Default strictness of "duplicates": the cosine of near-duplicate descriptors at or above which
 * two photos are proposed as the same picture. A proposed pair counts only when the photos'
 * thumbnails also line up pixel by pixel (engine/duplicate-check.ts), and a group gathers
 * around a centre (search/duplicates.ts centredGroups): every member is such a pair with the
 * centre, shown first, and its score is its cosine with it.
 * bench/duplicates-mixed.ts, 1,220 photos (40 wallpapers, 300 Fashion-MNIST shots, 60 icons, 60
 * text pages, 60 patterned images; 10 edited copies of each wallpaper and of 10 of each simple
 * set): at 0.95, pair precision 0.9910 (15 wrong of 1,674), recall of copy pairs 0.43, of
 * original-and-copy pairs 0.62 (before straightened crops and the caption-tolerant score:
 * 0.9902, 0.37, 0.58; crops of 75 % are still mostly missed, and the descriptor proposes only
 * 0.85 of copy pairs at all); 0.97: 0.989, 0.36, 0.57; 0.99: 0.978, 0.15, 0.33 (the pixel check, not this
 * cosine, decides precision). The descriptor alone at 0.985 (before): 6.5 % of its pairs right
 * on the same photos (bench/duplicates-mixed-study.ts), and union-find chained all 300
 * Fashion-MNIST shots of a user's library into one group (issue 13).
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.95;

/** A duplicate group member, with what one needs to choose which copy to keep. */
export interface DuplicateImage extends Hit {
  width: number | null;
  height: number | null;
  /** File size in bytes. */
  bytes: number;
}

export interface DuplicateGroup {
  /**
   * 'same-file': one photo whose very bytes are at several paths (byte-identical files are one
   * photo in the library): one member per path, all with the photo's id and score 1. Absent:
   * near-identical photos, one member each.
   */
  kind?: 'same-file';
  images: DuplicateImage[];
}

/** The user's review of a group of copies: the file kept, and those set aside (still on disk). */
export interface DuplicateReview {
  kept: string;
  spare: string[];
  createdAt: number;
}

/**
 * The member of a group to keep, one choice for the window and the CLI: the one the user kept
 * (`reviewed`: a review that keeps one member over another), else the engine's reference, first
 * in the group (the centre: the largest of the equally good ones; a same-file group's first path).
 */
export function memberToKeep(group: { images: readonly { path: string }[] }, reviews: readonly DuplicateReview[]): { path: string; reviewed: boolean } {
  const member = (p: string) => group.images.some((img) => img.path === p);
  const kept = reviews.find((r) => member(r.kept) && r.spare.some(member))?.kept;
  return kept !== undefined ? { path: kept, reviewed: true } : { path: group.images[0]?.path ?? '', reviewed: false };
}

export interface LabelCount {
  /** Grows with each new label: creation order, which keeps number keys and colours stable. */
  id: number;
  name: string;
  count: number;
}

/** Retrieval quality as "A Metric Learning Reality Check" defines it. */
export interface Metrics {
  precision_at_1: number;
  recall_at_1: number;
  recall_at_10: number;
  r_precision: number;
  map_at_r: number;
  /** Queries that counted: labelled images with at least one other image of their label. */
  queries: number;
}

export interface ModelSummary {
  /** null: the pretrained backbone with no trained head. */
  id: number | null;
  name: string;
  createdAt: number | null;
  loss: LossName | null;
  active: boolean;
  settings: Record<string, unknown>;
  /** Validation retrieval before and after this model's training. */
  before: Metrics | null;
  after: Metrics | null;
  /** The same on labels held out of training (unseen classes), when some were. */
  unseenBefore: Metrics | null;
  unseenAfter: Metrics | null;
  /** What it was taught from (null for the pretrained space and models older than marks training). */
  taughtFrom: TaughtFrom | null;
  /** Held-back marks before and after its training. */
  marksBefore: MarkMetrics | null;
  marksAfter: MarkMetrics | null;
  /** As TrainSummary.neighbourOverlap: how much of their 10 nearest the untaught photos kept. */
  neighbourOverlap: number | null;
  /** Why it was not made active after training, when it was not. */
  notActivatedWhy: string | null;
}

export interface HardPairView {
  a: Hit & { labels: string[] };
  b: Hit & { labels: string[] };
  reason: HardPairReason;
  similarity: number;
}

export interface MarkedPairView {
  a: number;
  b: number;
  verdict: PairVerdict;
  source: string;
  createdAt: number;
}

export interface TrainProgressEvent {
  jobId: number;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  /** Validation metrics, on the event that ends an epoch. */
  validation: Metrics | null;
  /** The held-back marks judged, on the event that ends an epoch (when marks were held back). */
  marks: MarkMetrics | null;
}

/** What a map job did. */
/** A duplicates search that ran to its end (the `duplicates` call answers with the groups themselves). */
export interface DuplicatesSummary {
  groups: number;
  seconds: number;
}

export interface MapSummary {
  model: number | null;
  points: number;
  /** Points UMAP laid out itself; the others were placed beside their nearest sampled points. */
  sampled: number;
  seconds: number;
}

/** A 2-D map of a model's embeddings, columnar to stay small at 100k points. */
export interface EmbeddingMap extends MapSummary {
  seed: number;
  /** Image ids; point i is at (xy[2i], xy[2i+1]), both in [0, 1]. */
  ids: number[];
  xy: number[];
  /** Label names; point i carries labelNames[label[i]], or none when label[i] is -1. */
  labelNames: string[];
  label: number[];
  /** Point i's file name (no folder), for the hover. */
  names: string[];
}

/** A map ready now, or the job computing it (wait for its end, then ask again). */
export type MapResult = { ready: true; map: EmbeddingMap } | { ready: false; jobId: number };

export interface ExportResult {
  kind: ExportKind;
  /** Files or folders written. */
  written: string[];
  /** Rows, vectors or images exported. */
  count: number;
  /** Images that could not be linked or copied, with why. */
  failed: Failure[];
}

export interface LabelImportResult {
  rows: number;
  /** Rows that matched an image in the library. */
  matched: number;
  /** Image-label pairs added. */
  labelled: number;
  /** Rows that matched nothing: their line number in the file and the key they gave. */
  unmatched: { line: number; key: string }[];
}
