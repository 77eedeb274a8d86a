// The one contract between the UI and the engine. Every call the UI can make and every event
// the engine pushes is declared here once; the Electron preload, the browser-mode server, the
// renderer's client and the engine's dispatcher all derive their types and channel names from it.
// This file imports nothing from Node, Electron or the DOM.
import { z } from 'zod';
import { mediaKinds, methodNames, type MediaKind, type MethodName } from './channels.js';
import { trainDepths } from './train-depth.js';
import {
  exportKinds,
  lossNames,
  minerNames,
  pairVerdicts,
  type PairVerdict,
} from './vocabulary.js';
import type {
  Status,
  ImagePage,
  SimilarResult,
  Failure,
  JobProgress,
  JobRef,
  DuplicateGroup,
  DuplicateReview,
  LabelCount,
  Metrics,
  ModelSummary,
  HardPairView,
  MarkedPairView,
  TrainReadiness,
  TrainProgressEvent,
  MapResult,
  ExportResult,
  LabelImportResult,
} from './shapes.js';

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

// ---- Shared shapes: shapes.ts -----------------------------------------------------------

export * from './shapes.js';

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
        /** Read and hash every file again, not only those whose size or modification time changed. */
        verify: z.boolean().optional(),
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
        /**
         * Reshape the ranking with the user's marks on the query photo (library photos only):
         * towards the photos marked alike, away from those marked not alike; no training run.
         */
        refine: z.boolean().optional(),
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
  /**
   * Keeps one file of a group of copies over the others: the review is kept in the library (a
   * reload shows it) and each pair of different photos is marked alike.
   */
  keepDuplicate: call<DuplicateReview>()(
    z
      .object({ keep: z.string().min(1), spare: z.array(z.string().min(1)).min(1) })
      .strict()
      .refine((r) => !r.spare.includes(r.keep), { message: 'the file kept cannot also be set aside', path: ['spare'] }),
  ),
  duplicateReviews: call<DuplicateReview[]>()(z.object({}).strict()),
  /** Takes back the review that kept this file: its marks are as they were before it. */
  undoDuplicateReview: call<{ undone: number }>()(z.object({ kept: z.string().min(1) }).strict()),
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
  /** Whether `train` would start with these settings, and what there is to teach from. */
  trainReadiness: call<TrainReadiness>()(
    z
      .object({
        labels: z.array(z.string().min(1)).min(2).optional(),
        holdoutLabels: z.array(z.string().min(1)).optional(),
      })
      .strict(),
  ),
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

export { channel, mediaKinds, methodNames, parseMediaTail, type MediaKind } from './channels.js';
export { trainDepths, gpuBackends, wholeCnnOffReason, requestedDepth, type TrainDepth } from './train-depth.js';

// Both lists must name the same calls: a missing or extra name fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Same<MethodName, Method> = true;
void _sameMethods;

// ---- Validation ------------------------------------------------------------------------------

/**
 * How the engine says that a photo's file ends early (an incomplete copy or download): the error
 * of an import failure (beside its path), and of a query as `truncatedPhoto(name)`. A client
 * that knows the file by another name (a dropped file) puts that name in front instead.
 */
export const TRUNCATED = 'truncated (the file ends early)';
export function truncatedPhoto(name: string): string {
  return `${name} is ${TRUNCATED}`;
}

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
