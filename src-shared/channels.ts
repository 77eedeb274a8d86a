// Method and channel names, free of any dependency, so the desktop app's sandboxed preload can
// carry them. `contract.ts` checks at compile time that this list matches its calls.
export const methodNames = [
  'status',
  'importFolders',
  'listImages',
  'listFailures',
  'findImages',
  'similar',
  'duplicates',
  'keepDuplicate',
  'duplicateReviews',
  'undoDuplicateReview',
  'labels',
  'setLabel',
  'removeLabel',
  'markPair',
  'unmarkPair',
  'pairs',
  'hardPairs',
  'trainReadiness',
  'train',
  'evaluate',
  'models',
  'useModel',
  'cancelJob',
  'listJobs',
  'map',
  'exportData',
  'importLabels',
] as const;

export type MethodName = (typeof methodNames)[number];

export const mediaKinds = ['thumb', 'original'] as const;
export type MediaKind = (typeof mediaKinds)[number];

export const channel = {
  call: (m: MethodName) => `lookalike:call:${m}`,
  event: 'lookalike:event',
  httpCallPrefix: '/api/',
  httpCall: (m: MethodName) => `/api/${m}`,
  httpEvents: '/events',
  httpMedia: (kind: MediaKind, id: number) => `/media/${kind}/${id}`,
  protocolScheme: 'lookalike',
  protocolApp: 'lookalike://app/',
  protocolMedia: (kind: MediaKind, id: number) => `lookalike://media/${kind}/${id}`,
} as const;

/**
 * Desktop-only calls that the shell answers itself, never the engine: native dialogs. They are
 * not part of the contract's Client (a browser has no such thing); the preload adds them to
 * `window.lookalike` as optional extras.
 */
export const shellChannel = {
  /** Native "choose folders" dialog; resolves to the chosen paths ([] when cancelled). */
  pickFolders: 'lookalike:shell:pickFolders',
} as const;
