// The app's fixed vocabularies, each written once. Types, zod enums, the trainer's registries,
// the CLI's help and the UI's choices are all derived from these lists. Dependency-free.

/**
 * Metric-learning losses, the default first: triplet (semi-hard mining) trained the best heads,
 * or level with the best, and the fastest on Fashion-MNIST and a mixed library (bench/loss-choice.ts).
 */
export const lossNames = ['triplet', 'proxy-anchor', 'contrastive', 'proxy-nca'] as const;
export type LossName = (typeof lossNames)[number];

/** Triplet miners (triplet loss). */
export const minerNames = ['batch-hard', 'semi-hard', 'all'] as const;
export type MinerName = (typeof minerNames)[number];
/** The miner a triplet run uses unless told otherwise. */
export const defaultMiner: MinerName = 'semi-hard';

/**
 * Epochs a training run takes when none are asked for: the head alone, or deeper (each epoch then
 * runs the CNN too). The CLI and the panel send none unless the user gives a number, so the app
 * has one default.
 */
export const defaultEpochs = { head: 30, deeper: 10 } as const;
export function defaultEpochsFor(deep: boolean): number {
  return deep ? defaultEpochs.deeper : defaultEpochs.head;
}

/** What `exportData` writes. */
export const exportKinds = ['labels', 'embeddings', 'imagefolder', 'model'] as const;
export type ExportKind = (typeof exportKinds)[number];

/** Why a pair is proposed for review, in the order proposals are interleaved. */
export const hardPairReasons = ['close-but-different-labels', 'same-label-far-apart', 'uncertain-near-marks', 'unlabelled-close-neighbour'] as const;
export type HardPairReason = (typeof hardPairReasons)[number];

/** A user's verdict on a pair of photos. */
export const pairVerdicts = ['match', 'mismatch'] as const;
export type PairVerdict = (typeof pairVerdicts)[number];

/** Compute backends in the order they are tried: the first that loads runs. */
export const backendNames = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

/** Long-running work the engine does as jobs. */
export const jobKinds = ['import', 'embed', 'train', 'map', 'duplicates'] as const;
export type JobKind = (typeof jobKinds)[number];

/** Where a job is while it still has work ahead: waiting its turn, then running. */
export const liveJobStates = ['queued', 'running'] as const;
/** Where a job ends: from these it moves no further. */
export const endedJobStates = ['done', 'failed', 'cancelled'] as const;
/** Where a job is. */
export const jobStates = [...liveJobStates, ...endedJobStates] as const;
export type JobState = (typeof jobStates)[number];

/** Whether a job in this state has ended (done, failed or cancelled). */
export function jobEnded(state: JobState): boolean {
  return (endedJobStates as readonly JobState[]).includes(state);
}
