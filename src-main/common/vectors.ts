// Plain-array vector arithmetic shared by the floors above (no tfjs): dot products, cosines,
// and connected components of a graph given by its edges.

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity of two vectors of any length (0 for a zero vector). */
export function cosine(a: Float32Array, b: Float32Array): number {
  return dot(a, b) / (Math.sqrt(dot(a, a) * dot(b, b)) || 1);
}

/**
 * Component id per node for the nodes that some edge touches (ids dense, in the order of each
 * component's smallest node), -1 for the others.
 */
export function connectedComponents(nodes: number, edges: Iterable<readonly [number, number]>): Int32Array {
  const parent = Int32Array.from({ length: nodes }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const touched = new Uint8Array(nodes);
  for (const [a, b] of edges) {
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    touched[a] = touched[b] = 1;
  }
  const ids = new Map<number, number>();
  const out = new Int32Array(nodes).fill(-1);
  for (let i = 0; i < nodes; i++) {
    if (!touched[i]) continue;
    const r = root(i);
    let g = ids.get(r);
    if (g === undefined) ids.set(r, (g = ids.size));
    out[i] = g;
  }
  return out;
}
