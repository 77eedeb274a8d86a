// How deep training reaches, and when the deepest is offered. The whole CNN trains every layer
// from pixels: on a GPU backend a matter of minutes, on wasm or cpu hours for a few hundred
// photos, so the panel and the CLI offer it only when a GPU backend runs, and say why not.
export const trainDepths = ['head', 'blocks', 'whole'] as const;
export type TrainDepth = (typeof trainDepths)[number];

/** Backends fast enough to train the whole CNN. */
export const gpuBackends: readonly string[] = ['webgpu', 'tensorflow-gpu'];

/** Why the whole CNN cannot be trained on this backend, or null when it can. */
export function wholeCnnOffReason(backend: string | null | undefined): string | null {
  if (backend && gpuBackends.includes(backend)) return null;
  return `needs a GPU: this machine runs ${backend ?? 'no backend yet'}`;
}

/** The depth a train request asks for: `depth`, else `deep` (kept for older callers). */
export function requestedDepth(req: { depth?: TrainDepth; deep?: boolean }): TrainDepth {
  return req.depth ?? (req.deep ? 'blocks' : 'head');
}
