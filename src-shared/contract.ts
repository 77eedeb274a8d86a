// The one contract between the UI and the engine. Every call the UI can make and every event
// the engine pushes is declared here once; the Electron preload, the browser-mode server, the
// renderer's client and the engine's dispatcher all derive their types and channel names from it.
// This file imports nothing from Node, Electron or the DOM.
import { z } from 'zod';
import { mediaKinds, methodNames, type MediaKind, type MethodName } from './channels.js';
import { trainDepths, type TrainDepth } from './train-depth.js';
import {
  exportKinds,
  lossNames,
  minerNames,
  pairVerdicts,
  type BackendName,
  type ExportKind,
  type HardPairReason,
  type JobKind,
  type JobState,
  type LossName,
  type PairVerdict,
} from './vocabulary.js';

export * from './vocabulary.js';

/** A call: its request schema (validated at every transport boundary) and its response type. */
export interface CallSpec<I extends z.ZodType, O> {
  readonly input: I;
  /** Phantom field carrying the response type; never read at run time. */
  readonly output?: O;
}

function call<O>() {
  return <I extends z.ZodType>(input: I): CallSpec<I, O> => ({ input });
}

const imageId = z.number().int().positive();
const score = z.number().min(-1).max(1);

// ---- Shared shapes -------------------------------------------------------------------------

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
}

export interface SimilarResult {
  query: { id: number | null; name: string };
  hits: Hit[];
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
  /** Images left out because they carry more than one of the training labels. */
  ambiguous: number;
  /** Labelled photos deeper fine-tuning could not read again (moved, deleted, damaged): left out. */
  unreadable: Failure[];
}

export interface JobRef {
  jobId: number;
}

/**
 * Default strictness of "duplicates": the cosine of near-duplicate descriptors at or above which
 * two photos are proposed as the same picture. A proposed pair counts only when the photos'
 * thumbnails also line up pixel by pixel (engine/duplicate-check.ts), and a group is complete:
 * every two of its photos are such a pair, so every member shown meets the strictness with
 * every other (its score is its cosine with the group's first photo).
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
  images: DuplicateImage[];
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
}

/** What a map job did. */
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

// ---- Calls -----------------------------------------------------------------------------------

/** An image file from outside the library, sent by value (browser drop, upload). */
export const uploadedImage = z.object({
  name: z.string().min(1).max(512),
  dataBase64: z.string().min(1),
});

export const calls = {
  status: call<Status>()(
    z
      .object({
        /** Load the compute backend (tfjs) to report it; otherwise it is reported only once loaded. */
        loadBackend: z.boolean().optional(),
      })
      .strict(),
  ),
  importFolders: call<JobRef>()(
    z
      .object({
        paths: z.array(z.string().min(1)).min(1),
        labelsFromFolders: z.boolean().optional(),
      })
      .strict(),
  ),
  listImages: call<ImagePage>()(
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(200),
        label: z.string().min(1).optional(),
      })
      .strict(),
  ),
  listFailures: call<Failure[]>()(z.object({}).strict()),
  /** Library ids of images by the path of one of their files (null where none), in order. */
  findImages: call<{ ids: (number | null)[] }>()(z.object({ paths: z.array(z.string().min(1)).min(1).max(5000) }).strict()),
  similar: call<SimilarResult>()(
    z
      .object({
        id: imageId.optional(),
        path: z.string().min(1).optional(),
        upload: uploadedImage.optional(),
        k: z.number().int().min(1).max(1000).default(50),
        minScore: score.optional(),
        maxScore: score.optional(),
      })
      .strict()
      .refine((r) => [r.id, r.path, r.upload].filter((v) => v !== undefined).length === 1, {
        message: 'give exactly one of id, path or upload',
        path: ['id'],
      }),
  ),
  duplicates: call<DuplicateGroup[]>()(
    z.object({ threshold: z.number().min(0).max(1).optional() }).strict(),
  ),
  labels: call<LabelCount[]>()(z.object({}).strict()),
  setLabel: call<{ labelled: number }>()(
    z.object({ label: z.string().trim().min(1).max(200), ids: z.array(imageId).min(1) }).strict(),
  ),
  removeLabel: call<{ removed: number }>()(
    z.object({ label: z.string().min(1), ids: z.array(imageId).min(1) }).strict(),
  ),
  markPair: call<{ a: number; b: number; verdict: PairVerdict }>()(
    z
      .object({ a: imageId, b: imageId, verdict: z.enum(pairVerdicts) })
      .strict()
      .refine((r) => r.a !== r.b, { message: 'a pair needs two different images', path: ['b'] }),
  ),
  unmarkPair: call<{ removed: boolean }>()(z.object({ a: imageId, b: imageId }).strict()),
  pairs: call<MarkedPairView[]>()(z.object({ ids: z.array(imageId).optional() }).strict()),
  hardPairs: call<HardPairView[]>()(z.object({ limit: z.number().int().min(1).max(500).default(30) }).strict()),
  train: call<JobRef>()(
    z
      .object({
        loss: z.enum(lossNames).default(lossNames[0]),
        /** The labels to learn as classes (default: all). An image with several of them is left out. */
        labels: z.array(z.string().min(1)).min(2).optional(),
        miner: z.enum(minerNames).optional(),
        epochs: z.number().int().min(1).max(1000).optional(),
        holdoutLabels: z.array(z.string().min(1)).optional(),
        seed: z.number().int().optional(),
        embeddingDim: z.number().int().min(2).max(2048).optional(),
        /**
         * Also fine-tune the backbone's last blocks (block_15, block_16, Conv_1), not only the
         * head: slower, and the new model re-embeds every photo through its blocks.
         */
        deep: z.boolean().optional(),
        /** How deep to train (train-depth.ts); wins over `deep`. 'whole' needs a GPU backend. */
        depth: z.enum(trainDepths).optional(),
      })
      .strict(),
  ),
  evaluate: call<Metrics>()(
    z.object({ labels: z.array(z.string().min(1)).optional(), model: z.number().int().positive().nullable().optional() }).strict(),
  ),
  models: call<ModelSummary[]>()(z.object({}).strict()),
  useModel: call<{ active: number | null }>()(z.object({ id: z.number().int().positive().nullable() }).strict()),
  cancelJob: call<{ cancelled: boolean }>()(z.object({ jobId: z.number().int().positive() }).strict()),
  listJobs: call<JobProgress[]>()(z.object({}).strict()),
  map: call<MapResult>()(
    z
      .object({
        /** Which model's space (null: pretrained); the active model when left out. */
        model: z.number().int().positive().nullable().optional(),
        seed: z.number().int().min(0).max(2 ** 31).optional(),
      })
      .strict(),
  ),
  exportData: call<ExportResult>()(
    z
      .object({
        kind: z.enum(exportKinds),
        /** A file (labels: .csv or .json; embeddings: .npy) or a folder (imagefolder, model). */
        out: z.string().trim().min(1),
        /** imagefolder: copy the files instead of linking them. */
        copy: z.boolean().optional(),
        /** Overwrite an existing file, or write into a folder that is not empty (refused otherwise). */
        force: z.boolean().optional(),
        /** embeddings and model: which model (null: pretrained); the active one when left out. */
        model: z.number().int().positive().nullable().optional(),
      })
      .strict(),
  ),
  importLabels: call<LabelImportResult>()(
    z
      .object({
        /** A CSV or JSON file on the engine's machine... */
        path: z.string().min(1).optional(),
        /** ...or its text (a browser upload). */
        text: z.string().optional(),
      })
      .strict()
      .refine((r) => (r.path === undefined) !== (r.text === undefined), { message: 'give exactly one of path or text', path: ['path'] }),
  ),
} as const;

