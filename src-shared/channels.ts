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

/** The end of every media URL: `<kind>/<id>`. */
const mediaTail = (kind: MediaKind, id: number) => `${kind}/${id}`;
const scheme = 'lookalike';
const appHost = 'app';
const mediaHost = 'media';

export const channel = {
  call: (m: MethodName) => `lookalike:call:${m}`,
  event: 'lookalike:event',
  httpCallPrefix: '/api/',
  httpCall: (m: MethodName) => `/api/${m}`,
  httpEvents: '/events',
  httpMediaPrefix: '/media/',
  httpMedia: (kind: MediaKind, id: number) => `/media/${mediaTail(kind, id)}`,
  protocolScheme: scheme,
  protocolAppHost: appHost,
  protocolApp: `${scheme}://${appHost}/`,
  protocolMediaHost: mediaHost,
  protocolMedia: (kind: MediaKind, id: number) => `${scheme}://${mediaHost}/${mediaTail(kind, id)}`,
} as const;

const isMediaKind = (s: string): s is MediaKind => (mediaKinds as readonly string[]).includes(s);

/**
 * The image a media URL's `<kind>/<id>` tail names, as httpMedia and protocolMedia write it:
 * a known kind and a positive integer written plainly (no sign, leading zero, exponent or hex);
 * null for anything else.
 */
export function parseMediaTail(tail: string): { kind: MediaKind; id: number } | null {
  const m = /^([^/]+)\/([1-9][0-9]{0,15})$/.exec(tail);
  if (!m || !isMediaKind(m[1])) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { kind: m[1], id } : null;
}

/**
 * Desktop-only calls that the shell answers itself, never the engine: native dialogs. They are
 * not part of the contract's Client (a browser has no such thing); the preload adds them to
 * `window.lookalike` as optional extras.
 */
export const shellChannel = {
  /** Native "choose folders" dialog; resolves to the chosen paths ([] when cancelled). */
  pickFolders: 'lookalike:shell:pickFolders',
} as const;
