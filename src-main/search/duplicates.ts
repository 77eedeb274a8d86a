// "Find duplicates": groups of near-identical images (exact copies, re-encodes, resizes, small
// crops). A separate mode from "find similar", with its own, much stricter threshold.
import type { VectorIndex } from './vector-index.js';


export interface DuplicateSearchOptions {
  /** Neighbours asked per image at first; doubled while all of them pass the threshold. */
  neighbours?: number;
  /** Called after each image is queried, e.g. to report job progress. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Groups of ids whose images are near-identical: an edge joins two images when one is among the
 * other's neighbours with score >= threshold, and groups are the connected components (so
 * A~B and B~C put A, B, C together even if A and C score a little lower).
 *
 * @param index    the index holding the library's embeddings
 * @param vectors  the images to check (id → embedding), usually all of the index's
 * @param threshold cosine similarity at or above which two images are joined (the app's
 *                  default, tuned on real photos, is DEFAULT_DUPLICATE_THRESHOLD in the contract)
 * @returns groups of two or more ids, each sorted ascending; largest group first, ties by
 *          smallest id. The same inputs always give the same groups.
 */
export function findDuplicateGroups(
  index: VectorIndex,
  vectors: Iterable<readonly [number, Float32Array]>,
  threshold: number,
  options: DuplicateSearchOptions = {},
): number[][] {
  if (!(threshold > -1 && threshold <= 1)) {
    throw new RangeError(`duplicate threshold must be a cosine similarity in (-1, 1], got ${threshold}`);
  }
  const firstAsk = Math.max(1, options.neighbours ?? 16);
  const entries = [...vectors].sort((a, b) => a[0] - b[0]);
  const components = new UnionFind();
  entries.forEach(([id, vector], done) => {
    components.add(id);
    for (let k = firstAsk; ; k *= 2) {
      const hits = index.search(vector, k, { minScore: threshold, exclude: id });
      for (const hit of hits) components.union(id, hit.id);
      if (hits.length < k || k >= index.size) break;
    }
    options.onProgress?.(done + 1, entries.length);
  });
  return components
    .groups()
    .filter((group) => group.length > 1)
    .sort((a, b) => b.length - a.length || a[0] - b[0]);
}

/** Disjoint sets over ids, the smaller id always the root so results do not depend on order. */
class UnionFind {
  private readonly parent = new Map<number, number>();

  add(id: number): void {
    if (!this.parent.has(id)) this.parent.set(id, id);
  }

  find(id: number): number {
    this.add(id);
    let root = id;
    while (this.parent.get(root) !== root) root = this.parent.get(root) as number;
    // Point the path at the root so later finds are short.
    let node = id;
    while (node !== root) {
      const next = this.parent.get(node) as number;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent.set(rb, ra);
    else if (rb < ra) this.parent.set(ra, rb);
  }

  groups(): number[][] {
    const byRoot = new Map<number, number[]>();
    for (const id of [...this.parent.keys()].sort((a, b) => a - b)) {
      const root = this.find(id);
      const group = byRoot.get(root);
      if (group) group.push(id);
      else byRoot.set(root, [id]);
    }
    return [...byRoot.values()];
  }
}