export type Calls = typeof calls;
export type Method = keyof Calls;
export const methods: readonly Method[] = methodNames;

/** What a caller passes (defaults may be omitted). */
export type Request<M extends Method> = z.input<Calls[M]['input']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedRequest<M extends Method> = z.output<Calls[M]['input']>;
export type Response<M extends Method> = NonNullable<Calls[M]['output']>;

// ---- Events ----------------------------------------------------------------------------------

export interface Events {
  jobProgress: JobProgress;
  libraryChanged: { images: number; embedded: number };
  trainProgress: TrainProgressEvent;
  modelChanged: { active: number | null };
}
export type EventName = keyof Events;
export const eventNames: EventName[] = ['jobProgress', 'libraryChanged', 'trainProgress', 'modelChanged'];

// ---- Channels --------------------------------------------------------------------------------

export { channel, mediaKinds, methodNames, type MediaKind } from './channels.js';
export { trainDepths, gpuBackends, wholeCnnOffReason, requestedDepth, type TrainDepth } from './train-depth.js';

// Both lists must name the same calls: a missing or extra name fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Same<MethodName, Method> = true;
void _sameMethods;

// ---- Validation ------------------------------------------------------------------------------

export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-request' | 'unknown-method' | 'failed' | 'not-found' | 'conflict' = 'failed',
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

/** Validates a request; the error names each bad field, e.g. `similar: k: expected number`. */
export function parseRequest<M extends Method>(method: string, input: unknown): ParsedRequest<M> {
  if (!isMethod(method)) throw new ContractError(`unknown method "${method}"`, 'unknown-method');
  const result = calls[method].input.safeParse(input ?? {});
  if (!result.success) {
    const fields = result.error.issues.map((i) => {
      const where = i.path.length ? i.path.join('.') : '(request)';
      return `${where}: ${i.message}`;
    });
    throw new ContractError(`${method}: invalid request: ${fields.join('; ')}`, 'bad-request');
  }
  return result.data as ParsedRequest<M>;
}

// ---- Media ---------------------------------------------------------------------------------

/** A library image's thumbnail or original, as the transports look it up for the renderer. */
export const mediaRequest = z.object({ kind: z.enum(mediaKinds), id: imageId }).strict();
export type MediaRequest = z.output<typeof mediaRequest>;

/** Validates a media lookup, naming the bad field like parseRequest. */
export function parseMediaRequest(input: unknown): MediaRequest {
  const result = mediaRequest.safeParse(input);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    throw new ContractError(`media: invalid request: ${fields.join('; ')}`, 'bad-request');
  }
  return result.data;
}

// ---- The client shape every transport provides to the renderer -------------------------------

export type Api = { [M in Method]: (request: Request<M>) => Promise<Response<M>> };

export interface Client extends Api {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  mediaUrl(kind: MediaKind, id: number): string;
  /** The file-system path of a dropped file (desktop app only; null in a browser). */
  pathForFile(file: unknown): string | null;
  /** Where the client runs, for wording ("Add folder" vs "type a path"). */
  readonly transport: 'electron' | 'browser';
}
